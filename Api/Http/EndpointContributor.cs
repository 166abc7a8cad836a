namespace Ipto.Api.Http;

/// <summary>
/// Adds routes to the <c>/v1</c> group with all its conventions (auth, envelope, retries). Features map their
/// groups in Program; hosts that embed the Api (internal tools, test hosts) can register more through DI.
/// </summary>
public interface IEndpointContributor
{
    void Map(RouteGroupBuilder v1);
}
