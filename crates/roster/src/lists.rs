//! `roster lists create|list`, and what `--list` names elsewhere (`import`, `export`): a list's
//! id or its name. Names are unique per account, case-insensitively, among lists that are not
//! deleted; a value that is one list's id and another's name is ambiguous and refused.

use anyhow::bail;
use roster_domain::contact_list::{
    ContactList, ListInput, ListStatusFilter, MAX_LISTS_PER_ACCOUNT, MAX_LIST_NAME_LEN,
};
use roster_domain::{AccountId, ListId, PageRequest, Store, Timestamp};
use serde_json::json;

use crate::cli::ListsCommand;
use crate::settings::DatabaseArgs;
use crate::{account_of, open_store, print_json};

/// Lists read per query when every list is walked.
const PAGE: u32 = 500;

fn summary(list: &ContactList) -> serde_json::Value {
    json!({
        "list_id": list.id.to_string(),
        "name": list.name,
        "description": list.description,
        "favorite": list.favorite,
        "membership_count": list.member_count,
        "created_at": list.created_at.to_rfc3339(),
        "deleted_at": list.deleted_at.map(Timestamp::to_rfc3339),
    })
}

/// `roster lists create|list`.
pub async fn lists(database: &DatabaseArgs, command: &ListsCommand) -> anyhow::Result<()> {
    match command {
        ListsCommand::Create {
            account_email,
            name,
            description,
            favorite,
        } => {
            // The rules of POST /v3/contact_lists.
            if name.chars().count() > MAX_LIST_NAME_LEN {
                bail!("--name must be at most {MAX_LIST_NAME_LEN} characters long");
            }
            let input = ListInput {
                name: name.clone(),
                description: description.clone(),
                favorite: *favorite,
            }
            .checked()
            .map_err(|_| anyhow::anyhow!("--name must not be blank"))?;
            let store = open_store(&database.database_url).await?;
            let account = account_of(store.as_ref(), account_email).await?;
            let list = ContactList::create(input, Timestamp::now());
            store
                .create_list(account, &list, MAX_LISTS_PER_ACCOUNT)
                .await?;
            print_json(summary(&list));
            Ok(())
        }
        ListsCommand::List {
            account_email,
            deleted,
        } => {
            let store = open_store(&database.database_url).await?;
            let account = account_of(store.as_ref(), account_email).await?;
            let status = if *deleted {
                ListStatusFilter::All
            } else {
                ListStatusFilter::Active
            };
            let mut after = None;
            let mut shown = 0;
            loop {
                let page = store
                    .lists(account, status, None, PageRequest { limit: PAGE, after })
                    .await?;
                for list in &page.items {
                    print_json(summary(list));
                }
                shown += page.items.len();
                match page.next {
                    Some(next) => after = Some(next),
                    None => break,
                }
            }
            if shown == 0 {
                eprintln!(
                    "no lists: `roster lists create --account-email {account_email} --name NAME` \
                     makes one"
                );
            }
            Ok(())
        }
    }
}

/// The lists `--list` values name, each by id or by name (case-insensitive); a value that
/// names no list, or more than one, is refused with the ids it matches.
pub async fn resolve_lists(
    store: &dyn Store,
    account: AccountId,
    values: &[String],
) -> anyhow::Result<Vec<ListId>> {
    let mut ids = Vec::with_capacity(values.len());
    for value in values {
        let value = value.trim();
        let mut matches: Vec<ListId> = Vec::new();
        if let Ok(id) = value.parse::<ListId>() {
            matches.extend(store.existing_lists(account, &[id]).await?);
        }
        let page = PageRequest {
            limit: 2,
            after: None,
        };
        let named = store
            .lists(account, ListStatusFilter::Active, Some(value), page)
            .await?;
        for list in named.items {
            if !matches.contains(&list.id) {
                matches.push(list.id);
            }
        }
        match matches.as_slice() {
            [] => bail!(
                "--list {value} names no list of this account, by id or by name \
                 (`roster lists list` shows them, `roster lists create` makes one)"
            ),
            [id] => ids.push(*id),
            several => {
                let ids: Vec<String> = several.iter().map(ToString::to_string).collect();
                bail!(
                    "--list {value} is ambiguous: it matches the lists {}; give one id",
                    ids.join(", ")
                )
            }
        }
    }
    Ok(ids)
}
