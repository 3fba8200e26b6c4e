//! Rendering a whole message for one recipient: the subject, the HTML part with its footer,
//! and the text part (the activity's own, or generated from the HTML by html2text), with its
//! footer. Previews, test sends and real sends all come through `Message::render`.

use crate::content::{CampaignContent, MAX_MESSAGE_BYTES};
use crate::footer::{
    append_text_footer, insert_html_footer, FooterAddress, PREVIEW_UNSUBSCRIBE_URL,
};
use crate::recipient::Recipient;

/// The width the generated text part is wrapped to: the customary limit for plain-text mail.
pub const TEXT_WIDTH: usize = 78;

/// What differs between a preview and a delivery besides the recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageLinks<'a> {
    /// What `[[trackingImage]]` becomes: the tracking pixel's `<img>`, or "" in previews.
    pub tracking_image: &'a str,
    /// The recipient's unsubscribe link, or [`PREVIEW_UNSUBSCRIBE_URL`].
    pub unsubscribe_url: &'a str,
}

impl MessageLinks<'static> {
    /// Previews: no tracking image, an inert unsubscribe link.
    pub const PREVIEW: MessageLinks<'static> = MessageLinks {
        tracking_image: "",
        unsubscribe_url: PREVIEW_UNSUBSCRIBE_URL,
    };
}

/// A rendered message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// One line: line breaks are folded to spaces.
    pub subject: String,
    pub html: String,
    pub text: String,
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("the text part could not be generated from the HTML: {0}")]
    TextPart(#[from] html2text::Error),
}

impl Message {
    pub fn render(
        content: &CampaignContent,
        recipient: &Recipient,
        footer: &FooterAddress,
        links: MessageLinks<'_>,
    ) -> Result<Message, RenderError> {
        let subject = content.subject.render(recipient, "");
        let body = content.html.render(recipient, links.tracking_image);
        let html = insert_html_footer(&body, &footer.to_html(links.unsubscribe_url));
        let text = match &content.text {
            Some(text) => text.render(recipient, ""),
            // Generated from the HTML without the tracking pixel (an image with no text) and
            // without the footer, which follows in its text form.
            None => text_from_html(&content.html.render(recipient, ""))?,
        };
        let text = append_text_footer(&text, &footer.to_text(links.unsubscribe_url));
        Ok(Message {
            subject,
            html,
            text,
        })
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

/// The plain-text rendering of `html` by html2text, wrapped at [`TEXT_WIDTH`], with links as
/// numbered footnotes. Width overflow is allowed so that a deeply nested table is printed
/// wider rather than refused.
pub fn text_from_html(html: &str) -> Result<String, RenderError> {
    Ok(html2text::config::plain()
        .allow_width_overflow()
        .string_from_read(html.as_bytes(), TEXT_WIDTH)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tags::ContactTag;
    use crate::template::Template;

    fn content(html: &str, text: Option<&str>) -> CampaignContent {
        CampaignContent::check("", "Hi [[FirstName OR \"there\"]]", html, text)
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
            .text
            .ends_with("\n\n--\nAcme\n1 Main St\nUnsubscribe: https://u.example/s?t=1&u=2\n"));
    }

    #[test]
    fn a_preview_has_no_pixel_and_the_inert_link() {
        let content = content("<p>[[trackingImage]]x</p>", Some("Dear [[FirstName]]"));
        let message = Message::render(&content, &ann(), &acme(), MessageLinks::PREVIEW)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(message.html.starts_with("<p>x</p><div"));
        assert!(message.html.contains("href=\"#unsubscribe\""));
        assert_eq!(
            message.text,
            "Dear Ann\n\n--\nAcme\n1 Main St\nUnsubscribe: #unsubscribe\n"
        );
    }

    #[test]
    fn html2text_copes_with_empty_odd_and_deeply_nested_html() {
        for html in [
            String::new(),
            "</p><td><<>>&&#;".to_string(),
            "<div>".repeat(5_000),
            "<table><tr><td>".repeat(300),
        ] {
            assert!(text_from_html(&html).is_ok(), "{:.40}", html);
        }
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
            html,
            text: None,
        };
        let message = Message::render(&content, &ann(), &acme(), MessageLinks::PREVIEW)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(message.exceeds_size_limit());
    }
}
