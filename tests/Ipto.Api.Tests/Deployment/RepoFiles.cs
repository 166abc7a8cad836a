namespace Ipto.Api.Tests.Deployment;

/// <summary>Files of the repository the tests read, found from the test binary by walking up to <c>Ipto.sln</c>.</summary>
internal static class RepoFiles
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    public static string Read(string relative) => File.ReadAllText(PathOf(relative));

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Ipto.sln"))) directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("Ipto.sln not found above " + AppContext.BaseDirectory);
    }
}
