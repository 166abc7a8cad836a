using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Ipto.Grains.Hosting;

/// <summary>
/// Console logs of an Api or silo process: every line with a UTC timestamp and its scopes (a request's
/// <c>request_id</c>), as text or, with <c>Ipto:Logging:Format=json</c>, one JSON object per line.
/// </summary>
public static class IptoLogging
{
    public const string TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";

    public static ILoggingBuilder AddIptoConsole(this ILoggingBuilder logging, IptoOptions options)
    {
        logging.ClearProviders();
        if (options.Logging.IsJson)
        {
            logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = TimestampFormat.TrimEnd();
            });
        }
        else
        {
            logging.AddSimpleConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = TimestampFormat;
                o.SingleLine = true;
            });
        }

        return logging;
    }
}
