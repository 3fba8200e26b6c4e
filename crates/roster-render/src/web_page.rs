//! A rendered message as a web page (the permalink, docs/TRACKING.md): the author's document as
//! written, with what a page needs and mail does not: a `<title>` (the subject) when it has
//! none, and a language on `<html>` when it declares none, so screen readers announce the page
//! and pronounce it. Content that is a fragment gets a whole document around it.

use crate::escape::escape_html;
use crate::html_scan::tags;

/// The language a page declares when the author's `<html>` names none: Roster's own pages are
/// in English, and so is Constant Contact's editor's default.
pub const DEFAULT_LANGUAGE: &str = "en";

/// `html` as a web page titled `title` (plain text, escaped here).
pub fn web_page(html: &str, title: &str) -> String {
    let mut title_element = String::from("<title>");
    escape_html(title, &mut title_element);
    title_element.push_str("</title>");
    let mut all = tags(html);
    let Some(root) = all
        .by_ref()
        .find(|tag| !tag.is_end && tag.name.eq_ignore_ascii_case("html"))
    else {
        return format!(
            "<!doctype html>\n<html lang=\"{DEFAULT_LANGUAGE}\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             {title_element}</head><body>{html}</body></html>\n"
        );
    };
    let has_lang = root
        .attribute_pairs()
        .iter()
        .any(|(name, value)| name.eq_ignore_ascii_case("lang") && !value.trim().is_empty());
    let has_title = tags(html).any(|tag| !tag.is_end && tag.name.eq_ignore_ascii_case("title"));
    // Where the title goes: first thing in <head>, else right after <html …> (a parser puts a
    // title found before <body> into the head it implies).
    let title_at = tags(html)
        .find(|tag| !tag.is_end && tag.name.eq_ignore_ascii_case("head"))
        .map_or(root.end, |head| head.end);
    let mut page = String::with_capacity(html.len() + title_element.len() + 16);
    let name_end = root.at + 1 + root.name.len();
    page.push_str(&html[..name_end]);
    if !has_lang {
        page.push_str(&format!(" lang=\"{DEFAULT_LANGUAGE}\""));
    }
    page.push_str(&html[name_end..title_at]);
    if !has_title {
        page.push_str(&title_element);
    }
    page.push_str(&html[title_at..]);
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_gains_a_title_and_a_language() {
        assert_eq!(
            web_page(
                "<!DOCTYPE html><HTML class=\"x\"><head><style>p{}</style></head>\
                 <body>Hi</body></HTML>",
                "News & <more>"
            ),
            "<!DOCTYPE html><HTML lang=\"en\" class=\"x\"><head><title>News &amp; &lt;more&gt;\
             </title><style>p{}</style></head><body>Hi</body></HTML>"
        );
        // No head: the title follows <html>.
        assert_eq!(
            web_page("<html><body>Hi</body></html>", "T"),
            "<html lang=\"en\"><title>T</title><body>Hi</body></html>"
        );
    }

    #[test]
    fn the_authors_title_and_language_are_kept() {
        let html =
            "<html lang=\"fr\"><head><title>Nouvelles</title></head><body>Salut</body></html>";
        assert_eq!(web_page(html, "T"), html);
        // An empty lang is no language.
        assert_eq!(
            web_page("<html lang=\"\"><head><title>A</title></head></html>", "T"),
            "<html lang=\"en\" lang=\"\"><head><title>A</title></head></html>"
        );
    }

    #[test]
    fn a_fragment_becomes_a_document() {
        let page = web_page("<p>Hi</p>", "T");
        assert!(
            page.starts_with("<!doctype html>\n<html lang=\"en\"><head>"),
            "{page}"
        );
        assert!(page.contains("<title>T</title></head><body><p>Hi</p></body></html>"));
    }

    #[test]
    fn text_that_only_looks_like_tags_is_not_taken_for_them() {
        let html = "<html><head><!-- <title>x</title> --></head><body>&lt;title&gt;</body></html>";
        let page = web_page(html, "T");
        assert!(page.contains("<head><title>T</title><!--"), "{page}");
    }
}
