//! Rendering a whole message for one recipient: the subject, the HTML part with its hidden
//! preheader and its footer, and the text part (the activity's own, or generated from the HTML
//! by html2text), with its footer; and, for mail that leaves the server, the `<style>` rules
//! inlined. Previews, test sends and real sends all come through `Message::render`; the public
//! copy (the permalink page, a forwarded copy) through `Message::render_public_copy`, the same
//! path without the pixel and the personal links.

use crate::content::{CampaignContent, MAX_MESSAGE_BYTES};
use crate::escape::escape_html;
use crate::footer::{
    append_text_footer, insert_html_footer, FooterAddress, FooterLinks, PREVIEW_FORWARD_URL,
    PREVIEW_UNSUBSCRIBE_URL,
};
use crate::html_scan::tags;
use crate::marked::generated_text;
use crate::recipient::Recipient;
pub use crate::text::{text_from_html, RenderError, TEXT_WIDTH};

/// What differs between a preview and a delivery besides the recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageLinks<'a> {
    /// What `[[trackingImage]]` becomes: the tracking pixel's `<img>`, or "" in previews.
    pub tracking_image: &'a str,
    /// The recipient's unsubscribe link, or [`PREVIEW_UNSUBSCRIBE_URL`].
    pub unsubscribe_url: &'a str,
    /// The recipient's forward-to-a-friend link, or [`PREVIEW_FORWARD_URL`].
    pub forward_url: &'a str,
}

impl MessageLinks<'static> {
    /// Previews: no tracking image, inert unsubscribe and forward links.
    pub const PREVIEW: MessageLinks<'static> = MessageLinks {
        tracking_image: "",
        unsubscribe_url: PREVIEW_UNSUBSCRIBE_URL,
        forward_url: PREVIEW_FORWARD_URL,
    };
}

/// A rendered message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// One line: line breaks are folded to spaces.
    pub subject: String,
    /// The rendered preheader as plain text, one line ("" when the activity has none). The HTML
    /// part carries it, escaped, as its first, hidden element.
    pub preheader: String,
    pub html: String,
    pub text: String,
}

/// How a test send's personal message opens: a block of its own, set apart from the content,
/// keeping the line breaks it was written with.
const PERSONAL_MESSAGE_OPEN: &str = "<div style=\"margin:0 0 16px;padding:12px 16px;\
     border:1px solid #dddddd;background:#f7f7f7;font-family:Arial,sans-serif;font-size:14px;\
     line-height:1.4;color:#333333;white-space:pre-wrap\">";

/// The style of the preheader's element: hidden in every client, Outlook's Word engine
/// included (`mso-hide:all`), and taking no room where `display:none` is ignored.
const PREHEADER_STYLE: &str = "display:none;font-size:1px;line-height:1px;max-height:0;\
     max-width:0;opacity:0;overflow:hidden;mso-hide:all;color:transparent";

impl Message {
    pub fn render(
        content: &CampaignContent,
        recipient: &Recipient,
        footer: &FooterAddress,
        links: MessageLinks<'_>,
    ) -> Result<Message, RenderError> {
        let footer_links = FooterLinks::Recipient {
            forward_url: links.forward_url,
            unsubscribe_url: links.unsubscribe_url,
        };
        Self::render_with(
            content,
            recipient,
            footer,
            links.tracking_image,
            footer_links,
        )
    }

    /// The public copy of an activity, the same for every reader (docs/TRACKING.md): the
    /// permalink page and the copy a forward to a friend mails. `recipient` should carry no
    /// contact (`Recipient::with_account`: every contact tag renders its fallback, the
    /// account's tags its values); `[[trackingImage]]` renders nothing, and the footer has the
    /// organisation's name and address and no link (nobody's to forward or unsubscribe).
    pub fn render_public_copy(
        content: &CampaignContent,
        recipient: &Recipient,
        footer: &FooterAddress,
    ) -> Result<Message, RenderError> {
        Self::render_with(content, recipient, footer, "", FooterLinks::None)
    }

    fn render_with(
        content: &CampaignContent,
        recipient: &Recipient,
        footer: &FooterAddress,
        tracking_image: &str,
        links: FooterLinks<'_>,
    ) -> Result<Message, RenderError> {
        let subject = content.subject.render(recipient, "");
        let preheader = rendered_preheader(content, recipient);
        let html = html_part(content, recipient, footer, tracking_image, links);
        let text = match &content.text {
            Some(text) => text.render(recipient, ""),
            // Generated from the HTML without the tracking pixel (an image with no text),
            // without the preheader (hidden in HTML, it would lead the text part) and without
            // the footer, which follows in its text form.
            None => generated_text(&content.html, recipient)?,
        };
        let text = append_text_footer(&text, &footer.to_text(links));
        Ok(Message {
            subject,
            preheader,
            html,
            text,
        })
    }

    /// The message as it leaves the server (test sends and sends): [`Message::render`], then
    /// the `<style>` rules inlined ([`Message::with_inlined_css`]). Previews use `render`.
    pub fn render_for_sending(
        content: &CampaignContent,
        recipient: &Recipient,
        footer: &FooterAddress,
        links: MessageLinks<'_>,
    ) -> Result<Message, RenderError> {
        Message::render(content, recipient, footer, links)?.with_inlined_css()
    }

    /// A test send's message: `personal_message` above the content, in the HTML as its own
    /// block (escaped, line breaks kept) after the hidden preheader, in the text part as its
    /// first lines followed by a blank line. A blank message changes nothing.
    pub fn with_personal_message(self, personal_message: &str) -> Message {
        let personal_message = personal_message.trim();
        if personal_message.is_empty() {
            return self;
        }
        let mut block = String::from(PERSONAL_MESSAGE_OPEN);
        escape_html(personal_message, &mut block);
        block.push_str("</div>");
        self.with_intro(&block, personal_message)
    }

    /// The message with an introduction above the content: `html_block` (markup, inserted as
    /// given, so the caller escapes what it holds) after the hidden preheader, and `text` as
    /// the text part's first lines, followed by a blank line. A forwarded copy opens with the
    /// forwarder's name and note this way.
    pub fn with_intro(self, html_block: &str, text: &str) -> Message {
        let mut at = body_start(&self.html);
        let preheader = preheader_element(&self.preheader);
        if !self.preheader.is_empty() && self.html[at..].starts_with(&preheader) {
            at += preheader.len();
        }
        let mut html = self.html;
        html.insert_str(at, html_block);
        let text = format!("{}\n\n{}", text.trim_end(), self.text);
        Message { html, text, ..self }
    }

    /// The message with the rules of its `<style>` elements copied into the `style` attributes
    /// of the elements they select, as Constant Contact does at send (many clients drop
    /// `<style>`). At-rules (`@media`, `@font-face`) stay in a `<style>` element, which the
    /// clients that read it honour; `<link>` elements stay as written, and no stylesheet is
    /// ever fetched (css-inline is built without its `http` and `file` features, and told not
    /// to load any). The text part is unchanged. The HTML comes back as a whole document
    /// (`<html><head>…<body>`), which a fragment gains.
    pub fn with_inlined_css(self) -> Result<Message, RenderError> {
        let html = Self::inline_css(&self.html)?;
        Ok(Message { html, ..self })
    }

    pub(crate) fn inline_css(html: &str) -> Result<String, RenderError> {
        let inliner = css_inline::CSSInliner::options()
            .load_remote_stylesheets(false)
            .keep_link_tags(true)
            .keep_at_rules(true)
            .build();
        Ok(inliner.inline(html)?)
    }

    /// The message's size as sent, roughly: its three parts in UTF-8 bytes.
    pub fn size_bytes(&self) -> usize {
        self.subject.len() + self.html.len() + self.text.len()
    }

    /// Whether personalisation pushed the message past Constant Contact's 400 KB.
    pub fn exceeds_size_limit(&self) -> bool {
        self.size_bytes() > MAX_MESSAGE_BYTES
    }
}

/// The preheader as rendered for `recipient`, one line ("" when there is none).
pub(crate) fn rendered_preheader(content: &CampaignContent, recipient: &Recipient) -> String {
    content
        .preheader
        .as_ref()
        .map(|p| p.render(recipient, "").trim().to_string())
        .unwrap_or_default()
}

/// The HTML part for `recipient`, before any inlining: the body with its hidden preheader and
/// the footer.
pub(crate) fn html_part(
    content: &CampaignContent,
    recipient: &Recipient,
    footer: &FooterAddress,
    tracking_image: &str,
    links: FooterLinks<'_>,
) -> String {
    let body = content.html.render(recipient, tracking_image);
    let body = insert_preheader(&body, &rendered_preheader(content, recipient));
    insert_html_footer(&body, &footer.to_html(links))
}

/// Where the body's content starts: after the first `<body …>` tag, else at the very start.
fn body_start(html: &str) -> usize {
    tags(html)
        .find(|tag| !tag.is_end && tag.name.eq_ignore_ascii_case("body"))
        .map_or(0, |body| body.end)
}

/// The hidden element that carries `preheader` (plain text, escaped here).
fn preheader_element(preheader: &str) -> String {
    let mut element = format!("<div style=\"{PREHEADER_STYLE}\">");
    escape_html(preheader, &mut element);
    element.push_str("</div>");
    element
}

/// `html` with `preheader` as the first element of its body. Nothing when it is empty.
pub(crate) fn insert_preheader(html: &str, preheader: &str) -> String {
    let mut html = html.to_string();
    if !preheader.is_empty() {
        html.insert_str(body_start(&html), &preheader_element(preheader));
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::MAX_HTML_NESTING_DEPTH;
    use crate::tags::ContactTag;
    use crate::template::Template;

    fn content(html: &str, text: Option<&str>) -> CampaignContent {
        CampaignContent::check("", "Hi [[FirstName OR \"there\"]]", None, html, text)
            .unwrap_or_else(|problems| panic!("refused: {problems:?}"))
    }

    fn acme() -> FooterAddress {
        FooterAddress {
            organization_name: "Acme".into(),
            address_lines: vec!["1 Main St".into()],
        }
    }

    fn ann() -> Recipient {
        let mut recipient = Recipient::default();
        recipient.set_contact(ContactTag::FirstName, Some("Ann"));
        recipient
    }

    #[test]
    fn a_delivery_has_the_pixel_the_footer_and_a_generated_text_part() {
        let content = content(
            "<html><body><h1>Hello [[FirstName]]</h1><p>See <a href=\"https://x.example\">\
             our news</a>.</p>[[trackingImage]]</body></html>",
            None,
        );
        let links = MessageLinks {
            tracking_image: "<img src=\"https://t.example/o.gif\" alt=\"\">",
            unsubscribe_url: "https://u.example/s?t=1&u=2",
            forward_url: "https://u.example/f",
        };
        let message =
            Message::render(&content, &ann(), &acme(), links).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(message.subject, "Hi Ann");
        assert!(message.html.starts_with("<html><body><h1>Hello Ann</h1>"));
        assert!(message
            .html
            .contains("<img src=\"https://t.example/o.gif\" alt=\"\"><div style="));
        assert!(message
            .html
            .ends_with("Unsubscribe</a></p></div></body></html>"));
        assert!(message
            .html
            .contains("href=\"https://u.example/s?t=1&amp;u=2\""));
        assert!(message.text.starts_with("# Hello Ann"), "{}", message.text);
        assert!(
            message.text.contains("https://x.example"),
            "{}",
            message.text
        );
        assert!(!message.text.contains("o.gif"), "{}", message.text);
        assert!(message
            .html
            .contains("href=\"https://u.example/f\">Forward email</a>"));
        assert!(message.text.ends_with(
            "\n\n--\nAcme\n1 Main St\nForward email: https://u.example/f\n\
             Unsubscribe: https://u.example/s?t=1&u=2\n"
        ));
    }

    #[test]
    fn a_preview_has_no_pixel_and_the_inert_link() {
        let content = content("<p>[[trackingImage]]x</p>", Some("Dear [[FirstName]]"));
        let message = Message::render(&content, &ann(), &acme(), MessageLinks::PREVIEW)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(message.html.starts_with("<p>x</p><div"));
        assert!(message.html.contains("href=\"#unsubscribe\""));
        assert!(message.html.contains("href=\"#forward\""));
        assert_eq!(
            message.text,
            "Dear Ann\n\n--\nAcme\n1 Main St\nForward email: #forward\n\
             Unsubscribe: #unsubscribe\n"
        );
    }

    #[test]
    fn a_public_copy_has_fallbacks_no_pixel_and_no_link_in_its_footer() {
        let content = content(
            "<html><body><p>Hi [[FirstName OR \"friend\"]]</p>[[trackingImage]]</body></html>",
            None,
        );
        let message = Message::render_public_copy(&content, &Recipient::default(), &acme())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(message.subject, "Hi there");
        assert!(message.html.starts_with("<html><body><p>Hi friend</p><div"));
        assert!(!message.html.contains("<img"), "{}", message.html);
        assert!(!message.html.contains("<a "), "{}", message.html);
        assert!(
            message.html.contains("Acme<br>1 Main St"),
            "{}",
            message.html
        );
        assert_eq!(message.text, "Hi friend\n\n--\nAcme\n1 Main St\n");
    }

    fn with_preheader(preheader: &str, html: &str) -> CampaignContent {
        CampaignContent::check("", "s", Some(preheader), html, None)
            .unwrap_or_else(|problems| panic!("refused: {problems:?}"))
    }

    #[test]
    fn the_preheader_is_the_first_hidden_element_of_the_body_escaped_and_personalised() {
        let content = with_preheader(
            "Hi [[FirstName OR \"you\"]] & <friends>\n",
            "<html><head><title>T</title></head><BODY class=\"x>y\"><p>Body</p></body></html>",
        );
        let mut recipient = ann();
        recipient.set_contact(ContactTag::FirstName, Some("<Ann>"));
        let message = Message::render(&content, &recipient, &acme(), MessageLinks::PREVIEW)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(message.preheader, "Hi <Ann> & <friends>");
        let hidden = format!(
            "<BODY class=\"x>y\"><div style=\"{PREHEADER_STYLE}\">Hi &lt;Ann&gt; &amp; \
             &lt;friends&gt;</div><p>Body</p>"
        );
        assert!(message.html.contains(&hidden), "{}", message.html);
        assert!(
            PREHEADER_STYLE.contains("display:none") && PREHEADER_STYLE.contains("mso-hide:all")
        );
        // The text part does not start with the hidden preheader.
        assert!(message.text.starts_with("Body\n"), "{}", message.text);
        // Without a body tag it leads the fragment; without a preheader nothing is added.
        let fragment = with_preheader("[[FirstName]]", "<p>x</p>");
        let message = Message::render(&fragment, &ann(), &acme(), MessageLinks::PREVIEW)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            message.html.starts_with("<div style=\"display:none"),
            "{}",
            message.html
        );
        assert!(
            message.html.contains(">Ann</div><p>x</p>"),
            "{}",
            message.html
        );
        for blank in ["", "  ", "[[MiddleName]]"] {
            let content = with_preheader(blank, "<p>x</p>");
            let message = Message::render(&content, &ann(), &acme(), MessageLinks::PREVIEW)
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(
                message.html.starts_with("<p>x</p><div style=\"margin"),
                "{blank:?}"
            );
            assert_eq!(message.preheader, "");
        }
    }

    #[test]
    fn a_personal_message_goes_above_the_content_after_the_preheader() {
        let content = with_preheader("Pre", "<body><p>Body</p></body>");
        let message = Message::render(&content, &ann(), &acme(), MessageLinks::PREVIEW)
            .unwrap_or_else(|e| panic!("{e}"))
            .with_personal_message(" Please check <this>\nThanks ");
        let expected = format!(
            "<body>{}{PERSONAL_MESSAGE_OPEN}Please check &lt;this&gt;\nThanks</div><p>Body</p>",
            preheader_element("Pre")
        );
        assert!(message.html.starts_with(&expected), "{}", message.html);
        assert!(
            message
                .text
                .starts_with("Please check <this>\nThanks\n\nBody\n"),
            "{}",
            message.text
        );
        let plain = Message::render(&content, &ann(), &acme(), MessageLinks::PREVIEW)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(plain.clone().with_personal_message(" \n"), plain);
    }

    #[test]
    fn sending_inlines_the_style_rules_and_keeps_at_rules_and_links() {
        let content = with_preheader(
            "Pre",
            "<html><head><link rel=\"stylesheet\" href=\"http://127.0.0.1:9/never.css\">\
             <style>p.lead { color: red } @media (max-width: 600px) { p { color: blue } }\
             </style></head><body><p class=\"lead\" style=\"font-weight:bold\">Hi</p>\
             </body></html>",
        );
        let preview = Message::render(&content, &ann(), &acme(), MessageLinks::PREVIEW)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(preview
            .html
            .contains("<p class=\"lead\" style=\"font-weight:bold\">"));
        let sent = Message::render_for_sending(&content, &ann(), &acme(), MessageLinks::PREVIEW)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            sent.html
                .contains("<p class=\"lead\" style=\"color: red;font-weight: bold\">"),
            "{}",
            sent.html
        );
        assert!(
            sent.html.contains("@media (max-width: 600px)"),
            "{}",
            sent.html
        );
        assert!(!sent.html.contains("p.lead"), "{}", sent.html);
        assert!(sent.html.contains("never.css"), "{}", sent.html);
        assert!(sent.html.contains(">Pre</div>"), "{}", sent.html);
        assert_eq!(sent.text, preview.text);
        assert_eq!(sent.subject, preview.subject);
    }

    #[test]
    fn the_tracking_image_renders_as_what_the_caller_gives_and_nothing_by_default() {
        let content = content("<p>x</p>[[trackingImage]]", None);
        let sending = MessageLinks {
            tracking_image: "",
            unsubscribe_url: "https://u.example/1",
            forward_url: "https://u.example/2",
        };
        let message = Message::render_for_sending(&content, &ann(), &acme(), sending)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(!message.html.contains("<img"), "{}", message.html);
        assert!(message.html.contains("<p>x</p><div"), "{}", message.html);
    }

    #[test]
    fn html2text_copes_with_empty_odd_and_nested_html_and_deeper_is_refused() {
        for html in [
            String::new(),
            "</p><td><<>>&&#;".to_string(),
            "<div>".repeat(MAX_HTML_NESTING_DEPTH),
            "<table><tr><td>".repeat(MAX_HTML_NESTING_DEPTH),
        ] {
            assert!(text_from_html(&html).is_ok(), "{:.40}", html);
        }
        // Past the limit html2text is never called, whoever built the content.
        let deep = "<div>".repeat(30_000);
        assert!(matches!(
            text_from_html(&deep),
            Err(RenderError::TooDeep { at_byte: 1_280 })
        ));
        let content = CampaignContent {
            html: Template::parse_html(&deep).unwrap_or_else(|e| panic!("{e:?}")),
            ..content("<p>x</p>", None)
        };
        let rendered = Message::render(&content, &ann(), &acme(), MessageLinks::PREVIEW);
        assert!(matches!(rendered, Err(RenderError::TooDeep { .. })));
    }

    #[test]
    fn the_size_limit_counts_all_parts() {
        let html = Template::parse_html(&"x".repeat(MAX_MESSAGE_BYTES));
        let Ok(html) = html else { panic!("refused") };
        let Ok(subject) = Template::parse_subject("s") else {
            panic!("refused")
        };
        let content = CampaignContent {
            subject,
            preheader: None,
            html,
            text: None,
        };
        let message = Message::render(&content, &ann(), &acme(), MessageLinks::PREVIEW)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(message.exceeds_size_limit());
    }
}
