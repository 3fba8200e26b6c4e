//! A parsed subject, HTML or text part, what the caller can ask of it (the custom fields it
//! names, whether it has the tracking image), and rendering it for one recipient.

use std::collections::HashSet;

use crate::escape::{escape_html, fold_line_breaks};
use crate::grammar::{self, Part, Segment, TemplateError};
use crate::recipient::Recipient;
use crate::tags::Tag;

/// One part of a message, parsed: literal text and tags, under the rules of its part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    part: Part,
    segments: Vec<Segment>,
}

impl Template {
    /// Parses `source` under the rules of `part`, or returns every problem (at most
    /// `grammar::MAX_REPORTED_ERRORS`).
    pub fn parse(part: Part, source: &str) -> Result<Template, Vec<TemplateError>> {
        grammar::parse(part, source).map(|segments| Template { part, segments })
    }

    /// A subject line: contact and custom-field tags need fallback text; no tracking image.
    pub fn parse_subject(source: &str) -> Result<Template, Vec<TemplateError>> {
        Self::parse(Part::Subject, source)
    }

    pub fn parse_html(source: &str) -> Result<Template, Vec<TemplateError>> {
        Self::parse(Part::Html, source)
    }

    /// A preheader: no tracking image; fallbacks optional (only the subject line needs them).
    pub fn parse_preheader(source: &str) -> Result<Template, Vec<TemplateError>> {
        Self::parse(Part::Preheader, source)
    }

    /// A text part: no tracking image.
    pub fn parse_text(source: &str) -> Result<Template, Vec<TemplateError>> {
        Self::parse(Part::Text, source)
    }

    pub fn part(&self) -> Part {
        self.part
    }

    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The custom field names the template's `[[CUSTOM.name]]` tags use, as first written,
    /// each once (compared case-insensitively).
    pub fn custom_field_names(&self) -> Vec<&str> {
        // A set of the names seen, so 10,000 distinct tags cost 10,000 look-ups, not 10,000².
        let mut seen = HashSet::new();
        let mut names: Vec<&str> = Vec::new();
        for segment in &self.segments {
            if let Segment::Tag(use_) = segment {
                if let Tag::Custom(name) = &use_.tag {
                    if seen.insert(name.to_lowercase()) {
                        names.push(name);
                    }
                }
            }
        }
        names
    }

    /// The custom field names used here that are not among `account_field_names` (compared
    /// case-insensitively), for the caller's 400 at create and update.
    pub fn unknown_custom_fields<'a>(&'a self, account_field_names: &[&str]) -> Vec<&'a str> {
        let known: HashSet<String> = account_field_names
            .iter()
            .map(|n| n.to_lowercase())
            .collect();
        self.custom_field_names()
            .into_iter()
            .filter(|name| !known.contains(&name.to_lowercase()))
            .collect()
    }

    /// Whether `[[trackingImage]]` occurs. Its absence is accepted (opens then fall back to
    /// clicks); the caller may tell the author.
    pub fn has_tracking_image(&self) -> bool {
        self.segments
            .iter()
            .any(|s| matches!(s, Segment::Tag(use_) if use_.tag == Tag::TrackingImage))
    }

    /// Renders the template for one recipient. In HTML every value and fallback is escaped and
    /// `[[trackingImage]]` becomes `tracking_image` as given (previews pass ""); a subject and a
    /// preheader have their line breaks folded to spaces; a text part is rendered as it is. A
    /// preheader is plain text here: the message escapes it where it places it in the HTML.
    pub fn render(&self, recipient: &Recipient, tracking_image: &str) -> String {
        let mut out = String::new();
        for segment in &self.segments {
            match segment {
                Segment::Text(text) => out.push_str(text),
                Segment::Tag(use_) if use_.tag == Tag::TrackingImage => {
                    out.push_str(tracking_image)
                }
                Segment::Tag(use_) => {
                    let value = recipient
                        .value(&use_.tag)
                        .or(use_.fallback.as_deref())
                        .unwrap_or_default();
                    match self.part {
                        Part::Html => escape_html(value, &mut out),
                        Part::Subject | Part::Preheader | Part::Text => out.push_str(value),
                    }
                }
            }
        }
        match self.part {
            Part::Subject | Part::Preheader => fold_line_breaks(&out),
            Part::Html | Part::Text => out,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tags::ContactTag;

    fn ann() -> Recipient {
        let mut recipient = Recipient::default();
        recipient.set_contact(ContactTag::FirstName, Some("Ann <b>\r\nSmith"));
        recipient.set_custom("Shoe_Size", "42");
        recipient
    }

    fn render(template: Result<Template, Vec<TemplateError>>, recipient: &Recipient) -> String {
        match template {
            Ok(template) => template.render(recipient, "<img src=\"t\">"),
            Err(errors) => panic!("refused: {errors:?}"),
        }
    }

    #[test]
    fn html_escapes_values_and_fallbacks_but_not_the_authors_html() {
        let html = Template::parse_html(
            "<p>[[FirstName]] [[LastName OR \"<&>\"]] [[custom.SHOE_SIZE]]</p>[[trackingImage]]",
        );
        assert_eq!(
            render(html, &ann()),
            "<p>Ann &lt;b&gt;\r\nSmith &lt;&amp;&gt; 42</p><img src=\"t\">"
        );
    }

    #[test]
    fn text_is_not_escaped_and_the_subject_is_one_line() {
        let text = Template::parse_text("Hi [[FirstName]] & [[LastName OR \"<you>\"]]");
        assert_eq!(render(text, &ann()), "Hi Ann <b>\r\nSmith & <you>");
        let subject = Template::parse_subject("Hi\n[[FirstName OR \"there\"]]");
        assert_eq!(render(subject, &ann()), "Hi Ann <b> Smith");
        let subject = Template::parse_subject("Hi [[FirstName OR \"a\r\nb\"]]");
        assert_eq!(render(subject, &Recipient::default()), "Hi a b");
    }

    #[test]
    fn a_tag_without_value_or_fallback_renders_nothing() {
        let html = Template::parse_html("[[MiddleName]][[CUSTOM.gone]]|[[Prefix OR \"Dr\"]]");
        assert_eq!(render(html, &ann()), "|Dr");
    }

    #[test]
    fn custom_field_names_are_listed_once_and_checked_against_the_account() {
        let template = Template::parse_html("[[CUSTOM.Size]] [[custom.size]] [[CUSTOM.Colour]]");
        let Ok(template) = template else {
            panic!("refused")
        };
        assert_eq!(template.custom_field_names(), vec!["Size", "Colour"]);
        assert_eq!(template.unknown_custom_fields(&["SIZE"]), vec!["Colour"]);
        assert!(!template.has_tracking_image());
    }
}
