using System.Text.Json;
using Ipto.Datasets;
using Ipto.Grains.Outbox;
using Ipto.Grains.Storage;

namespace Ipto.Grains.Datasets;

/// <summary>The <c>datasets</c> read model: the owner's lists, filters and keyset pages. Older versions never win.</summary>
public sealed class DatasetProjection(AppDatabase database, Search.SearchableDatasets searchable)
{

    /// <summary>
    /// Writes the owner's row, the catalog row (present only while the dataset is active and listed or restricted)
    /// and the grants, in one transaction, unless a newer version is already there.
    /// </summary>
    public async Task UpsertAsync(DatasetSnapshot dataset, long version, string providerDisplayName, IReadOnlyDictionary<string, DateTimeOffset> grants,
        IReadOnlyList<OutboxEvent> events)
    {
        await using var connection = await database.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var before = await SearchColumnsAsync(connection, transaction, dataset.DatasetId);
        var written = await new VersionedRow("datasets", "dataset_id", dataset.DatasetId, version)
            .Set("tenant_id", dataset.TenantId).Set("status", dataset.Status).Set("visibility", dataset.Visibility)
            .Set("document", JsonSerializer.Serialize(dataset, ProjectionJson.Default.DatasetSnapshot)).Set("updated_at", dataset.UpdatedAt)
            .WriteAsync(connection, transaction);
        await OutboxWriter.AppendAsync(connection, transaction, events);
        if (!written)
        {
            await transaction.CommitAsync();
            return; // a newer version is already projected (the events are written all the same)
        }

        await using (var clear = connection.Command("DELETE FROM catalog_datasets WHERE dataset_id = @id; DELETE FROM dataset_grants WHERE dataset_id = @id", transaction)
                   .With("@id", dataset.DatasetId))
            await clear.ExecuteNonQueryAsync();

        if (IsInCatalog(dataset))
        {
            var entry = new CatalogEntry(dataset.DatasetId, dataset.Name, dataset.Description, providerDisplayName, dataset.Tags, dataset.SourceModality,
                dataset.MonetizationMode, dataset.PricingModel, dataset.Pricing, dataset.Visibility, dataset.Counters.ActiveObjectCount, false);
            var searchText = string.Join(' ', [dataset.Name, dataset.Description ?? "", .. dataset.Tags]).ToLowerInvariant();
            await using var insert = connection.Command("""
                INSERT INTO catalog_datasets (dataset_id, tenant_id, visibility, source_modality, monetization_mode, pricing_model, search_text, document)
                VALUES (@id, @tenant, @visibility, @modality, @monetization, @pricing_model, @search, @document)
                """, transaction)
                .With("@id", dataset.DatasetId).With("@tenant", dataset.TenantId).With("@visibility", dataset.Visibility)
                .With("@modality", dataset.SourceModality).With("@monetization", dataset.MonetizationMode).With("@pricing_model", dataset.PricingModel)
                .With("@search", searchText).With("@document", JsonSerializer.Serialize(entry, ProjectionJson.Default.CatalogEntry));
            await insert.ExecuteNonQueryAsync();
        }

        foreach (var (tenantId, grantedAt) in grants)
        {
            await using var grant = connection.Command("INSERT INTO dataset_grants (dataset_id, tenant_id, granted_at) VALUES (@id, @tenant, @at)", transaction)
                .With("@id", dataset.DatasetId).With("@tenant", tenantId).With("@at", grantedAt);
            await grant.ExecuteNonQueryAsync();
        }

        var after = new SearchColumns(dataset.Status, dataset.Visibility, dataset.SourceModality, string.Join(',', grants.Keys.Order(StringComparer.Ordinal)));
        var searchChanged = after != before;
        if (searchChanged) await WriteSearchColumnsAsync(connection, transaction, dataset.DatasetId, after);
        await transaction.CommitAsync();
        if (searchChanged) searchable.MarkStale();
    }

    /// <summary>The columns the searchable-dataset view reads (grantees sorted, comma-separated).</summary>
    private sealed record SearchColumns(string Status, string Visibility, string SourceModality, string Grantees);

    private static async Task<SearchColumns?> SearchColumnsAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, string datasetId)
    {
        await using var command = connection.Command("SELECT status, visibility, source_modality, grantees FROM datasets WHERE dataset_id = @id", transaction)
            .With("@id", datasetId);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? new SearchColumns(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)) : null;
    }

    /// <summary>
    /// Stamps the row with the next view version. The counter row stays locked until this transaction commits, so
    /// versions are committed in order and a silo that has applied every row up to N has missed none below it.
    /// </summary>
    private static async Task WriteSearchColumnsAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction,
        string datasetId, SearchColumns columns)
    {
        long version;
        await using (var next = connection.Command("UPDATE search_view_version SET version = version + 1 WHERE id = 1 RETURNING version", transaction))
            version = Convert.ToInt64(await next.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
        await using var update = connection.Command("""
            UPDATE datasets SET source_modality = @modality, grantees = @grantees, search_seq = @seq WHERE dataset_id = @id
            """, transaction)
            .With("@modality", columns.SourceModality).With("@grantees", columns.Grantees).With("@seq", version).With("@id", datasetId);
        await update.ExecuteNonQueryAsync();
    }

    public static bool IsInCatalog(DatasetSnapshot dataset) =>
        dataset.Status == DatasetStatuses.Active && dataset.Visibility is "listed" or "restricted";

    /// <summary>A tenant's datasets, newest first, strictly after <paramref name="afterId"/> in that order.</summary>
    public async Task<IReadOnlyList<DatasetSnapshot>> ListAsync(string tenantId, string? status, string? visibility, string? afterId, int limit)
    {
        var sql = "SELECT document FROM datasets WHERE tenant_id = @tenant"
                  + (status is null ? "" : " AND status = @status")
                  + (visibility is null ? "" : " AND visibility = @visibility")
                  + (afterId is null ? "" : " AND dataset_id < @after")
                  + " ORDER BY dataset_id DESC LIMIT @limit";
        await using var connection = await database.OpenAsync();
        await using var command = connection.Command(sql)
            .With("@tenant", tenantId).With("@status", status).With("@visibility", visibility).With("@after", afterId).With("@limit", limit);
        var rows = new List<DatasetSnapshot>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            rows.Add(JsonSerializer.Deserialize(reader.GetString(0), ProjectionJson.Default.DatasetSnapshot)!);
        return rows;
    }

    /// <summary>A dataset's name from its row ("" when there is none).</summary>
    public async Task<string> NameAsync(string datasetId)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.Command("SELECT document FROM datasets WHERE dataset_id = @id").With("@id", datasetId);
        return await command.ExecuteScalarAsync() is string document
            ? JsonSerializer.Deserialize(document, ProjectionJson.Default.DatasetSnapshot)!.Name
            : "";
    }
}

/// <summary>Reads the catalog for one tenant: <c>has_access</c> is computed for that tenant.</summary>
public sealed class CatalogReader(AppDatabase database)
{

    public async Task<IReadOnlyList<CatalogEntry>> ListAsync(string callerTenantId, IReadOnlyList<string> words, CatalogQuery query, string? afterId, int limit)
    {
        var sql = new System.Text.StringBuilder("""
            SELECT c.document, CASE WHEN c.visibility = 'listed' OR c.tenant_id = @caller
                OR EXISTS (SELECT 1 FROM dataset_grants g WHERE g.dataset_id = c.dataset_id AND g.tenant_id = @caller) THEN 1 ELSE 0 END
            FROM catalog_datasets c WHERE 1 = 1
            """);
        if (query.SourceModality is not null) sql.Append(" AND c.source_modality = @modality");
        if (query.MonetizationMode is not null) sql.Append(" AND c.monetization_mode = @monetization");
        if (query.PricingModel is not null) sql.Append(" AND c.pricing_model = @pricing_model");
        for (var i = 0; i < words.Count; i++) sql.Append(System.Globalization.CultureInfo.InvariantCulture, $" AND c.search_text LIKE @w{i} ESCAPE '\\'");
        if (afterId is not null) sql.Append(" AND c.dataset_id < @after");
        sql.Append(" ORDER BY c.dataset_id DESC LIMIT @limit");

        await using var connection = await database.OpenAsync();
        await using var command = connection.Command(sql.ToString())
            .With("@caller", callerTenantId).With("@modality", query.SourceModality).With("@monetization", query.MonetizationMode)
            .With("@pricing_model", query.PricingModel).With("@after", afterId).With("@limit", limit);
        for (var i = 0; i < words.Count; i++) command.With($"@w{i}", "%" + EscapeLike(words[i].ToLowerInvariant()) + "%");
        var rows = new List<CatalogEntry>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            rows.Add(JsonSerializer.Deserialize(reader.GetString(0), ProjectionJson.Default.CatalogEntry)! with { HasAccess = Convert.ToInt32(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture) == 1 });
        return rows;
    }

    /// <summary>
    /// Which of <paramref name="datasetIds"/> the tenant may use (e.g. in an API key's allow-list): its own datasets that
    /// are not deleted, and catalog datasets that are listed or restricted with a grant to it.
    /// </summary>
    public async Task<IReadOnlySet<string>> UsableAsync(string tenantId, IReadOnlyList<string> datasetIds)
    {
        var usable = new HashSet<string>(StringComparer.Ordinal);
        if (datasetIds.Count == 0) return usable;
        await using var connection = await database.OpenAsync();
        foreach (var id in datasetIds.Distinct())
        {
            await using var command = connection.Command("""
                SELECT 1 FROM datasets d WHERE d.dataset_id = @id AND d.tenant_id = @tenant AND d.status NOT IN ('pending_deletion', 'deleted')
                UNION ALL
                SELECT 1 FROM catalog_datasets c WHERE c.dataset_id = @id AND (c.visibility = 'listed'
                    OR EXISTS (SELECT 1 FROM dataset_grants g WHERE g.dataset_id = c.dataset_id AND g.tenant_id = @tenant))
                """).With("@id", id).With("@tenant", tenantId);
            if (await command.ExecuteScalarAsync() is not null) usable.Add(id);
        }

        return usable;
    }

    /// <summary>
    /// The datasets a tenant may search, with their owners: its own active datasets, listed ones, and restricted ones it
    /// was granted (the catalog holds only active ones). The dataset grains re-check each before it is searched.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string>> SearchableAsync(string tenantId)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.Command("""
            SELECT d.dataset_id, d.tenant_id FROM datasets d WHERE d.tenant_id = @tenant AND d.status = 'active'
            UNION
            SELECT c.dataset_id, c.tenant_id FROM catalog_datasets c WHERE c.visibility = 'listed'
                OR EXISTS (SELECT 1 FROM dataset_grants g WHERE g.dataset_id = c.dataset_id AND g.tenant_id = @tenant)
            """).With("@tenant", tenantId);
        var searchable = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) searchable[reader.GetString(0)] = reader.GetString(1);
        return searchable;
    }

    private static string EscapeLike(string word) => word.Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}
