using Ipto.Common;

namespace Ipto.Api.Http;

/// <summary>The success envelope of SPEC §1.</summary>
public sealed record Envelope<T>(T Data, string RequestId, DateTimeOffset Timestamp);

/// <summary>The error envelope of SPEC §1.</summary>
public sealed record ErrorEnvelope(ErrorBody Error, string RequestId, DateTimeOffset Timestamp);

public sealed record ErrorBody(string Code, string Message, IReadOnlyList<FieldError> Details);

