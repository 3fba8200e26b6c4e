-- Email campaigns and their activities (docs/CAMPAIGNS.md). A campaign's status is its primary
-- activity's, kept on both rows; status_before_removal is what DELETE found, so that
-- `roster campaigns restore` can put it back. live_campaign_count counts the campaigns that are
-- not REMOVED (at most 10,000 an account), claimed with each create like list_count.
ALTER TABLE accounts ADD COLUMN live_campaign_count INTEGER NOT NULL DEFAULT 0;

CREATE TABLE email_campaigns (
    account_id BLOB NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    id BLOB NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    status TEXT NOT NULL,
    status_before_removal TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, id)
);
-- Names are unique among the campaigns that are not REMOVED.
CREATE UNIQUE INDEX email_campaigns_name_key ON email_campaigns (account_id, name_key)
    WHERE status <> 'REMOVED';

-- The sender headers and content are columns; the footer address, the document properties and
-- the recipients are JSON documents (rows/campaigns.rs gives their stored shapes).
CREATE TABLE email_campaign_activities (
    account_id BLOB NOT NULL,
    id BLOB NOT NULL,
    campaign_id BLOB NOT NULL,
    role TEXT NOT NULL,
    status TEXT NOT NULL,
    status_before_removal TEXT,
    format_type INTEGER NOT NULL,
    from_name TEXT NOT NULL,
    from_email TEXT NOT NULL,
    reply_to_email TEXT NOT NULL,
    subject TEXT NOT NULL,
    preheader TEXT,
    html_content TEXT NOT NULL,
    footer_address TEXT,
    document_properties TEXT,
    contact_list_ids TEXT NOT NULL,
    segment_ids TEXT NOT NULL,
    permalink_url TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, id),
    FOREIGN KEY (account_id, campaign_id) REFERENCES email_campaigns (account_id, id)
        ON DELETE CASCADE
);
CREATE INDEX email_campaign_activities_campaign
    ON email_campaign_activities (account_id, campaign_id);
