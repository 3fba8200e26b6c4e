use super::*;
use crate::marked::{template_sources, Markers};
use crate::message::MessageLinks;
use crate::tags::{AccountTag, ContactTag};

fn image(url: &str) -> String {
    format!("<img src=\"{url}\" width=\"1\" height=\"1\" alt=\"\">")
}

fn footer() -> FooterAddress {
    FooterAddress {
        organization_name: "Acme & Sons".into(),
        address_lines: vec!["1 Main St".into()],
    }
}

fn content(preheader: Option<&str>, html: &str, text: Option<&str>) -> CampaignContent {
    CampaignContent::check("", "Hi [[FirstName OR \"you\"]]", preheader, html, text)
        .unwrap_or_else(|problems| panic!("refused: {problems:?}"))
}

fn recipient(first_name: Option<&str>) -> Recipient {
    let mut recipient = Recipient::default();
    recipient.set_contact(ContactTag::FirstName, first_name);
    recipient.set_contact(ContactTag::LastName, Some("O'Brien \"the\" <Great>"));
    recipient.set_account(AccountTag::OrganizationName, Some("Acme & Sons"));
    recipient.set_custom("Code", "a&b=c\r\nd");
    recipient
}

/// Values that escape, break lines, hold the marker range and non-breaking spaces.
const FIRST_NAMES: [Option<&str>; 9] = [
    None,
    Some("Ann"),
    Some("Tom & Jerry <b>"),
    Some("\"Quoted\" 'single'"),
    Some("Line\r\nbreak\rand\nmore"),
    Some("no\u{A0}break  and   spaces\ttab"),
    Some("\u{E000}0\u{E001} looks like a marker"),
    Some("Zoë 日本"),
    Some("\r\n leading break"),
];

const LINKS: RecipientLinks<'static> = RecipientLinks {
    open_url: "https://r.example/t/o/abc",
    unsubscribe_url: "https://r.example/u?t=1&x=\"2\"",
    forward_url: "https://r.example/forward/xyz",
};

/// The message as rendered and inlined for the one recipient.
fn expected(content: &CampaignContent, recipient: &Recipient) -> Message {
    let pixel = image(LINKS.open_url);
    let links = MessageLinks {
        tracking_image: &pixel,
        unsubscribe_url: LINKS.unsubscribe_url,
        forward_url: LINKS.forward_url,
    };
    Message::render_for_sending(content, recipient, &footer(), links)
        .unwrap_or_else(|e| panic!("{e}"))
}

fn prepared(content: &CampaignContent) -> PreparedMessage {
    PreparedMessage::prepare(content, &footer(), image).unwrap_or_else(|e| panic!("{e}"))
}

fn assert_same_for_everyone(content: &CampaignContent, fills_html: bool) {
    let prepared = prepared(content);
    assert_eq!(prepared.fills_html(), fills_html);
    for first_name in FIRST_NAMES {
        let recipient = recipient(first_name);
        let filled = prepared
            .fill(&recipient, LINKS)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(filled, expected(content, &recipient), "{first_name:?}");
    }
}

const NEWSLETTER: &str = "<html><head><style>p{color:#222} .lead{font-weight:bold} \
     a{color:#0a4b78} @media (max-width:600px){p{color:blue}}</style></head><body>\
     [[trackingImage]]<table><tr><td><h1>Hello [[FirstName OR \"there\"]]!</h1>\
     <p class=\"lead\">Dear [[FirstName]] [[LastName]], from [[account.OrganizationName]].</p>\
     <p><a href=\"https://x.example/?who=[[FirstName]]&amp;c=[[CUSTOM.Code]]\" \
     title=\"For [[LastName]]\">A link for [[FirstName OR \"you\"]]</a></p>\
     <!-- a comment --><p>Code: [[CUSTOM.Code]]</p></td></tr></table></body></html>";

#[test]
fn a_filled_message_is_the_one_rendered_for_the_recipient() {
    assert_same_for_everyone(&content(None, NEWSLETTER, None), true);
    assert_same_for_everyone(&content(Some("Read this now"), NEWSLETTER, None), true);
    // A text part of its own; a fragment without <html> or <body>.
    assert_same_for_everyone(
        &content(None, "<p>Hi [[FirstName]]</p>", Some("Hi [[FirstName]]\n")),
        true,
    );
    assert_same_for_everyone(
        &content(None, "Hi [[FirstName]][[trackingImage]]", None),
        true,
    );
}

#[test]
fn values_where_filling_in_cannot_be_exact_are_rendered_per_recipient() {
    let cases = [
        // In a style attribute, a <style> element, a comment, a <title>.
        "<p style=\"color:[[CUSTOM.Code OR \"red\"]]\">x [[FirstName]]</p>",
        "<style>p{content:'[[FirstName]]'}</style><p>x</p>",
        "<p>x</p><!-- for [[FirstName]] -->",
        "<html><head><title>[[FirstName]]</title></head><body><p>x</p></body></html>",
        // Rules that could see a value.
        "<style>p:empty{display:none}</style><p>[[FirstName]]</p>",
        "<style>a[title=\"Ann\"]{color:red}</style><a title=\"[[FirstName]]\">x</a>",
        // Where the parser drops or moves what a value starts with, or reads it as markup.
        "<pre>[[FirstName]]</pre>",
        "<table>[[FirstName OR \"\"]]<tr><td>x</td></tr></table>",
        "<p>x <[[FirstName]]> <a href=[[FirstName]]>y</a></p>",
    ];
    for html in cases {
        assert_same_for_everyone(&content(None, html, None), false);
    }
    // A preheader with tags decides per recipient whether its element exists.
    assert_same_for_everyone(&content(Some("[[MiddleName]]"), NEWSLETTER, None), false);
}

#[test]
fn a_value_with_nul_goes_the_long_way_and_still_renders() {
    let content = content(None, NEWSLETTER, None);
    let prepared = prepared(&content);
    assert!(prepared.fills_html());
    let recipient = recipient(Some("nul\0here"));
    let filled = prepared
        .fill(&recipient, LINKS)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(filled, expected(&content, &recipient));
    assert!(!filled.html.contains('\0'));
}

#[test]
fn the_generated_text_is_wrapped_before_values_and_collapses_their_whitespace() {
    let content = content(None, "<p>Dear [[FirstName]], welcome.</p>", None);
    let long = "A very long first name that goes past the width of the text part by itself";
    for (first_name, line) in [
        ("Ann", "Dear Ann, welcome."),
        ("Ann\r\n  Lee", "Dear Ann Lee, welcome."),
        (long, &*format!("Dear {long}, welcome.")),
    ] {
        let message = prepared(&content)
            .fill(&recipient(Some(first_name)), LINKS)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            message.text.starts_with(&format!("{line}\n")),
            "{}",
            message.text
        );
    }
}

#[test]
fn markers_avoid_every_character_the_content_holds() {
    let html = "<p>\u{E000}\u{E001}\u{E002} [[FirstName]]</p>";
    let content = content(None, html, None);
    assert_same_for_everyone(&content, true);
    let markers = Markers::absent_from(&template_sources(&content.html));
    assert_eq!((markers.open, markers.close), ('\u{E003}', '\u{E004}'));
}
