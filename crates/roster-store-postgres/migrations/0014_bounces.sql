-- Bounces and complaints coming back (issue 17, docs/TRACKING.md, "Bounces"). The bounces
-- and complaints themselves are tracking events (0013); this adds what their intake needs.

-- A bounce that names its message only by the VERP token (the contact) is matched against
-- the most recent sends, by their start. One row per send: nothing is added to the send path.
CREATE INDEX email_sends_started ON email_sends (started_at);

-- What came to the bounce address (through the SMTP listener or the bounce endpoint) and
-- could not be read, or names no message Roster sent: kept for the operator to look at
-- (`roster bounces list`), never refused. channel: http | smtp; client: the SMTP client's
-- address (a mail server's); envelope_to: the RCPT TOs as a JSON array; raw: the message (or
-- the JSON event) as it arrived, at most 1 MB.
CREATE TABLE unprocessed_inbound_messages (
    id UUID PRIMARY KEY,
    received_at BIGINT NOT NULL,
    channel TEXT NOT NULL,
    client TEXT,
    envelope_from TEXT,
    envelope_to TEXT NOT NULL,
    reason TEXT NOT NULL,
    raw BYTEA NOT NULL
);
