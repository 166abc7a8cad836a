using System.Globalization;
using Microsoft.Data.Sqlite;
using Orleans.Runtime;
using Orleans.Storage;

namespace Ipto.Grains.Storage;

/// <summary>Embedded-mode grain storage: one row per grain state in the SQLite file, optimistic concurrency by etag.</summary>
public sealed class SqliteGrainStorage(AppDatabase database, IGrainStorageSerializer serializer) : IGrainStorage
{
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.Command("SELECT etag, payload FROM grain_state WHERE state_name = $s AND grain_id = $g")
            .With("$s", stateName).With("$g", grainId.ToString());
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
        {
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }

        var etag = reader.GetInt64(0);
        var payload = (byte[])reader.GetValue(1);
        grainState.State = serializer.Deserialize<T>(new BinaryData(payload)) ?? Activator.CreateInstance<T>();
        grainState.ETag = etag.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var payload = serializer.Serialize(grainState.State).ToArray();
        var now = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        await using var connection = await database.OpenAsync();
        if (grainState.ETag is null)
        {
            await using var insert = connection.Command(
                    "INSERT INTO grain_state (state_name, grain_id, etag, payload, updated_at) VALUES ($s, $g, 1, $p, $u) ON CONFLICT DO NOTHING")
                .With("$s", stateName).With("$g", grainId.ToString()).With("$p", payload).With("$u", now);
            if (await insert.ExecuteNonQueryAsync() == 0)
                throw new InconsistentStateException($"State '{stateName}' of {grainId} was written by another activation.", "unknown", "none");
            grainState.ETag = "1";
        }
        else
        {
            var expected = long.Parse(grainState.ETag, CultureInfo.InvariantCulture);
            await using var update = connection.Command(
                    "UPDATE grain_state SET etag = etag + 1, payload = $p, updated_at = $u WHERE state_name = $s AND grain_id = $g AND etag = $e")
                .With("$s", stateName).With("$g", grainId.ToString()).With("$p", payload).With("$u", now).With("$e", expected);
            if (await update.ExecuteNonQueryAsync() == 0)
                throw new InconsistentStateException($"State '{stateName}' of {grainId} changed underneath this activation.", "unknown", grainState.ETag);
            grainState.ETag = (expected + 1).ToString(CultureInfo.InvariantCulture);
        }

        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await using var connection = await database.OpenAsync();
        await using var delete = connection.Command("DELETE FROM grain_state WHERE state_name = $s AND grain_id = $g")
            .With("$s", stateName).With("$g", grainId.ToString());
        await delete.ExecuteNonQueryAsync();
        grainState.State = Activator.CreateInstance<T>();
        grainState.ETag = null;
        grainState.RecordExists = false;
    }
}
