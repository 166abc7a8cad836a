-- Provider analytics (SPEC §9, §13). A retrieval says whether it is the first of its dataset, and of its provider, in
-- its search (1, else 0), so "searches with at least one appearance" is a sum that rolls up like any other count.
ALTER TABLE access_events ADD COLUMN first_of_dataset integer;
ALTER TABLE access_events ADD COLUMN first_of_provider integer;

UPDATE access_events e SET first_of_dataset = f.first_of_dataset, first_of_provider = f.first_of_provider
FROM (SELECT access_id,
             CASE WHEN row_number() OVER (PARTITION BY search_activity_id, dataset_id ORDER BY rank, access_id) = 1 THEN 1 ELSE 0 END AS first_of_dataset,
             CASE WHEN row_number() OVER (PARTITION BY search_activity_id, provider_tenant_id ORDER BY rank, access_id) = 1 THEN 1 ELSE 0 END AS first_of_provider
      FROM access_events WHERE type = 'retrieval') f
WHERE e.access_id = f.access_id;

-- Per provider tenant, UTC day, dataset, buyer tenant and type: counts, amounts, rank sums, top-3 appearances and the
-- searches that had an appearance (of the dataset; of the provider, counted on one dataset's row only).
CREATE TABLE provider_daily (
    provider_tenant_id  text   NOT NULL,
    day                 text   NOT NULL,
    dataset_id          text   NOT NULL,
    buyer_tenant_id     text   NOT NULL,
    type                text   NOT NULL,
    events              bigint NOT NULL,
    amount              bigint NOT NULL,
    rank_sum            bigint NOT NULL,
    top3                bigint NOT NULL,
    dataset_searches    bigint NOT NULL,
    provider_searches   bigint NOT NULL,
    PRIMARY KEY (provider_tenant_id, day, dataset_id, buyer_tenant_id, type)
);

-- Searches per keyword (the §13 word rule) per provider tenant, UTC day and dataset; dataset_id '' counts the
-- searches with an appearance of any of the provider's datasets.
CREATE TABLE provider_keywords_daily (
    provider_tenant_id  text   NOT NULL,
    day                 text   NOT NULL,
    dataset_id          text   NOT NULL,
    keyword             text   NOT NULL,
    searches            bigint NOT NULL,
    PRIMARY KEY (provider_tenant_id, day, dataset_id, keyword)
);

-- Filled by the background flush from the first event on (keywords need the application's word rule).
-- The same two per UTC hour (key YYYY-MM-DDTHH), for the partial days at a range's ends; flushed with them.
CREATE TABLE provider_hourly (
    provider_tenant_id  text   NOT NULL,
    hour                text   NOT NULL,
    day                 text   NOT NULL,
    dataset_id          text   NOT NULL,
    buyer_tenant_id     text   NOT NULL,
    type                text   NOT NULL,
    events              bigint NOT NULL,
    amount              bigint NOT NULL,
    rank_sum            bigint NOT NULL,
    top3                bigint NOT NULL,
    dataset_searches    bigint NOT NULL,
    provider_searches   bigint NOT NULL,
    PRIMARY KEY (provider_tenant_id, hour, dataset_id, buyer_tenant_id, type)
);

CREATE TABLE provider_keywords_hourly (
    provider_tenant_id  text   NOT NULL,
    hour                text   NOT NULL,
    dataset_id          text   NOT NULL,
    keyword             text   NOT NULL,
    searches            bigint NOT NULL,
    PRIMARY KEY (provider_tenant_id, hour, dataset_id, keyword)
);

INSERT INTO rollup_watermarks (name, seq) VALUES ('provider_daily', 0);
