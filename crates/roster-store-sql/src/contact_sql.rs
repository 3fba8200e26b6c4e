//! Dynamic SQL for contact queries: the WHERE clause of a filter, built once for both engines
//! with numbered placeholders and the values to bind, in order.

use roster_domain::contact::{Bucket, ContactFilter, Includes};
use roster_domain::engagement::{
    CampaignScope, TrackingCondition, TrackingField, ENGAGEMENT_WINDOW,
};
use roster_domain::segment::{Condition, ContactField, ContactTest, GroupKind, Node, Operand};
use roster_domain::{AccountId, ContactId};
use uuid::Uuid;

use crate::columns::CONTACT_COLUMNS;
use crate::dialect::Dialect;

/// A value to bind to a numbered placeholder.
#[derive(Debug, Clone, PartialEq)]
pub enum Bind {
    Uuid(Uuid),
    I64(i64),
    F64(f64),
    Text(String),
}

/// SQL text with its binds.
#[derive(Debug, Clone, Default)]
pub struct Sql {
    pub text: String,
    pub binds: Vec<Bind>,
}

impl Sql {
    /// Adds a value and returns its placeholder.
    pub fn bind(&mut self, value: Bind) -> String {
        self.binds.push(value);
        format!("${}", self.binds.len())
    }

    fn bind_list(&mut self, values: impl IntoIterator<Item = Bind>) -> String {
        let placeholders: Vec<String> = values.into_iter().map(|v| self.bind(v)).collect();
        placeholders.join(", ")
    }
}

/// FROM and WHERE for the contacts matching `filter`, and the column to order and page by.
/// A single-list filter walks that list's members in contact order (the membership index),
/// so a page costs the same whatever the list's share of all contacts. SQLite takes
/// `CROSS JOIN` as an order for its join loops: without it, a date filter makes it range-scan
/// `contacts_updated` over every matching contact and sort them all before the LIMIT (a p99
/// of 0.58 s on 50,000 contacts already; see BENCHMARKS.md). PostgreSQL plans it as a plain
/// join.
fn from_where(
    dialect: Dialect,
    account: AccountId,
    filter: &ContactFilter,
    sql: &mut Sql,
) -> &'static str {
    let account = sql.bind(Bind::Uuid(account.0));
    let order_column;
    if let [list] = filter.lists.as_slice() {
        let list = sql.bind(Bind::Uuid(list.0));
        sql.text.push_str(&format!(
            " FROM contact_list_members m CROSS JOIN contacts c \
             WHERE c.account_id = m.account_id AND c.id = m.contact_id \
             AND m.account_id = {account} AND m.list_id = {list}"
        ));
        order_column = "m.contact_id";
    } else {
        sql.text
            .push_str(&format!(" FROM contacts c WHERE c.account_id = {account}"));
        order_column = "c.id";
        if !filter.lists.is_empty() {
            let lists = sql.bind_list(filter.lists.iter().map(|l| Bind::Uuid(l.0)));
            sql.text.push_str(&format!(
                " AND EXISTS (SELECT 1 FROM contact_list_members lm \
                 WHERE lm.account_id = c.account_id AND lm.contact_id = c.id \
                 AND lm.list_id IN ({lists}))"
            ));
        }
    }
    if filter.buckets.len() == Bucket::NOT_DELETED.len()
        && !filter.buckets.contains(&Bucket::Deleted)
    {
        sql.text.push_str(" AND c.status <> 'deleted'");
    } else if filter.buckets.len() < 7 {
        let buckets = sql.bind_list(
            filter
                .buckets
                .iter()
                .map(|b| Bind::Text(b.as_str().to_string())),
        );
        sql.text.push_str(&format!(" AND c.status IN ({buckets})"));
    }
    if let Some(email) = &filter.email {
        let email = sql.bind(Bind::Text(email.as_str().to_string()));
        sql.text.push_str(&format!(" AND c.email = {email}"));
    }
    if !filter.tags.is_empty() {
        let tags = sql.bind_list(filter.tags.iter().map(|t| Bind::Uuid(t.0)));
        sql.text.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM contact_taggings tg WHERE tg.account_id = c.account_id \
             AND tg.contact_id = c.id AND tg.tag_id IN ({tags}))"
        ));
    }
    for (column, operator, value) in [
        ("c.created_at", ">=", filter.created_after),
        ("c.created_at", "<", filter.created_before),
        ("c.updated_at", ">=", filter.updated_after),
        ("c.updated_at", "<", filter.updated_before),
        ("c.opt_out_date", ">=", filter.optout_after),
        ("c.opt_out_date", "<", filter.optout_before),
    ] {
        if let Some(at) = value {
            let at = sql.bind(Bind::I64(at.millis()));
            sql.text.push_str(&format!(" AND {column} {operator} {at}"));
        }
    }
    if let Some(statuses) = &filter.sms_statuses {
        let statuses = sql.bind_list(statuses.iter().map(|s| Bind::Text(s.as_str().into())));
        sql.text.push_str(&format!(
            " AND COALESCE(c.sms_status, 'not_set') IN ({statuses})"
        ));
    }
    if let Some(segment) = &filter.segment {
        let condition = node_sql(dialect, &account, segment, sql);
        sql.text.push_str(&format!(" AND {condition}"));
    }
    // Pages walk contacts in id order, oldest first: a lower bound on creation time also
    // bounds the ids (`id_floor`), so "created in the last 90 days" starts its walk at the
    // first candidate instead of reading every older contact before it.
    let created_at_least = [
        filter.created_after,
        filter.segment.as_ref().and_then(|s| s.created_at_least()),
    ]
    .into_iter()
    .flatten()
    .max();
    if let Some(at) = created_at_least {
        let floor = sql.bind(Bind::Uuid(roster_domain::id_floor(at)));
        sql.text
            .push_str(&format!(" AND {order_column} >= {floor}"));
    }
    order_column
}

/// A segment criteria tree as one SQL condition on the contact `c` of the account bound at
/// `account`.
fn node_sql(dialect: Dialect, account: &str, node: &Node, sql: &mut Sql) -> String {
    match node {
        Node::Group(kind, nodes) => {
            let joiner = if *kind == GroupKind::And {
                " AND "
            } else {
                " OR "
            };
            let parts: Vec<String> = nodes
                .iter()
                .map(|n| node_sql(dialect, account, n, sql))
                .collect();
            if parts.is_empty() {
                "1 = 1".into()
            } else {
                format!("({})", parts.join(joiner))
            }
        }
        Node::Condition(condition) => condition_sql(dialect, account, condition, sql),
    }
}

fn like_pattern(text: &str, prefix_only: bool) -> String {
    let mut escaped = String::with_capacity(text.len() + 2);
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    if prefix_only {
        format!("{escaped}%")
    } else {
        format!("%{escaped}%")
    }
}

fn operand_bind(operand: &Operand) -> Bind {
    match operand {
        Operand::Text(text) => Bind::Text(text.to_lowercase()),
        Operand::Number(n) => Bind::F64(*n),
        Operand::Instant(at) => Bind::I64(at.millis()),
        Operand::Date(date) => Bind::Text(date.clone()),
    }
}

/// The test applied to a value expression; text compares case-insensitively.
fn test_sql(expression: &str, text: bool, test: &ContactTest, sql: &mut Sql) -> String {
    let value = if text {
        format!("LOWER({expression})")
    } else {
        expression.to_string()
    };
    match test {
        ContactTest::Equals(operand) => format!("{value} = {}", sql.bind(operand_bind(operand))),
        ContactTest::NotEquals(operand) => {
            format!(
                "({expression} IS NULL OR {value} <> {})",
                sql.bind(operand_bind(operand))
            )
        }
        ContactTest::Contains(needle) => {
            format!(
                "{value} LIKE {} ESCAPE '\\'",
                sql.bind(Bind::Text(like_pattern(needle, false)))
            )
        }
        ContactTest::StartsWith(prefix) => {
            format!(
                "{value} LIKE {} ESCAPE '\\'",
                sql.bind(Bind::Text(like_pattern(prefix, true)))
            )
        }
        ContactTest::IsEmpty => format!("({expression} IS NULL OR {expression} = '')"),
        ContactTest::IsNotEmpty => format!("({expression} IS NOT NULL AND {expression} <> '')"),
        ContactTest::Before(operand) => format!("{value} < {}", sql.bind(operand_bind(operand))),
        ContactTest::After(operand) => format!("{value} > {}", sql.bind(operand_bind(operand))),
        ContactTest::Between(low, high) => {
            let low = sql.bind(operand_bind(low));
            let high = sql.bind(operand_bind(high));
            format!("{value} BETWEEN {low} AND {high}")
        }
    }
}

/// A test on values held in other rows (addresses, custom values): "is empty" means no row
/// holds a non-empty value; "not equals" means no row equals; anything else means some row
/// passes the test.
fn exists_sql(
    dialect: Dialect,
    from: &str,
    expression: &str,
    text: bool,
    test: &ContactTest,
    sql: &mut Sql,
) -> String {
    let end = dialect.exists_end();
    match test {
        ContactTest::IsEmpty => {
            format!("NOT EXISTS ({from} AND {expression} IS NOT NULL AND {expression} <> ''{end})")
        }
        ContactTest::NotEquals(operand) => {
            let equal = test_sql(expression, text, &ContactTest::Equals(operand.clone()), sql);
            format!("NOT EXISTS ({from} AND {equal}{end})")
        }
        other => {
            let passes = test_sql(expression, text, other, sql);
            format!("EXISTS ({from} AND {passes}{end})")
        }
    }
}

/// Whether the contact has a link row (a membership or a tagging: `table`, aliased `alias`)
/// to any of `ids` in `column`, or, unless `any`, to none of them.
fn link_condition(
    dialect: Dialect,
    (table, alias, column): (&str, &str, &str),
    ids: impl IntoIterator<Item = Bind>,
    any: bool,
    sql: &mut Sql,
) -> String {
    let ids = sql.bind_list(ids);
    let exists = format!(
        "EXISTS (SELECT 1 FROM {table} {alias} WHERE {alias}.account_id = c.account_id \
         AND {alias}.contact_id = c.id AND {alias}.{column} IN ({ids}){})",
        dialect.exists_end()
    );
    if any {
        exists
    } else {
        format!("NOT {exists}")
    }
}

fn condition_sql(dialect: Dialect, account: &str, condition: &Condition, sql: &mut Sql) -> String {
    match condition {
        Condition::Contact(field, test) => match field {
            ContactField::Text(column) => test_sql(&format!("c.{column}"), true, test, sql),
            ContactField::Number(column)
            | ContactField::Instant(column)
            | ContactField::Date(column) => test_sql(&format!("c.{column}"), false, test, sql),
            ContactField::Address(part) => {
                // Addresses are JSON on the contact row, read with each engine's functions.
                let (from, expression) = dialect.address_part(part);
                exists_sql(dialect, from, &expression, true, test, sql)
            }
            ContactField::CustomField { id, numeric } => {
                let field = sql.bind(Bind::Uuid(id.0));
                let from = format!(
                    "SELECT 1 FROM contact_custom_values v WHERE v.account_id = c.account_id \
                     AND v.contact_id = c.id AND v.custom_field_id = {field}"
                );
                if *numeric && !matches!(test, ContactTest::IsEmpty | ContactTest::IsNotEmpty) {
                    exists_sql(
                        dialect,
                        &from,
                        "CAST(NULLIF(v.value, '') AS DOUBLE PRECISION)",
                        false,
                        test,
                        sql,
                    )
                } else {
                    exists_sql(dialect, &from, "v.value", true, test, sql)
                }
            }
        },
        Condition::Lists { lists, any } => {
            let ids = lists.iter().map(|l| Bind::Uuid(l.0));
            let link = ("contact_list_members", "sm", "list_id");
            link_condition(dialect, link, ids, *any, sql)
        }
        Condition::Tags { tags, any } => {
            let ids = tags.iter().map(|t| Bind::Uuid(t.0));
            let link = ("contact_taggings", "st", "tag_id");
            link_condition(dialect, link, ids, *any, sql)
        }
        Condition::Tracking(tracking) => tracking_sql(dialect, account, tracking, sql),
        Condition::LegacyTracking { holds_for_all } => {
            if *holds_for_all {
                "1 = 1".into()
            } else {
                "1 = 0".into()
            }
        }
        Condition::Engagement(level) => {
            let rank = engagement_rank(sql);
            format!("{rank} = {}", sql.bind(Bind::I64(level.rank())))
        }
    }
}

/// The condition on a contact's sent message `r` that puts it in the scope.
fn scope_sql(account: &str, scope: &CampaignScope, sql: &mut Sql) -> String {
    match scope {
        CampaignScope::LastCampaigns(n) => {
            let n = sql.bind(Bind::I64(i64::from(*n)));
            // The sends of the account's n most recently sent activities: one row per send
            // (not per message), read once per statement, not per contact.
            format!(
                "r.send_id IN (SELECT s.id FROM email_sends s WHERE s.account_id = {account} \
                 AND s.campaign_activity_id IN (SELECT ls.campaign_activity_id \
                 FROM email_sends ls WHERE ls.account_id = {account} \
                 GROUP BY ls.campaign_activity_id ORDER BY MAX(ls.started_at) DESC, \
                 ls.campaign_activity_id DESC LIMIT {n}))"
            )
        }
        CampaignScope::Campaigns(campaigns) => {
            let campaigns = sql.bind_list(campaigns.iter().map(|c| Bind::Uuid(c.0)));
            format!(
                "r.campaign_activity_id IN (SELECT a.id FROM email_campaign_activities a \
                 WHERE a.account_id = {account} AND a.campaign_id IN ({campaigns}))"
            )
        }
        CampaignScope::SentBetween(start, end) => {
            let start = sql.bind(Bind::I64(start.millis()));
            let end = sql.bind(Bind::I64(end.millis()));
            format!("r.finished_at >= {start} AND r.finished_at <= {end}")
        }
    }
}

/// A tracking condition: EXISTS over the contact's sent messages in scope (the contact-side
/// index of sent messages, migration 0017), joined for opened and clicked to the contact's
/// tracking row of each activity (its primary key). The `not_…` fields need a message in
/// scope too: "did not open" is about contacts that were sent something.
fn tracking_sql(
    dialect: Dialect,
    account: &str,
    tracking: &TrackingCondition,
    sql: &mut Sql,
) -> String {
    let end = dialect.exists_end();
    let exists = |engaged: Option<&str>, sql: &mut Sql| {
        let scope = scope_sql(account, &tracking.scope, sql);
        let (join, test) = match engaged {
            None => (String::new(), String::new()),
            Some(test) => (
                " JOIN activity_contact_tracking t ON t.account_id = r.account_id \
                 AND t.activity_id = r.campaign_activity_id AND t.contact_id = r.contact_id"
                    .to_string(),
                format!(" AND {test}"),
            ),
        };
        // The last campaigns' sends are the account's, a handful: their primary key (send,
        // contact) finds the contact's message in each. Naming the account here would make
        // the planner walk every message the contact was ever sent instead (measured on the
        // benchmark's engagement segment, 20 campaigns: 6 times the CPU).
        let owner = match tracking.scope {
            CampaignScope::LastCampaigns(_) => "",
            _ => "r.account_id = c.account_id AND ",
        };
        format!(
            "EXISTS (SELECT 1 FROM email_send_recipients r{join} \
             WHERE {owner}r.contact_id = c.id AND r.state = 'sent' \
             AND {scope}{test}{end})"
        )
    };
    const OPENED: &str = "(t.opens > 0 OR t.clicks > 0)";
    const CLICKED: &str = "t.clicks > 0";
    match tracking.field {
        TrackingField::Sent => exists(None, sql),
        TrackingField::NotSent => format!("NOT {}", exists(None, sql)),
        TrackingField::Opened => exists(Some(OPENED), sql),
        TrackingField::Clicked => exists(Some(CLICKED), sql),
        TrackingField::NotOpened => {
            let sent = exists(None, sql);
            format!("({sent} AND NOT {})", exists(Some(OPENED), sql))
        }
        TrackingField::NotClicked => {
            let sent = exists(None, sql);
            format!("({sent} AND NOT {})", exists(Some(CLICKED), sql))
        }
    }
}

/// The contact's engagement level as a number (`EngagementLevel::rank`; 0 when it was never
/// sent a campaign), over its last `ENGAGEMENT_WINDOW` sent messages, newest first by the
/// contact-side index of sent messages: 3 when it opened or clicked at least half of them, 2
/// at least one, 1 none.
fn engagement_rank(sql: &mut Sql) -> String {
    let window = sql.bind(Bind::I64(i64::from(ENGAGEMENT_WINDOW)));
    format!(
        "(SELECT CASE WHEN COUNT(*) = 0 THEN 0 \
         WHEN 2 * SUM(recent.engaged) >= COUNT(*) THEN 3 \
         WHEN SUM(recent.engaged) > 0 THEN 2 ELSE 1 END \
         FROM (SELECT CASE WHEN EXISTS (SELECT 1 FROM activity_contact_tracking t \
         WHERE t.account_id = r.account_id AND t.activity_id = r.campaign_activity_id \
         AND t.contact_id = r.contact_id AND (t.opens > 0 OR t.clicks > 0)) THEN 1 ELSE 0 END \
         AS engaged FROM email_send_recipients r \
         WHERE r.account_id = c.account_id AND r.contact_id = c.id AND r.state = 'sent' \
         ORDER BY r.finished_at DESC LIMIT {window}) recent)"
    )
}

/// One page: `limit + 1` rows after `after`, in id order.
pub fn page_query(
    dialect: Dialect,
    account: AccountId,
    filter: &ContactFilter,
    after: Option<ContactId>,
    limit: u32,
) -> Sql {
    let mut sql = Sql {
        text: format!("SELECT {CONTACT_COLUMNS}"),
        binds: Vec::new(),
    };
    let order = from_where(dialect, account, filter, &mut sql);
    if let Some(after) = after {
        let after = sql.bind(Bind::Uuid(after.0));
        sql.text.push_str(&format!(" AND {order} > {after}"));
    }
    let limit = sql.bind(Bind::I64(i64::from(limit) + 1));
    sql.text
        .push_str(&format!(" ORDER BY {order} LIMIT {limit}"));
    sql
}

/// The send whose recipients `recipients_insert` fixes.
#[derive(Debug, Clone, Copy)]
pub struct SendTarget {
    pub send: Uuid,
    pub send_number: i64,
    pub activity: Uuid,
    pub now: i64,
    /// For a resend to non-openers: its primary activity, whose openers, clickers and bounced
    /// contacts are left out.
    pub non_openers_of: Option<Uuid>,
}

/// Fixes a send's recipients: inserts one queued `email_send_recipients` row for each contact
/// matching `filter` (each once, whatever its lists) that has an address, whose address is not
/// suspended, and whom no earlier send of the activity mailed; for a resend, who did not open,
/// click or bounce the primary. `activity_contact_tracking` holds a contact's own events only
/// (machine opens and clicks never write it), and a click counts as an open there.
pub fn recipients_insert(
    dialect: Dialect,
    account: AccountId,
    filter: &ContactFilter,
    target: &SendTarget,
) -> Sql {
    let mut sql = Sql::default();
    let send = sql.bind(Bind::Uuid(target.send));
    let number = sql.bind(Bind::I64(target.send_number));
    let activity = sql.bind(Bind::Uuid(target.activity));
    let now = sql.bind(Bind::I64(target.now));
    sql.text = format!(
        "INSERT INTO email_send_recipients (send_id, contact_id, account_id, \
         campaign_activity_id, send_number, email, state, attempts, due_at, updated_at) \
         SELECT {send}, c.id, c.account_id, {activity}, {number}, c.email, 'queued', 0, {now}, \
         {now}"
    );
    from_where(dialect, account, filter, &mut sql);
    sql.text.push_str(&format!(
        " AND c.email IS NOT NULL AND c.email_suspended_at IS NULL \
         AND NOT EXISTS (SELECT 1 FROM email_send_recipients r \
         WHERE r.account_id = c.account_id AND r.campaign_activity_id = {activity} \
         AND r.contact_id = c.id AND r.state = 'sent')"
    ));
    if let Some(primary) = target.non_openers_of {
        let primary = sql.bind(Bind::Uuid(primary));
        sql.text.push_str(&format!(
            " AND NOT EXISTS (SELECT 1 FROM activity_contact_tracking t \
             WHERE t.account_id = c.account_id AND t.activity_id = {primary} \
             AND t.contact_id = c.id AND (t.opens > 0 OR t.clicks > 0 OR t.bounces > 0))"
        ));
    }
    sql
}

/// COUNT(*) of the contacts matching `filter`.
pub fn count_query(dialect: Dialect, account: AccountId, filter: &ContactFilter) -> Sql {
    let mut sql = Sql {
        text: "SELECT COUNT(*)".into(),
        binds: Vec::new(),
    };
    from_where(dialect, account, filter, &mut sql);
    sql
}

/// What `links_query` reads, as its `kind` column tells.
pub const LINK_LIST: i32 = 1;
pub const LINK_TAG: i32 = 2;
pub const LINK_CUSTOM_VALUE: i32 = 3;

/// The memberships, taggings and custom values of `ids` that `includes` asks for, in one
/// statement (`rows::LinkRow`), so reading contacts costs two statements rather than four (on
/// SQLite each statement is a hand-off to the connection's thread and back, on PostgreSQL a
/// round trip). Ordered by kind, then as each is shown: memberships and taggings by when they
/// were made, custom values by field. None when nothing is asked for.
pub fn links_query(account: AccountId, ids: &[ContactId], includes: Includes) -> Option<Sql> {
    let mut sql = Sql::default();
    let mut parts = Vec::new();
    let kinds = [
        (
            includes.list_memberships,
            LINK_LIST,
            "list_id AS linked_id, created_at AS sort_at, CAST(NULL AS TEXT) AS value, \
             CAST(NULL AS TEXT) AS choice_ids",
            "contact_list_members",
        ),
        (
            includes.taggings,
            LINK_TAG,
            "tag_id AS linked_id, created_at AS sort_at, CAST(NULL AS TEXT) AS value, \
             CAST(NULL AS TEXT) AS choice_ids",
            "contact_taggings",
        ),
        (
            includes.custom_fields,
            LINK_CUSTOM_VALUE,
            "custom_field_id AS linked_id, 0 AS sort_at, value, choice_ids",
            "contact_custom_values",
        ),
    ];
    for (wanted, kind, columns, table) in kinds {
        if !wanted {
            continue;
        }
        let account = sql.bind(Bind::Uuid(account.0));
        let ids = sql.bind_list(ids.iter().map(|id| Bind::Uuid(id.0)));
        // Named in every part: the first part present names the columns of the union.
        parts.push(format!(
            "SELECT {kind} AS kind, contact_id, {columns} FROM {table} \
             WHERE account_id = {account} AND contact_id IN ({ids})"
        ));
    }
    if parts.is_empty() {
        return None;
    }
    sql.text = format!(
        "{} ORDER BY kind, sort_at, linked_id",
        parts.join(" UNION ALL ")
    );
    Some(sql)
}

/// The contacts of `account` among `ids` (a batch of campaign recipients; callers keep it
/// well under [`MAX_BULK_BINDS`]).
pub fn by_id_query(account: AccountId, ids: &[ContactId]) -> Sql {
    let mut sql = Sql::default();
    let account = sql.bind(Bind::Uuid(account.0));
    let ids = sql.bind_list(ids.iter().map(|id| Bind::Uuid(id.0)));
    sql.text = format!(
        "SELECT {CONTACT_COLUMNS} FROM contacts c WHERE c.account_id = {account} \
         AND c.id IN ({ids})"
    );
    sql
}

/// The most values one bulk statement binds: under SQLite's 32766 and PostgreSQL's 65535.
pub const MAX_BULK_BINDS: usize = 32_000;

/// How many rows of `columns` values one multi-row INSERT may carry.
pub fn bulk_chunk_rows(columns: usize) -> usize {
    (MAX_BULK_BINDS / columns.max(1)).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster_domain::ListId;

    #[test]
    fn a_single_list_walks_the_membership_index() {
        let filter = ContactFilter {
            lists: vec![ListId::generate()],
            ..Default::default()
        };
        let sql = page_query(
            Dialect::Sqlite,
            AccountId::generate(),
            &filter,
            Some(ContactId::generate()),
            50,
        );
        assert!(
            sql.text
                .contains("FROM contact_list_members m CROSS JOIN contacts c"),
            "{}",
            sql.text
        );
        assert!(
            sql.text
                .ends_with("AND m.contact_id > $3 ORDER BY m.contact_id LIMIT $4"),
            "{}",
            sql.text
        );
        assert_eq!(sql.binds.len(), 4);
    }

    #[test]
    fn list_and_tag_conditions_are_link_subqueries() {
        let mut sql = Sql::default();
        let lists = Condition::Lists {
            lists: vec![ListId::generate()],
            any: true,
        };
        assert_eq!(
            condition_sql(Dialect::Postgres, "$0", &lists, &mut sql),
            "EXISTS (SELECT 1 FROM contact_list_members sm WHERE sm.account_id = c.account_id \
             AND sm.contact_id = c.id AND sm.list_id IN ($1) OFFSET 0)"
        );
        let tags = Condition::Tags {
            tags: vec![
                roster_domain::TagId::generate(),
                roster_domain::TagId::generate(),
            ],
            any: false,
        };
        assert_eq!(
            condition_sql(Dialect::Sqlite, "$0", &tags, &mut sql),
            "NOT EXISTS (SELECT 1 FROM contact_taggings st WHERE st.account_id = c.account_id \
             AND st.contact_id = c.id AND st.tag_id IN ($2, $3))"
        );
    }

    #[test]
    fn engagement_reads_the_contacts_own_sends_never_the_events() {
        use roster_domain::engagement::EngagementLevel;
        for field in [
            TrackingField::Sent,
            TrackingField::NotOpened,
            TrackingField::Clicked,
        ] {
            for scope in [
                CampaignScope::LastCampaigns(5),
                CampaignScope::Campaigns(vec![roster_domain::CampaignId::generate()]),
                CampaignScope::SentBetween(
                    roster_domain::Timestamp::from_millis(1),
                    roster_domain::Timestamp::from_millis(2),
                ),
            ] {
                let condition = Condition::Tracking(TrackingCondition { field, scope });
                let mut sql = Sql::default();
                let text = condition_sql(Dialect::Postgres, "$1", &condition, &mut sql);
                assert!(!text.contains("tracking_events"), "{text}");
                assert!(
                    text.contains("r.contact_id = c.id AND r.state = 'sent'"),
                    "{text}"
                );
                assert!(text.contains("OFFSET 0)"), "{text}");
            }
        }
        let mut sql = Sql::default();
        let level = Condition::Engagement(EngagementLevel::Medium);
        let text = condition_sql(Dialect::Sqlite, "$1", &level, &mut sql);
        assert!(
            text.contains("ORDER BY r.finished_at DESC LIMIT $1) recent) = $2"),
            "{text}"
        );
        assert!(!text.contains("tracking_events"), "{text}");
        assert_eq!(sql.binds, [Bind::I64(10), Bind::I64(2)]);
    }

    #[test]
    fn bulk_chunks_stay_under_both_engines_bind_limits() {
        for columns in [1, 4, 5, 30, 31] {
            let rows = bulk_chunk_rows(columns);
            assert!(rows * columns <= 32_766, "{columns} columns");
            assert!(rows * columns > MAX_BULK_BINDS - columns);
        }
    }

    #[test]
    fn every_filter_adds_one_condition_and_its_binds() {
        let filter = ContactFilter {
            buckets: vec![Bucket::Unsubscribed],
            tags: vec![roster_domain::TagId::generate()],
            updated_after: Some(roster_domain::Timestamp::from_millis(5)),
            ..Default::default()
        };
        let sql = count_query(Dialect::Sqlite, AccountId::generate(), &filter);
        assert!(sql.text.contains("c.status IN ($2)"));
        assert!(sql.text.contains("tg.tag_id IN ($3)"));
        assert!(sql.text.contains("c.updated_at >= $4"));
        assert_eq!(sql.binds[3], Bind::I64(5));
    }
}
