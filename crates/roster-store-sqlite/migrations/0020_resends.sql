-- Resend to non-openers (issue 19, docs/CAMPAIGNS.md, "Resend to non-openers"). The resend is
-- an activity of its own (role 'resend' in email_campaign_activities, scheduled and sent like
-- the primary, with its own sends and tracking); this row is the request that made it: one
-- per campaign (the key), its numeric resend_request_id (request_number, per account), the
-- subject and the delay after the primary's send.
CREATE TABLE email_resends (
    account_id BLOB NOT NULL,
    campaign_id BLOB NOT NULL,
    primary_activity_id BLOB NOT NULL,
    activity_id BLOB NOT NULL,
    request_number BIGINT NOT NULL,
    subject TEXT NOT NULL,
    delay_minutes BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, campaign_id),
    UNIQUE (account_id, request_number),
    FOREIGN KEY (account_id, activity_id) REFERENCES email_campaign_activities (account_id, id)
        ON DELETE CASCADE
);
CREATE INDEX email_resends_primary ON email_resends (account_id, primary_activity_id);
