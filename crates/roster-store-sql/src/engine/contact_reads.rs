//! Reading contacts with the links (memberships, taggings, custom values) their callers ask
//! for: from the pool for the contact reads, inside a batch's transaction for the activities.

use roster_domain::contact::{Contact, Includes};
use roster_domain::{AccountId, ContactId, StoreError};
use roster_store_sql::columns::CONTACT_COLUMNS;
use roster_store_sql::contact_sql::{links_query, Sql};
use roster_store_sql::rows::{attach, ContactRow, LinkRow};

use super::binds::bound;
use super::fetch::FetchDomain;
use crate::Db;

/// Loads lists, tags and custom values of `contacts` as `includes` asks.
pub(super) async fn load_contact_links(
    pool: &sqlx::Pool<Db>,
    account: AccountId,
    contacts: &mut [Contact],
    includes: Includes,
) -> Result<(), StoreError> {
    if contacts.is_empty() {
        return Ok(());
    }
    let ids: Vec<ContactId> = contacts.iter().map(|c| c.id).collect();
    let Some(sql) = links_query(account, &ids, includes) else {
        return Ok(());
    };
    let links: Vec<LinkRow> = bound::<LinkRow>(&sql).all(pool).await?;
    attach(contacts, links);
    Ok(())
}

/// One contact found by a condition on `c` (`$1` the account, `$2` the key), with the
/// links `includes` asks for.
pub(super) async fn contact_where<K>(
    pool: &sqlx::Pool<Db>,
    account: AccountId,
    condition: &str,
    key: K,
    includes: Includes,
) -> Result<Option<Contact>, StoreError>
where
    K: for<'q> sqlx::Encode<'q, Db> + sqlx::Type<Db> + Send,
{
    let text = format!(
        "SELECT {CONTACT_COLUMNS} FROM contacts c WHERE c.account_id = $1 \
         AND {condition}"
    );
    let contact = sqlx::query_as::<_, ContactRow>(&text)
        .bind(account.0)
        .bind(key)
        .optional(pool)
        .await?;
    let Some(contact) = contact else {
        return Ok(None);
    };
    let mut contacts = [contact];
    load_contact_links(pool, account, &mut contacts, includes).await?;
    let [contact] = contacts;
    Ok(Some(contact))
}

/// Contacts (with lists, tags and custom values) read inside `tx` by a query on `c`.
pub(super) async fn contacts_in_tx(
    tx: &mut sqlx::Transaction<'_, Db>,
    account: AccountId,
    sql: Sql,
) -> Result<Vec<Contact>, StoreError> {
    let mut contacts: Vec<Contact> = bound::<ContactRow>(&sql).all(&mut **tx).await?;
    if contacts.is_empty() {
        return Ok(contacts);
    }
    let ids: Vec<ContactId> = contacts.iter().map(|c| c.id).collect();
    if let Some(sql) = links_query(account, &ids, Includes::all()) {
        let links: Vec<LinkRow> = bound::<LinkRow>(&sql).all(&mut **tx).await?;
        attach(&mut contacts, links);
    }
    Ok(contacts)
}
