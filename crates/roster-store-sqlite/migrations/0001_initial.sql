-- Ids are 16-byte UUID BLOBs; instants are milliseconds since the Unix epoch (UTC).
CREATE TABLE accounts (
    id BLOB PRIMARY KEY,
    encoded_id TEXT NOT NULL UNIQUE,
    organization_name TEXT,
    -- Maintained so the 100-field quota is checked without counting rows.
    custom_field_count INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);

CREATE TABLE users (
    id BLOB PRIMARY KEY,
    account_id BLOB NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- Normalised (trimmed, lowercase): sign-in is by email across all accounts.
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    first_name TEXT,
    last_name TEXT,
    role TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX users_account ON users (account_id);

-- Sender addresses of an account (GET /account/emails).
CREATE TABLE account_emails (
    account_id BLOB NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    confirm_status TEXT NOT NULL,
    confirmed_at INTEGER,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, email)
);

CREATE TABLE oauth_clients (
    client_id TEXT PRIMARY KEY,
    secret_sha256 TEXT,
    name TEXT NOT NULL,
    redirect_uris TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY,
    encrypted_private_key BLOB NOT NULL,
    public_key_der BLOB NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE custom_fields (
    account_id BLOB NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    id BLOB NOT NULL,
    label TEXT NOT NULL,
    name TEXT NOT NULL,
    -- Lowercased name: names are unique per account regardless of case.
    name_key TEXT NOT NULL,
    field_type TEXT NOT NULL,
    metadata TEXT,
    version INTEGER,
    choices TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, id)
);
CREATE UNIQUE INDEX custom_fields_name_key ON custom_fields (account_id, name_key);
