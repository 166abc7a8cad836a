-- The spend counter rebuilds a key's spend for the current period from the ledger.
CREATE INDEX access_events_by_key ON access_events (api_key_id, occurred_at);
