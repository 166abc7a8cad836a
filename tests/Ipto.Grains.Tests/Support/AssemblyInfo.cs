// Each test starts silos that bind ports and take most of a core; running them one at a time is faster on small machines.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
