-- The authorization server: codes, refresh tokens, device authorizations, consents,
-- revocations, sign-in throttling and the shared daily API quota. Secrets are stored only as
-- SHA-256 hex digests. Ids are 16-byte UUID BLOBs; instants are milliseconds since the epoch.

CREATE TABLE oauth_codes (
    code_sha256 TEXT PRIMARY KEY,
    grant_id BLOB NOT NULL,
    client_id TEXT NOT NULL,
    account_id BLOB NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    user_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    redirect_uri TEXT NOT NULL,
    -- Space-separated, in the order granted.
    scopes TEXT NOT NULL,
    code_challenge TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);
CREATE INDEX oauth_codes_client ON oauth_codes (client_id);

CREATE TABLE oauth_refresh_tokens (
    token_sha256 TEXT PRIMARY KEY,
    grant_id BLOB NOT NULL,
    client_id TEXT NOT NULL,
    account_id BLOB NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    user_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scopes TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER,
    revoked_at INTEGER
);
CREATE INDEX oauth_refresh_tokens_grant ON oauth_refresh_tokens (grant_id);
CREATE INDEX oauth_refresh_tokens_client ON oauth_refresh_tokens (client_id);

CREATE TABLE oauth_device_authorizations (
    device_code_sha256 TEXT PRIMARY KEY,
    user_code TEXT NOT NULL UNIQUE,
    client_id TEXT NOT NULL,
    scopes TEXT NOT NULL,
    -- pending, approved, denied, used
    status TEXT NOT NULL,
    account_id BLOB REFERENCES accounts (id) ON DELETE CASCADE,
    user_id BLOB REFERENCES users (id) ON DELETE CASCADE,
    interval_seconds INTEGER NOT NULL,
    last_polled_at INTEGER,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX oauth_device_authorizations_client ON oauth_device_authorizations (client_id);

CREATE TABLE oauth_consents (
    account_id BLOB NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    user_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id TEXT NOT NULL,
    scopes TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, user_id, client_id)
);

-- `jti:<id>`, `grant:<id>` or `client:<id>`; every node caches the unexpired rows.
CREATE TABLE oauth_revocations (
    subject TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);

-- Failed sign-ins per `account:<id>` and per `address:<ip>` in the current window.
CREATE TABLE oauth_signin_failures (
    throttle_key TEXT PRIMARY KEY,
    window_start INTEGER NOT NULL,
    failures INTEGER NOT NULL
);

-- Requests per client id and UTC day (days since the epoch), flushed in batches by each node.
CREATE TABLE api_daily_usage (
    client_id TEXT NOT NULL,
    day INTEGER NOT NULL,
    requests INTEGER NOT NULL,
    PRIMARY KEY (client_id, day)
);
