//! The contact write path, shared by the contact writes, the resubscriptions and the
//! activities' batches: contact rows and their links, the multi-row bulk insert, the
//! maintained counts, and the row lock that makes a read-modify-write safe.

use roster_domain::contact::{Bucket, Contact, CustomValue};
use roster_domain::counts::{CountDeltas, Footprint};
use roster_domain::{AccountId, ContactId, ListId, StoreError, StoreResult, TagId, Timestamp};
use roster_store_sql::contact_sql::bulk_chunk_rows;
use roster_store_sql::{conflict_on_unique, rows};
use uuid::Uuid;

use super::fetch::{account_row, account_write, ExecuteWrite, FetchDomain};
use crate::Db;

/// Inserts new contacts (rows, memberships, taggings, custom values) with multi-row
/// statements sized under SQLite's bind limit: an import batch of 2,000 new contacts
/// (roster-activities' `IMPORT_BATCH`) costs a handful of round trips. Memberships and
/// taggings are stamped with the contact's update time, as `write_contact_links` does for a
/// single contact.
pub(super) async fn insert_new_contacts(
    tx: &mut sqlx::Transaction<'_, Db>,
    account: AccountId,
    contacts: &[&Contact],
) -> Result<(), sqlx::Error> {
    for chunk in contacts.chunks(bulk_chunk_rows(30)) {
        let mut insert = sqlx::QueryBuilder::<Db>::new(
            "INSERT INTO contacts (account_id, id, email, permission, opt_in_source, opt_in_date, \
             opt_out_source, opt_out_date, opt_out_reason, confirm_status, email_created_at, \
             email_updated_at, first_name, last_name, job_title, company_name, birthday_month, \
             birthday_day, anniversary, create_source, update_source, created_at, updated_at, \
             deleted_at, phone_numbers, street_addresses, notes, sms_channel, status, \
             sms_status) ",
        );
        insert.push_values(chunk, |mut values, contact| {
            let row = rows::ContactRow::from_domain(contact);
            values
                .push_bind(account.0)
                .push_bind(row.id)
                .push_bind(row.email)
                .push_bind(row.permission)
                .push_bind(row.opt_in_source)
                .push_bind(row.opt_in_date)
                .push_bind(row.opt_out_source)
                .push_bind(row.opt_out_date)
                .push_bind(row.opt_out_reason)
                .push_bind(row.confirm_status)
                .push_bind(row.email_created_at)
                .push_bind(row.email_updated_at)
                .push_bind(row.first_name)
                .push_bind(row.last_name)
                .push_bind(row.job_title)
                .push_bind(row.company_name)
                .push_bind(row.birthday_month)
                .push_bind(row.birthday_day)
                .push_bind(row.anniversary)
                .push_bind(row.create_source)
                .push_bind(row.update_source)
                .push_bind(row.created_at)
                .push_bind(row.updated_at)
                .push_bind(row.deleted_at)
                .push_bind(row.phone_numbers)
                .push_bind(row.street_addresses)
                .push_bind(row.notes)
                .push_bind(row.sms_channel)
                .push_bind(contact.bucket().as_str())
                .push_bind(
                    contact
                        .sms_channel
                        .as_ref()
                        .map(|sms| sms.status().as_str()),
                );
        });
        insert.build().persistent(false).execute(&mut **tx).await?;
    }
    let memberships = link_rows(contacts.iter().map(|c| (*c, c.list_ids.as_slice())), |l| {
        l.0
    });
    insert_links(tx, account, &MEMBERSHIPS, &memberships).await?;
    let taggings = link_rows(contacts.iter().map(|c| (*c, c.tag_ids.as_slice())), |t| t.0);
    insert_links(tx, account, &TAGGINGS, &taggings).await?;
    let custom_values: Vec<(ContactId, &CustomValue)> = contacts
        .iter()
        .flat_map(|c| c.custom_fields.iter().map(move |v| (c.id, v)))
        .collect();
    for chunk in custom_values.chunks(bulk_chunk_rows(5)) {
        let mut insert = sqlx::QueryBuilder::<Db>::new(
            "INSERT INTO contact_custom_values (account_id, contact_id, custom_field_id, value, \
             choice_ids) ",
        );
        insert.push_values(chunk, |mut values, (contact, value)| {
            values
                .push_bind(account.0)
                .push_bind(contact.0)
                .push_bind(value.custom_field_id.0)
                .push_bind(value.value.clone())
                .push_bind(rows::choice_ids_text(value));
        });
        insert.build().persistent(false).execute(&mut **tx).await?;
    }
    Ok(())
}

/// The link rows (linked id, contact, stamp) of new contacts, each stamped with its
/// contact's update time.
fn link_rows<'a, I: 'a>(
    contacts: impl Iterator<Item = (&'a Contact, &'a [I])>,
    uuid: impl Fn(&I) -> Uuid,
) -> Vec<(Uuid, Uuid, i64)> {
    let mut rows = Vec::new();
    for (contact, ids) in contacts {
        let at = contact.updated_at.millis();
        rows.extend(ids.iter().map(|id| (uuid(id), contact.id.0, at)));
    }
    rows
}

/// Inserts link rows with multi-row statements sized under SQLite's bind limit.
async fn insert_links(
    tx: &mut sqlx::Transaction<'_, Db>,
    account: AccountId,
    table: &LinkTable,
    links: &[(Uuid, Uuid, i64)],
) -> Result<(), sqlx::Error> {
    for chunk in links.chunks(bulk_chunk_rows(4)) {
        let mut insert = sqlx::QueryBuilder::<Db>::new(table.bulk_insert);
        insert.push_values(chunk, |mut values, (linked, contact, at)| {
            values
                .push_bind(account.0)
                .push_bind(*linked)
                .push_bind(*contact)
                .push_bind(*at);
        });
        insert.build().persistent(false).execute(&mut **tx).await?;
    }
    Ok(())
}

/// Moves the maintained counts. Rows are touched in a fixed order (buckets, lists,
/// tags, each sorted) so concurrent writers cannot deadlock on them.
pub(super) async fn apply_count_deltas(
    tx: &mut sqlx::Transaction<'_, Db>,
    account: AccountId,
    deltas: &CountDeltas,
) -> StoreResult<()> {
    for (bucket, n) in &deltas.buckets {
        sqlx::query(
            "INSERT INTO contact_counts (account_id, bucket, n) VALUES ($1, $2, $3) \
             ON CONFLICT (account_id, bucket) DO UPDATE SET n = contact_counts.n + excluded.n",
        )
        .bind(account.0)
        .bind(bucket.as_str())
        .bind(*n)
        .run(&mut **tx)
        .await?;
    }
    for (list, (all, active)) in &deltas.lists {
        account_write(
            "UPDATE contact_lists SET member_count = member_count + $3, \
             active_member_count = active_member_count + $4 WHERE account_id = $1 AND id = $2",
            account,
            list.0,
        )
        .bind(*all)
        .bind(*active)
        .run(&mut **tx)
        .await?;
    }
    for (tag, n) in &deltas.tags {
        account_write(
            "UPDATE contact_tags SET contacts_count = contacts_count + $3 \
             WHERE account_id = $1 AND id = $2",
            account,
            tag.0,
        )
        .bind(*n)
        .run(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The stored footprint of a contact (bucket, lists, tags), read inside `tx`.
pub(super) async fn stored_footprint(
    tx: &mut sqlx::Transaction<'_, Db>,
    account: AccountId,
    id: ContactId,
) -> Result<Footprint, StoreError> {
    let select = "SELECT status FROM contacts WHERE account_id = $1 AND id = $2";
    let status: Option<(String,)> =
        account_row::<(String,), _>(&mut **tx, select, account, id.0).await?;
    let Some((status,)) = status else {
        return Ok(Default::default());
    };
    let lists: Vec<(Uuid,)> = sqlx::query_as::<_, (Uuid,)>(
        "SELECT list_id FROM contact_list_members WHERE account_id = $1 AND contact_id = $2",
    )
    .bind(account.0)
    .bind(id.0)
    .all(&mut **tx)
    .await?;
    let tags: Vec<(Uuid,)> = sqlx::query_as::<_, (Uuid,)>(
        "SELECT tag_id FROM contact_taggings WHERE account_id = $1 AND contact_id = $2",
    )
    .bind(account.0)
    .bind(id.0)
    .all(&mut **tx)
    .await?;
    Ok(Footprint {
        bucket: Some(
            Bucket::parse(&status)
                .ok_or_else(|| StoreError::unavailable(rows::corrupt_error("contact status")))?,
        ),
        lists: lists.into_iter().map(|(id,)| ListId(id)).collect(),
        tags: tags.into_iter().map(|(id,)| TagId(id)).collect(),
    })
}

/// Makes the stored memberships, taggings and custom values those of `contact`; new
/// memberships and taggings are stamped with the contact's update time.
pub(super) async fn write_contact_links(
    tx: &mut sqlx::Transaction<'_, Db>,
    account: AccountId,
    contact: &Contact,
    before: &Footprint,
) -> StoreResult<()> {
    write_link_diff(tx, account, contact, before, contact.updated_at).await?;
    account_write(
        "DELETE FROM contact_custom_values WHERE account_id = $1 AND contact_id = $2",
        account,
        contact.id.0,
    )
    .run(&mut **tx)
    .await?;
    for value in &contact.custom_fields {
        account_write(
            "INSERT INTO contact_custom_values (account_id, contact_id, custom_field_id, value, \
             choice_ids) \
             VALUES ($1, $2, $3, $4, $5)",
            account,
            contact.id.0,
        )
        .bind(value.custom_field_id.0)
        .bind(&value.value)
        .bind(rows::choice_ids_text(value))
        .run(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The statements that remove and add one link row of a contact (`$1` account, `$2` the
/// linked id, `$3` contact, `$4` the insert's stamp).
struct LinkTable {
    delete: &'static str,
    insert: &'static str,
    /// The multi-row insert's head, followed by `VALUES` rows of the four columns.
    bulk_insert: &'static str,
}

const MEMBERSHIPS: LinkTable = LinkTable {
    delete: "DELETE FROM contact_list_members \
             WHERE account_id = $1 AND list_id = $2 AND contact_id = $3",
    insert: "INSERT INTO contact_list_members (account_id, list_id, contact_id, created_at) \
             VALUES ($1, $2, $3, $4)",
    bulk_insert: "INSERT INTO contact_list_members (account_id, list_id, contact_id, created_at) ",
};

const TAGGINGS: LinkTable = LinkTable {
    delete: "DELETE FROM contact_taggings \
             WHERE account_id = $1 AND tag_id = $2 AND contact_id = $3",
    insert: "INSERT INTO contact_taggings (account_id, tag_id, contact_id, created_at) \
             VALUES ($1, $2, $3, $4)",
    bulk_insert: "INSERT INTO contact_taggings (account_id, tag_id, contact_id, created_at) ",
};

/// Inserts and deletes the membership and tagging rows that differ from `before`.
pub(super) async fn write_link_diff(
    tx: &mut sqlx::Transaction<'_, Db>,
    account: AccountId,
    contact: &Contact,
    before: &Footprint,
    now: Timestamp,
) -> StoreResult<()> {
    let lists = (before.lists.as_slice(), contact.list_ids.as_slice());
    write_id_diff(tx, account, contact.id, &MEMBERSHIPS, lists, |l| l.0, now).await?;
    let tags = (before.tags.as_slice(), contact.tag_ids.as_slice());
    write_id_diff(tx, account, contact.id, &TAGGINGS, tags, |t| t.0, now).await
}

/// Deletes the links to ids of `old` that `new` lacks, then inserts those `new` adds.
async fn write_id_diff<I: PartialEq>(
    tx: &mut sqlx::Transaction<'_, Db>,
    account: AccountId,
    contact: ContactId,
    table: &LinkTable,
    (old, new): (&[I], &[I]),
    uuid: impl Fn(&I) -> Uuid,
    now: Timestamp,
) -> StoreResult<()> {
    for gone in old.iter().filter(|id| !new.contains(id)) {
        sqlx::query(table.delete)
            .bind(account.0)
            .bind(uuid(gone))
            .bind(contact.0)
            .run(&mut **tx)
            .await?;
    }
    for added in new.iter().filter(|id| !old.contains(id)) {
        sqlx::query(table.insert)
            .bind(account.0)
            .bind(uuid(added))
            .bind(contact.0)
            .bind(now.millis())
            .run(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Locks a contact's row (and SQLite's database) with a write, so the footprint read
/// next is what is really stored. With `read_at`, only while the row still has that
/// `updated_at` (nobody wrote it since it was read). Returns whether it was locked.
pub(super) async fn lock_contact(
    tx: &mut sqlx::Transaction<'_, Db>,
    account: AccountId,
    id: ContactId,
    read_at: Option<Timestamp>,
) -> StoreResult<bool> {
    let done = match read_at {
        None => {
            account_write(
                "UPDATE contacts SET updated_at = updated_at \
                 WHERE account_id = $1 AND id = $2",
                account,
                id.0,
            )
            .affected(&mut **tx)
            .await?
        }
        Some(read_at) => {
            account_write(
                "UPDATE contacts SET updated_at = updated_at \
                 WHERE account_id = $1 AND id = $2 AND updated_at = $3",
                account,
                id.0,
            )
            .bind(read_at.millis())
            .affected(&mut **tx)
            .await?
        }
    };
    Ok(done > 0)
}

/// The contact write path after `lock_contact`: row, sub-resources, memberships and
/// taggings, and the counts moved by the difference from what was stored.
pub(super) async fn write_locked_contact(
    tx: &mut sqlx::Transaction<'_, Db>,
    account: AccountId,
    contact: &Contact,
) -> Result<(), StoreError> {
    let before = stored_footprint(tx, account, contact.id).await?;
    write_contact_row(tx, account, contact, false)
        .await
        .map_err(|e| conflict_on_unique(e, "another contact already has this email address"))?;
    write_contact_links(tx, account, contact, &before).await?;
    let deltas = CountDeltas::between(&before, &Footprint::of(contact));
    apply_count_deltas(tx, account, &deltas).await?;
    Ok(())
}

/// Writes every column of a contact row (insert or full update).
pub(super) async fn write_contact_row(
    tx: &mut sqlx::Transaction<'_, Db>,
    account: AccountId,
    contact: &Contact,
    insert: bool,
) -> Result<u64, sqlx::Error> {
    let row = rows::ContactRow::from_domain(contact);
    let sql = if insert {
        "INSERT INTO contacts (account_id, id, email, permission, opt_in_source, opt_in_date, \
         opt_out_source, opt_out_date, opt_out_reason, confirm_status, email_created_at, \
         email_updated_at, first_name, last_name, job_title, company_name, birthday_month, \
         birthday_day, anniversary, create_source, update_source, created_at, updated_at, \
         deleted_at, phone_numbers, street_addresses, notes, sms_channel, status, sms_status) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
         $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30)"
    } else {
        "UPDATE contacts SET email = $3, permission = $4, opt_in_source = $5, opt_in_date = $6, \
         opt_out_source = $7, opt_out_date = $8, opt_out_reason = $9, confirm_status = $10, \
         email_created_at = $11, email_updated_at = $12, first_name = $13, last_name = $14, \
         job_title = $15, company_name = $16, birthday_month = $17, birthday_day = $18, \
         anniversary = $19, create_source = $20, update_source = $21, created_at = $22, \
         updated_at = $23, deleted_at = $24, phone_numbers = $25, street_addresses = $26, \
         notes = $27, sms_channel = $28, status = $29, sms_status = $30 \
         WHERE account_id = $1 AND id = $2"
    };
    let done = sqlx::query(sql)
        .bind(account.0)
        .bind(row.id)
        .bind(row.email)
        .bind(row.permission)
        .bind(row.opt_in_source)
        .bind(row.opt_in_date)
        .bind(row.opt_out_source)
        .bind(row.opt_out_date)
        .bind(row.opt_out_reason)
        .bind(row.confirm_status)
        .bind(row.email_created_at)
        .bind(row.email_updated_at)
        .bind(row.first_name)
        .bind(row.last_name)
        .bind(row.job_title)
        .bind(row.company_name)
        .bind(row.birthday_month)
        .bind(row.birthday_day)
        .bind(row.anniversary)
        .bind(row.create_source)
        .bind(row.update_source)
        .bind(row.created_at)
        .bind(row.updated_at)
        .bind(row.deleted_at)
        .bind(row.phone_numbers)
        .bind(row.street_addresses)
        .bind(row.notes)
        .bind(row.sms_channel)
        .bind(contact.bucket().as_str())
        .bind(
            contact
                .sms_channel
                .as_ref()
                .map(|sms| sms.status().as_str()),
        )
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected())
}
