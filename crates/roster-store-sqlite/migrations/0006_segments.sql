-- Segments: saved contact criteria. Integer ids, as the V3 API types segment_id.
CREATE TABLE segments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BLOB NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    criteria TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    edited_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX segments_name_key ON segments (account_id, name_key);
CREATE INDEX segments_edited ON segments (account_id, edited_at, id);
