-- Bulk activities: queued jobs, their per-item errors, and export files, all in the database
-- so any node can run or serve them.
CREATE TABLE activities (
    id BLOB PRIMARY KEY,
    account_id BLOB NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    started_at INTEGER,
    completed_at INTEGER,
    items_total INTEGER NOT NULL DEFAULT 0,
    items_completed INTEGER NOT NULL DEFAULT 0,
    created_count INTEGER NOT NULL DEFAULT 0,
    updated_count INTEGER NOT NULL DEFAULT 0,
    error_count INTEGER NOT NULL DEFAULT 0,
    cannot_add_to_list_count INTEGER NOT NULL DEFAULT 0,
    list_count INTEGER NOT NULL DEFAULT 0,
    source_file_name TEXT,
    -- The last contact a contact-walking job committed: where it resumes.
    cursor BLOB,
    -- The node holding the activity and until when; an expired lease lets another node resume.
    lease_owner TEXT,
    lease_until INTEGER,
    -- The job description (JSON), including an import's rows.
    job TEXT NOT NULL
);
CREATE INDEX activities_account ON activities (account_id, id);
CREATE INDEX activities_queue ON activities (state, created_at) WHERE state IN ('initialized', 'processing');

CREATE TABLE activity_errors (
    activity_id BLOB NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (activity_id, seq)
);

CREATE TABLE activity_files (
    activity_id BLOB NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (activity_id, seq)
);
