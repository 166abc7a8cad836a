namespace Ipto.Common;

public static class IdPrefixes
{
    public const string User = "usr";
    public const string Tenant = "tnt";
    public const string ApiKey = "key";
    public const string Dataset = "dset";
    public const string Object = "obj";
    public const string Upload = "upl";
    public const string Job = "job";
    public const string Invitation = "inv";
    public const string Request = "req";
    public const string SearchActivity = "sa";
    public const string Retrieval = "ret";
    public const string SearchSession = "ss";
    public const string Citation = "cit";
    public const string Access = "acc";
    public const string Outcome = "out";
    public const string PayoutStatement = "pay";
    public const string PayoutHold = "hold";
    public const string Event = "evt";
    public const string Webhook = "whk";
    public const string WebhookDelivery = "dlv";
}
