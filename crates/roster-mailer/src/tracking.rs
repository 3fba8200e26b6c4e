//! Open and click tracking in campaign mail (docs/TRACKING.md): the pixel `[[trackingImage]]`
//! becomes, and tracked links, prepared once per send and filled in per recipient.
//!
//! Rewriting HTML is the costly part, so it happens once per send, when the send's shared
//! context is built (`campaign`): the activity's tracked URLs are numbered
//! (`EventStore::activity_link_ids`, stable per activity) and each tracked `href` is
//! rewritten (roster-render's `links`, with lol_html) into `{public_url}/t/c/` followed by a
//! placeholder, `RosterClick<nonce>_<url_id>_`.
//! The nonce is random per send, so no content can contain it by chance. Per recipient, the
//! rendered HTML and text parts only have each placeholder replaced by the recipient's signed
//! click token: a plain substring search, no parsing.

use roster_domain::recipient_token::{open_url, ClickToken, RecipientKey, RecipientToken};
use roster_domain::recipient_token::{TokenPurpose, CLICK_PATH};
use roster_domain::send::ClaimedRecipient;
use roster_render::{rewrite_tracked_links, Template};

/// A send's tracked links: the placeholder its rewritten HTML carries.
#[derive(Debug, Clone)]
pub(crate) struct ClickPlaceholders {
    /// `RosterClick<nonce>_`; a placeholder is this, the url_id and `_`.
    marker: String,
}

/// `html_content` with each of its tracked `urls` (numbered `ids`, in the same order) rewritten
/// to a placeholder, parsed; and the placeholders to fill. An error says why the content cannot
/// be sent.
pub(crate) fn rewrite_links(
    html_content: &str,
    public_url: &str,
    urls: &[String],
    ids: &[u32],
) -> Result<(Template, ClickPlaceholders), String> {
    let marker = format!("RosterClick{}_", uuid::Uuid::new_v4().simple());
    let prefix = format!("{}{CLICK_PATH}/{marker}", public_url.trim_end_matches('/'));
    let rewritten = rewrite_tracked_links(html_content, public_url, |url| {
        let at = urls.iter().position(|u| u == url)?;
        Some(format!("{prefix}{}_", ids.get(at)?))
    })
    .map_err(|e| e.to_string())?;
    let template = Template::parse_html(&rewritten).map_err(|errors| {
        let reasons: Vec<String> = errors.iter().map(ToString::to_string).collect();
        format!(
            "the content with tracked links cannot be parsed: {}",
            reasons.join(" ")
        )
    })?;
    Ok((template, ClickPlaceholders { marker }))
}

/// The token a recipient's message carries (its purpose set where it is used).
fn recipient_token(recipient: &ClaimedRecipient) -> RecipientToken {
    RecipientToken {
        purpose: TokenPurpose::Open,
        account: recipient.account,
        activity: recipient.activity,
        contact: recipient.contact,
        send: recipient.send_number,
    }
}

/// The URL of `recipient`'s tracking pixel.
pub(crate) fn open_url_of(
    public_url: &str,
    key: &RecipientKey,
    recipient: &ClaimedRecipient,
) -> String {
    open_url(public_url, key, &recipient_token(recipient))
}

/// What `[[trackingImage]]` becomes for the pixel at `url`: a 1×1 image, sized in its
/// attributes for clients that ignore CSS, and never hidden (some clients skip hidden images).
pub(crate) fn tracking_image(url: &str) -> String {
    format!(
        "<img src=\"{url}\" width=\"1\" height=\"1\" alt=\"\" border=\"0\" \
         style=\"width:1px;height:1px;border:0;margin:0;padding:0\">"
    )
}

impl ClickPlaceholders {
    /// `text` with each placeholder replaced by `recipient`'s click token for its link.
    pub(crate) fn fill(
        &self,
        text: &str,
        key: &RecipientKey,
        recipient: &ClaimedRecipient,
    ) -> String {
        let token = recipient_token(recipient);
        let mut out = String::with_capacity(text.len() + 256);
        let mut rest = text;
        while let Some(at) = rest.find(&self.marker) {
            out.push_str(&rest[..at]);
            let after = &rest[at + self.marker.len()..];
            let url_id = after
                .find('_')
                .and_then(|end| Some((after[..end].parse::<u32>().ok()?, end)));
            match url_id {
                Some((url_id, end)) => {
                    let click = ClickToken {
                        recipient: token,
                        url_id,
                    };
                    out.push_str(&click.issue(key));
                    rest = &after[end + 1..];
                }
                None => {
                    out.push_str(&self.marker);
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }
}

#[cfg(test)]
mod tests {
    use roster_domain::outbox::Lease;
    use roster_domain::{AccountId, CampaignActivityId, ContactId, SendId};

    use super::*;

    #[test]
    fn placeholders_become_the_recipients_click_tokens() {
        let key = RecipientKey::new([3; 32]);
        let recipient = ClaimedRecipient {
            account: AccountId::generate(),
            send: SendId::generate(),
            send_number: 2,
            activity: CampaignActivityId::generate(),
            contact: ContactId::generate(),
            email: "a@example.com".into(),
            attempts: 1,
            lease: Lease::generate(),
            subject_arm: None,
        };
        let links = ClickPlaceholders {
            marker: "RosterClickabc_".into(),
        };
        let text = "<a href=\"https://r/t/c/RosterClickabc_7_\">x</a> [1]: \
                    https://r/t/c/RosterClickabc_12_\nRosterClickabc_zz_ end";
        let filled = links.fill(text, &key, &recipient);
        let tokens: Vec<ClickToken> = filled
            .split("https://r/t/c/")
            .skip(1)
            .map(|s| ClickToken::verify(&key, &s[..98]).unwrap())
            .collect();
        assert_eq!(
            tokens.iter().map(|t| t.url_id).collect::<Vec<_>>(),
            vec![7, 12]
        );
        assert!(tokens
            .iter()
            .all(|t| t.recipient.contact == recipient.contact
                && t.recipient.send == 2
                && t.recipient.purpose == TokenPurpose::Click));
        assert!(filled.ends_with("\nRosterClickabc_zz_ end"), "{filled}");
    }
}
