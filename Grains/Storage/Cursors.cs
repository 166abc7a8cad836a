namespace Ipto.Grains.Storage;

/// <summary>The platform's cursor codec, keyed with the shared cursor secret so any silo decodes any cursor (see <see cref="CursorCodec"/>).</summary>
public sealed class Cursors(PlatformSecrets secrets)
{
    private CursorCodec? _codec;

    public async ValueTask<CursorCodec> CodecAsync() => _codec ??= new CursorCodec(await secrets.GetAsync(PlatformSecrets.CursorKey));
}
