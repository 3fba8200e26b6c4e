//! Click tracking's link rewriting (docs/TRACKING.md, "Links"), with lol_html, an HTML
//! rewriter that changes the `href` attributes it is asked to and copies every other byte as
//! written. A link is tracked when its `href` (with character references decoded, as a browser
//! follows it) is an `http` or `https` URL on an `<a>` or `<area>` element, holds no `[[…]]`
//! tag (a personalised URL differs per recipient, so it has no one URL to store) and is not
//! one of Roster's own links (unsubscribe, permalink, forward: under the public URL). `mailto:`,
//! `tel:`, anchors and anything else stay as written.
//!
//! A sender rewrites an activity's HTML once per send, not once per recipient: it collects the
//! tracked URLs ([`tracked_urls`]), numbers them, and rewrites each into a URL with a
//! placeholder for the recipient's token ([`rewrite_tracked_links`]), which it fills in per
//! recipient by plain substitution.

use std::cell::RefCell;

use lol_html::{element, rewrite_str, RewriteStrSettings};

use crate::html_scan::decode_references;

/// The elements whose `href` is a followed link.
const LINK_SELECTOR: &str = "a[href], area[href]";

/// The HTML could not be rewritten (lol_html refuses only what it cannot parse at all, such as
/// an encoding error; campaign HTML is UTF-8 text, so this is not expected).
#[derive(Debug, thiserror::Error)]
#[error("the links could not be rewritten: {0}")]
pub struct LinkRewriteError(String);

/// Whether `url` (an `href` as followed, decoded and trimmed) is tracked; `own_prefix` is the
/// public URL Roster's own links start with ("" when none).
pub fn is_tracked(url: &str, own_prefix: &str) -> bool {
    let lower = url
        .get(..8)
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let web = lower.starts_with("http://") || lower.starts_with("https://");
    let own_prefix = own_prefix.trim_end_matches('/');
    let own = !own_prefix.is_empty()
        && url
            .strip_prefix(own_prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', '?', '#']));
    web && !own && !url.contains("[[")
}

/// The URL an `href` value stands for: character references decoded, surrounding whitespace
/// removed (as a browser reads it).
fn followed(href: &str) -> String {
    decode_references(href).trim().to_string()
}

/// The distinct tracked URLs of `html`, in the order they first appear.
pub fn tracked_urls(html: &str, own_prefix: &str) -> Result<Vec<String>, LinkRewriteError> {
    let urls = RefCell::new(Vec::<String>::new());
    rewrite_str(
        html,
        RewriteStrSettings::new().append_element_content_handler(element!(LINK_SELECTOR, |el| {
            if let Some(href) = el.get_attribute("href") {
                let url = followed(&href);
                let mut urls = urls.borrow_mut();
                if is_tracked(&url, own_prefix) && !urls.contains(&url) {
                    urls.push(url);
                }
            }
            Ok(())
        })),
    )
    .map_err(|e| LinkRewriteError(e.to_string()))?;
    Ok(urls.into_inner())
}

/// `html` with the `href` of each tracked link replaced by what `replacement` gives for its
/// URL (None leaves it as written). The replacement is written as an attribute value: it
/// should hold no `&` or `"` (lol_html escapes `"`, not `&`).
pub fn rewrite_tracked_links(
    html: &str,
    own_prefix: &str,
    replacement: impl Fn(&str) -> Option<String>,
) -> Result<String, LinkRewriteError> {
    rewrite_str(
        html,
        RewriteStrSettings::new().append_element_content_handler(element!(LINK_SELECTOR, |el| {
            let Some(href) = el.get_attribute("href") else {
                return Ok(());
            };
            let url = followed(&href);
            if is_tracked(&url, own_prefix) {
                if let Some(new) = replacement(&url) {
                    el.set_attribute("href", &new)?;
                }
            }
            Ok(())
        })),
    )
    .map_err(|e| LinkRewriteError(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const OWN: &str = "https://roster.example";

    #[test]
    fn only_web_links_that_are_not_ours_or_personalised_are_tracked() {
        for url in [
            "https://a.example/",
            "HTTP://a.example/x?y=1&z=2",
            "http://a.example",
            "https://roster.example.org/",
        ] {
            assert!(is_tracked(url, OWN), "{url}");
        }
        for url in [
            "mailto:a@example.com",
            "tel:+15551234",
            "#top",
            "/relative",
            "ftp://a.example/",
            "javascript:alert(1)",
            "https://roster.example/unsubscribe/abc",
            "https://roster.example",
            "https://a.example/?name=[[FirstName]]",
            "",
        ] {
            assert!(!is_tracked(url, OWN), "{url}");
        }
    }

    #[test]
    fn urls_are_collected_once_each_as_followed() {
        let html = "<p><a href=\" https://a.example/?x=1&amp;y=2 \">a</a>\
                    <a href='mailto:x@example.com'>m</a><a href=\"#top\">t</a>\
                    <area href=\"https://b.example/\"><a href=\"https://a.example/?x=1&y=2\">\
                    again</a><link href=\"https://style.example/\">\
                    <a href=\"https://roster.example/unsubscribe/t\">u</a></p>";
        assert_eq!(
            tracked_urls(html, OWN).unwrap(),
            vec![
                "https://a.example/?x=1&y=2".to_string(),
                "https://b.example/".to_string()
            ]
        );
    }

    #[test]
    fn rewriting_changes_only_the_tracked_hrefs() {
        let html = "<html><body><!-- <a href=\"https://c.example/\"> -->\
                    <a class=\"x\" href=\"https://a.example/?x=1&amp;y=2\">a &amp; b</a>\
                    <a href=\"tel:123\">t</a> [[FirstName]] <A HREF=https://b.example/>b</A>\
                    </body></html>";
        let out = rewrite_tracked_links(html, OWN, |url| {
            (url != "https://b.example/").then(|| "https://roster.example/t/c/X1".to_string())
        })
        .unwrap();
        assert_eq!(
            out,
            "<html><body><!-- <a href=\"https://c.example/\"> -->\
             <a class=\"x\" href=\"https://roster.example/t/c/X1\">a &amp; b</a>\
             <a href=\"tel:123\">t</a> [[FirstName]] <A HREF=https://b.example/>b</A>\
             </body></html>"
        );
    }
}
