-- The outbox: every message the server sends, recorded before delivery is attempted.
CREATE TABLE outbox (
    id BLOB PRIMARY KEY,
    -- The account the message is sent for; NULL for server mail.
    account_id BLOB REFERENCES accounts (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    -- RFC 5322 Message-ID, fixed at enqueue time so a resend carries the same one.
    message_id TEXT NOT NULL UNIQUE,
    -- Mailboxes as JSON: {"name": …, "email": …}; recipients and headers as JSON arrays.
    from_mailbox TEXT NOT NULL,
    reply_to TEXT,
    recipients TEXT NOT NULL,
    subject TEXT NOT NULL,
    headers TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT,
    -- queued | sending | sent | failed
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_reply TEXT,
    -- queued: earliest next attempt; sending: lease expiry (claimable again after it).
    due_at INTEGER NOT NULL,
    lease_token BLOB,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    finished_at INTEGER
);
-- What workers scan: only the unfinished messages, by when they are due.
CREATE INDEX outbox_due ON outbox (due_at) WHERE state IN ('queued', 'sending');
CREATE INDEX outbox_state ON outbox (state, id);
