//! Roster's campaign renderer: the one code path that turns an email campaign activity's
//! content, one recipient's values and the account into a message. Previews, test sends and
//! real sends all call it, so it has no HTTP, SQL or I/O. The grammar and every decision are in
//! docs/CAMPAIGNS.md.
//!
//! The files, bottom up: `tags` (the known tags), `grammar` (reading `[[…]]`), `escape`,
//! `recipient` (the values of one message), `template` (a parsed part and its rendering),
//! `footer`, `content` (the create/update rules), `text` (the text part html2text generates),
//! `marked` (markers where values go, filled in per recipient), `message` (a whole message),
//! `prepared` (a send's message prepared once and filled in per recipient), `links` (click
//! tracking's rewriting of a send's links), `web_page` (a public copy as a web page, for the
//! permalink).
//!
//! ```
//! use roster_render::{CampaignContent, FooterAddress, Message, MessageLinks, Recipient};
//!
//! let content = CampaignContent::check(
//!     "",
//!     "News for [[FirstName OR \"you\"]]",
//!     None,
//!     "<html><body><p>Hi [[FirstName OR \"there\"]]</p>[[trackingImage]]</body></html>",
//!     None,
//! )
//! .expect("valid content");
//! let footer = FooterAddress {
//!     organization_name: "Acme".into(),
//!     address_lines: vec!["1 Main St".into()],
//! };
//! let message = Message::render(&content, &Recipient::default(), &footer, MessageLinks::PREVIEW)
//!     .expect("renders");
//! assert_eq!(message.subject, "News for you");
//! assert!(message.html.starts_with("<html><body><p>Hi there</p><div"));
//! assert!(message.text.starts_with("Hi there\n\n--\nAcme\n1 Main St\n"));
//! ```

pub mod content;
pub mod escape;
pub mod footer;
pub mod grammar;
pub mod html_scan;
pub mod links;
pub mod marked;
pub mod message;
pub mod prepared;
pub mod recipient;
pub mod tags;
pub mod template;
pub mod text;
pub mod web_page;

pub use content::{
    check_forbidden_pairs, check_html_content, check_link_lengths, overlong_links, CampaignContent,
    OverlongLink, FORBIDDEN_PAIRS, MAX_HTML_CONTENT_CHARS, MAX_HTML_NESTING_DEPTH, MAX_LINK_CHARS,
    MAX_MESSAGE_BYTES,
};
pub use footer::{
    FooterAddress, FooterLinks, FORWARD_LINK_TEXT, PREVIEW_FORWARD_URL, PREVIEW_UNSUBSCRIBE_URL,
};
pub use grammar::{Part, Segment, TagUse, TemplateError, TemplateErrorKind};
pub use links::{is_tracked, rewrite_tracked_links, tracked_urls, LinkRewriteError};
pub use marked::RecipientLinks;
pub use message::{Message, MessageLinks, RenderError, TEXT_WIDTH};
pub use prepared::PreparedMessage;
pub use recipient::{AccountDetails, Recipient};
pub use tags::{AccountTag, ContactTag, Tag};
pub use template::Template;
