using Ipto.Grains.Storage;

namespace Ipto.Api.Http.Paging;

/// <summary>Hands out the cursor codec keyed with the platform's shared cursor secret, so any node decodes any cursor.</summary>
public sealed class CursorCodecProvider(PlatformSecrets secrets)
{
    private CursorCodec? _codec;

    public async ValueTask<CursorCodec> GetAsync() => _codec ??= new CursorCodec(await secrets.GetAsync(PlatformSecrets.CursorKey));
}
