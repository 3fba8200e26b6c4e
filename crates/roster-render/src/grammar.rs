//! The tag grammar of docs/CAMPAIGNS.md ("Personalisation: the tag grammar"): splitting a
//! subject, HTML or text part into literal text and tags, and the errors that refuse it. This
//! is the only code that reads `[[`; everything after it works on the parsed segments.

use std::fmt;

use roster_domain::FieldError;

use crate::tags::Tag;

/// The most errors one part reports, so a pasted document cannot produce a megabyte of them.
pub const MAX_REPORTED_ERRORS: usize = 20;
/// How much of a tag as written an error quotes.
const MAX_QUOTED_CHARS: usize = 80;

/// Which part of the message a template is: it decides the rules (the subject's fallbacks,
/// where `[[trackingImage]]` may stand) and how values are rendered (escaped in HTML).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Subject,
    /// The preview text inboxes show after the subject: plain text like the text part, one
    /// line like the subject; placed, escaped, at the top of the HTML body.
    Preheader,
    Html,
    Text,
}

/// One tag as it appears in a template.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TagUse {
    pub tag: Tag,
    /// The text after `OR`, its doubled quotes undone.
    pub fallback: Option<String>,
}

/// A template is a sequence of literal text and tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Text(String),
    Tag(TagUse),
}

/// Why a template was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateErrorKind {
    /// A `[[` whose `]]` (or fallback's closing quote) never comes.
    Unclosed,
    /// A `[[` not followed by a well-formed tag; the text says what was expected.
    Malformed(&'static str),
    UnknownTag,
    /// A contact or custom-field tag without fallback text in the subject.
    FallbackRequired,
    /// `[[trackingImage]]` in the subject or the text part.
    TrackingImageNotAllowed,
    /// `[[trackingImage OR "…"]]`: an image has no text to fall back to.
    FallbackNotAllowed,
}

/// One refused tag: what is wrong, the tag as written (shortened when long), and where it
/// starts (characters from the start of the part, counting from 0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    pub kind: TemplateErrorKind,
    pub written: String,
    pub at_char: usize,
}

impl TemplateError {
    /// The error as a problem with the request property `field`.
    pub fn to_field_error(&self, field: &str) -> FieldError {
        FieldError::new(field, self.to_string())
    }
}

/// Completes a sentence that starts with the field's name, as `FieldError` messages do.
impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (tag, at) = (&self.written, self.at_char);
        match self.kind {
            TemplateErrorKind::Unclosed => {
                write!(f, "has a tag that is never closed at character {at}: {tag}")
            }
            TemplateErrorKind::Malformed(expected) => {
                write!(
                    f,
                    "has a malformed tag at character {at}: {tag} ({expected})"
                )
            }
            TemplateErrorKind::UnknownTag => write!(
                f,
                "names an unknown personalisation tag at character {at}: {tag}"
            ),
            TemplateErrorKind::FallbackRequired => write!(
                f,
                "needs fallback text for {tag} at character {at}, written [[Name OR \"text\"]]"
            ),
            TemplateErrorKind::TrackingImageNotAllowed => {
                write!(f, "must not contain {tag} (at character {at})")
            }
            TemplateErrorKind::FallbackNotAllowed => write!(
                f,
                "gives fallback text to {tag} at character {at}, which takes none"
            ),
        }
    }
}

/// Splits `source` into segments under the rules of `part`, or returns every problem (at most
/// [`MAX_REPORTED_ERRORS`], each reported once).
pub fn parse(part: Part, source: &str) -> Result<Vec<Segment>, Vec<TemplateError>> {
    let mut segments = Vec::new();
    let mut errors: Vec<TemplateError> = Vec::new();
    let mut text_start = 0;
    let mut search_from = 0;
    while let Some(found) = source[search_from..].find("[[") {
        let mut open = search_from + found;
        // In a run of brackets the tag opens at the last two; the ones before are text.
        while source.as_bytes().get(open + 2) == Some(&b'[') {
            open += 1;
        }
        if open > text_start {
            segments.push(Segment::Text(source[text_start..open].to_string()));
        }
        let (end, outcome) = match read_tag(source, open) {
            Ok(raw) => (raw.end, check_tag(part, raw)),
            Err(kind) => (resync_point(source, open), Err(kind)),
        };
        match outcome {
            Ok(tag) => segments.push(Segment::Tag(tag)),
            Err(kind) => {
                let written = quote(&source[open..end]);
                // The position is counted only for errors kept: counting it for each of
                // 30,000 repeats of one bad tag would take quadratic time.
                if !errors
                    .iter()
                    .any(|e| e.kind == kind && e.written == written)
                {
                    errors.push(TemplateError {
                        kind,
                        written,
                        at_char: source[..open].chars().count(),
                    });
                }
                if errors.len() == MAX_REPORTED_ERRORS {
                    return Err(errors);
                }
            }
        }
        text_start = end;
        search_from = end;
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if text_start < source.len() {
        segments.push(Segment::Text(source[text_start..].to_string()));
    }
    Ok(segments)
}

/// A tag read from its `[[` to its `]]`, before its name is looked up.
struct RawTag<'a> {
    name: &'a str,
    fallback: Option<String>,
    /// The byte just after the closing `]]`.
    end: usize,
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

fn is_name_char(c: char) -> bool {
    !is_space(c) && !matches!(c, '[' | ']' | '"')
}

/// Reads the tag whose `[[` is at byte `open`.
fn read_tag(source: &str, open: usize) -> Result<RawTag<'_>, TemplateErrorKind> {
    let mut cursor = Cursor {
        source,
        at: open + 2,
    };
    cursor.skip_spaces();
    let name = cursor.take_while(is_name_char);
    if name.is_empty() {
        return Err(if cursor.at_end() {
            TemplateErrorKind::Unclosed
        } else {
            TemplateErrorKind::Malformed("a tag starts with its name")
        });
    }
    let spaced = cursor.skip_spaces();
    let fallback = if cursor.eat("]]") {
        None
    } else if cursor.at_end() {
        return Err(TemplateErrorKind::Unclosed);
    } else if spaced && cursor.eat_or_keyword() {
        cursor.skip_spaces();
        let fallback = cursor.quoted()?;
        cursor.skip_spaces();
        if !cursor.eat("]]") {
            return Err(if cursor.at_end() {
                TemplateErrorKind::Unclosed
            } else {
                TemplateErrorKind::Malformed("]] must follow the fallback text")
            });
        }
        Some(fallback)
    } else {
        return Err(TemplateErrorKind::Malformed(
            "after the name comes ]] or OR \"fallback text\"",
        ));
    };
    Ok(RawTag {
        name,
        fallback,
        end: cursor.at,
    })
}

/// Looks the name up and applies the rules of `part`.
fn check_tag(part: Part, raw: RawTag<'_>) -> Result<TagUse, TemplateErrorKind> {
    let tag = Tag::from_name(raw.name).ok_or(TemplateErrorKind::UnknownTag)?;
    if tag == Tag::TrackingImage {
        if part != Part::Html {
            return Err(TemplateErrorKind::TrackingImageNotAllowed);
        }
        if raw.fallback.is_some() {
            return Err(TemplateErrorKind::FallbackNotAllowed);
        }
    }
    if part == Part::Subject && tag.is_per_contact() && raw.fallback.is_none() {
        return Err(TemplateErrorKind::FallbackRequired);
    }
    Ok(TagUse {
        tag,
        fallback: raw.fallback,
    })
}

/// Where parsing resumes after a malformed tag: after the next `]]`, else at the end.
fn resync_point(source: &str, open: usize) -> usize {
    source[open + 2..]
        .find("]]")
        .map_or(source.len(), |i| open + 2 + i + 2)
}

/// A tag as an error quotes it, shortened to a readable length.
fn quote(written: &str) -> String {
    let mut chars = written.chars();
    let mut quoted: String = chars.by_ref().take(MAX_QUOTED_CHARS).collect();
    if chars.next().is_some() {
        quoted.push('…');
    }
    quoted
}

/// A read position in the source; every step moves by whole characters, so slicing at `at`
/// never splits one.
struct Cursor<'a> {
    source: &'a str,
    at: usize,
}

impl<'a> Cursor<'a> {
    fn rest(&self) -> &'a str {
        &self.source[self.at..]
    }

    fn at_end(&self) -> bool {
        self.at >= self.source.len()
    }

    /// Skips whitespace; whether there was any.
    fn skip_spaces(&mut self) -> bool {
        !self.take_while(is_space).is_empty()
    }

    fn take_while(&mut self, keep: fn(char) -> bool) -> &'a str {
        let rest = self.rest();
        let len = rest.find(|c: char| !keep(c)).unwrap_or(rest.len());
        self.at += len;
        &rest[..len]
    }

    fn eat(&mut self, literal: &str) -> bool {
        let found = self.rest().starts_with(literal);
        if found {
            self.at += literal.len();
        }
        found
    }

    /// `OR` in any case, followed by whitespace, the fallback's quote or the end of the input
    /// (so `ORDER` is not it).
    fn eat_or_keyword(&mut self) -> bool {
        let rest = self.rest().as_bytes();
        let is_or = rest.len() >= 2
            && rest[..2].eq_ignore_ascii_case(b"OR")
            && rest
                .get(2)
                .is_none_or(|next| matches!(next, b' ' | b'\t' | b'\n' | b'\r' | b'"'));
        if is_or {
            self.at += 2;
        }
        is_or
    }

    /// A `"…"` string in which `""` stands for one `"`.
    fn quoted(&mut self) -> Result<String, TemplateErrorKind> {
        if !self.eat("\"") {
            return Err(if self.at_end() {
                TemplateErrorKind::Unclosed
            } else {
                TemplateErrorKind::Malformed("the fallback text is written in double quotes")
            });
        }
        let mut text = String::new();
        loop {
            let rest = self.rest();
            let Some(quote) = rest.find('"') else {
                self.at = self.source.len();
                return Err(TemplateErrorKind::Unclosed);
            };
            text.push_str(&rest[..quote]);
            self.at += quote + 1;
            if !self.eat("\"") {
                return Ok(text);
            }
            text.push('"');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tags::{AccountTag, ContactTag};

    fn tag(tag: Tag, fallback: Option<&str>) -> Segment {
        Segment::Tag(TagUse {
            tag,
            fallback: fallback.map(str::to_string),
        })
    }

    fn text(text: &str) -> Segment {
        Segment::Text(text.to_string())
    }

    fn first_name() -> Tag {
        Tag::Contact(ContactTag::FirstName)
    }

    fn kinds(part: Part, source: &str) -> Vec<TemplateErrorKind> {
        match parse(part, source) {
            Ok(segments) => panic!("{source:?} parsed as {segments:?}"),
            Err(errors) => errors.into_iter().map(|e| e.kind).collect(),
        }
    }

    #[test]
    fn text_without_tags_is_one_segment_and_empty_input_is_none() {
        assert_eq!(parse(Part::Html, "<p>Hi</p>"), Ok(vec![text("<p>Hi</p>")]));
        assert_eq!(parse(Part::Html, ""), Ok(vec![]));
        assert_eq!(
            parse(Part::Html, "a ]] b [x]"),
            Ok(vec![text("a ]] b [x]")])
        );
    }

    #[test]
    fn tags_with_spaces_case_and_fallbacks() {
        assert_eq!(
            parse(Part::Html, "Hi [[ firstname  or \"there\" ]]!"),
            Ok(vec![
                text("Hi "),
                tag(first_name(), Some("there")),
                text("!")
            ])
        );
        assert_eq!(
            parse(Part::Html, "[[FirstName OR\"x\"]][[account.City]]"),
            Ok(vec![
                tag(first_name(), Some("x")),
                tag(Tag::Account(AccountTag::City), None)
            ])
        );
        assert_eq!(
            parse(Part::Text, "[[\nFirstName\r\nOR\t\"a\nb\"\n]]"),
            Ok(vec![tag(first_name(), Some("a\nb"))])
        );
    }

    #[test]
    fn doubled_quotes_in_a_fallback_are_one_quote_and_brackets_are_literal() {
        assert_eq!(
            parse(Part::Html, r#"[[FirstName OR "the ""team"" ]] [["]]"#),
            Ok(vec![tag(first_name(), Some(r#"the "team" ]] [["#))])
        );
        assert_eq!(
            parse(Part::Html, r#"[[FirstName OR ""]]"#),
            Ok(vec![tag(first_name(), Some(""))])
        );
    }

    #[test]
    fn a_run_of_brackets_opens_at_its_last_two() {
        assert_eq!(
            parse(Part::Html, "[[[FirstName]]]"),
            Ok(vec![text("["), tag(first_name(), None), text("]")])
        );
        assert_eq!(
            parse(Part::Html, "a[[[[FirstName]]"),
            Ok(vec![text("a[["), tag(first_name(), None)])
        );
    }

    #[test]
    fn custom_field_tags_keep_the_name_as_written() {
        assert_eq!(
            parse(Part::Html, "[[CUSTOM.Shoe_Size]] [[custom.été]]"),
            Ok(vec![
                tag(Tag::Custom("Shoe_Size".into()), None),
                text(" "),
                tag(Tag::Custom("été".into()), None)
            ])
        );
    }

    #[test]
    fn malformed_tags_are_refused_with_what_was_expected() {
        for source in [
            "[[]]",
            "[[ ]]",
            "[[ \"x\"]]",
            "[[First Name]]",
            "[[FirstName OR there]]",
            "[[FirstName OR \"x\" y]]",
            "[[FirstName ORx \"y\"]]",
            "[[FirstName\"x\"]]",
            "[[FirstName] ]",
        ] {
            let kinds = kinds(Part::Html, source);
            assert!(
                matches!(kinds.as_slice(), [TemplateErrorKind::Malformed(_)]),
                "{source:?}: {kinds:?}"
            );
        }
    }

    #[test]
    fn a_tag_that_never_closes_is_refused() {
        for source in [
            "[[",
            "x [[FirstName",
            "[[FirstName ",
            "[[FirstName OR",
            "[[FirstName OR ",
            "[[FirstName OR \"there",
            "[[FirstName OR \"there\"",
            "[[FirstName OR \"a\"\"\" ",
        ] {
            assert_eq!(
                kinds(Part::Html, source),
                vec![TemplateErrorKind::Unclosed],
                "{source:?}"
            );
        }
    }

    #[test]
    fn every_problem_is_reported_once_with_the_tag_as_written_and_where() {
        let errors = match parse(
            Part::Html,
            "é [[Fristname]] [[Fristname]] [[Nope OR \"x\"]]",
        ) {
            Err(errors) => errors,
            Ok(segments) => panic!("parsed: {segments:?}"),
        };
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].written, "[[Fristname]]");
        assert_eq!(errors[0].at_char, 2);
        assert_eq!(errors[1].written, "[[Nope OR \"x\"]]");
        assert_eq!(
            errors[0].to_field_error("html_content").to_string(),
            "html_content names an unknown personalisation tag at character 2: [[Fristname]]."
        );
    }

    #[test]
    fn errors_are_capped_and_long_tags_shortened() {
        let source: String = (0..100).map(|i| format!("[[Unknown{i}]]")).collect();
        assert_eq!(
            parse(Part::Html, &source).map_err(|e| e.len()),
            Err(MAX_REPORTED_ERRORS)
        );
        let long = format!("[[{}", "x".repeat(500));
        let errors = parse(Part::Html, &long).err().unwrap_or_default();
        assert_eq!(errors[0].written.chars().count(), MAX_QUOTED_CHARS + 1);
    }

    #[test]
    fn the_subject_needs_fallbacks_on_contact_and_custom_tags_only() {
        assert_eq!(
            kinds(Part::Subject, "Hi [[FirstName]] [[CUSTOM.x]]"),
            vec![
                TemplateErrorKind::FallbackRequired,
                TemplateErrorKind::FallbackRequired
            ]
        );
        assert!(parse(
            Part::Subject,
            "Hi [[FirstName OR \"\"]] from [[account.OrganizationName]]"
        )
        .is_ok());
    }

    #[test]
    fn the_tracking_image_stands_in_html_only_and_takes_no_fallback() {
        assert!(parse(Part::Html, "<body>[[trackingImage]]</body>").is_ok());
        for part in [Part::Subject, Part::Text] {
            assert_eq!(
                kinds(part, "[[TrackingImage]]"),
                vec![TemplateErrorKind::TrackingImageNotAllowed]
            );
        }
        assert_eq!(
            kinds(Part::Html, "[[trackingImage OR \"x\"]]"),
            vec![TemplateErrorKind::FallbackNotAllowed]
        );
    }

    #[test]
    fn the_largest_content_parses_in_linear_time() {
        let limit = 150_000;
        let started = std::time::Instant::now();
        for unit in [
            "[[a]]",
            "[[FirstName]]",
            "[[CUSTOM.x",
            "[",
            "[[a ",
            "\"]] [[b OR \"",
        ] {
            let source = unit.repeat(limit / unit.len());
            let _ = parse(Part::Html, &source);
        }
        // Quadratic work on these inputs takes minutes; linear work well under a second.
        assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
    }

    #[test]
    fn parsing_resumes_after_a_malformed_tag() {
        let errors = parse(Part::Html, "[[a b]] ok [[FirstName]] [[c d]]").err();
        assert_eq!(errors.map(|e| e.len()), Some(2));
    }
}
