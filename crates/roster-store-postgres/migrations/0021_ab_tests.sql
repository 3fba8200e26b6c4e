-- A/B subject tests (issue 19, docs/CAMPAIGNS.md, "A/B tests"). One test per primary activity:
-- its alternative subject, the size of each arm (percent), the wait before the winner is
-- decided (hours), and where its send is. state: draft | testing (the arms' send runs) |
-- waiting (until winner_due_at) | decided (winner set; the winner send started). seed chose
-- the arms; test_send_id is the send that mailed them.
CREATE TABLE email_ab_tests (
    account_id UUID NOT NULL,
    activity_id UUID NOT NULL,
    alternative_subject TEXT NOT NULL,
    test_size BIGINT NOT NULL,
    winner_wait_hours BIGINT NOT NULL,
    state TEXT NOT NULL,
    seed BIGINT NOT NULL,
    test_send_id UUID,
    winner TEXT,
    winner_due_at BIGINT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, activity_id),
    FOREIGN KEY (account_id, activity_id) REFERENCES email_campaign_activities (account_id, id)
        ON DELETE CASCADE
);
-- The scheduler's look-up of winners due.
CREATE INDEX email_ab_tests_waiting ON email_ab_tests (winner_due_at) WHERE state = 'waiting';

-- The subject each recipient of an A/B-tested activity's sends got: A (the activity's) or B
-- (the alternative), stored when the arms are drawn and for the winner's sends; NULL for
-- every other send.
ALTER TABLE email_send_recipients ADD COLUMN subject_arm TEXT;

-- type_code as GET /emails shows it: 10 (newsletter), 57 while an A/B test exists.
ALTER TABLE email_campaigns ADD COLUMN type_code BIGINT NOT NULL DEFAULT 10;
