namespace Ipto.Diagnostics;

/// <summary>Answers when a silo can run grains; used by readiness checks.</summary>
[Alias("Ipto.IPingGrain")]
public interface IPingGrain : IGrainWithIntegerKey
{
    [Alias("Ping")]
    Task<string> Ping();
}
