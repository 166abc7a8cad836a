namespace Ipto.Diagnostics;

/// <summary>
/// An operator's probe: which silo hosts this activation, and whether it can reach another grain (possibly on
/// another silo). Keys are free-form; activations are placed like any grain.
/// </summary>
[Alias("Ipto.ISiloInfoGrain")]
public interface ISiloInfoGrain : IGrainWithStringKey
{
    [Alias("Where")]
    Task<string> Where();

    /// <summary>Calls <paramref name="peerKey"/> from this activation and returns the silo that answered.</summary>
    [Alias("CallPeer")]
    Task<string> CallPeer(string peerKey);
}
