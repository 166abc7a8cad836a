namespace Ipto.Objects;

/// <summary>
/// <c>POST /v1/objects/batch-delete</c> (SPEC §13): a job of this type deletes each listed object as
/// <c>DELETE /v1/objects/{id}</c> does and reports every id in <c>result.items</c>.
/// </summary>
public static class BulkObjectDelete
{
    public const string JobType = "bulk_object_delete";

    /// <summary>The most object ids one request may list.</summary>
    public const int MaxObjectIds = 1_000;

    /// <summary>An item's <c>status</c> in the job's result.</summary>
    public const string Deleted = "deleted";

    public const string NotFound = "not_found";

    public const string Error = "error";
}
