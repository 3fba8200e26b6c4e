-- Contact reports, engagement in segments and bulk sources, and the deleted-segment read
-- (issue 18; docs/SEGMENTS.md, docs/REPORTS.md "Contact reports").

-- A deleted segment keeps its row, so GET /segments/{segment_id} still shows it (the spec);
-- every other read and write skips it, and its name is free again.
ALTER TABLE segments ADD COLUMN deleted_at BIGINT;
DROP INDEX segments_name_key;
CREATE UNIQUE INDEX segments_name_key ON segments (account_id, name_key)
    WHERE deleted_at IS NULL;

-- A contact's campaign messages, newest first: the engagement level reads each contact's last
-- 10, the tracking criteria and the contact reports probe a contact's sends without walking
-- every recipient of an activity. Written once per message, when it becomes sent.
CREATE INDEX email_send_recipients_contact_sent
    ON email_send_recipients (account_id, contact_id, finished_at)
    WHERE state = 'sent';
