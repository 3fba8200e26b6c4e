-- Ids are native UUIDs; instants are milliseconds since the Unix epoch (UTC).
CREATE TABLE accounts (
    id UUID PRIMARY KEY,
    encoded_id TEXT NOT NULL UNIQUE,
    organization_name TEXT,
    -- Maintained so the 100-field quota is checked without counting rows.
    custom_field_count BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

CREATE TABLE users (
    id UUID PRIMARY KEY,
    account_id UUID NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- Normalised (trimmed, lowercase): sign-in is by email across all accounts.
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    first_name TEXT,
    last_name TEXT,
    role TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX users_account ON users (account_id);

-- Sender addresses of an account (GET /account/emails).
CREATE TABLE account_emails (
    account_id UUID NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    confirm_status TEXT NOT NULL,
    confirmed_at BIGINT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, email)
);

CREATE TABLE oauth_clients (
    client_id TEXT PRIMARY KEY,
    secret_sha256 TEXT,
    name TEXT NOT NULL,
    redirect_uris TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY,
    encrypted_private_key BYTEA NOT NULL,
    public_key_der BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE custom_fields (
    account_id UUID NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    id UUID NOT NULL,
    label TEXT NOT NULL,
    name TEXT NOT NULL,
    -- Lowercased name: names are unique per account regardless of case.
    name_key TEXT NOT NULL,
    field_type TEXT NOT NULL,
    metadata TEXT,
    version BIGINT,
    choices TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, id)
);
CREATE UNIQUE INDEX custom_fields_name_key ON custom_fields (account_id, name_key);
