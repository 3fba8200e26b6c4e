-- Forward to a friend (docs/TRACKING.md): how many addresses were forwarded on a UTC day (days
-- since the epoch), per recipient of an activity and per account, against the daily limits.
-- One upsert per limit claims them, so concurrent requests and nodes count together; a claim
-- drops the account's earlier days. The forwards themselves are tracking events.
CREATE TABLE forward_recipient_daily_counts (
    account_id BLOB NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    activity_id BLOB NOT NULL,
    contact_id BLOB NOT NULL,
    day BIGINT NOT NULL,
    addresses BIGINT NOT NULL,
    PRIMARY KEY (account_id, activity_id, contact_id, day)
);

CREATE TABLE forward_account_daily_counts (
    account_id BLOB NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    day BIGINT NOT NULL,
    addresses BIGINT NOT NULL,
    PRIMARY KEY (account_id, day)
);
