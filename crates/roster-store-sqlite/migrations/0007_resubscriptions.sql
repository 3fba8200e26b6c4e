-- Resubscription requests (PUT /contacts/resubscribe/{contact_id}): at most one per contact,
-- ever (Constant Contact sends the confirmation mail once), so the primary key is what makes a
-- second request answer 409 on every node. Only the SHA-256 of the mailed token is kept.
CREATE TABLE contact_resubscriptions (
    account_id BLOB NOT NULL,
    contact_id BLOB NOT NULL,
    token_sha256 TEXT NOT NULL UNIQUE,
    -- The lists the account named, as a JSON array of ids.
    list_ids TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    -- Set when the contact confirmed through the link (and became explicit).
    confirmed_at BIGINT,
    -- Set when the contact declined through the mail's unsubscribe link; the token is dead.
    declined_at BIGINT,
    PRIMARY KEY (account_id, contact_id),
    FOREIGN KEY (account_id, contact_id) REFERENCES contacts (account_id, id) ON DELETE CASCADE
);
