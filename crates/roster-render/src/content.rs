//! The content rules the HTTP layer applies at create and update (docs/CAMPAIGNS.md, "Content
//! validation"): the size limits, the forbidden character pairs and the personalisation
//! grammar, every problem reported at once as a `FieldError`; and the parsed content that
//! rendering takes.

use roster_domain::FieldError;

use crate::grammar::MAX_REPORTED_ERRORS;
use crate::html_scan::{hrefs, nesting_exceeds};
use crate::template::Template;

/// `html_content`'s maxLength in the official document, in characters.
pub const MAX_HTML_CONTENT_CHARS: usize = 150_000;
/// Constant Contact's custom-code guide: a custom code email cannot exceed 400 KB. Checked on
/// the HTML as written (in UTF-8 bytes) here, and on each rendered message by the sender
/// (`Message::size_bytes`).
pub const MAX_MESSAGE_BYTES: usize = 400 * 1024;
/// How deeply the elements of `html_content` may nest (Roster's limit; docs/CAMPAIGNS.md,
/// "Text part"): html2text's time grows with the square of the depth, and every preview, test
/// send and send renders the text part. Constant Contact's own templates nest about 20 levels;
/// browsers' parsers stop nesting at 512 (Blink) and flatten the rest.
pub const MAX_HTML_NESTING_DEPTH: usize = 256;
/// The longest link Constant Contact sends: a longer one fails the send with send-history
/// reason code 8, so Roster refuses to schedule it (issue 16).
pub const MAX_LINK_CHARS: usize = 1_005;
/// The guide: a custom code email cannot contain these character pairs.
pub const FORBIDDEN_PAIRS: [&str; 3] = ["[#", "${", "<@"];

/// An activity's subject, preheader, HTML and text, each parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignContent {
    pub subject: Template,
    /// `None` when the activity has no preheader (absent or blank).
    pub preheader: Option<Template>,
    pub html: Template,
    /// `None` when the activity has no text of its own: the text part is then generated from
    /// the HTML.
    pub text: Option<Template>,
}

impl CampaignContent {
    /// Applies every content rule, naming each problem under `prefix` (e.g.
    /// `email_campaign_activities[0].`) as `subject`, `preheader`, `html_content` or
    /// `text_content`.
    pub fn check(
        prefix: &str,
        subject: &str,
        preheader: Option<&str>,
        html_content: &str,
        text_content: Option<&str>,
    ) -> Result<CampaignContent, Vec<FieldError>> {
        let subject_field = format!("{prefix}subject");
        let preheader_field = format!("{prefix}preheader");
        let html_field = format!("{prefix}html_content");
        let text_field = format!("{prefix}text_content");
        let preheader = preheader.filter(|p| !p.trim().is_empty());
        let mut problems = check_html_content(&html_field, html_content);
        problems.extend(check_forbidden_pairs(&subject_field, subject));
        if let Some(preheader) = preheader {
            problems.extend(check_forbidden_pairs(&preheader_field, preheader));
        }
        if let Some(text) = text_content {
            problems.extend(check_forbidden_pairs(&text_field, text));
        }
        let mut parsed = |field: &str, result: Result<Template, _>| {
            result
                .map_err(|errors: Vec<crate::grammar::TemplateError>| {
                    problems.extend(errors.iter().map(|e| e.to_field_error(field)));
                })
                .ok()
        };
        let subject = parsed(&subject_field, Template::parse_subject(subject));
        let preheader = preheader.map(|p| parsed(&preheader_field, Template::parse_preheader(p)));
        let html = parsed(&html_field, Template::parse_html(html_content));
        let text = text_content.map(|text| parsed(&text_field, Template::parse_text(text)));
        match (subject, preheader, html, text) {
            (Some(subject), preheader, Some(html), text) if problems.is_empty() => {
                Ok(CampaignContent {
                    subject,
                    preheader: preheader.flatten(),
                    html,
                    text: text.flatten(),
                })
            }
            _ => Err(problems),
        }
    }
}

/// The rules on `html_content` as written: its length in characters, its size in bytes, the
/// forbidden pairs and how deeply its elements nest. The personalisation grammar is
/// `Template::parse_html`'s.
pub fn check_html_content(field: &str, html: &str) -> Vec<FieldError> {
    let mut problems = Vec::new();
    if html.chars().count() > MAX_HTML_CONTENT_CHARS {
        problems.push(FieldError::new(
            field,
            format!("exceeds the maximum length of {MAX_HTML_CONTENT_CHARS} characters"),
        ));
    }
    if html.len() > MAX_MESSAGE_BYTES {
        problems.push(FieldError::new(
            field,
            format!(
                "exceeds the maximum size of an email, 400 KB ({MAX_MESSAGE_BYTES} bytes of UTF-8)"
            ),
        ));
    }
    problems.extend(check_forbidden_pairs(field, html));
    if let Some(at) = nesting_exceeds(html, MAX_HTML_NESTING_DEPTH) {
        problems.push(FieldError::new(
            field,
            format!(
                "nests elements deeper than {MAX_HTML_NESTING_DEPTH} levels (the element at \
                 character {} is level {})",
                html[..at].chars().count(),
                MAX_HTML_NESTING_DEPTH + 1
            ),
        ));
    }
    problems
}

/// A link longer than [`MAX_LINK_CHARS`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverlongLink {
    /// Where its tag starts, in characters from the start of the HTML (counting from 0).
    pub at_char: usize,
    /// Its length in characters.
    pub chars: usize,
    pub url: String,
}

/// Every `href` of `html_content` longer than [`MAX_LINK_CHARS`] characters, in order. A URL is
/// measured as a browser reads it: character references decoded (`&amp;` is one character),
/// surrounding whitespace removed, personalisation tags as written (a tag's value is not known
/// before the send).
pub fn overlong_links(html_content: &str) -> Vec<OverlongLink> {
    hrefs(html_content)
        .into_iter()
        .filter_map(|href| {
            let chars = href.url.chars().count();
            (chars > MAX_LINK_CHARS).then(|| OverlongLink {
                at_char: html_content[..href.at].chars().count(),
                chars,
                url: href.url,
            })
        })
        .collect()
}

/// [`overlong_links`] as problems with the request property `field` (at most
/// `MAX_REPORTED_ERRORS`), each naming the link by where it is and how it starts.
pub fn check_link_lengths(field: &str, html_content: &str) -> Vec<FieldError> {
    overlong_links(html_content)
        .into_iter()
        .take(MAX_REPORTED_ERRORS)
        .map(|link| {
            let start: String = link.url.chars().take(60).collect();
            FieldError::new(
                field,
                format!(
                    "has a link of {} characters at character {}, longer than the {MAX_LINK_CHARS} \
                     a link may have: {start}…",
                    link.chars, link.at_char
                ),
            )
        })
        .collect()
}

/// One problem for each of [`FORBIDDEN_PAIRS`] that `text` contains, naming the pair and where
/// it first occurs.
pub fn check_forbidden_pairs(field: &str, text: &str) -> Vec<FieldError> {
    FORBIDDEN_PAIRS
        .iter()
        .filter_map(|pair| {
            let at = text.find(pair)?;
            Some(FieldError::new(
                field,
                format!(
                    "must not contain the character pair \"{pair}\" (found at character {})",
                    text[..at].chars().count()
                ),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(problems: Vec<FieldError>) -> Vec<String> {
        problems.into_iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn each_forbidden_pair_is_named_with_where_it_is() {
        assert_eq!(
            messages(check_html_content("html_content", "é<@x ${a} [# ${b}")),
            vec![
                "html_content must not contain the character pair \"[#\" (found at character 10).",
                "html_content must not contain the character pair \"${\" (found at character 5).",
                "html_content must not contain the character pair \"<@\" (found at character 1).",
            ]
        );
        assert!(check_html_content("html_content", "[ # $ { < @ [[x]]").is_empty());
    }

    #[test]
    fn length_is_counted_in_characters_and_size_in_bytes() {
        let at_limit = "a".repeat(MAX_HTML_CONTENT_CHARS);
        assert!(check_html_content("h", &at_limit).is_empty());
        let over = "a".repeat(MAX_HTML_CONTENT_CHARS + 1);
        assert_eq!(
            messages(check_html_content("h", &over)),
            vec!["h exceeds the maximum length of 150000 characters."]
        );
        // 150,000 three-byte characters: within the length, over 400 KB.
        let wide = "€".repeat(MAX_HTML_CONTENT_CHARS);
        assert_eq!(check_html_content("h", &wide).len(), 1);
    }

    #[test]
    fn nesting_is_allowed_up_to_the_limit_and_refused_past_it() {
        let depth = MAX_HTML_NESTING_DEPTH;
        for (open, close) in [
            ("<div>", "</div>"),
            ("<b>", "</b>"),
            ("<ul><li>", "</li></ul>"),
            ("<table><tr><td>", "</td></tr></table>"),
        ] {
            let at_limit = format!("{}x{}", open.repeat(depth), close.repeat(depth));
            assert!(check_html_content("h", &at_limit).is_empty(), "{open}");
            // Many documents at the limit side by side are still at the limit.
            assert!(
                check_html_content("h", &at_limit.repeat(3)).is_empty(),
                "{open}"
            );
            let over = format!("é{}", open.repeat(depth + 1));
            let at = 1 + open.chars().count() * depth;
            assert_eq!(
                messages(check_html_content("h", &over)),
                vec![format!(
                    "h nests elements deeper than 256 levels (the element at character {at} is \
                     level 257)."
                )],
                "{open}"
            );
        }
    }

    #[test]
    fn links_longer_than_1005_characters_are_found_and_named() {
        let url = |chars: usize| format!("https://x.example/{}", "a".repeat(chars - 18));
        let (at_limit, over) = (url(MAX_LINK_CHARS), url(MAX_LINK_CHARS + 1));
        assert_eq!(at_limit.chars().count(), MAX_LINK_CHARS);
        let html = format!("<a href=\"{at_limit}\">ok</a>é<a href=\"{over}\">long</a>");
        assert_eq!(
            overlong_links(&html),
            vec![OverlongLink {
                at_char: 1_023,
                chars: 1_006,
                url: over.clone()
            }]
        );
        assert_eq!(
            messages(check_link_lengths("html_content", &html)),
            vec![format!(
                "html_content has a link of 1006 characters at character 1023, longer than the \
                 1005 a link may have: {}….",
                &over[..60]
            )]
        );
        // `&amp;` is one character of the URL.
        let escaped = format!("<a href=\"{}&amp;\">x</a>", url(MAX_LINK_CHARS - 1));
        assert!(overlong_links(&escaped).is_empty());
        let many = format!("<a href={over}>").repeat(30);
        assert_eq!(check_link_lengths("h", &many).len(), MAX_REPORTED_ERRORS);
    }

    #[test]
    fn every_problem_of_every_part_is_reported_at_once() {
        let problems = CampaignContent::check(
            "email_campaign_activities[0].",
            "Hi [[FirstName]] ${x}",
            Some("[[FristName]] <@ [[trackingImage]]"),
            "<p>[[Nope]]</p>",
            Some("[[trackingImage]]"),
        );
        let fields: Vec<String> = problems
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(
            fields,
            vec![
                "email_campaign_activities[0].subject",
                "email_campaign_activities[0].preheader",
                "email_campaign_activities[0].subject",
                "email_campaign_activities[0].preheader",
                "email_campaign_activities[0].preheader",
                "email_campaign_activities[0].html_content",
                "email_campaign_activities[0].text_content",
            ]
        );
    }

    #[test]
    fn good_content_parses_and_a_missing_tracking_image_is_accepted() {
        let content =
            CampaignContent::check("", "Hi [[FirstName OR \"there\"]]", None, "<p>x</p>", None);
        let Ok(content) = content else {
            panic!("refused: {content:?}")
        };
        assert!(!content.html.has_tracking_image());
        assert_eq!(content.text, None);
    }
}
