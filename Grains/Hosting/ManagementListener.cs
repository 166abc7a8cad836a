namespace Ipto.Grains.Hosting;

/// <summary>The management listener of <c>Ipto:Management:Urls</c> (one URL): the host pattern its endpoints require.</summary>
public sealed record ManagementListener(Uri Url)
{
    /// <summary><c>*:port</c>: the management endpoints answer only on that port, whatever host name the scraper uses.</summary>
    public string HostPattern => "*:" + Url.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static ManagementListener? Parse(string? urls)
    {
        if (string.IsNullOrWhiteSpace(urls)) return null;
        if (urls.Contains(';', StringComparison.Ordinal) || !Uri.TryCreate(urls.Trim(), UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttp || url.IsDefaultPort && !urls.Contains(":80", StringComparison.Ordinal))
            throw new InvalidOperationException($"Ipto:Management:Urls must be one http:// URL with a port, e.g. http://127.0.0.1:9464, not '{urls}'.");
        return new ManagementListener(url);
    }
}
