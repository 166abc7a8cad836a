namespace Ipto.Diagnostics;

/// <summary>Whether the silo that answers reaches the database and the object store (each probe bounded by a short timeout).</summary>
[GenerateSerializer, Alias("Ipto.DependencyHealth")]
public sealed record DependencyHealth([property: Id(0)] bool Database, [property: Id(1)] bool ObjectStore);

/// <summary>The dependencies half of readiness. Stateless: the local silo answers where there is one (use key 0).</summary>
[Alias("Ipto.IDependencyProbeGrain")]
public interface IDependencyProbeGrain : IGrainWithIntegerKey
{
    [Alias("Check")]
    Task<DependencyHealth> Check();
}
