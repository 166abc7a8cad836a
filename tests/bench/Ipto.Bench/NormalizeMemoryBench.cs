using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Ipto.Testing;
using Microsoft.AspNetCore.Mvc.Testing;

/// <summary>
/// Normalizes a generated plain-text file of N MB (default 500) uploaded through its presigned URL, and reports the
/// process's peak working set against the file size: streaming extraction must not need memory in proportion to it.
/// Usage: dotnet run -c Release --project tests/bench/Ipto.Bench -- normalize-memory 500
/// </summary>
internal static class NormalizeMemoryBench
{
    public static async Task RunAsync(int megabytes)
    {
        var size = megabytes * 1024L * 1024;
        var dataDir = Directory.CreateTempSubdirectory("ipto-bench-").FullName;
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_IPTO_API", AppContext.BaseDirectory);
        var api = new LargeFileApi(dataDir);
        using var client = api.CreateClient();
        static StringContent Json(object value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

        var account = await client.SignupAsync(Accounts.NewEmail("bench"), "Bench", displayName: "B");
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", account.SessionToken);
        var dataset = JsonDocument.Parse(await (await client.PostAsync("/v1/datasets", Json(new { name = "Big" }))).Content.ReadAsStringAsync()).RootElement.GetProperty("data");
        var upload = JsonDocument.Parse(await (await client.PostAsync("/v1/uploads", Json(new
        {
            dataset_id = dataset.GetProperty("dataset_id").GetString(), filename = "big.txt", content_type = "text/plain", size_bytes = size,
        }))).Content.ReadAsStringAsync()).RootElement.GetProperty("data");

        // The bytes land in the store as a client's PUT would leave them (the in-process test server buffers request
        // bodies, which would hide what normalization itself needs).
        var store = api.Services.GetRequiredService<Ipto.Grains.ObjectStore.IObjectStore>();
        await store.WriteAsync(Ipto.Grains.ObjectStore.ObjectKeys.ObjectBlob(dataset.GetProperty("dataset_id").GetString()!, upload.GetProperty("object_id").GetString()!),
            new GeneratedText(size), "text/plain");
        GC.Collect();

        var before = Process.GetCurrentProcess();
        before.Refresh();
        var baseline = before.WorkingSet64;
        var watch = Stopwatch.StartNew();
        await client.PostAsync($"/v1/uploads/{upload.GetProperty("upload_id").GetString()}/complete", null);
        var objectId = upload.GetProperty("object_id").GetString();
        JsonElement obj;
        do
        {
            await Task.Delay(250);
            obj = JsonDocument.Parse(await (await client.GetAsync($"/v1/objects/{objectId}")).Content.ReadAsStringAsync()).RootElement.GetProperty("data");
        }
        while (obj.GetProperty("status").GetString() == "processing");
        watch.Stop();

        var after = Process.GetCurrentProcess();
        after.Refresh();
        Console.WriteLine($"file: {megabytes} MB; status {obj.GetProperty("status").GetString()}; chunks {obj.GetProperty("extraction").GetProperty("chunks").GetInt32()}");
        Console.WriteLine($"normalization: {watch.Elapsed.TotalSeconds:F1} s");
        Console.WriteLine($"working set before: {baseline / 1048576} MB; peak: {after.PeakWorkingSet64 / 1048576} MB; peak/file: {(double)after.PeakWorkingSet64 / size:F3}");
        await api.DisposeAsync();
        Directory.Delete(dataDir, recursive: true);
    }

    /// <summary>Text produced on demand, so neither the bench nor the upload holds the file in memory.</summary>
    private sealed class GeneratedText(long length) : Stream
    {
        private static readonly byte[] Sentence = Encoding.ASCII.GetBytes("Agents buy private data by the paragraph. Providers sell it. ");
        private long _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - _position);
            for (var i = 0; i < n; i++)
            {
                var at = _position + i;
                buffer[offset + i] = at % 4000 == 3999 ? (byte)'\n' : Sentence[at % Sentence.Length];
            }

            _position += n;
            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private sealed class LargeFileApi(string dataDir) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("Ipto:Mode", "embedded");
            builder.UseSetting("Ipto:DataDir", dataDir);
            builder.UseSetting("Ipto:Cluster:SiloPort", "21111");
            builder.UseSetting("Ipto:Cluster:GatewayPort", "21112");
            builder.UseSetting("Ipto:ObjectStore:PublicBaseUrl", "http://localhost/");
            builder.UseSetting("Ipto:Uploads:MultipartThresholdBytes", (2L * 1024 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture));
            builder.UseSetting("Ipto:Identity:PasswordIterations", "1000");
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
        }
    }
}
