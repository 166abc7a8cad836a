using Ipto.Common;
using Ipto.Grains.Hosting;
using Ipto.Tenants;

namespace Ipto.Grains.Tenants;

[GenerateSerializer, Alias("Ipto.TenantState")]
public sealed class TenantState
{
    [Id(0)] public string DisplayName { get; set; } = "";
    [Id(1)] public DateTimeOffset CreatedAt { get; set; }
    [Id(2)] public List<TenantMember> Members { get; set; } = [];
}

public sealed class TenantGrain(
    [PersistentState("tenant", StorageNames.Default)] IPersistentState<TenantState> state,
    TimeProvider time) : Grain, ITenantGrain
{
    private string TenantId => this.GetPrimaryKeyString();

    public async Task Create(string displayName, TenantMember owner)
    {
        if (state.RecordExists)
        {
            if (state.State.Members.Any(m => m.UserId == owner.UserId)) return;
            throw new IptoException(ErrorCodes.Conflict, "The tenant already exists.");
        }

        state.State = new TenantState { DisplayName = displayName, CreatedAt = time.GetUtcNow(), Members = [owner] };
        await state.WriteStateAsync();
    }

    public async Task Discard()
    {
        if (state.RecordExists) await state.ClearStateAsync();
    }

    public Task<TenantSummary> Get(Caller caller)
    {
        if (!state.RecordExists || !caller.CanRead(TenantId)) throw IptoException.NotFound("Tenant");
        return Task.FromResult(Summary());
    }

    public Task<TenantSummary?> GetInternal() => Task.FromResult(state.RecordExists ? Summary() : null);

    private TenantSummary Summary() => new(TenantId, state.State.DisplayName, state.State.CreatedAt);
}
