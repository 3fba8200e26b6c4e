//! The messages the server itself sends (confirmations), rendered from the templates in
//! `crates/roster-mailer/templates`: a subject, a text part and an HTML part each (`.html`
//! templates escape what they insert). Mail to a contact carries `List-Unsubscribe` (with the
//! RFC 8058 one-click `List-Unsubscribe-Post`), as mailbox providers expect of bulk senders.

use minijinja::Environment;
use roster_domain::outbox::{InvalidMessage, Mailbox, OutboxMessage};
use roster_domain::{AccountId, EmailAddress};
use serde::Serialize;

/// A message the server sends on its own behalf.
#[derive(Debug, Clone)]
pub enum SystemMail {
    /// To a contact who asked to receive an account's mail again: they confirm with the link.
    ResubscribeConfirmation {
        account: AccountId,
        organization: String,
        contact: EmailAddress,
        confirm_url: String,
        unsubscribe_url: String,
    },
    /// To a contact who signed up through an account's form under Confirmed Opt-In: they
    /// confirm their address with the link. No `List-Unsubscribe`: it is the one message they
    /// asked for, and ignoring it keeps them off the account's mailings.
    OptInConfirmation {
        account: AccountId,
        organization: String,
        contact: EmailAddress,
        confirm_url: String,
    },
    /// To an address an account wants to send from: its owner confirms with the link.
    SenderAddressConfirmation {
        account: AccountId,
        organization: String,
        address: EmailAddress,
        confirm_url: String,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("the {template} template failed: {source}")]
    Render {
        template: String,
        source: minijinja::Error,
    },
    #[error(transparent)]
    Message(#[from] InvalidMessage),
}

const TEMPLATES: &[(&str, &str)] = &[
    (
        "resubscribe_confirmation.subject.txt",
        include_str!("../templates/resubscribe_confirmation.subject.txt"),
    ),
    (
        "resubscribe_confirmation.txt",
        include_str!("../templates/resubscribe_confirmation.txt"),
    ),
    (
        "resubscribe_confirmation.html",
        include_str!("../templates/resubscribe_confirmation.html"),
    ),
    (
        "opt_in_confirmation.subject.txt",
        include_str!("../templates/opt_in_confirmation.subject.txt"),
    ),
    (
        "opt_in_confirmation.txt",
        include_str!("../templates/opt_in_confirmation.txt"),
    ),
    (
        "opt_in_confirmation.html",
        include_str!("../templates/opt_in_confirmation.html"),
    ),
    (
        "sender_address_confirmation.subject.txt",
        include_str!("../templates/sender_address_confirmation.subject.txt"),
    ),
    (
        "sender_address_confirmation.txt",
        include_str!("../templates/sender_address_confirmation.txt"),
    ),
    (
        "sender_address_confirmation.html",
        include_str!("../templates/sender_address_confirmation.html"),
    ),
    // The introduction of a forwarded copy (`forward.rs`), above the activity's content.
    (
        "forward.subject.txt",
        include_str!("../templates/forward.subject.txt"),
    ),
    ("forward.txt", include_str!("../templates/forward.txt")),
    ("forward.html", include_str!("../templates/forward.html")),
];

/// `{{ url|attr }}`: escapes what could end an HTML attribute value or start markup, and
/// nothing else (the default HTML escaping also turns `/` into `&#x2f;`, which makes links in
/// the message source hard to read and to match).
fn attribute_value(text: String) -> minijinja::Value {
    minijinja::Value::from_safe_string(roster_render::escape::escaped_html(&text))
}

/// The compiled system templates.
pub struct Templates {
    environment: Environment<'static>,
}

impl Templates {
    pub fn load() -> Result<Self, TemplateError> {
        let mut environment = Environment::new();
        environment.add_filter("attr", attribute_value);
        // Auto-escaping follows the template name: `.html` escapes, `.txt` does not.
        for (name, source) in TEMPLATES {
            environment
                .add_template(name, source)
                .map_err(|source| TemplateError::Render {
                    template: name.to_string(),
                    source,
                })?;
        }
        Ok(Self { environment })
    }

    pub(crate) fn render(
        &self,
        template: &str,
        context: &impl Serialize,
    ) -> Result<String, TemplateError> {
        self.environment
            .get_template(template)
            .and_then(|t| t.render(context))
            .map_err(|source| TemplateError::Render {
                template: template.to_string(),
                source,
            })
    }

    /// Renders `mail` into a message from `from`.
    pub fn message(
        &self,
        mail: &SystemMail,
        from: &Mailbox,
    ) -> Result<OutboxMessage, TemplateError> {
        #[derive(Serialize)]
        struct Context<'a> {
            organization: &'a str,
            contact_email: Option<&'a str>,
            address: Option<&'a str>,
            confirm_url: &'a str,
            unsubscribe_url: Option<&'a str>,
        }
        let (kind, account, to, context, unsubscribe) = match mail {
            SystemMail::ResubscribeConfirmation {
                account,
                organization,
                contact,
                confirm_url,
                unsubscribe_url,
            } => (
                "resubscribe_confirmation",
                *account,
                contact,
                Context {
                    organization,
                    contact_email: Some(contact.as_str()),
                    address: None,
                    confirm_url,
                    unsubscribe_url: Some(unsubscribe_url),
                },
                Some(unsubscribe_url),
            ),
            SystemMail::OptInConfirmation {
                account,
                organization,
                contact,
                confirm_url,
            } => (
                "opt_in_confirmation",
                *account,
                contact,
                Context {
                    organization,
                    contact_email: Some(contact.as_str()),
                    address: None,
                    confirm_url,
                    unsubscribe_url: None,
                },
                None,
            ),
            SystemMail::SenderAddressConfirmation {
                account,
                organization,
                address,
                confirm_url,
            } => (
                "sender_address_confirmation",
                *account,
                address,
                Context {
                    organization,
                    contact_email: None,
                    address: Some(address.as_str()),
                    confirm_url,
                    unsubscribe_url: None,
                },
                None,
            ),
        };
        // Each kind has three templates named after it.
        // A subject is one header line, whatever the organization's name holds (a name stored
        // with a line break must not make the mail impossible to build): runs of white space,
        // line breaks included, become one space.
        let subject = self
            .render(&format!("{kind}.subject.txt"), &context)?
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let text = self.render(&format!("{kind}.txt"), &context)?;
        let html = self.render(&format!("{kind}.html"), &context)?;
        let mut message = OutboxMessage::new(
            kind,
            from.clone(),
            vec![Mailbox::address(to.clone())],
            &subject,
            &text,
        )?
        .for_account(account)
        .with_html(&html);
        if let Some(url) = unsubscribe {
            message = message
                .with_header("List-Unsubscribe", &format!("<{url}>"))?
                .with_header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")?;
        }
        Ok(message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from() -> Mailbox {
        Mailbox::new(
            Some("Roster"),
            EmailAddress::parse("no-reply@roster.example").unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn an_organization_name_with_line_breaks_makes_a_one_line_subject() {
        let message = Templates::load()
            .unwrap()
            .message(
                &SystemMail::SenderAddressConfirmation {
                    account: AccountId::generate(),
                    organization: "Acme\r\nBcc: victim@example.com\n\tBakery".into(),
                    address: EmailAddress::parse("jo@example.com").unwrap(),
                    confirm_url: "https://roster.example/confirm?t=a".into(),
                },
                &from(),
            )
            .unwrap();
        assert!(
            !message.subject().contains(['\r', '\n']),
            "{}",
            message.subject()
        );
        assert!(message
            .subject()
            .contains("Acme Bcc: victim@example.com Bakery"));
    }

    #[test]
    fn a_resubscribe_confirmation_has_both_parts_and_list_unsubscribe() {
        let message = Templates::load()
            .unwrap()
            .message(
                &SystemMail::ResubscribeConfirmation {
                    account: AccountId::generate(),
                    organization: "Acme <Bakery> & Sons".into(),
                    contact: EmailAddress::parse("jo@example.com").unwrap(),
                    confirm_url: "https://roster.example/confirm?t=a&b=c".into(),
                    unsubscribe_url: "https://roster.example/unsubscribe/xyz".into(),
                },
                &from(),
            )
            .unwrap();
        assert_eq!(message.kind(), "resubscribe_confirmation");
        assert_eq!(
            message.subject(),
            "Confirm your subscription to Acme <Bakery> & Sons"
        );
        assert!(message
            .text()
            .contains("https://roster.example/confirm?t=a&b=c"));
        let html = message.html().unwrap();
        assert!(html.contains("Acme &lt;Bakery&gt; &amp; Sons"), "{html}");
        assert!(
            html.contains("href=\"https://roster.example/confirm?t=a&amp;b=c\""),
            "{html}"
        );
        assert_eq!(
            message.headers(),
            &[
                (
                    "List-Unsubscribe".to_string(),
                    "<https://roster.example/unsubscribe/xyz>".to_string()
                ),
                (
                    "List-Unsubscribe-Post".to_string(),
                    "List-Unsubscribe=One-Click".to_string()
                ),
            ]
        );
    }

    #[test]
    fn an_opt_in_confirmation_goes_to_the_contact_with_the_link() {
        let message = Templates::load()
            .unwrap()
            .message(
                &SystemMail::OptInConfirmation {
                    account: AccountId::generate(),
                    organization: "Acme & Sons".into(),
                    contact: EmailAddress::parse("jo@example.com").unwrap(),
                    confirm_url: "https://roster.example/contacts/confirm?token=a&b".into(),
                },
                &from(),
            )
            .unwrap();
        assert_eq!(message.kind(), "opt_in_confirmation");
        assert_eq!(message.to()[0].email.as_str(), "jo@example.com");
        assert_eq!(
            message.subject(),
            "Please confirm your subscription to Acme & Sons"
        );
        assert!(message
            .text()
            .contains("https://roster.example/contacts/confirm?token=a&b"));
        let html = message.html().unwrap();
        assert!(
            html.contains("href=\"https://roster.example/contacts/confirm?token=a&amp;b\""),
            "{html}"
        );
        assert!(html.contains("Acme &amp; Sons"), "{html}");
        assert!(message.headers().is_empty());
    }

    #[test]
    fn a_sender_address_confirmation_goes_to_the_address_without_list_unsubscribe() {
        let message = Templates::load()
            .unwrap()
            .message(
                &SystemMail::SenderAddressConfirmation {
                    account: AccountId::generate(),
                    organization: "Acme".into(),
                    address: EmailAddress::parse("sales@acme.example").unwrap(),
                    confirm_url: "https://roster.example/c/1".into(),
                },
                &from(),
            )
            .unwrap();
        assert_eq!(message.to()[0].email.as_str(), "sales@acme.example");
        assert!(message.headers().is_empty());
        assert!(message.text().contains("https://roster.example/c/1"));
    }
}
