using Ipto.Grains.Hosting;

namespace Ipto.Api.Tests.Hardening;

/// <summary>README "Configuration": a relative Ipto:DataDir is relative to the directory the process was started in.</summary>
public sealed class DataDirTests
{
    [Theory]
    [InlineData("./data", "data")]
    [InlineData("data", "data")]
    [InlineData("state/../ipto", "ipto")]
    public void RelativeDataDirResolvesAgainstTheWorkingDirectoryNotTheBinaryDirectory(string setting, string expected)
    {
        var original = Directory.GetCurrentDirectory();
        var startedIn = Directory.CreateTempSubdirectory("ipto-cwd-").FullName;
        try
        {
            // Test parallelisation is off for this assembly, so changing the process's directory affects no other test.
            Directory.SetCurrentDirectory(startedIn);

            var resolved = new IptoOptions { DataDir = setting }.FullDataDir;

            Assert.Equal(Path.Combine(Directory.GetCurrentDirectory(), expected), resolved);
            Assert.NotEqual(Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, setting)), resolved);
        }
        finally
        {
            Directory.SetCurrentDirectory(original);
            Directory.Delete(startedIn, recursive: true);
        }
    }

    [Fact]
    public void AbsoluteDataDirIsKept()
    {
        var absolute = Path.Combine(Path.GetTempPath(), "ipto-abs");

        Assert.Equal(absolute, new IptoOptions { DataDir = absolute }.FullDataDir);
    }
}
