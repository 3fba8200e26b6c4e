-- Bulk activities: queued jobs, their per-item errors, and export files, all in the database
-- so any node can run or serve them.
CREATE TABLE activities (
    id UUID PRIMARY KEY,
    account_id UUID NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    started_at BIGINT,
    completed_at BIGINT,
    items_total BIGINT NOT NULL DEFAULT 0,
    items_completed BIGINT NOT NULL DEFAULT 0,
    created_count BIGINT NOT NULL DEFAULT 0,
    updated_count BIGINT NOT NULL DEFAULT 0,
    error_count BIGINT NOT NULL DEFAULT 0,
    cannot_add_to_list_count BIGINT NOT NULL DEFAULT 0,
    list_count BIGINT NOT NULL DEFAULT 0,
    source_file_name TEXT,
    -- The last contact a contact-walking job committed: where it resumes.
    cursor UUID,
    -- The node holding the activity and until when; an expired lease lets another node resume.
    lease_owner TEXT,
    lease_until BIGINT,
    -- The job description (JSON), including an import's rows.
    job TEXT NOT NULL
);
CREATE INDEX activities_account ON activities (account_id, id);
CREATE INDEX activities_queue ON activities (state, created_at) WHERE state IN ('initialized', 'processing');

CREATE TABLE activity_errors (
    activity_id UUID NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (activity_id, seq)
);

CREATE TABLE activity_files (
    activity_id UUID NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    data BYTEA NOT NULL,
    PRIMARY KEY (activity_id, seq)
);
