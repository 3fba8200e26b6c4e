-- Account Services: the profile of GET/PUT /account/summary (on the account row), the
-- organization's physical address, numbered sender addresses with roles, and the tokens of
-- their confirmation links.
ALTER TABLE accounts ADD COLUMN first_name TEXT;
ALTER TABLE accounts ADD COLUMN last_name TEXT;
ALTER TABLE accounts ADD COLUMN organization_phone TEXT;
ALTER TABLE accounts ADD COLUMN contact_email TEXT;
ALTER TABLE accounts ADD COLUMN contact_phone TEXT;
ALTER TABLE accounts ADD COLUMN country_code TEXT;
ALTER TABLE accounts ADD COLUMN state_code TEXT;
ALTER TABLE accounts ADD COLUMN time_zone_id TEXT;
ALTER TABLE accounts ADD COLUMN website TEXT;
ALTER TABLE accounts ADD COLUMN logo_external_url TEXT;
-- The last email_id handed out, so ids are drawn without counting rows.
ALTER TABLE accounts ADD COLUMN account_email_seq INTEGER NOT NULL DEFAULT 0;

-- Existing accounts take their owner's name and sign-in address.
UPDATE accounts SET
    first_name = (SELECT u.first_name FROM users u WHERE u.account_id = accounts.id
                  AND u.role = 'account_owner' ORDER BY u.created_at LIMIT 1),
    last_name = (SELECT u.last_name FROM users u WHERE u.account_id = accounts.id
                 AND u.role = 'account_owner' ORDER BY u.created_at LIMIT 1),
    contact_email = (SELECT u.email FROM users u WHERE u.account_id = accounts.id
                     AND u.role = 'account_owner' ORDER BY u.created_at LIMIT 1);

ALTER TABLE account_emails ADD COLUMN email_id INTEGER;
ALTER TABLE account_emails ADD COLUMN confirm_source_type TEXT;
-- Delimited on both sides (',CONTACT,BILLING,'), so one role is matched with LIKE.
ALTER TABLE account_emails ADD COLUMN roles TEXT NOT NULL DEFAULT '';
ALTER TABLE account_emails ADD COLUMN pending_roles TEXT NOT NULL DEFAULT '';
UPDATE account_emails SET email_id = (
    SELECT COUNT(*) FROM account_emails e WHERE e.account_id = account_emails.account_id
    AND (e.created_at < account_emails.created_at
         OR (e.created_at = account_emails.created_at AND e.email <= account_emails.email)));
UPDATE account_emails SET roles = ',CONTACT,BILLING,', confirm_source_type = 'SITE_OWNER'
    WHERE confirm_status = 'CONFIRMED';
UPDATE accounts SET account_email_seq = (
    SELECT COUNT(*) FROM account_emails e WHERE e.account_id = accounts.id);
CREATE UNIQUE INDEX account_emails_email_id ON account_emails (account_id, email_id);

CREATE TABLE account_physical_addresses (
    account_id BLOB PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    address_line1 TEXT NOT NULL,
    address_line2 TEXT,
    address_line3 TEXT,
    city TEXT NOT NULL,
    state_code TEXT,
    state_name TEXT,
    postal_code TEXT,
    country_code TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- Confirmation links of sender addresses: only the SHA-256 of each token is kept. A token
-- lives until it is used (the address cannot be added again while it waits).
CREATE TABLE account_email_confirmations (
    account_id BLOB NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    token_sha256 TEXT NOT NULL,
    email TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, token_sha256)
);
