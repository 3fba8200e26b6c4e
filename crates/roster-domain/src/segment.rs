//! Segments: saved contact selections. `segment_criteria` is Constant Contact's escaped JSON
//! (`{"version":"1.0.0","criteria":{"type":"and","group":[…]}}`); this module parses it into a
//! checked tree that the stores compile to SQL. The grammar Roster supports is documented in
//! docs/SEGMENTS.md; anything outside it is refused naming the unsupported part.

use serde_json::Value;

use crate::engagement::{parse_tracking, EngagementLevel, TrackingCondition};
use crate::{CampaignId, CustomFieldId, FieldError, ListId, SegmentId, TagId, Timestamp};

pub const MAX_CRITERIA_LEN: usize = 20_000;
pub const MAX_NAME_LEN: usize = 255;
/// Nesting deeper than this is refused (the top-level group is depth 1).
pub const MAX_DEPTH: usize = 5;
pub const MAX_CONDITIONS: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub id: SegmentId,
    pub name: String,
    /// The criteria as the client sent them (returned verbatim).
    pub criteria: String,
    pub created_at: Timestamp,
    pub edited_at: Timestamp,
}

/// The order of GET /segments (`sort_by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegmentSort {
    /// Most recently edited first.
    Date,
    /// By name, case-insensitively.
    Name,
}

/// The position after which a page of segments continues.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SegmentKey {
    Date { edited_at: i64, id: SegmentId },
    Name { name_key: String, id: SegmentId },
}

impl SegmentKey {
    pub fn of(segment: &Segment, sort: SegmentSort) -> Self {
        match sort {
            SegmentSort::Date => Self::Date {
                edited_at: segment.edited_at.millis(),
                id: segment.id,
            },
            SegmentSort::Name => Self::Name {
                name_key: segment.name.to_lowercase(),
                id: segment.id,
            },
        }
    }

    /// A cursor-safe text form (`d.<millis>.<id>` or `n.<hex name>.<id>`).
    pub fn encode(&self) -> String {
        match self {
            Self::Date { edited_at, id } => format!("d.{edited_at}.{id}"),
            Self::Name { name_key, id } => {
                let hex: String = name_key.bytes().map(|b| format!("{b:02x}")).collect();
                format!("n.{hex}.{id}")
            }
        }
    }

    pub fn decode(text: &str) -> Option<Self> {
        let mut parts = text.splitn(3, '.');
        let (kind, key) = (parts.next()?, parts.next()?);
        let id = SegmentId(parts.next()?.parse().ok()?);
        match kind {
            "d" => Some(Self::Date {
                edited_at: key.parse().ok()?,
                id,
            }),
            "n" => {
                if key.len() % 2 != 0 {
                    return None;
                }
                let bytes: Option<Vec<u8>> = (0..key.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(key.get(i..i + 2)?, 16).ok())
                    .collect();
                Some(Self::Name {
                    name_key: String::from_utf8(bytes?).ok()?,
                    id,
                })
            }
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupKind {
    And,
    Or,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Group(GroupKind, Vec<Node>),
    Condition(Condition),
}

impl Node {
    /// A time every contact the criteria select was created at or after, when the criteria
    /// imply one (a `created_at` lower bound in the `and` chain from the root, or in every
    /// branch of an `or`): the store turns it into a bound on contact ids (`ids::id_floor`),
    /// so a segment of recent contacts does not walk the older ones.
    pub fn created_at_least(&self) -> Option<Timestamp> {
        match self {
            Node::Condition(Condition::Contact(ContactField::Instant("created_at"), test)) => {
                match test {
                    ContactTest::After(Operand::Instant(at))
                    | ContactTest::Equals(Operand::Instant(at))
                    | ContactTest::Between(Operand::Instant(at), _) => Some(*at),
                    _ => None,
                }
            }
            Node::Condition(_) => None,
            Node::Group(GroupKind::And, nodes) => {
                nodes.iter().filter_map(Node::created_at_least).max()
            }
            Node::Group(GroupKind::Or, nodes) => nodes
                .iter()
                .map(Node::created_at_least)
                .collect::<Option<Vec<_>>>()?
                .into_iter()
                .min(),
        }
    }
}

/// A contact property a condition can test.
#[derive(Debug, Clone, PartialEq)]
pub enum ContactField {
    /// A text column of the contact (first_name, last_name, job_title, company_name, email).
    Text(&'static str),
    /// birthday_month or birthday_day.
    Number(&'static str),
    /// created_at or updated_at (instants).
    Instant(&'static str),
    /// anniversary (a `YYYY-MM-DD` date).
    Date(&'static str),
    /// city, state, postal_code or country of any of the contact's street addresses.
    Address(&'static str),
    CustomField {
        id: CustomFieldId,
        numeric: bool,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Text(String),
    Number(f64),
    Instant(Timestamp),
    Date(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum ContactTest {
    Equals(Operand),
    NotEquals(Operand),
    /// Case-insensitive substring.
    Contains(String),
    StartsWith(String),
    IsEmpty,
    IsNotEmpty,
    Before(Operand),
    After(Operand),
    /// Inclusive range.
    Between(Operand, Operand),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    Contact(ContactField, ContactTest),
    /// Member of any of the lists (`any`), or of none of them.
    Lists {
        lists: Vec<ListId>,
        any: bool,
    },
    Tags {
        tags: Vec<TagId>,
        any: bool,
    },
    /// What the contact did with the campaigns sent to it (docs/SEGMENTS.md).
    Tracking(TrackingCondition),
    /// A tracking condition stored before they were evaluated, in a form Roster does not
    /// support: it keeps the evaluation it had then (a `not_…` field holds for every contact,
    /// any other for none). Only criteria read back from storage produce it.
    LegacyTracking {
        holds_for_all: bool,
    },
    /// The contact's engagement level over its last campaign messages (the `engagement_level`
    /// source of the list-membership activities; not a criteria condition).
    Engagement(EngagementLevel),
}

/// How tracking conditions outside the supported set are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Criteria a client sends: refused (400).
    Checked,
    /// Criteria read back from storage: kept as [`Condition::LegacyTracking`].
    Stored,
}

/// What the parser needs from the account to check the names a criteria document uses.
pub struct CriteriaContext<'a> {
    pub custom_fields: &'a [crate::custom_field::CustomField],
}

/// The ids a criteria document names, for the caller to check against the account.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Referenced {
    pub lists: Vec<ListId>,
    pub tags: Vec<TagId>,
    /// The campaigns of `specific-campaigns` tracking conditions.
    pub campaigns: Vec<CampaignId>,
}

struct Parser<'a> {
    context: &'a CriteriaContext<'a>,
    now: Timestamp,
    mode: Mode,
    errors: Vec<FieldError>,
    conditions: usize,
    referenced: Referenced,
}

fn problem(path: &str, message: impl Into<String>) -> FieldError {
    FieldError::new(format!("segment_criteria {path}"), message)
}

/// Parses and checks criteria a client sends (creating or changing a segment). Returns the
/// tree and the list, tag and campaign ids it names.
pub fn parse_criteria(
    text: &str,
    context: &CriteriaContext<'_>,
    now: Timestamp,
) -> Result<(Node, Referenced), Vec<FieldError>> {
    parse(text, context, now, Mode::Checked)
}

/// Parses stored criteria to evaluate them: as [`parse_criteria`], except that a tracking
/// condition outside the supported set (stored before tracking conditions were evaluated)
/// keeps its old evaluation instead of failing the segment.
pub fn parse_stored_criteria(
    text: &str,
    context: &CriteriaContext<'_>,
    now: Timestamp,
) -> Result<(Node, Referenced), Vec<FieldError>> {
    parse(text, context, now, Mode::Stored)
}

/// How many tracking conditions of stored criteria are outside the supported set (and so keep
/// their old evaluation): for the start-up log line that lists such segments.
pub fn legacy_tracking_conditions(text: &str) -> usize {
    fn walk(value: &Value, count: &mut usize) {
        match value {
            Value::Object(object) => {
                if object.get("source").and_then(Value::as_str) == Some("tracking")
                    && parse_tracking(value, Timestamp::now()).is_err()
                {
                    *count += 1;
                }
                object.values().for_each(|v| walk(v, count));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, count)),
            _ => {}
        }
    }
    let mut count = 0;
    if let Ok(document) = serde_json::from_str::<Value>(text) {
        walk(&document, &mut count);
    }
    count
}

fn parse(
    text: &str,
    context: &CriteriaContext<'_>,
    now: Timestamp,
    mode: Mode,
) -> Result<(Node, Referenced), Vec<FieldError>> {
    if text.chars().count() > MAX_CRITERIA_LEN {
        return Err(vec![FieldError::new(
            "segment_criteria",
            format!("exceeds the maximum length of {MAX_CRITERIA_LEN} characters"),
        )]);
    }
    let document: Value = serde_json::from_str(text).map_err(|_| {
        vec![FieldError::new(
            "segment_criteria",
            "is not valid JSON (it must be escaped JSON in a string)",
        )]
    })?;
    let mut parser = Parser {
        context,
        now,
        mode,
        errors: Vec::new(),
        conditions: 0,
        referenced: Referenced::default(),
    };
    let Some(root) = document.as_object() else {
        return Err(vec![FieldError::new(
            "segment_criteria",
            "must be a JSON object with version and criteria",
        )]);
    };
    match root.get("version").and_then(Value::as_str) {
        Some(v) if v.starts_with("1.") => {}
        _ => parser.errors.push(problem("version", "must be \"1.0.0\"")),
    }
    let Some(criteria) = root.get("criteria") else {
        return Err(vec![problem("criteria", "is required")]);
    };
    let node = parser.group(criteria, "criteria", 1);
    if let Some(Node::Group(kind, _)) = &node {
        if *kind != GroupKind::And {
            parser
                .errors
                .push(problem("criteria.type", "must be \"and\" at the top level"));
        }
    }
    match node {
        Some(node) if parser.errors.is_empty() => Ok((node, parser.referenced)),
        _ => Err(parser.errors),
    }
}

impl Parser<'_> {
    fn group(&mut self, value: &Value, path: &str, depth: usize) -> Option<Node> {
        if depth > MAX_DEPTH {
            self.errors.push(problem(
                path,
                format!("nests groups deeper than {MAX_DEPTH} levels"),
            ));
            return None;
        }
        let Some(object) = value.as_object() else {
            self.errors.push(problem(path, "must be an object"));
            return None;
        };
        let kind = match object.get("type").and_then(Value::as_str) {
            Some("and") => GroupKind::And,
            Some("or") => GroupKind::Or,
            _ => {
                self.errors.push(problem(
                    &format!("{path}.type"),
                    "must be \"and\" or \"or\"",
                ));
                return None;
            }
        };
        let Some(items) = object.get("group").and_then(Value::as_array) else {
            self.errors.push(problem(
                &format!("{path}.group"),
                "must be an array of conditions and groups",
            ));
            return None;
        };
        if items.is_empty() {
            self.errors
                .push(problem(&format!("{path}.group"), "must not be empty"));
            return None;
        }
        let mut nodes = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let item_path = format!("{path}.group[{index}]");
            let node = if item.get("group").is_some() {
                self.group(item, &item_path, depth + 1)
            } else {
                self.condition(item, &item_path)
            };
            nodes.extend(node);
        }
        Some(Node::Group(kind, nodes))
    }

    fn condition(&mut self, value: &Value, path: &str) -> Option<Node> {
        self.conditions += 1;
        if self.conditions == MAX_CONDITIONS + 1 {
            self.errors.push(problem(
                path,
                format!("is beyond the maximum of {MAX_CONDITIONS} conditions"),
            ));
        }
        let text = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_string);
        let source = text("source");
        let field = text("field").unwrap_or_default();
        let op = text("op").unwrap_or_default();
        let condition = match source.as_deref() {
            Some("contact") => self
                .contact_condition(value, &field, &op, path)
                .map(|(f, t)| Condition::Contact(f, t)),
            Some("list_membership") => self.membership(value, &op, path, true),
            Some("tags") => self.membership(value, &op, path, false),
            Some("tracking") => match parse_tracking(value, self.now) {
                Ok(tracking) => {
                    if let crate::engagement::CampaignScope::Campaigns(ids) = &tracking.scope {
                        self.referenced.campaigns.extend(ids.iter().copied());
                    }
                    Some(Condition::Tracking(tracking))
                }
                Err(_) if self.mode == Mode::Stored => Some(Condition::LegacyTracking {
                    holds_for_all: field.starts_with("not_"),
                }),
                Err(problems) => {
                    for (key, message) in problems {
                        self.errors.push(problem(&format!("{path}.{key}"), message));
                    }
                    None
                }
            },
            Some(other) => {
                self.errors.push(problem(
                    &format!("{path}.source"),
                    format!(
                        "\"{other}\" is not supported (contact, list_membership, tags, tracking)"
                    ),
                ));
                None
            }
            None => {
                self.errors
                    .push(problem(&format!("{path}.source"), "is required"));
                None
            }
        };
        condition.map(Node::Condition)
    }

    fn ids(&mut self, value: &Value, path: &str) -> Option<Vec<String>> {
        let raw: Vec<String> = match value.get("const_value") {
            Some(Value::String(text)) => text
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
            _ => Vec::new(),
        };
        if raw.is_empty() {
            self.errors.push(problem(
                &format!("{path}.const_value"),
                "must name at least one id",
            ));
            return None;
        }
        Some(raw)
    }

    fn membership(
        &mut self,
        value: &Value,
        op: &str,
        path: &str,
        lists: bool,
    ) -> Option<Condition> {
        let any = match op {
            "contains-any" | "in" => true,
            "contains-none" | "not-in" => false,
            other => {
                self.errors.push(problem(
                    &format!("{path}.op"),
                    format!("\"{other}\" is not supported here (contains-any, contains-none)"),
                ));
                return None;
            }
        };
        let raw = self.ids(value, path)?;
        let mut bad = false;
        let mut parse = |text: &String| -> Option<uuid::Uuid> {
            let parsed = text.parse::<ListId>().ok().map(|id| id.0);
            if parsed.is_none() {
                bad = true;
            }
            parsed
        };
        let ids: Vec<uuid::Uuid> = raw.iter().filter_map(&mut parse).collect();
        if bad {
            self.errors.push(problem(
                &format!("{path}.const_value"),
                "holds something that is not an id",
            ));
            return None;
        }
        if lists {
            let lists: Vec<ListId> = ids.into_iter().map(ListId).collect();
            self.referenced.lists.extend(lists.iter().copied());
            Some(Condition::Lists { lists, any })
        } else {
            let tags: Vec<TagId> = ids.into_iter().map(TagId).collect();
            self.referenced.tags.extend(tags.iter().copied());
            Some(Condition::Tags { tags, any })
        }
    }

    fn contact_condition(
        &mut self,
        value: &Value,
        field: &str,
        op: &str,
        path: &str,
    ) -> Option<(ContactField, ContactTest)> {
        let field = match field {
            "first_name" | "last_name" | "job_title" | "company_name" | "email" => {
                ContactField::Text(
                    [
                        "first_name",
                        "last_name",
                        "job_title",
                        "company_name",
                        "email",
                    ]
                    .into_iter()
                    .find(|f| *f == field)?,
                )
            }
            "birthday_month" => ContactField::Number("birthday_month"),
            "birthday_day" => ContactField::Number("birthday_day"),
            "created_at" => ContactField::Instant("created_at"),
            "updated_at" => ContactField::Instant("updated_at"),
            "anniversary" => ContactField::Date("anniversary"),
            "city" => ContactField::Address("city"),
            "state" => ContactField::Address("state"),
            "postal_code" => ContactField::Address("postal_code"),
            "country" => ContactField::Address("country"),
            "custom_field" => {
                let param = value
                    .get("param")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let Ok(id) = param.parse::<CustomFieldId>() else {
                    self.errors.push(problem(
                        &format!("{path}.param"),
                        "must be the custom_field_id of a custom field",
                    ));
                    return None;
                };
                let Some(definition) = self.context.custom_fields.iter().find(|f| f.id == id)
                else {
                    self.errors.push(problem(
                        &format!("{path}.param"),
                        format!("{id} is not a custom field of this account"),
                    ));
                    return None;
                };
                use crate::custom_field::CustomFieldType;
                let numeric = matches!(
                    definition.field_type,
                    CustomFieldType::Number | CustomFieldType::Currency
                );
                ContactField::CustomField { id, numeric }
            }
            other => {
                self.errors.push(problem(
                    &format!("{path}.field"),
                    format!("\"{other}\" is not a supported contact field"),
                ));
                return None;
            }
        };
        let raw = match value.get("const_value") {
            Some(Value::String(text)) => Some(text.clone()),
            Some(Value::Number(number)) => Some(number.to_string()),
            _ => None,
        };
        let operand_path = format!("{path}.const_value");
        let operand = |text: &str, this: &mut Self| -> Option<Operand> {
            let parsed = match &field {
                ContactField::Number(_) | ContactField::CustomField { numeric: true, .. } => text
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|n| n.is_finite())
                    .map(Operand::Number),
                ContactField::Instant(_) => {
                    Timestamp::parse_iso8601(text).ok().map(Operand::Instant)
                }
                ContactField::Date(_) => crate::time::parse_loose_date(text).map(Operand::Date),
                _ => Some(Operand::Text(text.to_string())),
            };
            if parsed.is_none() {
                this.errors.push(problem(
                    &operand_path,
                    format!("\"{text}\" is not a valid value for this field"),
                ));
            }
            parsed
        };
        let required = |this: &mut Self| -> Option<String> {
            let found = raw.clone().filter(|r| !r.trim().is_empty());
            if found.is_none() {
                this.errors.push(problem(
                    &format!("{path}.const_value"),
                    "is required for this operator",
                ));
            }
            found
        };
        let ordered = matches!(
            field,
            ContactField::Number(_)
                | ContactField::Instant(_)
                | ContactField::Date(_)
                | ContactField::CustomField { numeric: true, .. }
        );
        let test = match op {
            "eq" | "equals" => ContactTest::Equals(operand(&required(self)?, self)?),
            "ne" | "not-equals" => ContactTest::NotEquals(operand(&required(self)?, self)?),
            "contains" if !ordered => ContactTest::Contains(required(self)?),
            "starts-with" if !ordered => ContactTest::StartsWith(required(self)?),
            "is-empty" => ContactTest::IsEmpty,
            "is-not-empty" => ContactTest::IsNotEmpty,
            "before" | "lt" if ordered => ContactTest::Before(operand(&required(self)?, self)?),
            "after" | "gt" if ordered => ContactTest::After(operand(&required(self)?, self)?),
            "between" if ordered => {
                let text = required(self)?;
                let Some((low, high)) = text.split_once(',') else {
                    self.errors.push(problem(
                        &format!("{path}.const_value"),
                        "must be \"low,high\" for between",
                    ));
                    return None;
                };
                ContactTest::Between(operand(low.trim(), self)?, operand(high.trim(), self)?)
            }
            "in-last-days" if matches!(field, ContactField::Instant(_)) => {
                let text = required(self)?;
                let Ok(days) = text.trim().parse::<u32>() else {
                    self.errors.push(problem(
                        &format!("{path}.const_value"),
                        "must be a whole number of days",
                    ));
                    return None;
                };
                ContactTest::After(Operand::Instant(
                    self.now.plus_seconds(-i64::from(days) * 86_400),
                ))
            }
            other => {
                self.errors.push(problem(
                    &format!("{path}.op"),
                    format!("\"{other}\" is not supported for this field"),
                ));
                return None;
            }
        };
        Some((field, test))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Node, Vec<String>> {
        parse_criteria(
            text,
            &CriteriaContext { custom_fields: &[] },
            Timestamp::from_millis(0),
        )
        .map(|(node, _)| node)
        .map_err(|errors| errors.into_iter().map(|e| e.to_string()).collect())
    }

    #[test]
    fn the_spec_example_parses_as_tracking() {
        let node = parse(concat!(
            r#"{"version":"1.0.0","criteria":{"type":"and","group":[{"source":"tracking","#,
            r#""field":"not_opened","op":"contains-any","const_value":"last-n-campaigns","#,
            r#""param":"5"}]}}"#
        ))
        .unwrap();
        assert_eq!(
            node,
            Node::Group(
                GroupKind::And,
                vec![Node::Condition(Condition::Tracking(TrackingCondition {
                    field: crate::engagement::TrackingField::NotOpened,
                    scope: crate::engagement::CampaignScope::LastCampaigns(5),
                }))]
            )
        );
    }

    #[test]
    fn stored_criteria_keep_unsupported_tracking_conditions_as_they_were() {
        let text = concat!(
            r#"{"version":"1.0.0","criteria":{"type":"and","group":[{"source":"tracking","#,
            r#""field":"not_bounced","op":"x"},{"source":"tracking","field":"opened","op":"x"}]}}"#
        );
        let context = CriteriaContext { custom_fields: &[] };
        let errors = parse_criteria(text, &context, Timestamp::from_millis(0)).unwrap_err();
        assert_eq!(errors.len(), 5, "{errors:?}");
        let (node, _) = parse_stored_criteria(text, &context, Timestamp::from_millis(0)).unwrap();
        assert_eq!(
            node,
            Node::Group(
                GroupKind::And,
                vec![
                    Node::Condition(Condition::LegacyTracking {
                        holds_for_all: true
                    }),
                    Node::Condition(Condition::LegacyTracking {
                        holds_for_all: false
                    })
                ]
            )
        );
        assert_eq!(legacy_tracking_conditions(text), 2);
        assert_eq!(
            legacy_tracking_conditions(concat!(
                r#"{"version":"1.0.0","criteria":{"type":"and","group":[{"source":"tracking","#,
                r#""field":"opened","op":"contains-any","const_value":"last-n-campaigns","#,
                r#""param":"5"}]}}"#
            )),
            0
        );
    }

    #[test]
    fn nested_or_groups_and_contact_fields() {
        let list = ListId::generate();
        let text = format!(
            r#"{{"version":"1.0.0","criteria":{{"type":"and","group":[
                {{"type":"or","group":[
                    {{"source":"contact","field":"first_name","op":"starts-with",
                      "const_value":"An"}},
                    {{"source":"contact","field":"city","op":"eq","const_value":"Boston"}}]}},
                {{"source":"list_membership","op":"contains-any","const_value":"{list}"}},
                {{"source":"contact","field":"created_at","op":"in-last-days",
                  "const_value":"90"}}]}}}}"#
        );
        let (node, referenced) = parse_criteria(
            &text,
            &CriteriaContext { custom_fields: &[] },
            Timestamp::from_millis(90 * 86_400_000),
        )
        .unwrap();
        assert_eq!(referenced.lists, vec![list]);
        let Node::Group(GroupKind::And, nodes) = node else {
            panic!()
        };
        assert_eq!(
            nodes[2],
            Node::Condition(Condition::Contact(
                ContactField::Instant("created_at"),
                ContactTest::After(Operand::Instant(Timestamp::from_millis(0)))
            ))
        );
    }

    #[test]
    fn a_creation_lower_bound_is_found_through_and_and_every_or_branch() {
        let created = |op: &str, value: &str| {
            format!(
                r#"{{"source":"contact","field":"created_at","op":"{op}","const_value":"{value}"}}"#
            )
        };
        let named = r#"{"source":"contact","field":"first_name","op":"eq","const_value":"Ann"}"#;
        let bound = |criteria: String| {
            let text = format!(r#"{{"version":"1.0.0","criteria":{criteria}}}"#);
            let (node, _) = parse_criteria(
                &text,
                &CriteriaContext { custom_fields: &[] },
                Timestamp::from_millis(100 * 86_400_000),
            )
            .unwrap();
            node.created_at_least().map(Timestamp::millis)
        };
        let days = |n: i64| Some(n * 86_400_000);
        let last = |n: u32| created("in-last-days", &n.to_string());
        assert_eq!(
            bound(format!(
                r#"{{"type":"and","group":[{named},{}]}}"#,
                last(90)
            )),
            days(10)
        );
        assert_eq!(
            bound(format!(
                r#"{{"type":"and","group":[{},{}]}}"#,
                last(90),
                last(30)
            )),
            days(70),
            "the tighter of two bounds"
        );
        assert_eq!(
            bound(format!(
                r#"{{"type":"and","group":[{{"type":"or","group":[{},{}]}}]}}"#,
                last(90),
                last(30)
            )),
            days(10),
            "the looser of two branches"
        );
        assert_eq!(
            bound(format!(
                r#"{{"type":"and","group":[{{"type":"or","group":[{named},{}]}}]}}"#,
                last(30)
            )),
            None,
            "a branch without a bound"
        );
        assert_eq!(
            bound(format!(r#"{{"type":"and","group":[{named}]}}"#)),
            None
        );
        assert_eq!(
            bound(format!(
                r#"{{"type":"and","group":[{}]}}"#,
                created("lt", "1970-01-20T00:00:00Z")
            )),
            None,
            "an upper bound only"
        );
    }

    #[test]
    fn refuses_what_it_does_not_support_naming_the_part() {
        assert_eq!(
            parse("not json").unwrap_err(),
            ["segment_criteria is not valid JSON (it must be escaped JSON in a string)."]
        );
        let errors = parse(concat!(
            r#"{"version":"1.0.0","criteria":{"type":"and","group":["#,
            r#"{"source":"contact","field":"shoe_size","op":"eq","const_value":"9"},"#,
            r#"{"source":"magic"}]}}"#
        ))
        .unwrap_err();
        assert_eq!(
            errors,
            [
                "segment_criteria criteria.group[0].field \"shoe_size\" is not a supported \
                 contact field.",
                "segment_criteria criteria.group[1].source \"magic\" is not supported \
                 (contact, list_membership, tags, tracking)."
            ]
        );
        let or_top = parse(concat!(
            r#"{"version":"1.0.0","criteria":{"type":"or","group":["#,
            r#"{"source":"contact","field":"first_name","op":"eq","const_value":"A"}]}}"#
        ))
        .unwrap_err();
        assert_eq!(
            or_top,
            ["segment_criteria criteria.type must be \"and\" at the top level."]
        );
        let mut deep = String::from(
            r#"{"source":"contact","field":"first_name","op":"eq","const_value":"A"}"#,
        );
        for _ in 0..6 {
            deep = format!(r#"{{"type":"and","group":[{deep}]}}"#);
        }
        let errors = parse(&format!(r#"{{"version":"1.0.0","criteria":{deep}}}"#)).unwrap_err();
        assert!(
            errors[0].contains("nests groups deeper than 5 levels"),
            "{errors:?}"
        );
        assert!(parse(&"x".repeat(20_001)).unwrap_err()[0].contains("maximum length"));
    }

    #[test]
    fn operands_must_fit_the_field() {
        let errors = parse(concat!(
            r#"{"version":"1.0.0","criteria":{"type":"and","group":["#,
            r#"{"source":"contact","field":"birthday_month","op":"gt","const_value":"May"},"#,
            r#"{"source":"contact","field":"first_name","op":"before","const_value":"A"}]}}"#
        ))
        .unwrap_err();
        assert_eq!(errors.len(), 2);
        assert!(errors[0].contains("\"May\" is not a valid value"));
        assert!(errors[1].contains("\"before\" is not supported for this field"));
    }
}
