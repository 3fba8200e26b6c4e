//! Markers: where each value of a message goes, found once and filled in per recipient
//! (docs/CAMPAIGNS.md, "Sending"; `prepared` puts them to use). A marker is two private-use
//! characters that occur nowhere in what is rendered, around a slot number. Their positions are
//! found once, so a value that happens to hold such characters is copied like any other text.

use std::borrow::Cow;
use std::collections::HashMap;

use crate::grammar::{Segment, TagUse};
use crate::recipient::Recipient;
use crate::tags::Tag;
use crate::template::Template;
use crate::text::{text_from_html, RenderError};

/// What a marker stands for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Slot {
    /// A tag and its fallback, as written.
    Value(TagUse),
    OpenUrl,
    UnsubscribeUrl,
    ForwardUrl,
}

/// How a value is written where its marker stood.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Escape {
    /// HTML text, as the inliner's serializer writes it after the parser has read the escaped
    /// value: line breaks normalised, `&`, `<`, `>` and U+00A0 escaped.
    HtmlText,
    /// A quoted attribute value, likewise: `&`, `"` and U+00A0 escaped.
    HtmlAttribute,
    /// Text html2text generated from HTML: whitespace runs become one space.
    Collapsed,
    Raw,
}

/// The markers of one rendering: slot numbers between two characters found in none of its
/// sources.
#[derive(Debug, Clone)]
pub(crate) struct Markers {
    pub(crate) open: char,
    pub(crate) close: char,
    pub(crate) slots: Vec<Slot>,
    numbers: HashMap<Slot, usize>,
}

impl Markers {
    /// Markers whose two characters occur in none of `sources`.
    pub(crate) fn absent_from(sources: &[&str]) -> Markers {
        let mut unused =
            ('\u{E000}'..='\u{F8FF}').filter(|c| !sources.iter().any(|source| source.contains(*c)));
        // 6,400 candidates; the sources would need every one of them to exhaust the range.
        let open = unused.next().unwrap_or('\u{E000}');
        let close = unused.next().unwrap_or('\u{E001}');
        Markers {
            open,
            close,
            slots: Vec::new(),
            numbers: HashMap::new(),
        }
    }

    pub(crate) fn marker(&mut self, slot: Slot) -> String {
        let number = match self.numbers.get(&slot) {
            Some(number) => *number,
            None => {
                self.slots.push(slot.clone());
                self.numbers.insert(slot, self.slots.len() - 1);
                self.slots.len() - 1
            }
        };
        format!("{}{number}{}", self.open, self.close)
    }

    /// `template` rendered with a marker for each tag's value (escaped as HTML needs nothing)
    /// and `tracking_image` for `[[trackingImage]]`.
    pub(crate) fn render(&mut self, template: &Template, tracking_image: &str) -> String {
        let mut out = String::new();
        for segment in template.segments() {
            match segment {
                Segment::Text(text) => out.push_str(text),
                Segment::Tag(use_) if use_.tag == Tag::TrackingImage => {
                    out.push_str(tracking_image)
                }
                Segment::Tag(use_) => out.push_str(&self.marker(Slot::Value(use_.clone()))),
            }
        }
        out
    }

    /// The markers of `text` and where they are; None when a marker character stands outside
    /// a whole marker (html2text split one) or a number is not a slot.
    pub(crate) fn find(&self, text: &str) -> Option<Vec<(usize, usize, usize)>> {
        let mut found = Vec::new();
        let mut from = 0;
        while let Some(offset) = text[from..].find([self.open, self.close]) {
            let at = from + offset;
            let rest = &text[at..];
            let body = rest.strip_prefix(self.open)?;
            let digits = body.find(|c: char| !c.is_ascii_digit())?;
            let number: usize = body[..digits].parse().ok()?;
            if !body[digits..].starts_with(self.close) || number >= self.slots.len() {
                return None;
            }
            let end = at + self.open.len_utf8() + digits + self.close.len_utf8();
            found.push((at, end, number));
            from = end;
        }
        Some(found)
    }

    /// `text` as pieces, each of its markers written with `escape`.
    pub(crate) fn pieces(&self, text: &str, escape: Escape) -> Option<Filled> {
        let found = self.find(text)?;
        Some(Filled::new(
            text,
            found.into_iter().map(|(at, end, n)| (at, end, n, escape)),
        ))
    }
}

/// A text with its markers located: literal runs and the slot that follows each.
#[derive(Debug, Clone)]
pub(crate) struct Filled {
    literal: String,
    /// (end of the literal run before it, slot, how its value is written)
    slots: Vec<(usize, usize, Escape)>,
}

impl Filled {
    pub(crate) fn new(
        text: &str,
        markers: impl Iterator<Item = (usize, usize, usize, Escape)>,
    ) -> Filled {
        let mut literal = String::with_capacity(text.len());
        let mut slots = Vec::new();
        let mut copied = 0;
        for (at, end, slot, escape) in markers {
            literal.push_str(&text[copied..at]);
            slots.push((literal.len(), slot, escape));
            copied = end;
        }
        literal.push_str(&text[copied..]);
        Filled { literal, slots }
    }

    pub(crate) fn fill(&self, values: &[Cow<'_, str>]) -> String {
        let mut out = String::with_capacity(self.literal.len() + 64 * self.slots.len());
        let mut copied = 0;
        for &(at, slot, escape) in &self.slots {
            out.push_str(&self.literal[copied..at]);
            let value = values.get(slot).map(|v| v.as_ref()).unwrap_or_default();
            write_value(value, escape, &mut out);
            copied = at;
        }
        out.push_str(&self.literal[copied..]);
        out
    }
}

fn write_value(value: &str, escape: Escape, out: &mut String) {
    match escape {
        Escape::Raw => out.push_str(value),
        Escape::Collapsed => {
            let mut in_space = false;
            for c in value.chars() {
                if c.is_ascii_whitespace() {
                    if !in_space {
                        out.push(' ');
                    }
                    in_space = true;
                } else {
                    out.push(c);
                    in_space = false;
                }
            }
        }
        Escape::HtmlText | Escape::HtmlAttribute => {
            let mut chars = value.chars().peekable();
            while let Some(c) = chars.next() {
                match c {
                    // The parser reads CR LF and a lone CR as LF.
                    '\r' => {
                        chars.next_if_eq(&'\n');
                        out.push('\n');
                    }
                    '&' => out.push_str("&amp;"),
                    '\u{A0}' => out.push_str("&nbsp;"),
                    '<' if escape == Escape::HtmlText => out.push_str("&lt;"),
                    '>' if escape == Escape::HtmlText => out.push_str("&gt;"),
                    '"' if escape == Escape::HtmlAttribute => out.push_str("&quot;"),
                    c => out.push(c),
                }
            }
        }
    }
}

/// The generated text part of `html` for `recipient` (without its footer): html2text's
/// rendering of the HTML with markers, filled in. Every path generates the text part this way.
pub(crate) fn generated_text(
    html: &Template,
    recipient: &Recipient,
) -> Result<String, RenderError> {
    let sources = template_sources(html);
    let mut markers = Markers::absent_from(&sources);
    let text = GeneratedText::new(&mut markers, html)?;
    let values = values(&markers.slots, recipient, &RecipientLinks::NONE);
    Ok(text.fill(&values, recipient))
}

/// The text and fallbacks a template's markers must not collide with.
pub(crate) fn template_sources(template: &Template) -> Vec<&str> {
    template
        .segments()
        .iter()
        .filter_map(|segment| match segment {
            Segment::Text(text) => Some(text.as_str()),
            Segment::Tag(use_) => use_.fallback.as_deref(),
        })
        .collect()
}

/// A generated text part: filled in, or (when html2text cut a marker, as it may in a very
/// narrow table cell) generated again for each recipient from their own HTML.
#[derive(Debug, Clone)]
pub(crate) enum GeneratedText {
    Prepared(Filled),
    PerRecipient(Template),
}

impl GeneratedText {
    pub(crate) fn new(
        markers: &mut Markers,
        html: &Template,
    ) -> Result<GeneratedText, RenderError> {
        // Without the tracking pixel: an image with no text.
        let marked = markers.render(html, "");
        let text = text_from_html(&marked)?;
        Ok(match markers.pieces(&text, Escape::Collapsed) {
            Some(filled) => GeneratedText::Prepared(filled),
            None => GeneratedText::PerRecipient(html.clone()),
        })
    }

    pub(crate) fn fill(&self, values: &[Cow<'_, str>], recipient: &Recipient) -> String {
        match self {
            GeneratedText::Prepared(filled) => filled.fill(values),
            GeneratedText::PerRecipient(html) => {
                text_from_html(&html.render(recipient, "")).unwrap_or_default()
            }
        }
    }
}

/// One recipient's links, as they are filled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecipientLinks<'a> {
    /// The tracking pixel's URL.
    pub open_url: &'a str,
    pub unsubscribe_url: &'a str,
    pub forward_url: &'a str,
}

impl RecipientLinks<'static> {
    const NONE: RecipientLinks<'static> = RecipientLinks {
        open_url: "",
        unsubscribe_url: "",
        forward_url: "",
    };
}

/// Each slot's value for one recipient.
pub(crate) fn values<'a>(
    slots: &'a [Slot],
    recipient: &'a Recipient,
    links: &RecipientLinks<'a>,
) -> Vec<Cow<'a, str>> {
    slots
        .iter()
        .map(|slot| {
            Cow::Borrowed(match slot {
                Slot::Value(use_) => recipient
                    .value(&use_.tag)
                    .or(use_.fallback.as_deref())
                    .unwrap_or_default(),
                Slot::OpenUrl => links.open_url,
                Slot::UnsubscribeUrl => links.unsubscribe_url,
                Slot::ForwardUrl => links.forward_url,
            })
        })
        .collect()
}
