// Silos, processes and databases: one test at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
