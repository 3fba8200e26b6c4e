-- Test sends (POST /emails/activities/{id}/tests, docs/CAMPAIGNS.md): how many test recipients
-- each account mailed on a UTC day (days since the epoch), at most 50. One upsert claims them,
-- so concurrent requests and nodes count together; a claim drops the account's earlier days.
CREATE TABLE test_send_daily_counts (
    account_id BLOB NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    day BIGINT NOT NULL,
    recipients BIGINT NOT NULL,
    PRIMARY KEY (account_id, day)
);
