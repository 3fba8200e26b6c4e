-- Tracking (issue 17, docs/TRACKING.md): what recipients do with campaign messages, and the
-- counters reports read. Events are written by the group-commit writer in batches; each batch
-- is one transaction holding its event rows, the per-contact state and the counters, so the
-- counters always equal what the rows say (a crash loses only batches not yet committed).

-- The events, append-only, one row per open, click, forward, opt-out, bounce or complaint.
-- kind: open | click | forward | optout | bounce | abuse; device: computer | mobile | tablet |
-- other | none; machine: a known machine opener or link scanner (docs/TRACKING.md). The id
-- orders rows by commit, so report pages are keyset pages over it, newest first. Neither the
-- client's address nor its User-Agent is stored.
CREATE TABLE tracking_events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id UUID NOT NULL,
    activity_id UUID NOT NULL,
    contact_id UUID NOT NULL,
    send_number BIGINT NOT NULL,
    kind TEXT NOT NULL,
    url_id BIGINT,
    device TEXT NOT NULL,
    machine BOOLEAN NOT NULL,
    bounce_code TEXT,
    occurred_at BIGINT NOT NULL,
    FOREIGN KEY (account_id, activity_id) REFERENCES email_campaign_activities (account_id, id)
        ON DELETE CASCADE
);
-- An activity's events of one kind, newest first (the tracking report pages).
CREATE INDEX tracking_events_activity ON tracking_events (account_id, activity_id, kind, id);
-- A contact's events, newest first (the contact activity report).
CREATE INDEX tracking_events_contact ON tracking_events (account_id, contact_id, id);

-- One row per activity: the counters the statistics reports read. unique_* count contacts
-- and only their own events; opens_* and clicks_* count every event by device (machine ones
-- under none); bounces_b … bounces_z split the bounced contacts by the code of each one's
-- first bounce.
CREATE TABLE activity_tracking_counts (
    account_id UUID NOT NULL,
    activity_id UUID NOT NULL,
    unique_opens BIGINT NOT NULL DEFAULT 0,
    opens_computer BIGINT NOT NULL DEFAULT 0,
    opens_mobile BIGINT NOT NULL DEFAULT 0,
    opens_tablet BIGINT NOT NULL DEFAULT 0,
    opens_other BIGINT NOT NULL DEFAULT 0,
    opens_none BIGINT NOT NULL DEFAULT 0,
    unique_clicks BIGINT NOT NULL DEFAULT 0,
    clicks_computer BIGINT NOT NULL DEFAULT 0,
    clicks_mobile BIGINT NOT NULL DEFAULT 0,
    clicks_tablet BIGINT NOT NULL DEFAULT 0,
    clicks_other BIGINT NOT NULL DEFAULT 0,
    clicks_none BIGINT NOT NULL DEFAULT 0,
    unique_forwards BIGINT NOT NULL DEFAULT 0,
    forwards BIGINT NOT NULL DEFAULT 0,
    optouts BIGINT NOT NULL DEFAULT 0,
    bounces BIGINT NOT NULL DEFAULT 0,
    bounces_b BIGINT NOT NULL DEFAULT 0,
    bounces_d BIGINT NOT NULL DEFAULT 0,
    bounces_f BIGINT NOT NULL DEFAULT 0,
    bounces_s BIGINT NOT NULL DEFAULT 0,
    bounces_v BIGINT NOT NULL DEFAULT 0,
    bounces_x BIGINT NOT NULL DEFAULT 0,
    bounces_z BIGINT NOT NULL DEFAULT 0,
    abuse BIGINT NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, activity_id),
    FOREIGN KEY (account_id, activity_id) REFERENCES email_campaign_activities (account_id, id)
        ON DELETE CASCADE
);

-- One row per contact with any event of their own (machine events never write here) from an
-- activity: how many of each, and when. What makes the unique counters exact (a contact's
-- first open is the batch that takes opens from 0), and what the unique-opens page (each
-- contact once, at the last open), the did-not-open page and the contact reports read.
-- opens includes the open a click implies when none was recorded.
CREATE TABLE activity_contact_tracking (
    account_id UUID NOT NULL,
    activity_id UUID NOT NULL,
    contact_id UUID NOT NULL,
    send_number BIGINT NOT NULL,
    opens BIGINT NOT NULL,
    first_open_at BIGINT,
    last_open_at BIGINT,
    last_open_device TEXT,
    clicks BIGINT NOT NULL,
    first_click_at BIGINT,
    last_click_at BIGINT,
    forwards BIGINT NOT NULL,
    last_forward_at BIGINT,
    optouts BIGINT NOT NULL,
    bounces BIGINT NOT NULL,
    first_bounce_code TEXT,
    last_bounce_at BIGINT,
    abuse BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, activity_id, contact_id),
    FOREIGN KEY (account_id, activity_id) REFERENCES email_campaign_activities (account_id, id)
        ON DELETE CASCADE
);
-- The unique-opens page: openers by their last open, newest first.
CREATE INDEX activity_contact_tracking_last_open
    ON activity_contact_tracking (account_id, activity_id, last_open_at)
    WHERE opens > 0;
-- The contact reports: a contact's activities.
CREATE INDEX activity_contact_tracking_contact
    ON activity_contact_tracking (account_id, contact_id);

-- The tracked links of an activity: each distinct URL (as written in the content) gets the
-- next url_id when a send first composes it, and keeps it. clicks counts every click,
-- unique_clicks the contacts who clicked it (their own clicks only).
CREATE TABLE activity_links (
    account_id UUID NOT NULL,
    activity_id UUID NOT NULL,
    url_id BIGINT NOT NULL,
    url TEXT NOT NULL,
    clicks BIGINT NOT NULL DEFAULT 0,
    unique_clicks BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, activity_id, url_id),
    FOREIGN KEY (account_id, activity_id) REFERENCES email_campaign_activities (account_id, id)
        ON DELETE CASCADE
);

-- Who clicked which link, once each: what makes activity_links.unique_clicks exact.
CREATE TABLE activity_link_clickers (
    account_id UUID NOT NULL,
    activity_id UUID NOT NULL,
    url_id BIGINT NOT NULL,
    contact_id UUID NOT NULL,
    first_click_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, activity_id, url_id, contact_id),
    FOREIGN KEY (account_id, activity_id) REFERENCES email_campaign_activities (account_id, id)
        ON DELETE CASCADE
);
