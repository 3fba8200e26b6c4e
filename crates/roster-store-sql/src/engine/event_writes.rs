//! Writing a batch of tracking events inside a caller's transaction: the event rows, each
//! contact's `activity_contact_tracking` row, the links' click counts and one counter update
//! per activity. Shared by the group-commit writer (`EventStore::record_events`) and the
//! unsubscribe (`ConsentStore::record_campaign_opt_out`), which commits its opt-out event with
//! the contact write. What the batch changes is worked out in `roster_store_sql::tracking`;
//! this file only says it in SQL, several rows per statement.

use std::collections::{BTreeMap, BTreeSet};

use roster_domain::tracking::{Device, EventKind, TrackingCounts, TrackingEvent};
use roster_domain::{AccountId, CampaignActivityId, ContactId, StoreResult, Timestamp};
use roster_store_sql::dialect::Dialect;
use roster_store_sql::rows::ContactTotalsRow;
use roster_store_sql::tracking::{
    by_activity, contact_tallies, counter_values, event_deltas, is_zero, link_tallies,
    unique_deltas, ContactTally, ContactTotals, COUNTER_COLUMNS,
};
use roster_store_sql::unavailable;
use uuid::Uuid;

use super::fetch::{account_write, ExecuteWrite, FetchDomain};
use crate::Db;

type Tx<'t> = sqlx::Transaction<'t, Db>;

/// Rows per multi-row statement: SQLite takes up to 32,766 values in one statement and
/// PostgreSQL 65,535; the widest row here has 19. Every statement here is written in the
/// dialect's placeholders (`Dialect::placeholder`: SQLite binds numbered ones in quadratic
/// time).
const ROWS_PER_STATEMENT: usize = 500;

fn signed(count: u64) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

/// Records `events` within `tx` (see `EventStore::record_events` for what is dropped and what
/// a click implies). The caller commits.
pub(super) async fn write_events(
    tx: &mut Tx<'_>,
    dialect: Dialect,
    events: &[TrackingEvent],
) -> StoreResult<()> {
    let now = Timestamp::now();
    for group in by_activity(events) {
        let (account, activity) = (group.account, group.activity);
        write_activity_events(tx, dialect, (account, activity), &group.events, now).await?;
    }
    Ok(())
}

async fn write_activity_events(
    tx: &mut Tx<'_>,
    dialect: Dialect,
    (account, activity): (AccountId, CampaignActivityId),
    events: &[&TrackingEvent],
    now: Timestamp,
) -> StoreResult<()> {
    // A write first, so SQLite holds its write lock before anything is read; it also says
    // whether the activity is still there and not Removed.
    let live = account_write(
        "UPDATE email_campaign_activities SET updated_at = updated_at \
         WHERE account_id = $1 AND id = $2 AND status <> 'REMOVED'",
        account,
        activity.0,
    )
    .affected(&mut **tx)
    .await?;
    if live == 0 {
        return Ok(());
    }
    let contacts: BTreeSet<ContactId> = events.iter().map(|e| e.contact).collect();
    let live_contacts = live_contacts(tx, dialect, account, &contacts).await?;
    let mut kept: Vec<TrackingEvent> = events
        .iter()
        .filter(|e| live_contacts.contains(&e.contact))
        .map(|e| (*e).clone())
        .collect();
    if kept.is_empty() {
        return Ok(());
    }
    let mut deltas = event_deltas(&kept);
    let tallies = contact_tallies(&kept);
    let totals = upsert_contact_rows(tx, dialect, (account, activity), &tallies, now).await?;
    let mut implied = Vec::new();
    for (contact, tally) in &tallies {
        let Some(totals) = totals.get(contact) else {
            continue;
        };
        if unique_deltas(tally, totals, &mut deltas) {
            implied.push(implied_open(account, activity, *contact, tally));
        }
    }
    if !implied.is_empty() {
        record_implied_opens(tx, account, activity, &implied).await?;
        deltas.unique_opens += implied.len() as u64;
        for open in &implied {
            deltas.opens.add(open.device, 1);
        }
        kept.extend(implied);
    }
    insert_event_rows(tx, dialect, &kept).await?;
    write_link_counts(tx, dialect, (account, activity), &kept).await?;
    add_to_counters(tx, dialect, (account, activity), &deltas, now).await
}

/// The open a contact's click implies when no open of theirs was recorded: at the first
/// click, from its device.
fn implied_open(
    account: AccountId,
    activity: CampaignActivityId,
    contact: ContactId,
    tally: &ContactTally,
) -> TrackingEvent {
    let at = tally.first_click_at.unwrap_or_else(Timestamp::now);
    TrackingEvent::new(
        account,
        activity,
        contact,
        tally.send_number,
        EventKind::Open,
        at,
    )
    .with_device(tally.first_click_device.unwrap_or(Device::None), false)
}

/// Which of `contacts` exist and are not deleted.
async fn live_contacts(
    tx: &mut Tx<'_>,
    dialect: Dialect,
    account: AccountId,
    contacts: &BTreeSet<ContactId>,
) -> StoreResult<BTreeSet<ContactId>> {
    let ids: Vec<ContactId> = contacts.iter().copied().collect();
    let mut live = BTreeSet::new();
    for chunk in ids.chunks(ROWS_PER_STATEMENT) {
        let list: Vec<String> = (0..chunk.len())
            .map(|i| dialect.placeholder(i + 2))
            .collect();
        let sql = format!(
            "SELECT id FROM contacts WHERE account_id = {} AND deleted_at IS NULL \
             AND id IN ({})",
            dialect.placeholder(1),
            list.join(", ")
        );
        let mut query = sqlx::query_as::<_, (Uuid,)>(&sql).bind(account.0);
        for id in chunk {
            query = query.bind(id.0);
        }
        let rows: Vec<(Uuid,)> = query.fetch_all(&mut **tx).await.map_err(unavailable)?;
        live.extend(rows.into_iter().map(|(id,)| ContactId(id)));
    }
    Ok(live)
}

const CONTACT_COLUMNS: &str = "account_id, activity_id, contact_id, send_number, opens, \
     first_open_at, last_open_at, last_open_device, clicks, first_click_at, last_click_at, \
     forwards, last_forward_at, optouts, bounces, first_bounce_code, last_bounce_at, abuse, \
     updated_at";
const CONTACT_WIDTH: usize = 19;

/// How an existing row takes a batch's values: counts add up, first times stay, last times
/// move forward (with the device of the last open).
const CONTACT_UPDATE: &str = "send_number = CASE \
         WHEN excluded.send_number > t.send_number THEN excluded.send_number \
         ELSE t.send_number END, \
     opens = t.opens + excluded.opens, \
     first_open_at = COALESCE(t.first_open_at, excluded.first_open_at), \
     last_open_device = CASE WHEN excluded.last_open_at IS NOT NULL AND \
         (t.last_open_at IS NULL OR excluded.last_open_at >= t.last_open_at) \
         THEN excluded.last_open_device ELSE t.last_open_device END, \
     last_open_at = CASE WHEN excluded.last_open_at IS NOT NULL AND \
         (t.last_open_at IS NULL OR excluded.last_open_at >= t.last_open_at) \
         THEN excluded.last_open_at ELSE t.last_open_at END, \
     clicks = t.clicks + excluded.clicks, \
     first_click_at = COALESCE(t.first_click_at, excluded.first_click_at), \
     last_click_at = CASE WHEN excluded.last_click_at IS NOT NULL AND \
         (t.last_click_at IS NULL OR excluded.last_click_at > t.last_click_at) \
         THEN excluded.last_click_at ELSE t.last_click_at END, \
     forwards = t.forwards + excluded.forwards, \
     last_forward_at = CASE WHEN excluded.last_forward_at IS NOT NULL AND \
         (t.last_forward_at IS NULL OR excluded.last_forward_at > t.last_forward_at) \
         THEN excluded.last_forward_at ELSE t.last_forward_at END, \
     optouts = t.optouts + excluded.optouts, \
     bounces = t.bounces + excluded.bounces, \
     first_bounce_code = COALESCE(t.first_bounce_code, excluded.first_bounce_code), \
     last_bounce_at = CASE WHEN excluded.last_bounce_at IS NOT NULL AND \
         (t.last_bounce_at IS NULL OR excluded.last_bounce_at > t.last_bounce_at) \
         THEN excluded.last_bounce_at ELSE t.last_bounce_at END, \
     abuse = t.abuse + excluded.abuse, \
     updated_at = excluded.updated_at";

/// Upserts each contact's row with its tally; returns the rows' totals afterwards.
async fn upsert_contact_rows(
    tx: &mut Tx<'_>,
    dialect: Dialect,
    (account, activity): (AccountId, CampaignActivityId),
    tallies: &BTreeMap<ContactId, ContactTally>,
    now: Timestamp,
) -> StoreResult<BTreeMap<ContactId, ContactTotals>> {
    let entries: Vec<(&ContactId, &ContactTally)> = tallies.iter().collect();
    let mut totals = BTreeMap::new();
    let millis = |at: Option<Timestamp>| at.map(Timestamp::millis);
    for chunk in entries.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO activity_contact_tracking AS t ({CONTACT_COLUMNS}) VALUES {} \
             ON CONFLICT (account_id, activity_id, contact_id) DO UPDATE SET {CONTACT_UPDATE} \
             RETURNING contact_id, opens, clicks, forwards, optouts, bounces, abuse, \
             first_bounce_code",
            dialect.value_rows(1, chunk.len(), CONTACT_WIDTH)
        );
        let mut query = sqlx::query_as::<_, ContactTotalsRow>(&sql);
        for (contact, tally) in chunk {
            query = query
                .bind(account.0)
                .bind(activity.0)
                .bind(contact.0)
                .bind(i64::from(tally.send_number))
                .bind(signed(tally.opens))
                .bind(millis(tally.first_open_at))
                .bind(millis(tally.last_open_at))
                .bind(tally.last_open_device.map(Device::as_str))
                .bind(signed(tally.clicks))
                .bind(millis(tally.first_click_at))
                .bind(millis(tally.last_click_at))
                .bind(signed(tally.forwards))
                .bind(millis(tally.last_forward_at))
                .bind(signed(tally.optouts))
                .bind(signed(tally.bounces))
                .bind(tally.first_bounce_code.map(|c| c.as_str()))
                .bind(millis(tally.last_bounce_at))
                .bind(signed(tally.abuse))
                .bind(now.millis());
        }
        let rows: Vec<(ContactId, ContactTotals)> = query.all(&mut **tx).await?;
        totals.extend(rows);
    }
    Ok(totals)
}

/// Marks the contacts of `opens` as openers (their rows had no open), at the implied open.
async fn record_implied_opens(
    tx: &mut Tx<'_>,
    account: AccountId,
    activity: CampaignActivityId,
    opens: &[TrackingEvent],
) -> StoreResult<()> {
    for open in opens {
        account_write(
            "UPDATE activity_contact_tracking SET opens = 1, first_open_at = $4, \
             last_open_at = $4, last_open_device = $5 \
             WHERE account_id = $1 AND activity_id = $2 AND contact_id = $3 AND opens = 0",
            account,
            activity.0,
        )
        .bind(open.contact.0)
        .bind(open.occurred_at.millis())
        .bind(open.device.as_str())
        .run(&mut **tx)
        .await?;
    }
    Ok(())
}

const EVENT_COLUMNS: &str = "account_id, activity_id, contact_id, send_number, kind, url_id, \
     device, machine, bounce_code, occurred_at";
const EVENT_WIDTH: usize = 10;

async fn insert_event_rows(
    tx: &mut Tx<'_>,
    dialect: Dialect,
    events: &[TrackingEvent],
) -> StoreResult<()> {
    for chunk in events.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO tracking_events ({EVENT_COLUMNS}) VALUES {}",
            dialect.value_rows(1, chunk.len(), EVENT_WIDTH)
        );
        let mut query = sqlx::query(&sql);
        for event in chunk {
            query = query
                .bind(event.account.0)
                .bind(event.activity.0)
                .bind(event.contact.0)
                .bind(i64::from(event.send_number))
                .bind(event.kind.as_str())
                .bind(event.url_id.map(i64::from))
                .bind(event.device.as_str())
                .bind(event.machine)
                .bind(event.bounce_code.map(|c| c.as_str()))
                .bind(event.occurred_at.millis());
        }
        query.run(&mut **tx).await?;
    }
    Ok(())
}

/// Each clicked link's clicks, and its new clickers (the contacts clicking it for the first
/// time: the rows the insert added).
async fn write_link_counts(
    tx: &mut Tx<'_>,
    dialect: Dialect,
    (account, activity): (AccountId, CampaignActivityId),
    events: &[TrackingEvent],
) -> StoreResult<()> {
    let links = link_tallies(events);
    let mut first_clicks: BTreeMap<(u32, ContactId), Timestamp> = BTreeMap::new();
    for event in events.iter().filter(|e| e.is_human()) {
        if let (EventKind::Click, Some(url)) = (event.kind, event.url_id) {
            let first = first_clicks
                .entry((url, event.contact))
                .or_insert(event.occurred_at);
            *first = (*first).min(event.occurred_at);
        }
    }
    let mut new_clickers: BTreeMap<u32, u64> = BTreeMap::new();
    let pairs: Vec<(&(u32, ContactId), &Timestamp)> = first_clicks.iter().collect();
    for chunk in pairs.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO activity_link_clickers (account_id, activity_id, url_id, contact_id, \
             first_click_at) VALUES {} \
             ON CONFLICT (account_id, activity_id, url_id, contact_id) DO NOTHING \
             RETURNING url_id",
            dialect.value_rows(1, chunk.len(), 5)
        );
        let mut query = sqlx::query_as::<_, (i64,)>(&sql);
        for ((url, contact), at) in chunk {
            query = query
                .bind(account.0)
                .bind(activity.0)
                .bind(i64::from(*url))
                .bind(contact.0)
                .bind(at.millis());
        }
        let rows: Vec<(i64,)> = query.fetch_all(&mut **tx).await.map_err(unavailable)?;
        for (url,) in rows {
            if let Ok(url) = u32::try_from(url) {
                *new_clickers.entry(url).or_default() += 1;
            }
        }
    }
    for (url, link) in links {
        account_write(
            "UPDATE activity_links SET clicks = clicks + $4, \
             unique_clicks = unique_clicks + $5 \
             WHERE account_id = $1 AND activity_id = $2 AND url_id = $3",
            account,
            activity.0,
        )
        .bind(i64::from(url))
        .bind(signed(link.clicks))
        .bind(signed(new_clickers.get(&url).copied().unwrap_or(0)))
        .run(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Adds `deltas` to the activity's counters: one statement.
async fn add_to_counters(
    tx: &mut Tx<'_>,
    dialect: Dialect,
    (account, activity): (AccountId, CampaignActivityId),
    deltas: &TrackingCounts,
    now: Timestamp,
) -> StoreResult<()> {
    if is_zero(deltas) {
        return Ok(());
    }
    let columns = COUNTER_COLUMNS.join(", ");
    let updates: Vec<String> = COUNTER_COLUMNS[..COUNTER_COLUMNS.len() - 1]
        .iter()
        .map(|c| format!("{c} = activity_tracking_counts.{c} + excluded.{c}"))
        .collect();
    let sql = format!(
        "INSERT INTO activity_tracking_counts (account_id, activity_id, {columns}) VALUES {} \
         ON CONFLICT (account_id, activity_id) DO UPDATE SET {}, \
         updated_at = excluded.updated_at",
        dialect.value_rows(1, 1, COUNTER_COLUMNS.len() + 2),
        updates.join(", ")
    );
    let mut query = sqlx::query(&sql).bind(account.0).bind(activity.0);
    for value in counter_values(deltas) {
        query = query.bind(signed(value));
    }
    query.bind(now.millis()).run(&mut **tx).await
}
