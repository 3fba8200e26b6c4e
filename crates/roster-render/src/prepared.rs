//! A campaign message prepared once per send and filled in per recipient (docs/CAMPAIGNS.md,
//! "Sending").
//!
//! Inlining the style rules and generating the text part each parse the whole HTML; done for
//! every recipient, they were most of what a send cost. Here both run once, on the HTML
//! rendered with a *marker* where each value goes (a contact's or the account's tag, the open
//! URL, the unsubscribe and forward links). Per recipient, each marker is replaced by its
//! value, written the way the inliner's serializer writes text or an attribute value, so the
//! HTML part is byte for byte what rendering and inlining the recipient's own HTML gives (the
//! tests compare the two). Where that could not hold, the HTML part is rendered and inlined per
//! recipient as before: a value inside a `<style>` element, a `style` attribute, a comment, a
//! tag's name or a raw-text element; a preheader with tags (it decides whether its element
//! exists); style rules that can see values (`:empty`, `:blank`, attribute selectors).
//!
//! A marker is two private-use characters that occur nowhere in what the send renders, around
//! a slot number. Their positions are found once, so a value that happens to hold such
//! characters is copied like any other text.
//!
//! The generated text part is html2text's rendering of the HTML with the markers, filled in
//! (every path renders it this way, previews and test sends too, so they agree with the send):
//! lines are wrapped before the values are known, and a value's runs of whitespace become one
//! space, as html2text makes them in HTML text.

use std::borrow::Cow;

use crate::content::CampaignContent;
use crate::escape::escape_html;
use crate::footer::{append_text_footer, insert_html_footer, FooterAddress, FooterLinks};
use crate::grammar::Segment;
use crate::html_scan::{tags, TagToken};
use crate::marked::{template_sources, RecipientLinks};
use crate::marked::{values, Escape, Filled, GeneratedText, Markers, Slot};
use crate::message::{html_part, insert_preheader, rendered_preheader, Message};
use crate::recipient::Recipient;
use crate::template::Template;
use crate::text::RenderError;

/// A send's message, prepared: see the module's documentation.
pub struct PreparedMessage {
    content: CampaignContent,
    footer: FooterAddress,
    markers: Markers,
    /// The tracking image with a marker for its URL.
    tracking_image: Filled,
    /// None: rendered and inlined per recipient.
    html: Option<Filled>,
    /// None when the content has a text part of its own.
    generated_text: Option<GeneratedText>,
    text_footer: Filled,
}

impl PreparedMessage {
    /// Prepares `content` to be sent with `footer`; `tracking_image` is the HTML that
    /// `[[trackingImage]]` becomes for a given open URL.
    pub fn prepare(
        content: &CampaignContent,
        footer: &FooterAddress,
        tracking_image: impl Fn(&str) -> String,
    ) -> Result<PreparedMessage, RenderError> {
        let footer_html = footer.to_html(FooterLinks::Recipient {
            forward_url: "",
            unsubscribe_url: "",
        });
        let mut sources = template_sources(&content.html);
        let image_source = tracking_image("");
        sources.extend([footer_html.as_str(), image_source.as_str()]);
        let mut markers = Markers::absent_from(&sources);
        let image = tracking_image(&markers.marker(Slot::OpenUrl));
        let forward_url = markers.marker(Slot::ForwardUrl);
        let unsubscribe_url = markers.marker(Slot::UnsubscribeUrl);
        let links = FooterLinks::Recipient {
            forward_url: &forward_url,
            unsubscribe_url: &unsubscribe_url,
        };
        let text_footer = footer.to_text(links);
        let html_footer = footer.to_html(links);
        let generated_text = match &content.text {
            Some(_) => None,
            None => Some(GeneratedText::new(&mut markers, &content.html)?),
        };
        let html = prepared_html(&mut markers, content, &image, &html_footer)?;
        // Both were written here with whole markers, so they are always found.
        let tracking_image = markers
            .pieces(&image, Escape::HtmlAttribute)
            .unwrap_or_else(|| Filled::new(&image, std::iter::empty()));
        let text_footer = markers
            .pieces(&text_footer, Escape::Raw)
            .unwrap_or_else(|| Filled::new(&text_footer, std::iter::empty()));
        Ok(PreparedMessage {
            content: content.clone(),
            footer: footer.clone(),
            markers,
            tracking_image,
            html,
            generated_text,
            text_footer,
        })
    }

    /// Whether the HTML part is filled in (not rendered and inlined per recipient).
    pub fn fills_html(&self) -> bool {
        self.html.is_some()
    }

    /// The message for `recipient`: what [`Message::render_for_sending`] gives.
    pub fn fill(
        &self,
        recipient: &Recipient,
        links: RecipientLinks<'_>,
    ) -> Result<Message, RenderError> {
        let values = values(&self.markers.slots, recipient, &links);
        let content = &self.content;
        let html = match &self.html {
            // The parser drops NUL from text: such a value goes the long way.
            Some(html) if !values.iter().any(|value| value.contains('\0')) => html.fill(&values),
            _ => {
                let footer_links = FooterLinks::Recipient {
                    forward_url: links.forward_url,
                    unsubscribe_url: links.unsubscribe_url,
                };
                let image = self.tracking_image.fill(&values);
                let html = html_part(content, recipient, &self.footer, &image, footer_links);
                Message::inline_css(&html)?
            }
        };
        let text = match (&content.text, &self.generated_text) {
            (Some(text), _) => text.render(recipient, ""),
            (None, Some(generated)) => generated.fill(&values, recipient),
            (None, None) => String::new(),
        };
        Ok(Message {
            subject: content.subject.render(recipient, ""),
            preheader: rendered_preheader(content, recipient),
            html,
            text: append_text_footer(&text, &self.text_footer.fill(&values)),
        })
    }
}

/// Values of every kind an HTML parser tells apart: empty, whitespace only, starting with
/// whitespace (dropped at the start of a document and right after `<pre>`; text directly in a
/// table moves), starting with a letter (after a literal `<` it opens a tag), holding
/// whitespace (it ends an unquoted attribute value), capitals (tag and attribute names are
/// lowered), quotes, `=`, markup characters, line breaks and non-ASCII.
const PROBES: [&str; 7] = [
    "",
    "\n",
    "\r\n x\r",
    " \n x",
    "x",
    "Xy z",
    "\"'=<>&`\u{A0}é/",
];

/// The HTML part rendered with markers, inlined, its markers located; None when it must be
/// rendered per recipient.
fn prepared_html(
    markers: &mut Markers,
    content: &CampaignContent,
    tracking_image: &str,
    footer: &str,
) -> Result<Option<Filled>, RenderError> {
    let preheader = match &content.preheader {
        Some(preheader) if has_tags(preheader) => return Ok(None),
        Some(preheader) => preheader
            .render(&Recipient::default(), "")
            .trim()
            .to_string(),
        None => String::new(),
    };
    let body = markers.render(&content.html, tracking_image);
    if style_rules_see_values(&body) {
        return Ok(None);
    }
    let html = insert_html_footer(&insert_preheader(&body, &preheader), footer);
    let Some(written) = markers.find(&html) else {
        return Ok(None);
    };
    let inlined = Message::inline_css(&html)?;
    let Some(found) = markers.find(&inlined) else {
        return Ok(None);
    };
    if found.len() != written.len() {
        return Ok(None);
    }
    let tags: Vec<TagToken<'_>> = tags(&inlined).collect();
    let mut located = Vec::with_capacity(found.len());
    for (at, end, slot) in found {
        let Some(escape) = html_context(&inlined, &tags, at) else {
            return Ok(None);
        };
        located.push((at, end, slot, escape));
    }
    let filled = Filled::new(&inlined, located.into_iter());
    // The markers' places were judged on the output, where every value is quoted text; the
    // input decides how the parser read it. Each kind of value must fill in to what the parser
    // makes of it, in every slot at once, or the part is rendered per recipient.
    for probe in PROBES {
        let mut rendered = String::with_capacity(html.len());
        let mut copied = 0;
        for &(at, end, _) in &written {
            rendered.push_str(&html[copied..at]);
            escape_html(probe, &mut rendered);
            copied = end;
        }
        rendered.push_str(&html[copied..]);
        let values = vec![Cow::Borrowed(probe); markers.slots.len()];
        if Message::inline_css(&rendered)? != filled.fill(&values) {
            return Ok(None);
        }
    }
    Ok(Some(filled))
}

fn has_tags(template: &Template) -> bool {
    template
        .segments()
        .iter()
        .any(|segment| matches!(segment, Segment::Tag(_)))
}

/// Whether a style rule could select elements by what a value makes of them: `:empty` and
/// `:blank` (an empty value), attribute selectors (a value in an attribute). Conservative: the
/// words anywhere in the HTML count.
fn style_rules_see_values(html: &str) -> bool {
    let lower = html.to_ascii_lowercase();
    if !lower.contains("<style") {
        return false;
    }
    lower.contains(":empty")
        || lower.contains(":blank")
        || tags(html)
            .filter(|tag| !tag.is_end && tag.name.eq_ignore_ascii_case("style"))
            .any(|tag| {
                let rest = &lower[tag.end..];
                let end = rest.find("</style").unwrap_or(rest.len());
                rest[..end].contains('[')
            })
}

/// Elements whose content the serializer writes unescaped, or which html_scan reads as raw
/// text: a marker inside them is not filled in.
const RAW_TEXT: [&str; 10] = [
    "style",
    "script",
    "xmp",
    "iframe",
    "noembed",
    "noframes",
    "plaintext",
    "noscript",
    "textarea",
    "title",
];

/// How the value at `at` of the serialized HTML is written: in a text node or in a quoted
/// attribute value other than `style`; None anywhere else.
fn html_context(html: &str, tags: &[TagToken<'_>], at: usize) -> Option<Escape> {
    let before = tags.partition_point(|tag| tag.at <= at);
    let Some(tag) = before.checked_sub(1).and_then(|i| tags.get(i)) else {
        // Before the first tag: text, unless a comment or declaration holds it.
        return (!html[..at].contains('<')).then_some(Escape::HtmlText);
    };
    if at < tag.end {
        if tag.is_end {
            return None;
        }
        let base = html.as_ptr() as usize;
        return tag.attribute_pairs().into_iter().find_map(|(name, value)| {
            let start = value.as_ptr() as usize - base;
            let inside = start <= at && at < start + value.len();
            (inside && !name.eq_ignore_ascii_case("style")).then_some(Escape::HtmlAttribute)
        });
    }
    let raw = !tag.is_end && RAW_TEXT.iter().any(|n| tag.name.eq_ignore_ascii_case(n));
    // Text is written escaped, so a `<` between the tag and the marker opens a comment.
    (!raw && !html[tag.end..at].contains('<')).then_some(Escape::HtmlText)
}

#[cfg(test)]
mod tests;
