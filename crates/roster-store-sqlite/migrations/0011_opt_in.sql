-- Confirmed Opt-In and the unsubscribe links (issue 16). The account setting, off by default:
-- with it on, POST /contacts/sign_up_form mails a confirmation link and campaigns skip
-- contacts pending confirmation.
ALTER TABLE accounts ADD COLUMN confirmed_opt_in INTEGER NOT NULL DEFAULT 0;

-- The sign-up confirmation link of a contact: one per contact, a newer sign-up replacing it.
-- Only the SHA-256 of the mailed token is kept; the link works once, until expires_at.
CREATE TABLE opt_in_confirmations (
    account_id BLOB NOT NULL,
    contact_id BLOB NOT NULL,
    token_sha256 TEXT NOT NULL UNIQUE,
    requested_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    confirmed_at BIGINT,
    PRIMARY KEY (account_id, contact_id),
    FOREIGN KEY (account_id, contact_id) REFERENCES contacts (account_id, id) ON DELETE CASCADE
);

-- Unsubscribes through a campaign message's link, credited to the activity that mailed it
-- (reporting counts them per activity). One per contact and activity: the primary key makes a
-- second POST of the same link add nothing, on every node.
CREATE TABLE campaign_opt_outs (
    account_id BLOB NOT NULL,
    activity_id BLOB NOT NULL,
    contact_id BLOB NOT NULL,
    -- The send-history send_id of the send whose message carried the link.
    send_id BIGINT NOT NULL,
    opted_out_at BIGINT NOT NULL,
    reason TEXT,
    PRIMARY KEY (account_id, activity_id, contact_id),
    FOREIGN KEY (account_id, activity_id) REFERENCES email_campaign_activities (account_id, id)
        ON DELETE CASCADE,
    FOREIGN KEY (account_id, contact_id) REFERENCES contacts (account_id, id) ON DELETE CASCADE
);
