//! A small, tolerant reader of HTML tags, for the two checks that must look at the author's
//! markup without building a document: how deeply elements nest (html2text's cost grows with
//! the square of the depth, docs/CAMPAIGNS.md "Text part") and which links are too long for
//! Constant Contact (1,005 characters). It reads in one pass and never fails: text that is not
//! a tag is skipped, as a browser would show it.
//!
//! It is not an HTML parser. It knows what changes the tag structure a parser builds from the
//! kind of HTML mail carries: comments, `<!…>` and `<?…>` declarations, the raw-text elements
//! (`script`, `style`, …) whose content holds no tags, quoted attribute values (which may hold
//! `>`), void elements, and elements whose end tag is optional. Where a parser would nest less
//! than this reader counts (a `<table>` directly inside a `<table>` closes the first), the count
//! errs on the deep side; where it would nest more, it cannot: every element that can contain
//! itself is counted.

/// Elements that never have content (the HTML standard's void elements).
const VOID_ELEMENTS: [&str; 14] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// Elements whose end tag is optional and which a parser closes when a sibling of their kind
/// starts: they cannot nest inside themselves without a container that is counted (`ul`,
/// `table`, `select`, `dl`), so the reader does not count them.
const SELF_CLOSING_SIBLINGS: [&str; 14] = [
    "p", "li", "dt", "dd", "tr", "td", "th", "tbody", "thead", "tfoot", "option", "optgroup",
    "colgroup", "rp",
];

/// Elements whose content is text up to their end tag.
const RAW_TEXT_ELEMENTS: [&str; 8] = [
    "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes",
];

/// One start or end tag as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TagToken<'a> {
    /// As written (compare with `eq_ignore_ascii_case`).
    pub name: &'a str,
    pub is_end: bool,
    /// Written `<x … />`.
    pub self_closing: bool,
    /// The text between the name and the closing `>` (or `/>`).
    pub attributes: &'a str,
    /// Byte offset of the `<`.
    pub at: usize,
    /// Byte offset after the closing `>` (the end of the input when there is none).
    pub end: usize,
}

impl<'a> TagToken<'a> {
    fn is(&self, names: &[&str]) -> bool {
        names.iter().any(|n| self.name.eq_ignore_ascii_case(n))
    }

    /// The attributes in the order written, values with their quotes removed (entities are
    /// not decoded). An attribute without a value has "".
    pub fn attribute_pairs(&self) -> Vec<(&'a str, &'a str)> {
        attribute_pairs(self.attributes)
    }
}

/// The tags of `html`, in order.
pub fn tags(html: &str) -> Tags<'_> {
    Tags { html, at: 0 }
}

pub struct Tags<'a> {
    html: &'a str,
    at: usize,
}

impl<'a> Iterator for Tags<'a> {
    type Item = TagToken<'a>;

    fn next(&mut self) -> Option<TagToken<'a>> {
        let bytes = self.html.as_bytes();
        loop {
            let start = self.at + self.html.get(self.at..)?.find('<')?;
            let rest = &self.html[start..];
            if rest.starts_with("<!--") {
                self.at = find_after(self.html, start + 4, "-->");
                continue;
            }
            if rest.starts_with("<!") || rest.starts_with("<?") {
                self.at = find_after(self.html, start + 2, ">");
                continue;
            }
            let is_end = rest.starts_with("</");
            let name_start = start + if is_end { 2 } else { 1 };
            if !bytes.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
                // A `<` that opens no tag is text.
                self.at = start + 1;
                continue;
            }
            let name_end = name_start
                + bytes[name_start..]
                    .iter()
                    .position(|b| b.is_ascii_whitespace() || *b == b'/' || *b == b'>')
                    .unwrap_or(bytes.len() - name_start);
            let (attributes_end, tag_end) = attributes_end(bytes, name_end);
            let attributes = &self.html[name_end..attributes_end];
            let self_closing = attributes.ends_with('/');
            let token = TagToken {
                name: &self.html[name_start..name_end],
                is_end,
                self_closing,
                attributes: attributes.strip_suffix('/').unwrap_or(attributes),
                at: start,
                end: tag_end,
            };
            self.at = tag_end;
            if !is_end && token.is(&RAW_TEXT_ELEMENTS) {
                self.at = raw_text_end(self.html, tag_end, token.name);
            }
            return Some(token);
        }
    }
}

/// The offset after the first `needle` at or after `from`, else the end.
fn find_after(html: &str, from: usize, needle: &str) -> usize {
    html.get(from..)
        .and_then(|rest| rest.find(needle))
        .map_or(html.len(), |at| from + at + needle.len())
}

/// Where the attributes end (the offset of the closing `>`) and where the tag ends (after it).
/// A quote opens a value only after `=`, so an apostrophe in an unquoted place cannot swallow
/// the rest of the document.
fn attributes_end(bytes: &[u8], from: usize) -> (usize, usize) {
    let mut quote: Option<u8> = None;
    let mut after_equals = false;
    for (offset, &b) in bytes[from..].iter().enumerate() {
        let at = from + offset;
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'>' => return (at, at + 1),
            None if (b == b'"' || b == b'\'') && after_equals => quote = Some(b),
            None => {}
        }
        if !b.is_ascii_whitespace() {
            after_equals = b == b'=';
        }
    }
    (bytes.len(), bytes.len())
}

/// The offset of the end tag of raw-text element `name` (content holds no tags), else the end.
fn raw_text_end(html: &str, from: usize, name: &str) -> usize {
    let needle = format!("</{}", name.to_ascii_lowercase());
    // ASCII lower-casing keeps every byte where it was.
    html.get(from..)
        .map(str::to_ascii_lowercase)
        .and_then(|rest| rest.find(&needle))
        .map_or(html.len(), |at| from + at)
}

fn attribute_pairs(raw: &str) -> Vec<(&str, &str)> {
    let bytes = raw.as_bytes();
    let mut pairs = Vec::new();
    let mut at = 0;
    let skip_space = |at: &mut usize| {
        while bytes
            .get(*at)
            .is_some_and(|b| b.is_ascii_whitespace() || *b == b'/')
        {
            *at += 1;
        }
    };
    loop {
        skip_space(&mut at);
        if at >= bytes.len() {
            return pairs;
        }
        let name_start = at;
        while bytes
            .get(at)
            .is_some_and(|b| !b.is_ascii_whitespace() && *b != b'=' && *b != b'/')
        {
            at += 1;
        }
        let name = &raw[name_start..at];
        let mut probe = at;
        while bytes.get(probe).is_some_and(u8::is_ascii_whitespace) {
            probe += 1;
        }
        if bytes.get(probe) != Some(&b'=') {
            pairs.push((name, ""));
            if at == name_start {
                at += 1; // a lone `=`: step over it
            }
            continue;
        }
        at = probe + 1;
        while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
            at += 1;
        }
        let value = match bytes.get(at) {
            Some(&q) if q == b'"' || q == b'\'' => {
                let end = raw[at + 1..]
                    .find(q as char)
                    .map_or(raw.len(), |e| at + 1 + e);
                let value = &raw[at + 1..end];
                at = (end + 1).min(raw.len());
                value
            }
            _ => {
                let start = at;
                while bytes.get(at).is_some_and(|b| !b.is_ascii_whitespace()) {
                    at += 1;
                }
                &raw[start..at]
            }
        };
        pairs.push((name, value));
    }
}

/// Where the elements of `html` first nest deeper than `limit`: the byte offset of the start
/// tag that opens level `limit + 1`, or `None` when they never do. Void elements, elements
/// that cannot contain themselves ([`SELF_CLOSING_SIBLINGS`]) and, inside `svg` or `math`,
/// self-closed elements are not counted; an end tag closes its nearest open namesake and
/// everything opened after it, and is ignored when there is none. Linear in the input: the
/// stack never holds more than `limit + 1` names, and the scan stops when it would.
pub fn nesting_exceeds(html: &str, limit: usize) -> Option<usize> {
    let mut open: Vec<&str> = Vec::new();
    let mut foreign = 0usize; // how many open `svg`/`math` elements
    for tag in tags(html) {
        if tag.is_end {
            if let Some(index) = open
                .iter()
                .rposition(|name| name.eq_ignore_ascii_case(tag.name))
            {
                foreign -= open[index..].iter().filter(|n| is_foreign_root(n)).count();
                open.truncate(index);
            }
            continue;
        }
        if tag.is(&VOID_ELEMENTS)
            || tag.is(&SELF_CLOSING_SIBLINGS)
            || (tag.self_closing && (foreign > 0 || is_foreign_root(tag.name)))
        {
            continue;
        }
        if is_foreign_root(tag.name) {
            foreign += 1;
        }
        open.push(tag.name);
        if open.len() > limit {
            return Some(tag.at);
        }
    }
    None
}

/// One `href` value: where its tag starts (byte offset of the `<`) and the URL, with the
/// character references HTML mail uses decoded (`&amp;` is one character of the URL) and the
/// surrounding whitespace a browser ignores removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Href {
    pub at: usize,
    pub url: String,
}

/// Every `href` attribute of `html`, on any element, in order.
pub fn hrefs(html: &str) -> Vec<Href> {
    tags(html)
        .filter(|tag| !tag.is_end)
        .flat_map(|tag| {
            tag.attribute_pairs()
                .into_iter()
                .filter(|(name, _)| name.eq_ignore_ascii_case("href"))
                .map(move |(_, value)| Href {
                    at: tag.at,
                    url: decode_references(value).trim().to_string(),
                })
        })
        .collect()
}

/// Decodes `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;` and numeric references; any other `&`
/// stays as written (an unknown named reference counts at its written length).
pub(crate) fn decode_references(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let decoded = rest.find(';').filter(|&semi| semi <= 10).and_then(|semi| {
            let name = &rest[1..semi];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => {
                    let number = name.strip_prefix('#')?;
                    let code = match number.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => number.parse().ok()?,
                    };
                    char::from_u32(code)
                }
            }?;
            Some((c, semi + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn is_foreign_root(name: &str) -> bool {
    name.eq_ignore_ascii_case("svg") || name.eq_ignore_ascii_case("math")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(html: &str) -> Vec<String> {
        tags(html)
            .map(|t| format!("{}{}", if t.is_end { "/" } else { "" }, t.name))
            .collect()
    }

    #[test]
    fn comments_declarations_raw_text_and_quoted_values_hide_no_tags() {
        assert_eq!(
            names(
                "<!DOCTYPE html><!-- <div> --><p title='a>b' data-x=\"<i>\">x<3 < b</p>\
                 <style>p>b{}</div></STYLE><a href=x>it's</a><br/>"
            ),
            vec!["p", "/p", "style", "/STYLE", "a", "/a", "br"]
        );
        assert_eq!(names("<div"), vec!["div"]);
        assert_eq!(names("<!-- never closed <b>"), Vec::<String>::new());
    }

    #[test]
    fn attributes_are_read_with_or_without_quotes() {
        let tag = tags("<a HREF = \"https://x.example/?a=1&amp;b\" target=_blank hidden />").next();
        let Some(tag) = tag else { panic!("no tag") };
        assert!(tag.self_closing);
        assert_eq!(
            tag.attribute_pairs(),
            vec![
                ("HREF", "https://x.example/?a=1&amp;b"),
                ("target", "_blank"),
                ("hidden", ""),
            ]
        );
    }

    #[test]
    fn hrefs_are_found_on_any_element_and_decoded() {
        let html = "<a href=' https://a.example/?x=1&amp;y=&#50;&#x33;&copy; '>a</a>\
                    <!-- <a href=\"https://hidden.example\"> --><area HREF=b><p>href=c</p>\
                    <link rel=stylesheet href=\"s.css\">";
        let found: Vec<(usize, String)> = hrefs(html).into_iter().map(|h| (h.at, h.url)).collect();
        assert_eq!(
            found,
            vec![
                (0, "https://a.example/?x=1&y=23&copy;".to_string()),
                (106, "b".to_string()),
                (132, "s.css".to_string()),
            ]
        );
    }

    #[test]
    fn depth_counts_what_can_nest_and_stops_past_the_limit() {
        let nested = |open: &str, n: usize| open.repeat(n);
        assert_eq!(nesting_exceeds(&nested("<div>", 3), 3), None);
        assert_eq!(nesting_exceeds(&nested("<div>", 4), 3), Some(15));
        // Closed elements do not add up; siblings, voids and optional-end elements do not count.
        let flat = "<div><b>x</b></div>".repeat(100) + &"<p><li><td><br><img>".repeat(100);
        assert_eq!(nesting_exceeds(&flat, 2), None);
        // `<div/>` is an open div in HTML; inside svg a self-closed element is empty.
        assert_eq!(nesting_exceeds(&nested("<div/>", 4), 3), Some(18));
        assert_eq!(nesting_exceeds("<svg><path/><path/><g/></svg>", 1), None);
        // An end tag closes what was opened after its namesake; a stray one is ignored.
        assert_eq!(nesting_exceeds("<div><b><i></div></i><div><div>", 3), None);
        assert_eq!(
            nesting_exceeds("<table><tr><td><table><tr><td>", 1),
            Some(15)
        );
    }
}
