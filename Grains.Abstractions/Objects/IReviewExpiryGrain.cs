namespace Ipto.Objects;

/// <summary>
/// One per hour of expiry (key <c>yyyyMMddHH</c>, UTC): holds the staged objects due in that hour and keeps one
/// reminder, set to the earliest of them, so expiry needs one reminder per busy hour, not one per object.
/// </summary>
[Alias("Ipto.IReviewExpiryGrain")]
public interface IReviewExpiryGrain : IGrainWithStringKey
{
    [Alias("Schedule")]
    Task Schedule(string objectId, DateTimeOffset expiresAt);

    /// <summary>Key of the bucket that holds an expiry time.</summary>
    public static string BucketOf(DateTimeOffset expiresAt) => expiresAt.UtcDateTime.ToString("yyyyMMddHH", System.Globalization.CultureInfo.InvariantCulture);
}
