-- Settings a running server records for the commands run beside it (docs/OAUTH.md): today the
-- public URL `roster serve` runs with, which fixes the tokens' issuer and audience, so that
-- `roster tokens issue` mints tokens that server accepts.
CREATE TABLE server_settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
