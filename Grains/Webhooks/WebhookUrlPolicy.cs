using Ipto.Common;
using Ipto.Grains.Hosting;
using Microsoft.Extensions.Options;

namespace Ipto.Grains.Webhooks;

/// <summary>
/// Whether an endpoint's URL may be registered: https, no credentials, and a host whose every address is public
/// (SPEC §13) — unless <c>Ipto:Webhooks:AllowInsecureTargets</c>. Delivery checks the dialled address again.
/// </summary>
public sealed class WebhookUrlPolicy(IOptions<IptoOptions> options)
{
    public async Task EnsureAllowedAsync(string url)
    {
        var insecure = options.Value.Webhooks.AllowInsecureTargets;
        var issue = WebhookAddresses.UrlIssue(url, insecure);
        if (issue is null && !insecure && !await WebhookAddresses.ResolvesToPublicAsync(new Uri(url).IdnHost.Trim('[', ']'), CancellationToken.None))
            issue = "must be a host that resolves, and only to public addresses";
        if (issue is not null)
            throw new IptoException(ErrorCodes.ValidationFailed, "The request has invalid fields.", [new FieldError("url", issue)]);
    }
}
