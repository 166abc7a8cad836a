namespace Ipto.Metering;

/// <summary>The four billable event types of the ledger (SPEC §13).</summary>
public static class AccessTypes
{
    public const string Retrieval = "retrieval";
    public const string Citation = "citation";
    public const string Download = "download";
    public const string Outcome = "outcome";

    public static readonly IReadOnlyList<string> All = [Retrieval, Citation, Download, Outcome];
}
