-- Provider analytics (SPEC §9, §13). A retrieval says whether it is the first of its dataset, and of its provider, in
-- its search (1, else 0), so "searches with at least one appearance" is a sum that rolls up like any other count.
ALTER TABLE access_events ADD COLUMN first_of_dataset INTEGER;
ALTER TABLE access_events ADD COLUMN first_of_provider INTEGER;

UPDATE access_events SET first_of_dataset = f.first_of_dataset, first_of_provider = f.first_of_provider
FROM (SELECT access_id,
             CASE WHEN row_number() OVER (PARTITION BY search_activity_id, dataset_id ORDER BY rank, access_id) = 1 THEN 1 ELSE 0 END AS first_of_dataset,
             CASE WHEN row_number() OVER (PARTITION BY search_activity_id, provider_tenant_id ORDER BY rank, access_id) = 1 THEN 1 ELSE 0 END AS first_of_provider
      FROM access_events WHERE type = 'retrieval') f
WHERE access_events.access_id = f.access_id;

CREATE TABLE provider_daily (
    provider_tenant_id  TEXT    NOT NULL,
    day                 TEXT    NOT NULL,
    dataset_id          TEXT    NOT NULL,
    buyer_tenant_id     TEXT    NOT NULL,
    type                TEXT    NOT NULL,
    events              INTEGER NOT NULL,
    amount              INTEGER NOT NULL,
    rank_sum            INTEGER NOT NULL,
    top3                INTEGER NOT NULL,
    dataset_searches    INTEGER NOT NULL,
    provider_searches   INTEGER NOT NULL,
    PRIMARY KEY (provider_tenant_id, day, dataset_id, buyer_tenant_id, type)
);

CREATE TABLE provider_keywords_daily (
    provider_tenant_id  TEXT    NOT NULL,
    day                 TEXT    NOT NULL,
    dataset_id          TEXT    NOT NULL,
    keyword             TEXT    NOT NULL,
    searches            INTEGER NOT NULL,
    PRIMARY KEY (provider_tenant_id, day, dataset_id, keyword)
);

-- The same two per UTC hour (key YYYY-MM-DDTHH), for the partial days at a range's ends; flushed with them.
CREATE TABLE provider_hourly (
    provider_tenant_id  TEXT    NOT NULL,
    hour                TEXT    NOT NULL,
    day                 TEXT    NOT NULL,
    dataset_id          TEXT    NOT NULL,
    buyer_tenant_id     TEXT    NOT NULL,
    type                TEXT    NOT NULL,
    events              INTEGER NOT NULL,
    amount              INTEGER NOT NULL,
    rank_sum            INTEGER NOT NULL,
    top3                INTEGER NOT NULL,
    dataset_searches    INTEGER NOT NULL,
    provider_searches   INTEGER NOT NULL,
    PRIMARY KEY (provider_tenant_id, hour, dataset_id, buyer_tenant_id, type)
);

CREATE TABLE provider_keywords_hourly (
    provider_tenant_id  TEXT    NOT NULL,
    hour                TEXT    NOT NULL,
    dataset_id          TEXT    NOT NULL,
    keyword             TEXT    NOT NULL,
    searches            INTEGER NOT NULL,
    PRIMARY KEY (provider_tenant_id, hour, dataset_id, keyword)
);

INSERT INTO rollup_watermarks (name, seq) VALUES ('provider_daily', 0);
