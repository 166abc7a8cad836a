using System.Net;
using System.Text.Json;
using Ipto.Api.Tests.Support;
using static Ipto.Api.Tests.Search.SearchWorld;
using static Ipto.Testing.ApiHttp;

namespace Ipto.Api.Tests.Search;

public sealed class SearchEndpointTests(SearchFixture fixture) : IClassFixture<SearchFixture>
{
    private IptoApiFactory Api => fixture.Factory;

    [Fact]
    public async Task EveryQueryFeatureFindsExactlyTheExpectedObjects()
    {
        var c = await fixture.CorpusAsync();
        var (lading, insurance, rulings) = (c.ListedObjects[0], c.ListedObjects[1], c.ListedObjects[2]);
        var cases = new (string Query, string[] Expected)[]
        {
            ("cargo", [insurance]),
            ("\"bills of lading\"", [lading]),
            ("\"container recorded\"~3", [lading]),
            ("\"container recorded\"", []),
            ("insur*", [insurance, rulings]),
            ("te?ms OR ins?rance", [insurance]),
            ("*dam", [lading]),
            ("/colou?r/", [lading]),
            ("shipping AND NOT cargo", [rulings]),
            ("shipping && !cargo", [rulings]),
            ("rotterdam OR hamburg", [lading, rulings]),
            ("+marine -court", [insurance]),
            ("(rotterdam OR hamburg) AND court", [rulings]),
            ("clams~1", [insurance]),
            ("filename:rulings", [rulings]),
            ("content:insurance", [insurance]),
            ("filename:insurance AND content:cargo", [insurance]),
        };

        foreach (var (query, expected) in cases)
        {
            var page = await SearchOkAsync(c.BuyerKey, new { query, mode = "lexical", dataset_ids = new[] { c.Listed } });
            Assert.True(expected.Order().SequenceEqual(ObjectIds(page)), $"{query}: expected [{string.Join(", ", expected)}], got [{string.Join(", ", ObjectIds(page))}]");
            Assert.Equal("lexical", page.GetProperty("mode").GetString());
        }
    }

    [Fact]
    public async Task AParaphraseWithNoSharedWordFindsItsDocumentInHybridAndDenseButNotLexical()
    {
        var c = await fixture.CorpusAsync();
        const string paraphrase = "compensation for goods that sank with a ship";
        var body = new { query = paraphrase, dataset_ids = new[] { c.Listed } };

        var auto = await SearchOkAsync(c.BuyerKey, body);
        Assert.Equal("hybrid", auto.GetProperty("mode").GetString());
        Assert.Equal(c.ListedObjects[1], auto.GetProperty("results")[0].GetProperty("object_id").GetString());
        var dense = await SearchOkAsync(c.BuyerKey, new { query = paraphrase, mode = "dense", dataset_ids = new[] { c.Listed } });
        Assert.Equal(c.ListedObjects[1], dense.GetProperty("results")[0].GetProperty("object_id").GetString());
        Assert.Equal(0, (await SearchOkAsync(c.BuyerKey, new { query = paraphrase, mode = "lexical", dataset_ids = new[] { c.Listed } })).GetProperty("result_count").GetInt32());

        var syntax = await SearchOkAsync(c.BuyerKey, new { query = "\"bills of lading\"", dataset_ids = new[] { c.Listed } });
        Assert.Equal("lexical", syntax.GetProperty("mode").GetString());
    }

    [Fact]
    public async Task ResultsCarrySnippetsHighlightsLocatorsAndTheRankingPutsTheBestMatchFirst()
    {
        var c = await fixture.CorpusAsync();
        var page = await SearchOkAsync(c.BuyerKey, new { query = "insurance OR insurers OR cargo", mode = "lexical", dataset_ids = new[] { c.Listed } });
        var first = page.GetProperty("results")[0];
        Assert.Equal(c.ListedObjects[1], first.GetProperty("object_id").GetString()); // two matching terms beat one
        Assert.Equal("insurance.txt", first.GetProperty("filename").GetString());
        Assert.Equal("text/plain", first.GetProperty("content_type").GetString());
        Assert.Equal("Shipping records", first.GetProperty("dataset_name").GetString());
        Assert.Equal(c.Listed, first.GetProperty("dataset_id").GetString());
        var scores = page.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("score").GetDouble()).ToArray();
        Assert.Equal(scores.OrderDescending(), scores);

        var snippet = first.GetProperty("snippet").GetString()!;
        var words = first.GetProperty("highlights").EnumerateArray()
            .Select(h => snippet[h.GetProperty("start").GetInt32()..h.GetProperty("end").GetInt32()].ToLowerInvariant()).ToArray();
        Assert.Equal(["insurance", "cargo"], words);
        var locator = first.GetProperty("locator");
        Assert.Equal(0, locator.GetProperty("chunk_index").GetInt32());
        Assert.Equal(0, locator.GetProperty("char_start").GetInt64());
        Assert.Equal(ShippingTexts[1].Length, locator.GetProperty("char_end").GetInt64());
    }

    [Fact]
    public async Task ABuyerPaysTheRetrievalPriceTheProviderSearchesFreeAndTheActivityShowsTheSameAmount()
    {
        var c = await fixture.CorpusAsync();
        var (_, buyer) = await c.World.AccountAsync("Payer");
        var (keyId, key) = await buyer.CreateKeyAsync("search:query", "usage:read");
        using var agent = Api.WithApiKey(key);

        var page = await SearchOkAsync(agent, new { query = "cargo OR lading", mode = "lexical", dataset_ids = new[] { c.Listed } });
        Assert.Equal(2, page.GetProperty("result_count").GetInt32());
        foreach (var result in page.GetProperty("results").EnumerateArray())
        {
            Assert.Equal(0.03m, result.GetProperty("price").GetDecimal());
            Assert.Equal("USD", result.GetProperty("currency").GetString());
            Assert.StartsWith("ret_", result.GetProperty("retrieval_event_id").GetString());
        }

        Assert.Equal(0.06m, Charged(page));
        var searchId = page.GetProperty("search_id").GetString()!;
        Assert.StartsWith("sa_", searchId);

        var activity = await (await agent.GetAsync($"/v1/agent/activity/searches?api_key_id={keyId}")).DataAsync();
        var row = Assert.Single(activity.GetProperty("searches").EnumerateArray());
        Assert.Equal(searchId, row.GetProperty("search_activity_id").GetString());
        Assert.Equal(0.06m, row.GetProperty("charged_amount").GetDecimal());
        Assert.Equal(2, row.GetProperty("result_count").GetInt32());
        Assert.Equal("cargo OR lading", row.GetProperty("query_text").GetString());
        Assert.Equal([c.Listed], row.GetProperty("dataset_ids").EnumerateArray().Select(d => d.GetString()!).ToArray());

        var own = await SearchOkAsync(c.ProviderClient, new { query = "cargo OR lading", mode = "lexical", dataset_ids = new[] { c.Listed } });
        Assert.Equal(2, own.GetProperty("result_count").GetInt32());
        Assert.Equal(0m, Charged(own));
        Assert.All(own.GetProperty("results").EnumerateArray(), r =>
        {
            Assert.Equal(0m, r.GetProperty("price").GetDecimal());
            Assert.Equal(JsonValueKind.Null, r.GetProperty("retrieval_event_id").ValueKind);
        });
        var ownActivity = await (await c.ProviderClient.GetAsync("/v1/agent/activity/searches")).DataAsync();
        Assert.Contains(ownActivity.GetProperty("searches").EnumerateArray(), s => s.GetProperty("search_activity_id").GetString() == own.GetProperty("search_id").GetString()
            && s.GetProperty("charged_amount").GetDecimal() == 0m);
    }

    [Fact]
    public async Task TheDatasetSetIsOwnListedAndGrantedRestrictedIntersectedWithTheAllowList()
    {
        var c = await fixture.CorpusAsync();
        // Everything a buyer may search: both listed datasets, never the private or the ungranted restricted one.
        var all = await SearchOkAsync(c.BuyerKey, new { query = "cargo", mode = "lexical" });
        Assert.Equal(new[] { c.ListedObjects[1], c.OtherObjects[0] }.Order(), ObjectIds(all));
        var datasets = all.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("dataset_id").GetString()).ToHashSet();
        Assert.DoesNotContain(c.Private, datasets);
        Assert.DoesNotContain(c.Restricted, datasets);

        foreach (var hidden in new[] { c.Private, c.Restricted, "dset_01jq3n0000000000000000zzzz" })
        {
            var error = await (await SearchAsync(c.BuyerKey, new { query = "cargo", dataset_ids = new[] { c.OtherListed, hidden } })).ErrorAsync(HttpStatusCode.NotFound, "not_found");
            Assert.Equal("dataset_ids[1]", error.GetProperty("details")[0].GetProperty("field").GetString());
        }

        // The provider sees its own private dataset too; include_own: false removes it even when named.
        var provider = await SearchOkAsync(c.ProviderClient, new { query = "cargo", mode = "lexical" });
        Assert.Equal(4, provider.GetProperty("result_count").GetInt32());
        var withoutOwn = await SearchOkAsync(c.ProviderClient, new { query = "cargo", mode = "lexical", include_own = false, dataset_ids = new[] { c.Private, c.OtherListed } });
        Assert.Equal([c.OtherObjects[0]], ObjectIds(withoutOwn));

        // A grant opens the restricted dataset to that tenant only.
        var (grantee, granteeClient) = await c.World.AccountAsync("Grantee");
        await (await c.ProviderClient.PostAsync($"/v1/datasets/{c.Restricted}/grants", Body(new { tenant_id = grantee.TenantId }))).DataAsync(HttpStatusCode.Created);
        var granted = await SearchOkAsync(granteeClient, new { query = "baltic", mode = "lexical" });
        Assert.Single(granted.GetProperty("results").EnumerateArray());
        Assert.Equal(0, (await SearchOkAsync(c.BuyerKey, new { query = "baltic", mode = "lexical" })).GetProperty("result_count").GetInt32());

        // A key with an allow-list never sees other datasets.
        var create = await c.BuyerClient.PostAsync("/v1/api-keys", Body(new { name = "narrow", scopes = new[] { "search:query" }, dataset_access_mode = "allow_list", dataset_ids = new[] { c.OtherListed } }));
        using var narrow = Api.WithApiKey((await create.DataAsync(HttpStatusCode.Created)).GetProperty("key").GetString()!);
        foreach (var mode in new[] { "lexical", "dense", "hybrid" })
        {
            var page = await SearchOkAsync(narrow, new { query = "cargo insurance shipping", mode });
            Assert.All(page.GetProperty("results").EnumerateArray(), r => Assert.Equal(c.OtherListed, r.GetProperty("dataset_id").GetString()));
        }

        var outside = await (await SearchAsync(narrow, new { query = "cargo", dataset_ids = new[] { c.Listed } })).ErrorAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Equal("dataset_ids[0]", outside.GetProperty("details")[0].GetProperty("field").GetString());
    }

    [Fact]
    public async Task APausedDatasetLeavesSearchAtOnceAndDeletedObjectsVanish()
    {
        var c = await fixture.CorpusAsync();
        var (_, owner) = await c.World.AccountAsync("Pauser");
        var dataset = await CreateDatasetAsync(owner, "Pausable", "listed");
        var ids = await c.World.AddActiveTextsAsync(owner, c.Admin, dataset, ["Zeppelin logbooks from Friedrichshafen.", "Zeppelin repair manuals."], ["a.txt", "b.txt"]);
        Assert.Equal(ids.Order(), ObjectIds(await SearchOkAsync(c.BuyerKey, new { query = "zeppelin", mode = "lexical" })));

        await (await owner.DeleteAsync($"/v1/objects/{ids[0]}")).DataAsync();
        Assert.Equal([ids[1]], ObjectIds(await SearchOkAsync(c.BuyerKey, new { query = "zeppelin", mode = "lexical" })));
        Assert.Equal([ids[1]], ObjectIds(await SearchOkAsync(c.BuyerKey, new { query = "zeppelin logbooks", mode = "hybrid", dataset_ids = new[] { dataset } })));

        await (await owner.PatchAsync($"/v1/datasets/{dataset}", Body(new { status = "paused" }))).DataAsync();
        Assert.Equal(0, (await SearchOkAsync(c.BuyerKey, new { query = "zeppelin", mode = "lexical" })).GetProperty("result_count").GetInt32());
        await (await SearchAsync(c.BuyerKey, new { query = "zeppelin", dataset_ids = new[] { dataset } })).ErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task FiltersNarrowTheResults()
    {
        var c = await fixture.CorpusAsync();
        var objectFilter = await SearchOkAsync(c.BuyerKey, new { query = "cargo OR lading OR shipping", mode = "lexical", filters = new { object_ids = new[] { c.ListedObjects[2] } } });
        Assert.Equal([c.ListedObjects[2]], ObjectIds(objectFilter));
        Assert.Equal(0, (await SearchOkAsync(c.BuyerKey, new { query = "cargo", mode = "lexical", filters = new { content_type = new[] { "application/pdf" } } })).GetProperty("result_count").GetInt32());
        Assert.Equal(2, (await SearchOkAsync(c.BuyerKey, new { query = "cargo", mode = "lexical", filters = new { content_type = new[] { "text/plain" } } })).GetProperty("result_count").GetInt32());
        Assert.Equal(0, (await SearchOkAsync(c.BuyerKey, new { query = "cargo", mode = "lexical", filters = new { source_modality = new[] { "image" } } })).GetProperty("result_count").GetInt32());
        Assert.Equal(0, (await SearchOkAsync(c.BuyerKey, new { query = "cargo", mode = "lexical", filters = new { uploaded_after = DateTimeOffset.UtcNow.AddMinutes(5) } })).GetProperty("result_count").GetInt32());
        Assert.Equal(2, (await SearchOkAsync(c.BuyerKey, new { query = "cargo", mode = "lexical", filters = new { uploaded_before = DateTimeOffset.UtcNow.AddMinutes(5) } })).GetProperty("result_count").GetInt32());
        var cheap = await SearchOkAsync(c.BuyerKey, new { query = "cargo", mode = "lexical", max_price_per_result = 0.02 });
        Assert.Equal(0, cheap.GetProperty("result_count").GetInt32());
        Assert.Equal(0m, Charged(cheap));
        Assert.Equal(3, (await SearchOkAsync(c.ProviderClient, new { query = "cargo", mode = "lexical", max_price_per_result = 0.02 })).GetProperty("result_count").GetInt32());
    }

    [Fact]
    public async Task CursorPagesNeverRepeatOrRechargeAResult()
    {
        var c = await fixture.CorpusAsync();
        var (_, buyer) = await c.World.AccountAsync("Pager");
        var (keyId, key) = await buyer.CreateKeyAsync("search:query", "usage:read");
        using var agent = Api.WithApiKey(key);

        var seen = new List<string>();
        decimal charged = 0;
        var page = await SearchOkAsync(agent, new { query = "cargo OR lading OR shipping OR rulings", mode = "lexical", limit = 1 });
        var firstCursor = page.GetProperty("next_cursor").GetString();
        while (true)
        {
            Assert.Equal(1, page.GetProperty("result_count").GetInt32());
            seen.Add(page.GetProperty("results")[0].GetProperty("retrieval_event_id").GetString()! + "/" + page.GetProperty("results")[0].GetProperty("object_id").GetString());
            charged += Charged(page);
            if (page.GetProperty("next_cursor").GetString() is not { } cursor) break;
            page = await SearchOkAsync(agent, new { cursor, limit = 1 });
        }

        Assert.Equal(4, seen.Count); // three listed objects + the other provider's cargo report
        Assert.Equal(4, seen.Select(s => s.Split('/')[1]).Distinct().Count());
        Assert.Equal(0.12m, charged);
        var activity = await (await agent.GetAsync($"/v1/agent/activity/searches?api_key_id={keyId}")).DataAsync();
        Assert.Equal(0.12m, activity.GetProperty("searches").EnumerateArray().Sum(s => s.GetProperty("charged_amount").GetDecimal()));

        // Auto mode escaped a query that does not parse; later pages highlight with that same text.
        var escaped = await SearchOkAsync(c.BuyerKey, new { query = "cargo lading shipping rulings!", limit = 1, dataset_ids = new[] { c.Listed } });
        var next = await SearchOkAsync(c.BuyerKey, new { cursor = escaped.GetProperty("next_cursor").GetString(), limit = 1 });
        Assert.NotEmpty(next.GetProperty("results")[0].GetProperty("highlights").EnumerateArray());

        // A cursor is served once; another caller's or a tampered cursor is refused.
        await (await SearchAsync(agent, new { cursor = firstCursor })).ErrorAsync(HttpStatusCode.BadRequest, "invalid_request");
        await (await SearchAsync(c.BuyerKey, new { cursor = firstCursor })).ErrorAsync(HttpStatusCode.BadRequest, "invalid_request");
        await (await SearchAsync(agent, new { cursor = firstCursor + "x" })).ErrorAsync(HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task LaterPagesDropObjectsDeletedSinceTheFirstAndPlainWordsAreTakenLiterallyInAutoMode()
    {
        var c = await fixture.CorpusAsync();
        var (_, owner) = await c.World.AccountAsync("Narwhal Co");
        var dataset = await CreateDatasetAsync(owner, "Narwhals", "listed");
        var ids = await c.World.AddActiveTextsAsync(owner, c.Admin, dataset,
            ["Narwhal tusks grow in spirals.", "Narwhal pods winter under pack ice.", "Narwhal songs were recorded in 2019."], ["a.txt", "b.txt", "c.txt"]);

        var first = await SearchOkAsync(c.BuyerKey, new { query = "narwhal", mode = "lexical", limit = 1, dataset_ids = new[] { dataset } });
        var shown = ObjectIds(first).Single();
        foreach (var id in ids.Where(id => id != shown)) await (await owner.DeleteAsync($"/v1/objects/{id}")).DataAsync();
        var second = await SearchOkAsync(c.BuyerKey, new { cursor = first.GetProperty("next_cursor").GetString(), limit = 5 });
        Assert.Equal(0, second.GetProperty("result_count").GetInt32());
        Assert.Equal(0m, Charged(second));
        Assert.Equal(JsonValueKind.Null, second.GetProperty("next_cursor").ValueKind);

        var plain = await SearchOkAsync(c.BuyerKey, new { query = "C++ narwhal: spirals?!", dataset_ids = new[] { dataset } });
        Assert.Equal("hybrid", plain.GetProperty("mode").GetString());
        Assert.Contains(plain.GetProperty("results")[0].GetProperty("highlights").EnumerateArray(), h => h.GetProperty("end").GetInt32() > h.GetProperty("start").GetInt32());
        await (await SearchAsync(c.BuyerKey, new { query = "C++ narwhal: spirals?!", mode = "lexical" })).ErrorAsync(HttpStatusCode.BadRequest, "invalid_query");
    }

    [Fact]
    public async Task BadInputGetsTheRightErrors()
    {
        var c = await fixture.CorpusAsync();
        var invalid = await (await SearchAsync(c.BuyerKey, new { query = "cargo AND (lading", mode = "lexical" })).ErrorAsync(HttpStatusCode.BadRequest, "invalid_query");
        Assert.Contains("position", invalid.GetProperty("message").GetString());
        await (await SearchAsync(c.BuyerKey, new { query = "cargo AND (lading", mode = "hybrid" })).ErrorAsync(HttpStatusCode.BadRequest, "invalid_query");
        Assert.Equal("hybrid", (await SearchOkAsync(c.BuyerKey, new { query = "cargo AND (lading" })).GetProperty("mode").GetString());
        await (await SearchAsync(c.BuyerKey, new { query = "\"unclosed", mode = "lexical" })).ErrorAsync(HttpStatusCode.BadRequest, "invalid_query");
        await (await SearchAsync(c.BuyerKey, new { query = "/(ab){200}/", mode = "lexical" })).ErrorAsync(HttpStatusCode.BadRequest, "invalid_query");
        var field = await (await SearchAsync(c.BuyerKey, new { query = "cargo AND object_id:x", mode = "lexical" })).ErrorAsync(HttpStatusCode.BadRequest, "invalid_query");
        Assert.Contains("position 11", field.GetProperty("message").GetString());
        var patterns = string.Join(" OR ", Enumerable.Range(0, 11).Select(i => $"*{(char)('a' + i)}*"));
        var tooMany = await (await SearchAsync(c.BuyerKey, new { query = patterns, mode = "lexical" })).ErrorAsync(HttpStatusCode.BadRequest, "invalid_query");
        Assert.Contains("at most 10", tooMany.GetProperty("message").GetString());
        Assert.Equal(1, (await SearchOkAsync(c.BuyerKey, new { query = string.Join(" OR ", Enumerable.Range(0, 10).Select(i => $"zz{i}*")) + " OR rotterdam", mode = "lexical" })).GetProperty("result_count").GetInt32());

        async Task Invalid(object body, string field)
        {
            var error = await (await SearchAsync(c.BuyerKey, body)).ErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
            Assert.Contains(error.GetProperty("details").EnumerateArray(), d => d.GetProperty("field").GetString() == field);
        }

        await Invalid(new { mode = "lexical" }, "query");
        await Invalid(new { query = "   " }, "query");
        await Invalid(new { query = new string('a', 2001) }, "query");
        await Invalid(new { query = "cargo", mode = "fuzzy" }, "mode");
        await Invalid(new { query = "cargo", limit = 0 }, "limit");
        await Invalid(new { query = "cargo", limit = 51 }, "limit");
        await Invalid(new { query = "cargo", dataset_ids = new[] { "nope" } }, "dataset_ids[0]");
        await Invalid(new { query = "cargo", max_price_per_result = -1 }, "max_price_per_result");
        await Invalid(new { query = "cargo", max_price_per_result = 0.0000001 }, "max_price_per_result");
        await Invalid(new { query = "cargo", filters = new { source_modality = new[] { "smell" } } }, "filters.source_modality[0]");
        await Invalid(new { query = "cargo", filters = new { object_ids = new[] { "dset_x" } } }, "filters.object_ids[0]");
        await Invalid(new { query = "cargo", filters = new { uploaded_after = "2026-02-01T00:00:00Z", uploaded_before = "2026-01-01T00:00:00Z" } }, "filters.uploaded_after");
        await (await c.BuyerKey.PostAsync("/v1/search", ApiHttp.Json("{\"query\": 5}"))).ErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        await (await c.BuyerKey.PostAsync("/v1/search", ApiHttp.Json("[1]"))).ErrorAsync(HttpStatusCode.BadRequest, "invalid_request");
        await (await SearchAsync(c.BuyerKey, new { cursor = "garbage" })).ErrorAsync(HttpStatusCode.BadRequest, "invalid_request");

        using var anonymous = Api.ClientFor(null);
        await (await SearchAsync(anonymous, new { query = "cargo" })).ErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        using var badKey = Api.WithApiKey("ipto_abcdefgh_0123456789abcdefghijABCDEFGHIJ0123");
        await (await SearchAsync(badKey, new { query = "cargo" })).ErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        var (_, noSearch) = await c.BuyerClient.CreateKeyAsync("usage:read");
        using var unscoped = Api.WithApiKey(noSearch);
        var scope = await (await SearchAsync(unscoped, new { query = "cargo" })).ErrorAsync(HttpStatusCode.Forbidden, "insufficient_scope");
        Assert.Contains("search:query", scope.GetProperty("message").GetString());
    }
}
