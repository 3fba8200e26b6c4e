-- Contacts, lists, tags, and the counts maintained as they change.
ALTER TABLE accounts ADD COLUMN list_count BIGINT NOT NULL DEFAULT 0;

CREATE TABLE contact_lists (
    account_id UUID NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    id UUID NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    description TEXT,
    favorite BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deleted_at BIGINT,
    -- Members that are not deleted contacts / members that can be mailed.
    member_count BIGINT NOT NULL DEFAULT 0,
    active_member_count BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, id)
);
CREATE UNIQUE INDEX contact_lists_name_key ON contact_lists (account_id, name_key) WHERE deleted_at IS NULL;

CREATE TABLE contact_tags (
    account_id UUID NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    id UUID NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    tag_source TEXT,
    contacts_count BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, id)
);
CREATE UNIQUE INDEX contact_tags_name_key ON contact_tags (account_id, name_key);

CREATE TABLE contacts (
    account_id UUID NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    id UUID NOT NULL,
    -- Normalised address; unique per account, deleted contacts included.
    email TEXT,
    permission TEXT,
    opt_in_source TEXT,
    opt_in_date BIGINT,
    opt_out_source TEXT,
    opt_out_date BIGINT,
    opt_out_reason TEXT,
    confirm_status TEXT,
    email_created_at BIGINT,
    email_updated_at BIGINT,
    first_name TEXT,
    last_name TEXT,
    job_title TEXT,
    company_name TEXT,
    birthday_month BIGINT,
    birthday_day BIGINT,
    anniversary TEXT,
    create_source TEXT NOT NULL,
    update_source TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deleted_at BIGINT,
    -- The count bucket: the email permission, or 'deleted'.
    status TEXT NOT NULL,
    sms_status TEXT,
    -- Small sub-resources, read with the contact, as JSON.
    phone_numbers TEXT NOT NULL,
    street_addresses TEXT NOT NULL,
    notes TEXT NOT NULL,
    sms_channel TEXT,
    PRIMARY KEY (account_id, id)
);
CREATE UNIQUE INDEX contacts_email ON contacts (account_id, email);
CREATE INDEX contacts_status ON contacts (account_id, status, id);
CREATE INDEX contacts_updated ON contacts (account_id, updated_at);
CREATE INDEX contacts_opt_in ON contacts (account_id, opt_in_date);

CREATE TABLE contact_list_members (
    account_id UUID NOT NULL,
    list_id UUID NOT NULL,
    contact_id UUID NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, list_id, contact_id),
    FOREIGN KEY (account_id, contact_id) REFERENCES contacts (account_id, id) ON DELETE CASCADE
);
CREATE INDEX contact_list_members_contact ON contact_list_members (account_id, contact_id);

CREATE TABLE contact_taggings (
    account_id UUID NOT NULL,
    tag_id UUID NOT NULL,
    contact_id UUID NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, tag_id, contact_id),
    FOREIGN KEY (account_id, contact_id) REFERENCES contacts (account_id, id) ON DELETE CASCADE
);
CREATE INDEX contact_taggings_contact ON contact_taggings (account_id, contact_id);

CREATE TABLE contact_custom_values (
    account_id UUID NOT NULL,
    contact_id UUID NOT NULL,
    custom_field_id UUID NOT NULL,
    value TEXT NOT NULL,
    -- Comma-separated choice ids of select fields.
    choice_ids TEXT NOT NULL,
    PRIMARY KEY (account_id, contact_id, custom_field_id),
    FOREIGN KEY (account_id, contact_id) REFERENCES contacts (account_id, id) ON DELETE CASCADE
);
CREATE INDEX contact_custom_values_field ON contact_custom_values (account_id, custom_field_id, value);

-- Contacts per bucket (explicit, implicit, ..., deleted), maintained on every write.
CREATE TABLE contact_counts (
    account_id UUID NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    bucket TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (account_id, bucket)
);
