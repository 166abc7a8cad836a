using System.Net;
using System.Security.Cryptography;
using System.Text;
using Ipto.Api.Tests.Support;
using Ipto.Grains.ObjectStore;
using Ipto.Integration.Tests.Support;
using Ipto.Testing;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace Ipto.Integration.Tests.Uploads;

/// <summary>
/// The provider flow of issue 5's acceptance, on the local store and on the S3 emulator: a PDF, a CSV and a 70 MiB
/// multipart file go up through presigned URLs and reach ready; an admin approves two and rejects one.
/// </summary>
public sealed class ProviderFlowTests
{
    private const int MiB = 1024 * 1024;

    private static Dictionary<string, string?> Settings(bool s3)
    {
        var settings = new Dictionary<string, string?>(IdentityFixture.Settings)
        {
            ["Ipto:Uploads:MultipartThresholdBytes"] = (64L * MiB).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Ipto:Uploads:MinPartSizeBytes"] = (8L * MiB).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        return s3 ? settings.WithS3() : settings;
    }

    private static byte[] Pdf()
    {
        var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        builder.AddPage(UglyToad.PdfPig.Content.PageSize.A4).AddText("Bills of lading for the Rotterdam route", 12, new PdfPoint(50, 700), font);
        return builder.Build();
    }

    private static async Task RunAsync(bool s3)
    {
        using var dir = new TempDir();
        await using var api = new IptoApiFactory(dir.Path, Settings(s3), testCredentials: false);
        using var bytesClient = s3 ? new HttpClient() : api.CreateClient();
        using var owner = api.WithBearer((await api.SignupAsync()).SessionToken);
        var datasetId = (await (await owner.PostAsync("/v1/datasets", ApiHttp.Json("{\"name\":\"Shipping records\",\"visibility\":\"listed\"}"))).DataAsync(HttpStatusCode.Created))
            .GetProperty("dataset_id").GetString()!;

        var pdf = (await owner.UploadAsync(bytesClient, datasetId, "lading.pdf", "application/pdf", Pdf())).ObjectId;
        var csv = (await owner.UploadAsync(bytesClient, datasetId, "ports.csv", "text/csv", Encoding.UTF8.GetBytes("port,country\nRotterdam,NL\nHamburg,DE\n"))).ObjectId;
        var large = (await owner.UploadAsync(bytesClient, datasetId, "archive.bin", "application/octet-stream", RandomNumberGenerator.GetBytes(70 * MiB))).ObjectId;

        var pdfReady = await owner.WaitForStatusAsync(pdf, "ready");
        var csvReady = await owner.WaitForStatusAsync(csv, "ready");
        var largeReady = await owner.WaitForStatusAsync(large, "ready");
        Assert.Equal(1, pdfReady.GetProperty("extraction").GetProperty("pages").GetInt32());
        Assert.True(pdfReady.GetProperty("extraction").GetProperty("text_chars").GetInt64() > 10);
        Assert.Equal(2, csvReady.GetProperty("extraction").GetProperty("chunks").GetInt32());
        Assert.Equal(70L * MiB, largeReady.GetProperty("size_bytes").GetInt64());

        using var admin = api.WithBearer((await (await api.LoginAsync(IdentityFixture.AdminEmail, IdentityFixture.AdminPassword)).DataAsync()).GetProperty("session_token").GetString()!);
        await admin.ApproveAsync(pdf);
        await admin.ApproveAsync(csv);
        await (await admin.PostAsync($"/v1/admin/staged-objects/{large}/reject", ApiHttp.Json("{\"reason\":\"not a document\"}"))).DataAsync();

        Assert.Equal("active", (await owner.WaitForStatusAsync(pdf, "active")).GetProperty("status").GetString());
        Assert.Equal("active", (await owner.WaitForStatusAsync(csv, "active")).GetProperty("status").GetString());
        var store = api.Services.GetRequiredService<IObjectStore>();
        Assert.Null(await store.HeadAsync(ObjectKeys.ObjectBlob(datasetId, large)));
        Assert.NotNull(await store.HeadAsync(ObjectKeys.ObjectBlob(datasetId, pdf)));
        var dataset = await (await owner.GetAsync($"/v1/datasets/{datasetId}")).DataAsync();
        Assert.Equal("active", dataset.GetProperty("status").GetString());
        Assert.Equal(2, dataset.GetProperty("counters").GetProperty("active_object_count").GetInt64());
        Assert.Equal(1, dataset.GetProperty("counters").GetProperty("rejected_count").GetInt64());
    }

    [Fact]
    public Task OnTheLocalStore() => RunAsync(s3: false);

    [SkippableFact]
    public Task OnTheS3Emulator()
    {
        Services.RequireS3();
        return RunAsync(s3: true);
    }
}
