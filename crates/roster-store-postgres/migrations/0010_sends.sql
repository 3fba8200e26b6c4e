-- Scheduling and delivery of email campaigns (docs/CAMPAIGNS.md, "Sending").
--
-- A schedule is two columns on the activity: when it falls due, and the status to go back to
-- when it is unscheduled (DRAFT, DONE or ERROR).
ALTER TABLE email_campaign_activities ADD COLUMN scheduled_at BIGINT;
ALTER TABLE email_campaign_activities ADD COLUMN status_before_schedule TEXT;
CREATE INDEX email_campaign_activities_due ON email_campaign_activities (scheduled_at)
    WHERE status = 'SCHEDULED';

-- Suspended addresses are skipped by every send (the tracking issue sets this from bounces).
ALTER TABLE contacts ADD COLUMN email_suspended_at BIGINT;

-- One row per send of an activity: its send-history entry. send_number is the history's
-- send_id (1, 2, … per activity). The lists or segment are those the send used, as JSON.
-- state: executing | completed | errored; reason_code as the send history reports it.
CREATE TABLE email_sends (
    account_id UUID NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    id UUID NOT NULL,
    campaign_activity_id UUID NOT NULL,
    send_number BIGINT NOT NULL,
    contact_list_ids TEXT NOT NULL,
    segment_ids TEXT NOT NULL,
    state TEXT NOT NULL,
    reason_code BIGINT NOT NULL,
    recipient_count BIGINT NOT NULL,
    started_at BIGINT NOT NULL,
    finished_at BIGINT,
    PRIMARY KEY (account_id, id),
    UNIQUE (account_id, campaign_activity_id, send_number)
);
CREATE INDEX email_sends_executing ON email_sends (state) WHERE state = 'executing';

-- A send's recipients, fixed when it starts, one row each: the delivery queue of campaign mail.
-- Rows are claimed under leases like the outbox's (queued | sending | sent | failed, and
-- skipped for those a stopped send never mailed). Nothing rendered is stored: a message is
-- rendered from this row, the activity and the contact when it is sent, and its Message-ID is
-- derived from (send_id, contact_id), so a resend after a crash carries the same one.
CREATE TABLE email_send_recipients (
    send_id UUID NOT NULL,
    contact_id UUID NOT NULL,
    account_id UUID NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    campaign_activity_id UUID NOT NULL,
    send_number BIGINT NOT NULL,
    email TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    last_reply TEXT,
    due_at BIGINT NOT NULL,
    lease_token UUID,
    updated_at BIGINT NOT NULL,
    finished_at BIGINT,
    PRIMARY KEY (send_id, contact_id)
);
CREATE INDEX email_send_recipients_due ON email_send_recipients (due_at)
    WHERE state IN ('queued', 'sending');
-- A re-send skips whoever an earlier send of the activity mailed.
CREATE INDEX email_send_recipients_mailed
    ON email_send_recipients (account_id, campaign_activity_id, contact_id)
    WHERE state = 'sent';
