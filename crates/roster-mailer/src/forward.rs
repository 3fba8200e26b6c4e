//! The copy a forward to a friend mails (docs/TRACKING.md, "Forward to a friend"): the
//! activity's public copy (every contact tag its fallback, no tracking image, no personal link:
//! the friend is not a contact) opened by a short introduction from the `forward` templates,
//! naming who forwarded it, their note, and that the friend is on no list. It is system mail:
//! an outbox message, queued ahead of campaign recipients, from the activity's sender, without
//! `List-Unsubscribe` (there is nothing to unsubscribe from).

use roster_domain::outbox::{Mailbox, OutboxMessage};
use roster_domain::{AccountId, EmailAddress};
use roster_render::Message;
use serde::Serialize;

use crate::templates::{TemplateError, Templates};

/// The outbox kind of a forwarded copy.
pub const FORWARD_KIND: &str = "forward";

/// What every copy of one forward shares.
#[derive(Debug, Clone)]
pub struct ForwardedCopy<'a> {
    pub account: AccountId,
    /// The activity's sender and reply-to address, as its own mail has them.
    pub from: Mailbox,
    pub reply_to: Mailbox,
    /// Who the email is from, in the introduction: the organisation's name, else the sender's.
    pub organization: &'a str,
    /// The forwarding contact's name, when it has one, and address.
    pub forwarder_name: Option<&'a str>,
    pub forwarder: &'a EmailAddress,
    /// Plain text ("" for none), escaped in the HTML part by the template.
    pub note: &'a str,
    /// The activity's public copy, as mailed (style rules inlined).
    pub message: &'a Message,
}

impl Templates {
    /// The copy of `forward` for the friend at `to`.
    pub fn forwarded_copy(
        &self,
        forward: &ForwardedCopy<'_>,
        to: &EmailAddress,
    ) -> Result<OutboxMessage, TemplateError> {
        #[derive(Serialize)]
        struct Context<'a> {
            forwarder: String,
            organization: &'a str,
            note: &'a str,
            subject: &'a str,
        }
        let forwarder = match forward.forwarder_name.map(str::trim) {
            Some(name) if !name.is_empty() => format!("{name} ({})", forward.forwarder),
            _ => forward.forwarder.to_string(),
        };
        let context = Context {
            forwarder,
            organization: forward.organization,
            note: forward.note,
            subject: &forward.message.subject,
        };
        // One header line, whatever the subject or a name holds.
        let subject = self
            .render("forward.subject.txt", &context)?
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let intro_html = self.render("forward.html", &context)?;
        let intro_text = self.render("forward.txt", &context)?;
        let copy = forward.message.clone().with_intro(&intro_html, &intro_text);
        Ok(OutboxMessage::new(
            FORWARD_KIND,
            forward.from.clone(),
            vec![Mailbox::address(to.clone())],
            &subject,
            &copy.text,
        )?
        .for_account(forward.account)
        .with_html(&copy.html)
        .with_reply_to(forward.reply_to.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message() -> Message {
        Message {
            subject: "Spring news".into(),
            preheader: String::new(),
            html: "<html><body><p>Hello friend</p></body></html>".into(),
            text: "Hello friend\n\n--\nAcme\n".into(),
        }
    }

    fn copy<'a>(
        message: &'a Message,
        forwarder: &'a EmailAddress,
        name: Option<&'a str>,
        note: &'a str,
    ) -> ForwardedCopy<'a> {
        ForwardedCopy {
            account: AccountId::generate(),
            from: Mailbox::new(
                Some("Acme"),
                EmailAddress::parse("news@acme.example").unwrap(),
            )
            .unwrap(),
            reply_to: Mailbox::address(EmailAddress::parse("reply@acme.example").unwrap()),
            organization: "Acme & <Sons>",
            forwarder_name: name,
            forwarder,
            note,
            message,
        }
    }

    #[test]
    fn the_copy_opens_with_who_forwarded_it_and_their_note_escaped() {
        let message = message();
        let ann = EmailAddress::parse("ann@example.com").unwrap();
        let to = EmailAddress::parse("bo@example.com").unwrap();
        let forward = copy(&message, &ann, Some("Ann <B>"), "Look at this!\n<script>");
        let mail = Templates::load()
            .unwrap()
            .forwarded_copy(&forward, &to)
            .unwrap();
        assert_eq!(mail.kind(), FORWARD_KIND);
        assert_eq!(mail.subject(), "Fwd: Spring news");
        assert_eq!(mail.to()[0].email.as_str(), "bo@example.com");
        assert_eq!(mail.from().email.as_str(), "news@acme.example");
        assert_eq!(
            mail.reply_to().map(|r| r.email.as_str()),
            Some("reply@acme.example")
        );
        assert!(mail.headers().is_empty(), "no List-Unsubscribe");
        let html = mail.html().unwrap();
        assert!(html.starts_with("<html><body><div style="), "{html}");
        assert!(
            html.contains(
                "Ann &lt;B&gt; (ann@example.com) forwarded this email from Acme &amp; \
                 &lt;Sons&gt; to you."
            ),
            "{html}"
        );
        assert!(html.contains("Look at this!\n&lt;script&gt;</p>"), "{html}");
        assert!(
            html.ends_with("</div><p>Hello friend</p></body></html>"),
            "{html}"
        );
        let text = mail.text();
        assert!(
            text.starts_with(
                "Ann <B> (ann@example.com) forwarded this email from Acme & <Sons> to you.\n\n\
                 Look at this!\n<script>\n\n"
            ),
            "{text}"
        );
        assert!(text.ends_with("only copy you will receive.\n\nHello friend\n\n--\nAcme\n"));
    }

    #[test]
    fn without_a_name_or_note_the_address_alone_introduces_it() {
        let message = message();
        let ann = EmailAddress::parse("ann@example.com").unwrap();
        let to = EmailAddress::parse("bo@example.com").unwrap();
        let mail = Templates::load()
            .unwrap()
            .forwarded_copy(&copy(&message, &ann, Some(" "), ""), &to)
            .unwrap();
        let html = mail.html().unwrap();
        assert!(
            html.contains("<p style=\"margin:0\">ann@example.com forwarded"),
            "{html}"
        );
        assert_eq!(html.matches("<p ").count(), 2, "{html}");
        assert!(mail.text().starts_with(
            "ann@example.com forwarded this email from Acme & <Sons> to you.\n\nYou are not on"
        ));
    }
}
