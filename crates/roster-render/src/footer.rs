//! The footer every message ends with (docs/CAMPAIGNS.md, "Footer"): the organisation's name,
//! its physical address and the recipient's links (forward to a friend, unsubscribe), in HTML
//! and in text, and where the HTML one goes. A public copy (the permalink page, a forwarded
//! copy) has the name and address and no link: it is nobody's to unsubscribe or forward.

use roster_domain::account_services::PhysicalAddress;
use roster_domain::campaign;

use crate::escape::escape_html;

/// The unsubscribe link previews show: an inert in-page link. Deliveries pass the recipient's
/// signed link instead.
pub const PREVIEW_UNSUBSCRIBE_URL: &str = "#unsubscribe";
/// The forward-to-a-friend link previews and test sends show: inert, like the unsubscribe one.
pub const PREVIEW_FORWARD_URL: &str = "#forward";
/// The forward link's text: Constant Contact's default `forward_email_link_name`.
pub const FORWARD_LINK_TEXT: &str = "Forward email";

/// The links a footer ends with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FooterLinks<'a> {
    /// A message to one recipient, or its preview: forward to a friend, then unsubscribe.
    Recipient {
        forward_url: &'a str,
        unsubscribe_url: &'a str,
    },
    /// A public copy: no personal link.
    None,
}

/// Who the message is from, as the footer prints it: the activity's
/// `physical_address_in_footer` when it has one, else the account's address; the caller picks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FooterAddress {
    pub organization_name: String,
    /// Printed one per line; blank lines are skipped.
    pub address_lines: Vec<String>,
}

impl FooterAddress {
    /// An address printed the usual way: street lines, then `City, ST 12345`, then the
    /// country code. The state is the address's own: the code for the US and Canada (the postal
    /// services' form, `Boston, MA 02108`), the name it carries elsewhere (`state_name`, which
    /// the account's address holds only outside the US and Canada). The V3 account address
    /// carries no country name, so the code is printed (docs/CAMPAIGNS.md, "Footer").
    pub fn new(organization_name: &str, address: Option<&PhysicalAddress>) -> Self {
        let mut address_lines = Vec::new();
        if let Some(address) = address {
            address_lines.push(address.address_line1.clone());
            address_lines.extend(address.address_line2.clone());
            address_lines.extend(address.address_line3.clone());
            let state = address
                .state_code
                .as_deref()
                .or(address.state_name.as_deref());
            let mut locality = address.city.clone();
            if let Some(state) = state {
                locality = format!("{locality}, {state}");
            }
            if let Some(postal_code) = &address.postal_code {
                locality = format!("{locality} {postal_code}");
            }
            address_lines.push(locality);
            address_lines.push(address.country_code.clone());
        }
        Self {
            organization_name: organization_name.to_string(),
            address_lines,
        }
    }

    /// The footer of an activity's messages: its own `physical_address_in_footer`, else the
    /// account's organisation name and physical address.
    pub fn of_message(
        activity: &campaign::CampaignActivity,
        organization_name: Option<&str>,
        account_address: Option<&PhysicalAddress>,
    ) -> Self {
        match &activity.content.physical_address_in_footer {
            Some(own) => Self::of_activity(own),
            None => Self::new(organization_name.unwrap_or_default(), account_address),
        }
    }

    /// An activity's `physical_address_in_footer`, printed like an account's address, with its
    /// optional line after the street lines; the state is its `state_code` or, outside the US
    /// and Canada, its `state_non_us_name`. The schema's `country_name` and `state_name` are
    /// read-only names Constant Contact derives from the codes; Roster keeps no such table.
    pub fn of_activity(address: &campaign::FooterAddress) -> Self {
        let mut address_lines = vec![address.address_line1.clone()];
        address_lines.extend(address.address_line2.clone());
        address_lines.extend(address.address_line3.clone());
        address_lines.extend(address.address_optional.clone());
        let state = address
            .state_code
            .as_deref()
            .or(address.state_non_us_name.as_deref());
        let mut locality = address.city.clone().unwrap_or_default();
        if let Some(state) = state {
            locality = if locality.is_empty() {
                state.to_string()
            } else {
                format!("{locality}, {state}")
            };
        }
        if let Some(postal_code) = &address.postal_code {
            locality = format!("{locality} {postal_code}");
        }
        address_lines.push(locality);
        address_lines.push(address.country_code.clone());
        Self {
            organization_name: address.organization_name.clone(),
            address_lines,
        }
    }

    /// The organisation name and address lines that are not blank, trimmed.
    fn lines(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.organization_name.as_str())
            .chain(self.address_lines.iter().map(String::as_str))
            .map(str::trim)
            .filter(|line| !line.is_empty())
    }

    pub fn to_html(&self, links: FooterLinks<'_>) -> String {
        let mut html = String::from(
            "<div style=\"margin-top:24px;padding:16px;font-family:Arial,sans-serif;\
             font-size:12px;line-height:1.5;color:#555555;text-align:center\">",
        );
        let mut lines = self.lines().peekable();
        if lines.peek().is_some() {
            html.push_str("<p style=\"margin:0\">");
            for (index, line) in lines.enumerate() {
                if index > 0 {
                    html.push_str("<br>");
                }
                escape_html(line, &mut html);
            }
            html.push_str("</p>");
        }
        if let FooterLinks::Recipient {
            forward_url,
            unsubscribe_url,
        } = links
        {
            html.push_str("<p style=\"margin:8px 0 0\"><a href=\"");
            escape_html(forward_url, &mut html);
            html.push_str("\">");
            html.push_str(FORWARD_LINK_TEXT);
            html.push_str("</a> | <a href=\"");
            escape_html(unsubscribe_url, &mut html);
            html.push_str("\">Unsubscribe</a></p>");
        }
        html.push_str("</div>");
        html
    }

    pub fn to_text(&self, links: FooterLinks<'_>) -> String {
        let mut text = String::from("--\n");
        for line in self.lines() {
            // A line break inside a value would break the footer's layout, not more.
            text.push_str(&line.replace(['\r', '\n'], " "));
            text.push('\n');
        }
        if let FooterLinks::Recipient {
            forward_url,
            unsubscribe_url,
        } = links
        {
            text.push_str(&format!("{FORWARD_LINK_TEXT}: {forward_url}\n"));
            text.push_str(&format!("Unsubscribe: {unsubscribe_url}\n"));
        }
        text
    }
}

/// `html` with `footer` inserted before its last `</body>` (any ASCII case), else at the end.
pub fn insert_html_footer(html: &str, footer: &str) -> String {
    // ASCII lower-casing keeps every byte where it was, so the offset is valid in `html`.
    let at = html
        .to_ascii_lowercase()
        .rfind("</body")
        .unwrap_or(html.len());
    let mut out = String::with_capacity(html.len() + footer.len());
    out.push_str(&html[..at]);
    out.push_str(footer);
    out.push_str(&html[at..]);
    out
}

/// `text` followed by the text footer, separated by a blank line.
pub fn append_text_footer(text: &str, footer: &str) -> String {
    let body = text.trim_end();
    if body.is_empty() {
        footer.to_string()
    } else {
        format!("{body}\n\n{footer}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acme() -> FooterAddress {
        FooterAddress::new(
            "Acme & Co",
            Some(&PhysicalAddress {
                address_line1: "1 Main St".into(),
                address_line2: Some("Suite <2>".into()),
                address_line3: None,
                city: "Springfield".into(),
                state_code: Some("IL".into()),
                state_name: None,
                postal_code: Some("62701".into()),
                country_code: "US".into(),
            }),
        )
    }

    #[test]
    fn the_address_is_printed_in_lines() {
        assert_eq!(
            acme().address_lines,
            vec!["1 Main St", "Suite <2>", "Springfield, IL 62701", "US"]
        );
        assert_eq!(
            FooterAddress::new("Acme", None).address_lines,
            Vec::<String>::new()
        );
    }

    #[test]
    fn states_outside_the_us_and_canada_are_printed_by_the_name_the_address_carries() {
        let account = FooterAddress::new(
            "Acme",
            Some(&PhysicalAddress {
                address_line1: "10 High St".into(),
                address_line2: None,
                address_line3: None,
                city: "Leeds".into(),
                state_code: None,
                state_name: Some("West Yorkshire".into()),
                postal_code: Some("LS1 4AP".into()),
                country_code: "GB".into(),
            }),
        );
        assert_eq!(
            account.address_lines,
            vec!["10 High St", "Leeds, West Yorkshire LS1 4AP", "GB"]
        );
        let activity = FooterAddress::of_activity(&campaign::FooterAddress {
            organization_name: "Acme".into(),
            address_line1: "1 Rue X".into(),
            address_line2: None,
            address_line3: None,
            address_optional: Some("Bâtiment B".into()),
            city: None,
            state_code: None,
            state_non_us_name: Some("Île-de-France".into()),
            postal_code: Some("75001".into()),
            country_code: "FR".into(),
        });
        assert_eq!(
            activity.address_lines,
            vec!["1 Rue X", "Bâtiment B", "Île-de-France 75001", "FR"]
        );
    }

    fn links<'a>(forward_url: &'a str, unsubscribe_url: &'a str) -> FooterLinks<'a> {
        FooterLinks::Recipient {
            forward_url,
            unsubscribe_url,
        }
    }

    #[test]
    fn the_html_footer_escapes_the_address_and_the_links() {
        let html = acme().to_html(links(
            "https://x.example/f?a=<1>",
            "https://x.example/u?a=1&b=\"2\"",
        ));
        assert!(html.contains("Acme &amp; Co<br>1 Main St<br>Suite &lt;2&gt;<br>"));
        assert!(
            html.contains(
                "<a href=\"https://x.example/f?a=&lt;1&gt;\">Forward email</a> | \
             <a href=\"https://x.example/u?a=1&amp;b=&quot;2&quot;\">Unsubscribe</a></p></div>"
            ),
            "{html}"
        );
    }

    #[test]
    fn the_text_footer_lists_the_lines_and_the_links() {
        assert_eq!(
            acme().to_text(links("#forward", "#unsubscribe")),
            "--\nAcme & Co\n1 Main St\nSuite <2>\nSpringfield, IL 62701\nUS\n\
             Forward email: #forward\nUnsubscribe: #unsubscribe\n"
        );
        assert_eq!(
            FooterAddress::default().to_text(links("f", "u")),
            "--\nForward email: f\nUnsubscribe: u\n"
        );
    }

    #[test]
    fn a_public_copy_has_the_address_and_no_link() {
        let html = acme().to_html(FooterLinks::None);
        assert!(html.contains("Acme &amp; Co<br>"), "{html}");
        assert!(!html.contains("<a "), "{html}");
        assert!(html.ends_with("</p></div>"), "{html}");
        assert_eq!(
            acme().to_text(FooterLinks::None),
            "--\nAcme & Co\n1 Main St\nSuite <2>\nSpringfield, IL 62701\nUS\n"
        );
    }

    #[test]
    fn the_html_footer_goes_before_the_last_body_end_tag() {
        assert_eq!(
            insert_html_footer("<p>a</p><!-- </body> --></BODY></html>", "F"),
            "<p>a</p><!-- </body> -->F</BODY></html>"
        );
        assert_eq!(insert_html_footer("<p>é</p>", "F"), "<p>é</p>F");
    }

    #[test]
    fn the_text_footer_follows_a_blank_line() {
        assert_eq!(append_text_footer("Hi\n\n\n", "--\n"), "Hi\n\n--\n");
        assert_eq!(append_text_footer(" \n", "--\n"), "--\n");
    }
}
