//! The SQL of the email reports (docs/REPORTS.md), one text for both engines: the statistics
//! of activities (their counters row, and their sends' `mailed_count`), the campaigns in the
//! order of their last send, and the tracking pages, each built for its report, filters and
//! position. Texts only: `engine/reports.rs` binds and runs them, in the order the
//! placeholders are numbered here.

use roster_domain::email_report::{TrackingFilter, TrackingReport};

use crate::tracking::COUNTER_COLUMNS;

/// `$1, $2, …` from `first`, `count` of them.
pub fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The statistics of activities: `$1` the account, then the ids `where_ids` names (activity
/// ids or campaign ids), `count` of them from `$2`. The counters are zero before any event;
/// the sends' figures come from `email_sends` (a few rows per activity, by its unique index).
pub fn activity_stats_sql(by_campaign: bool, count: usize) -> String {
    let counters: Vec<String> = COUNTER_COLUMNS[..COUNTER_COLUMNS.len() - 1]
        .iter()
        .map(|c| format!("COALESCE(t.{c}, 0) AS {c}"))
        .collect();
    let sends = |what: &str| {
        format!(
            "(SELECT {what} FROM email_sends s \
             WHERE s.account_id = a.account_id AND s.campaign_activity_id = a.id)"
        )
    };
    let column = if by_campaign { "a.campaign_id" } else { "a.id" };
    format!(
        "SELECT a.id, a.campaign_id, a.role, a.status, {}, t.updated_at AS counted_at, \
         {} AS sends, {} AS send_count, {} AS last_sent, {} AS last_finished, \
         {} AS executing \
         FROM email_campaign_activities a \
         LEFT JOIN activity_tracking_counts t \
         ON t.account_id = a.account_id AND t.activity_id = a.id \
         WHERE a.account_id = $1 AND {column} IN ({})",
        counters.join(", "),
        sends("CAST(COALESCE(SUM(s.mailed_count), 0) AS BIGINT)"),
        sends("COUNT(*)"),
        sends("MAX(s.started_at)"),
        sends("MAX(s.finished_at)"),
        sends("COUNT(s.finished_at)"),
        placeholders(2, count),
    )
}

/// The account's sent campaigns (not Removed) by their last send, newest first: `$1` the
/// account, `$2` how many rows; after a position, `$3` its last send and `$4` its campaign.
/// Grouped over the account's sends, which are few (one row per send, not per recipient).
pub fn sent_campaigns_sql(after: bool) -> String {
    let position = if after {
        " HAVING MAX(s.started_at) < $3 OR (MAX(s.started_at) = $3 AND a.campaign_id < $4)"
    } else {
        ""
    };
    format!(
        "SELECT a.campaign_id, MAX(s.started_at) AS last_sent FROM email_sends s \
         JOIN email_campaign_activities a \
         ON a.account_id = s.account_id AND a.id = s.campaign_activity_id \
         JOIN email_campaigns c ON c.account_id = a.account_id AND c.id = a.campaign_id \
         WHERE s.account_id = $1 AND a.role IN ('primary_email', 'resend') \
         AND c.status <> 'REMOVED' \
         GROUP BY a.campaign_id{position} \
         ORDER BY last_sent DESC, a.campaign_id DESC LIMIT $2"
    )
}

/// The contact's columns of a tracking row, from `contacts c` (left-joined: a row outlives
/// nothing, but a missing contact must not hide the event).
const CONTACT: &str = "c.first_name, c.last_name, c.deleted_at, c.email AS current_email";

/// The address an event's message went to: its send's recipient row (send and contact, by
/// primary keys), else the contact's address now.
const EVENT_ADDRESS: &str = "COALESCE((SELECT r.email FROM email_sends s \
     JOIN email_send_recipients r ON r.send_id = s.id \
     WHERE s.account_id = {t}.account_id AND s.campaign_activity_id = {t}.activity_id \
     AND s.send_number = {t}.send_number AND r.contact_id = {t}.contact_id), c.email, '')";

fn contact_join(table: &str) -> String {
    format!(
        "LEFT JOIN contacts c ON c.account_id = {table}.account_id AND c.id = {table}.contact_id"
    )
}

/// A tracking page's query. Placeholders: `$1` the account, `$2` the activity, `$3` how many
/// rows; after a position, `$4` its position (and `$5` its contact for pages of contacts); then
/// the filter's values, in the order of [`TrackingFilter`]'s fields (`url_id`, then each bounce
/// code). Every row has the same columns (those `TrackingRowSql` reads).
pub fn tracking_page_sql(report: TrackingReport, filter: &TrackingFilter, after: bool) -> String {
    let mut next = if !after {
        4
    } else if report.keyed_by_contact() {
        6
    } else {
        5
    };
    match report {
        TrackingReport::Sends | TrackingReport::DidNotOpens => {
            let position = if after {
                " AND (r.finished_at, r.contact_id) < ($4, $5)"
            } else {
                ""
            };
            let not_opened = if report == TrackingReport::DidNotOpens {
                " AND NOT EXISTS (SELECT 1 FROM activity_contact_tracking t \
                 WHERE t.account_id = r.account_id AND t.activity_id = r.campaign_activity_id \
                 AND t.contact_id = r.contact_id AND (t.opens > 0 OR t.bounces > 0))"
            } else {
                ""
            };
            format!(
                "SELECT r.finished_at AS position, r.contact_id, r.email AS email_address, \
                 r.finished_at AS at, {CONTACT}, CAST(NULL AS TEXT) AS device, \
                 CAST(NULL AS BIGINT) AS url_id, CAST(NULL AS TEXT) AS link_url, \
                 CAST(NULL AS TEXT) AS opt_out_reason, CAST(NULL AS TEXT) AS bounce_code \
                 FROM email_send_recipients r {} \
                 WHERE r.account_id = $1 AND r.campaign_activity_id = $2 \
                 AND r.state IN ('sent', 'failed'){position}{not_opened} \
                 ORDER BY r.finished_at DESC, r.contact_id DESC LIMIT $3",
                contact_join("r")
            )
        }
        TrackingReport::UniqueOpens => {
            let position = if after {
                " AND (t.last_open_at, t.contact_id) < ($4, $5)"
            } else {
                ""
            };
            format!(
                "SELECT t.last_open_at AS position, t.contact_id, {} AS email_address, \
                 t.last_open_at AS at, {CONTACT}, t.last_open_device AS device, \
                 CAST(NULL AS BIGINT) AS url_id, CAST(NULL AS TEXT) AS link_url, \
                 CAST(NULL AS TEXT) AS opt_out_reason, CAST(NULL AS TEXT) AS bounce_code \
                 FROM activity_contact_tracking t {} \
                 WHERE t.account_id = $1 AND t.activity_id = $2 AND t.opens > 0{position} \
                 ORDER BY t.last_open_at DESC, t.contact_id DESC LIMIT $3",
                EVENT_ADDRESS.replace("{t}", "t"),
                contact_join("t")
            )
        }
        TrackingReport::Opens
        | TrackingReport::Clicks
        | TrackingReport::Forwards
        | TrackingReport::OptOuts
        | TrackingReport::Bounces => {
            let kind = match report {
                TrackingReport::Opens => "open",
                TrackingReport::Clicks => "click",
                TrackingReport::Forwards => "forward",
                TrackingReport::OptOuts => "optout",
                _ => "bounce",
            };
            let mut conditions = String::new();
            if after {
                conditions.push_str(" AND e.id < $4");
            }
            if report == TrackingReport::Clicks && filter.url_id.is_some() {
                conditions.push_str(&format!(" AND e.url_id = ${next}"));
                next += 1;
            }
            if report == TrackingReport::Bounces && !filter.bounce_codes.is_empty() {
                let codes = placeholders(next, filter.bounce_codes.len());
                conditions.push_str(&format!(" AND e.bounce_code IN ({codes})"));
            }
            let (link, reason) = match report {
                TrackingReport::Clicks => ("l.url", "CAST(NULL AS TEXT)"),
                TrackingReport::OptOuts => ("CAST(NULL AS TEXT)", "o.reason"),
                _ => ("CAST(NULL AS TEXT)", "CAST(NULL AS TEXT)"),
            };
            let joins = match report {
                TrackingReport::Clicks => {
                    " LEFT JOIN activity_links l ON l.account_id = e.account_id \
                     AND l.activity_id = e.activity_id AND l.url_id = e.url_id"
                }
                TrackingReport::OptOuts => {
                    " LEFT JOIN campaign_opt_outs o ON o.account_id = e.account_id \
                     AND o.activity_id = e.activity_id AND o.contact_id = e.contact_id"
                }
                _ => "",
            };
            let device = match report {
                TrackingReport::Opens | TrackingReport::Clicks => "e.device",
                _ => "CAST(NULL AS TEXT)",
            };
            format!(
                "SELECT e.id AS position, e.contact_id, {} AS email_address, \
                 e.occurred_at AS at, {CONTACT}, {device} AS device, e.url_id, \
                 {link} AS link_url, {reason} AS opt_out_reason, \
                 COALESCE(e.bounce_code, CASE WHEN e.kind = 'bounce' THEN 'X' END) \
                 AS bounce_code \
                 FROM tracking_events e {}{joins} \
                 WHERE e.account_id = $1 AND e.activity_id = $2 AND e.kind = '{kind}'\
                 {conditions} ORDER BY e.id DESC LIMIT $3",
                EVENT_ADDRESS.replace("{t}", "e"),
                contact_join("e")
            )
        }
    }
}

/// The activity's links: `$1` the account, `$2` the activity.
pub fn link_clicks_sql(with_unclicked: bool) -> String {
    let clicked = if with_unclicked {
        ""
    } else {
        " AND unique_clicks > 0"
    };
    format!(
        "SELECT url_id, url, unique_clicks FROM activity_links \
         WHERE account_id = $1 AND activity_id = $2{clicked} ORDER BY url_id"
    )
}

#[cfg(test)]
mod tests {
    use roster_domain::tracking::BounceCode;

    use super::*;

    #[test]
    fn placeholders_follow_the_position_and_filters() {
        let filter = TrackingFilter {
            url_id: Some(3),
            bounce_codes: vec![BounceCode::NonExistent, BounceCode::Vacation],
        };
        let clicks = tracking_page_sql(TrackingReport::Clicks, &filter, true);
        assert!(clicks.contains("e.id < $4 AND e.url_id = $5"), "{clicks}");
        let bounces = tracking_page_sql(TrackingReport::Bounces, &filter, false);
        assert!(bounces.contains("e.bounce_code IN ($4, $5)"), "{bounces}");
        assert!(!bounces.contains("url_id = $"), "{bounces}");
        let sends = tracking_page_sql(TrackingReport::Sends, &filter, true);
        assert!(sends.contains("(r.finished_at, r.contact_id) < ($4, $5)"));
        // The partial indexes' predicates, written as the indexes are (SQLite matches them
        // by their text).
        assert!(sends.contains("r.state IN ('sent', 'failed')"));
        let unique = tracking_page_sql(TrackingReport::UniqueOpens, &filter, false);
        assert!(unique.contains("t.opens > 0"));
        assert_eq!(placeholders(2, 3), "$2, $3, $4");
        assert!(activity_stats_sql(true, 2).ends_with("a.campaign_id IN ($2, $3)"));
    }
}
