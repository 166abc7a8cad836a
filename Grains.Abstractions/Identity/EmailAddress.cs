using System.Net.Mail;

namespace Ipto.Identity;

/// <summary>Email syntax and the normalized form that keys the email index (trimmed, lowercase).</summary>
public static class EmailAddress
{
    public const int MaxLength = 254;

    public static string Normalize(string email) => email.Trim().ToLowerInvariant();

    public static bool IsValid(string? email)
    {
        if (string.IsNullOrWhiteSpace(email) || email.Length > MaxLength) return false;
        var trimmed = email.Trim();
        if (trimmed.Contains(' ', StringComparison.Ordinal) || trimmed.Count(c => c == '@') != 1) return false;
        var at = trimmed.IndexOf('@', StringComparison.Ordinal);
        if (at < 1 || at == trimmed.Length - 1 || !trimmed[(at + 1)..].Contains('.', StringComparison.Ordinal)) return false;
        return MailAddress.TryCreate(trimmed, out var parsed) && parsed.Address == trimmed;
    }
}
