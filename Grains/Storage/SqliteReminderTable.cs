using System.Data.Common;
using System.Globalization;
using Orleans.Runtime;

namespace Ipto.Grains.Storage;

/// <summary>Embedded-mode reminder table in the SQLite file (the cluster uses the ADO.NET provider on PostgreSQL).</summary>
public sealed class SqliteReminderTable(AppDatabase database) : IReminderTable
{
    private const string Columns = "grain_id, reminder_name, start_at_ms, period_ms, etag";

    public async Task<ReminderTableData> ReadRows(GrainId grainId)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.Command($"SELECT {Columns} FROM reminders WHERE grain_id = $g").With("$g", grainId.ToString());
        return new ReminderTableData(await ReadAll(command));
    }

    public async Task<ReminderTableData> ReadRows(uint begin, uint end)
    {
        // The ring range is (begin, end]; when begin >= end it wraps around zero.
        var sql = begin < end
            ? $"SELECT {Columns} FROM reminders WHERE grain_hash > $b AND grain_hash <= $e"
            : $"SELECT {Columns} FROM reminders WHERE grain_hash > $b OR grain_hash <= $e";
        await using var connection = await database.OpenAsync();
        await using var command = connection.Command(sql).With("$b", (long)begin).With("$e", (long)end);
        return new ReminderTableData(await ReadAll(command));
    }

    public async Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.Command($"SELECT {Columns} FROM reminders WHERE grain_id = $g AND reminder_name = $n")
            .With("$g", grainId.ToString()).With("$n", reminderName);
        var rows = await ReadAll(command);
        return rows.Count == 0 ? null : rows[0];
    }

    public async Task<string?> UpsertRow(ReminderEntry entry)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.Command("""
            INSERT INTO reminders (grain_id, reminder_name, grain_hash, start_at_ms, period_ms, etag)
            VALUES ($g, $n, $h, $s, $p, 1)
            ON CONFLICT (grain_id, reminder_name) DO UPDATE
                SET start_at_ms = excluded.start_at_ms, period_ms = excluded.period_ms, etag = reminders.etag + 1
            RETURNING etag
            """)
            .With("$g", entry.GrainId.ToString()).With("$n", entry.ReminderName)
            .With("$h", (long)entry.GrainId.GetUniformHashCode())
            .With("$s", new DateTimeOffset(DateTime.SpecifyKind(entry.StartAt, DateTimeKind.Utc)).ToUnixTimeMilliseconds())
            .With("$p", (long)entry.Period.TotalMilliseconds);
        var etag = Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        return etag.ToString(CultureInfo.InvariantCulture);
    }

    public async Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag)
    {
        if (!long.TryParse(eTag, NumberStyles.None, CultureInfo.InvariantCulture, out var etag)) return false;
        await using var connection = await database.OpenAsync();
        await using var command = connection.Command("DELETE FROM reminders WHERE grain_id = $g AND reminder_name = $n AND etag = $e")
            .With("$g", grainId.ToString()).With("$n", reminderName).With("$e", etag);
        return await command.ExecuteNonQueryAsync() > 0;
    }

    public async Task TestOnlyClearTable()
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.Command("DELETE FROM reminders");
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<List<ReminderEntry>> ReadAll(DbCommand command)
    {
        var rows = new List<ReminderEntry>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(new ReminderEntry
            {
                GrainId = GrainId.Parse(reader.GetString(0)),
                ReminderName = reader.GetString(1),
                StartAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)).UtcDateTime,
                Period = TimeSpan.FromMilliseconds(reader.GetInt64(3)),
                ETag = reader.GetInt64(4).ToString(CultureInfo.InvariantCulture),
            });
        }

        return rows;
    }
}
