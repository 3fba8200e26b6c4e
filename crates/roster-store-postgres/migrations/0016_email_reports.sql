-- Email reports (docs/REPORTS.md). What the statistics and tracking pages read that the
-- tracking tables (0013) do not already index.

-- em_sends without counting recipient rows: each send's recipients whose delivery ended
-- (sent, or failed for good), kept by the delivery workers' group commit with the rows.
ALTER TABLE email_sends ADD COLUMN mailed_count BIGINT NOT NULL DEFAULT 0;
UPDATE email_sends SET mailed_count = (SELECT COUNT(*) FROM email_send_recipients r
    WHERE r.send_id = email_sends.id AND r.state IN ('sent', 'failed'));

-- The sends and did-not-open pages: an activity's mailed recipients, newest first.
CREATE INDEX email_send_recipients_report
    ON email_send_recipients (account_id, campaign_activity_id, finished_at, contact_id)
    WHERE state IN ('sent', 'failed');

-- The clicks page filtered by one link (url_id).
CREATE INDEX tracking_events_link_clicks
    ON tracking_events (account_id, activity_id, url_id, id)
    WHERE kind = 'click';
