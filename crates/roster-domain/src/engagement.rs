//! Engagement: what a contact did with the campaigns sent to it, as segments' `tracking`
//! conditions and the `engagement_level` source of the list-membership activities test it
//! (docs/SEGMENTS.md, "Tracking conditions" and "Engagement levels"). Both compile to SQL over
//! the contact's sent messages and its per-activity tracking rows; this module only parses.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{CampaignId, Timestamp};

/// The most campaigns `last-n-campaigns` looks back over.
pub const MAX_LAST_CAMPAIGNS: u32 = 500;
/// The longest date range (and `last-n-days`) a tracking condition takes.
pub const MAX_RANGE_DAYS: i64 = 1_825;
/// The most campaign ids `specific-campaigns` names.
pub const MAX_SPECIFIC_CAMPAIGNS: usize = 100;
/// How many of a contact's most recent campaign messages its engagement level reads.
pub const ENGAGEMENT_WINDOW: u32 = 10;

/// What a tracking condition asks of the contact, over the campaigns of its scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrackingField {
    /// Was sent at least one of them.
    Sent,
    /// Was sent none of them.
    NotSent,
    /// Opened (or clicked, which implies an open) at least one of them.
    Opened,
    /// Was sent at least one of them and opened none.
    NotOpened,
    /// Clicked a link in at least one of them.
    Clicked,
    /// Was sent at least one of them and clicked in none.
    NotClicked,
}

impl TrackingField {
    pub const NAMES: &'static str = "sent, not_sent, opened, not_opened, clicked, not_clicked";

    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "sent" => Self::Sent,
            "not_sent" => Self::NotSent,
            "opened" => Self::Opened,
            "not_opened" => Self::NotOpened,
            "clicked" => Self::Clicked,
            "not_clicked" => Self::NotClicked,
            _ => return None,
        })
    }
}

/// Which campaign messages a tracking condition looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CampaignScope {
    /// The messages of the account's `n` most recently sent campaign activities (by their
    /// latest send's start).
    LastCampaigns(u32),
    /// The messages of these campaigns' activities.
    Campaigns(Vec<CampaignId>),
    /// The messages sent within the range (both ends included).
    SentBetween(Timestamp, Timestamp),
}

/// A supported tracking condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackingCondition {
    pub field: TrackingField,
    pub scope: CampaignScope,
}

/// One problem with a tracking condition: the key it is under (`field`, `op`, `const_value`,
/// `param`) and what is wrong.
pub type TrackingProblem = (&'static str, String);

fn text_of(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(text) => Some(text.trim().to_string()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// Parses a `tracking` condition (`field`, `op`, `const_value`, `param`) at `now` (the end of
/// a `last-n-days` range). Every problem is returned.
pub fn parse_tracking(
    condition: &Value,
    now: Timestamp,
) -> Result<TrackingCondition, Vec<TrackingProblem>> {
    let mut problems = Vec::new();
    let field_name = text_of(condition.get("field")).unwrap_or_default();
    let field = TrackingField::parse(&field_name);
    if field.is_none() {
        problems.push((
            "field",
            format!(
                "\"{field_name}\" is not a supported tracking field ({})",
                TrackingField::NAMES
            ),
        ));
    }
    match text_of(condition.get("op")).as_deref() {
        Some("contains-any") => {}
        other => problems.push((
            "op",
            format!(
                "\"{}\" is not supported for tracking (contains-any)",
                other.unwrap_or_default()
            ),
        )),
    }
    let param = condition.get("param");
    let scope = match text_of(condition.get("const_value")).as_deref() {
        Some("last-n-campaigns") => last_campaigns(param, &mut problems),
        Some("specific-campaigns") => specific_campaigns(param, &mut problems),
        Some("date-range") => date_range(param, &mut problems),
        Some("last-n-days") => last_days(param, now, &mut problems),
        other => {
            problems.push((
                "const_value",
                format!(
                    "\"{}\" is not supported for tracking (last-n-campaigns, \
                     specific-campaigns, date-range, last-n-days)",
                    other.unwrap_or_default()
                ),
            ));
            None
        }
    };
    match (field, scope) {
        (Some(field), Some(scope)) if problems.is_empty() => Ok(TrackingCondition { field, scope }),
        _ => Err(problems),
    }
}

fn whole_number(param: Option<&Value>, low: i64, high: i64) -> Option<i64> {
    text_of(param)?
        .parse::<i64>()
        .ok()
        .filter(|n| (low..=high).contains(n))
}

fn last_campaigns(
    param: Option<&Value>,
    problems: &mut Vec<TrackingProblem>,
) -> Option<CampaignScope> {
    let n = whole_number(param, 1, i64::from(MAX_LAST_CAMPAIGNS));
    if n.is_none() {
        problems.push((
            "param",
            format!("must be a whole number of campaigns from 1 to {MAX_LAST_CAMPAIGNS}"),
        ));
    }
    Some(CampaignScope::LastCampaigns(u32::try_from(n?).ok()?))
}

fn last_days(
    param: Option<&Value>,
    now: Timestamp,
    problems: &mut Vec<TrackingProblem>,
) -> Option<CampaignScope> {
    let days = whole_number(param, 1, MAX_RANGE_DAYS);
    if days.is_none() {
        problems.push((
            "param",
            format!("must be a whole number of days from 1 to {MAX_RANGE_DAYS}"),
        ));
    }
    Some(CampaignScope::SentBetween(
        now.plus_seconds(-days? * 86_400),
        now,
    ))
}

fn specific_campaigns(
    param: Option<&Value>,
    problems: &mut Vec<TrackingProblem>,
) -> Option<CampaignScope> {
    let raw: Vec<String> = match param {
        Some(Value::String(text)) => text
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| item.as_str().unwrap_or_default().trim().to_string())
            .collect(),
        _ => Vec::new(),
    };
    if raw.is_empty() || raw.len() > MAX_SPECIFIC_CAMPAIGNS {
        problems.push((
            "param",
            format!("must name from 1 to {MAX_SPECIFIC_CAMPAIGNS} campaign ids"),
        ));
        return None;
    }
    let mut ids = Vec::with_capacity(raw.len());
    for text in &raw {
        match text.parse::<CampaignId>() {
            Ok(id) if !ids.contains(&id) => ids.push(id),
            Ok(_) => {}
            Err(_) => {
                problems.push(("param", format!("holds {text}, which is not a campaign id")));
                return None;
            }
        }
    }
    Some(CampaignScope::Campaigns(ids))
}

fn date_range(param: Option<&Value>, problems: &mut Vec<TrackingProblem>) -> Option<CampaignScope> {
    let text = text_of(param).unwrap_or_default();
    let bounds = text.split_once(',').and_then(|(start, end)| {
        Some((
            Timestamp::parse_iso8601(start).ok()?,
            Timestamp::parse_iso8601(end).ok()?,
        ))
    });
    let Some((start, end)) = bounds else {
        problems.push((
            "param",
            "must be \"start,end\", two ISO-8601 date-times".to_string(),
        ));
        return None;
    };
    if end < start || end.millis() - start.millis() > MAX_RANGE_DAYS * 86_400_000 {
        problems.push((
            "param",
            format!("must end after it starts, at most {MAX_RANGE_DAYS} days later"),
        ));
        return None;
    }
    Some(CampaignScope::SentBetween(start, end))
}

/// The `engagement_level` of a list-membership activity's source, over each contact's last
/// [`ENGAGEMENT_WINDOW`] campaign messages: `High` when it opened or clicked at least half of
/// them, `Medium` at least one (but fewer than half), `Low` none of them. A contact never sent
/// a campaign has no level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EngagementLevel {
    Low,
    Medium,
    High,
}

impl EngagementLevel {
    /// `high`, `medium`, `low`, or their synonyms `MOST`, `SOMEWHAT`, `LEAST` (the automation
    /// triggers' names), in any case.
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text.trim().to_ascii_lowercase().as_str() {
            "high" | "most" => Self::High,
            "medium" | "somewhat" => Self::Medium,
            "low" | "least" => Self::Low,
            _ => return None,
        })
    }

    /// The level's number in the compiled SQL (0 is "never sent").
    pub fn rank(self) -> i64 {
        match self {
            Self::Low => 1,
            Self::Medium => 2,
            Self::High => 3,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(condition: Value) -> Result<TrackingCondition, Vec<TrackingProblem>> {
        parse_tracking(&condition, Timestamp::from_millis(10 * 86_400_000))
    }

    #[test]
    fn each_scope_parses() {
        let last = parse(json!({"field": "not_opened", "op": "contains-any",
            "const_value": "last-n-campaigns", "param": "5"}))
        .unwrap();
        assert_eq!(last.field, TrackingField::NotOpened);
        assert_eq!(last.scope, CampaignScope::LastCampaigns(5));
        let campaign = CampaignId::generate();
        let specific = parse(json!({"field": "clicked", "op": "contains-any",
            "const_value": "specific-campaigns", "param": [campaign.to_string()]}))
        .unwrap();
        assert_eq!(specific.scope, CampaignScope::Campaigns(vec![campaign]));
        let range = parse(json!({"field": "sent", "op": "contains-any",
            "const_value": "date-range", "param": "1970-01-01T00:00:00Z,1970-01-02T00:00:00-0500"}))
        .unwrap();
        assert_eq!(
            range.scope,
            CampaignScope::SentBetween(
                Timestamp::from_millis(0),
                Timestamp::from_millis(86_400_000 + 5 * 3_600_000)
            )
        );
        let days = parse(json!({"field": "opened", "op": "contains-any",
            "const_value": "last-n-days", "param": 3}))
        .unwrap();
        assert_eq!(
            days.scope,
            CampaignScope::SentBetween(
                Timestamp::from_millis(7 * 86_400_000),
                Timestamp::from_millis(10 * 86_400_000)
            )
        );
    }

    #[test]
    fn everything_else_is_a_problem() {
        let problems = parse(json!({"field": "bounced", "op": "eq",
            "const_value": "last-n-campaigns", "param": "501"}))
        .unwrap_err();
        let keys: Vec<&str> = problems.iter().map(|(key, _)| *key).collect();
        assert_eq!(keys, ["field", "op", "param"]);
        for (const_value, param) in [
            ("last-n-campaigns", json!("0")),
            ("specific-campaigns", json!("not-an-id")),
            ("specific-campaigns", json!([])),
            ("date-range", json!("2020-01-01T00:00:00Z")),
            (
                "date-range",
                json!("2020-01-02T00:00:00Z,2020-01-01T00:00:00Z"),
            ),
            (
                "date-range",
                json!("2015-01-01T00:00:00Z,2020-01-01T00:00:00Z"),
            ),
            ("last-n-days", json!("1826")),
            ("ever", json!("1")),
        ] {
            let problems = parse(json!({"field": "opened", "op": "contains-any",
                "const_value": const_value, "param": param}))
            .unwrap_err();
            assert_eq!(problems.len(), 1, "{const_value} {param}: {problems:?}");
        }
    }

    #[test]
    fn levels_take_synonyms_in_any_case() {
        assert_eq!(EngagementLevel::parse("HIGH"), Some(EngagementLevel::High));
        assert_eq!(EngagementLevel::parse("most"), Some(EngagementLevel::High));
        assert_eq!(
            EngagementLevel::parse("Somewhat"),
            Some(EngagementLevel::Medium)
        );
        assert_eq!(EngagementLevel::parse("LEAST"), Some(EngagementLevel::Low));
        assert_eq!(EngagementLevel::parse("none"), None);
    }
}
