namespace Ipto.Grains.Hosting;

public static class StorageNames
{
    /// <summary>The grain storage every stateful grain uses (SQLite in embedded mode, PostgreSQL in cluster mode).</summary>
    public const string Default = "ipto";
}
