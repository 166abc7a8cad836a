using Ipto.Common;

namespace Ipto.Domain.Tests.Common;

public sealed class ErrorCodesTests
{
    [Theory]
    [InlineData(ErrorCodes.InvalidRequest, 400)]
    [InlineData(ErrorCodes.InvalidQuery, 400)]
    [InlineData(ErrorCodes.Unauthenticated, 401)]
    [InlineData(ErrorCodes.InvalidCredentials, 401)]
    [InlineData(ErrorCodes.SpendLimitExceeded, 402)]
    [InlineData(ErrorCodes.Forbidden, 403)]
    [InlineData(ErrorCodes.InsufficientScope, 403)]
    [InlineData(ErrorCodes.NotFound, 404)]
    [InlineData(ErrorCodes.Conflict, 409)]
    [InlineData(ErrorCodes.InvalidStateTransition, 409)]
    [InlineData(ErrorCodes.IdempotencyKeyReused, 409)]
    [InlineData(ErrorCodes.IdempotencyRequestInProgress, 409)]
    [InlineData(ErrorCodes.PayloadTooLarge, 413)]
    [InlineData(ErrorCodes.UnsupportedMediaType, 415)]
    [InlineData(ErrorCodes.ValidationFailed, 422)]
    [InlineData(ErrorCodes.RateLimited, 429)]
    [InlineData(ErrorCodes.ServiceUnavailable, 503)]
    [InlineData(ErrorCodes.InternalError, 500)]
    public void EachCodeHasTheSpecStatus(string code, int status) => Assert.Equal(status, ErrorCodes.StatusOf(code));

    [Fact]
    public void InvalidTransitionNamesBothStates()
    {
        var error = IptoException.InvalidTransition("dataset", "draft", "suspended");

        Assert.Equal(ErrorCodes.InvalidStateTransition, error.Code);
        Assert.Contains("'draft'", error.Message);
        Assert.Contains("'suspended'", error.Message);
    }
}
