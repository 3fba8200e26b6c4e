//! The SQL of the contact reports (docs/REPORTS.md, "Contact reports"), built once for both
//! engines. Every statement starts from the contact: its sent messages through
//! `email_send_recipients_contact_sent` (0017), its events through `tracking_events_contact`,
//! and its per-activity state through the primary key of `activity_contact_tracking`, so a
//! report costs what the contact's own history holds, whatever the size of the campaigns.

use roster_domain::contact_report::{ContactActivityKey, ContactActivityType, ReportRange};
use roster_domain::tracking::EventKind;
use roster_domain::{AccountId, ContactId};

use crate::contact_sql::{Bind, Sql};

/// A page of the activity details: the contact's sent messages (event id 0) and its own
/// events of `types`, newest first (time, then event id, then activity: unique, so the keyset
/// never skips or repeats a row), `limit + 1` rows after `after`. None when `types` names only
/// landing-page types, which Roster never has.
pub fn activities_page(
    account: AccountId,
    contact: ContactId,
    types: &[ContactActivityType],
    with_names: bool,
    after: Option<ContactActivityKey>,
    limit: u32,
) -> Option<Sql> {
    let mut sql = Sql::default();
    let mut parts = Vec::new();
    if types.contains(&ContactActivityType::Send) {
        let account = sql.bind(Bind::Uuid(account.0));
        let contact = sql.bind(Bind::Uuid(contact.0));
        parts.push(format!(
            "SELECT r.campaign_activity_id AS activity_id, 'send' AS kind, \
             COALESCE(r.finished_at, r.updated_at) AS at, 0 AS event_id \
             FROM email_send_recipients r WHERE r.account_id = {account} \
             AND r.contact_id = {contact} AND r.state = 'sent'"
        ));
    }
    let kinds: Vec<EventKind> = types
        .iter()
        .filter_map(|t| match t {
            ContactActivityType::Event(kind) => Some(*kind),
            _ => None,
        })
        .collect();
    if !kinds.is_empty() {
        let account = sql.bind(Bind::Uuid(account.0));
        let contact = sql.bind(Bind::Uuid(contact.0));
        let kinds: Vec<String> = kinds
            .iter()
            .map(|k| sql.bind(Bind::Text(k.as_str().to_string())))
            .collect();
        // Machine events (scanners, privacy proxies) are not the contact's doing.
        parts.push(format!(
            "SELECT e.activity_id, e.kind, e.occurred_at AS at, e.id AS event_id \
             FROM tracking_events e WHERE e.account_id = {account} \
             AND e.contact_id = {contact} AND NOT e.machine AND e.kind IN ({})",
            kinds.join(", ")
        ));
    }
    if parts.is_empty() {
        return None;
    }
    let (name, join) = if with_names {
        let account = sql.bind(Bind::Uuid(account.0));
        (
            "cp.name",
            format!(
                " LEFT JOIN email_campaign_activities a ON a.account_id = {account} \
                 AND a.id = x.activity_id LEFT JOIN email_campaigns cp \
                 ON cp.account_id = a.account_id AND cp.id = a.campaign_id"
            ),
        )
    } else {
        ("CAST(NULL AS TEXT)", String::new())
    };
    sql.text = format!(
        "SELECT x.activity_id, x.kind, x.at, x.event_id, {name} AS activity_name \
         FROM ({}) x{join}",
        parts.join(" UNION ALL ")
    );
    if let Some(after) = after {
        let at = sql.bind(Bind::I64(after.at));
        let at_again = sql.bind(Bind::I64(after.at));
        let event = sql.bind(Bind::I64(after.event_id));
        let event_again = sql.bind(Bind::I64(after.event_id));
        let activity = sql.bind(Bind::Uuid(after.activity.0));
        sql.text.push_str(&format!(
            " WHERE (x.at < {at} OR (x.at = {at_again} AND (x.event_id < {event} \
             OR (x.event_id = {event_again} AND x.activity_id < {activity}))))"
        ));
    }
    let fetch = sql.bind(Bind::I64(i64::from(limit) + 1));
    sql.text.push_str(&format!(
        " ORDER BY x.at DESC, x.event_id DESC, x.activity_id DESC LIMIT {fetch}"
    ));
    Some(sql)
}

/// The contact's sent messages within the range, each with its activity's tracking row.
fn sent_in_range(account: AccountId, contact: ContactId, range: ReportRange, sql: &mut Sql) {
    let account = sql.bind(Bind::Uuid(account.0));
    let contact = sql.bind(Bind::Uuid(contact.0));
    let start = sql.bind(Bind::I64(range.start.millis()));
    let end = sql.bind(Bind::I64(range.end.millis()));
    sql.text.push_str(&format!(
        " FROM email_send_recipients r LEFT JOIN activity_contact_tracking t \
         ON t.account_id = r.account_id AND t.activity_id = r.campaign_activity_id \
         AND t.contact_id = r.contact_id \
         WHERE r.account_id = {account} AND r.contact_id = {contact} AND r.state = 'sent' \
         AND r.finished_at >= {start} AND r.finished_at <= {end}"
    ));
}

/// One row: how many activities were sent to the contact in the range (`sent`), and of those
/// how many it opened (an open of its own, or a click, which implies one) and clicked.
pub fn engagement(account: AccountId, contact: ContactId, range: ReportRange) -> Sql {
    let mut sql = Sql {
        text: "SELECT COUNT(DISTINCT r.campaign_activity_id) AS sent, \
               COUNT(DISTINCT CASE WHEN t.opens > 0 OR t.clicks > 0 \
               THEN r.campaign_activity_id END) AS opened, \
               COUNT(DISTINCT CASE WHEN t.clicks > 0 THEN r.campaign_activity_id END) \
               AS clicked"
            .into(),
        binds: Vec::new(),
    };
    sent_in_range(account, contact, range, &mut sql);
    sql
}

/// The activities sent to the contact in the range, the most recently sent first, at most
/// `limit`, with the contact's counts of each.
pub fn summaries(account: AccountId, contact: ContactId, range: ReportRange, limit: u32) -> Sql {
    let mut sql = Sql {
        text: "SELECT r.campaign_activity_id AS activity_id, MAX(r.finished_at) AS last_sent_at, \
               COUNT(*) AS sends, COALESCE(MAX(t.opens), 0) AS opens, \
               COALESCE(MAX(t.clicks), 0) AS clicks, COALESCE(MAX(t.bounces), 0) AS bounces, \
               COALESCE(MAX(t.forwards), 0) AS forwards, \
               COALESCE(MAX(t.optouts), 0) AS optouts"
            .into(),
        binds: Vec::new(),
    };
    sent_in_range(account, contact, range, &mut sql);
    let limit = sql.bind(Bind::I64(i64::from(limit)));
    sql.text.push_str(&format!(
        " GROUP BY r.campaign_activity_id \
         ORDER BY last_sent_at DESC, r.campaign_activity_id DESC LIMIT {limit}"
    ));
    sql
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster_domain::{CampaignActivityId, Timestamp};

    #[test]
    fn landing_page_types_alone_need_no_query() {
        let page = activities_page(
            AccountId::generate(),
            ContactId::generate(),
            &[ContactActivityType::LandingPage],
            true,
            None,
            10,
        );
        assert!(page.is_none());
    }

    #[test]
    fn a_page_unions_sends_and_events_and_continues_after_its_key() {
        let sql = activities_page(
            AccountId::generate(),
            ContactId::generate(),
            &[
                ContactActivityType::Send,
                ContactActivityType::Event(EventKind::Open),
                ContactActivityType::Event(EventKind::Click),
            ],
            false,
            Some(ContactActivityKey {
                at: 5,
                event_id: 0,
                activity: CampaignActivityId::generate(),
            }),
            20,
        )
        .unwrap();
        assert!(sql.text.contains(" UNION ALL "), "{}", sql.text);
        assert!(sql.text.contains("e.kind IN ($5, $6)"), "{}", sql.text);
        assert!(!sql.text.contains("email_campaigns"), "{}", sql.text);
        assert!(sql.text.ends_with("LIMIT $12"), "{}", sql.text);
        assert_eq!(sql.binds.last(), Some(&Bind::I64(21)));
    }

    #[test]
    fn ranges_bound_the_send_time() {
        let range = ReportRange::new(Timestamp::from_millis(1), Timestamp::from_millis(2)).unwrap();
        let sql = summaries(AccountId::generate(), ContactId::generate(), range, 200);
        assert!(sql
            .text
            .contains("r.finished_at >= $3 AND r.finished_at <= $4"));
        assert_eq!(sql.binds[4], Bind::I64(200));
    }
}
