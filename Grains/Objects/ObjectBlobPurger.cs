using Ipto.Grains.ObjectStore;

namespace Ipto.Grains.Objects;

/// <summary>Removes an object's blob and every derived file beside it (rejection, expiry, deletion).</summary>
public sealed class ObjectBlobPurger(IObjectStore store)
{
    public async Task PurgeAsync(string datasetId, string objectId)
    {
        var prefix = ObjectKeys.ObjectPrefix(datasetId, objectId);
        while (true)
        {
            var keys = await store.ListKeysAsync(prefix, 500);
            if (keys.Count == 0) return;
            foreach (var key in keys) await store.DeleteAsync(key);
        }
    }
}
