//! The two transformations a value goes through on its way into a message: HTML escaping for
//! the HTML part, and folding line breaks for the subject (one header line).

/// Escapes the five characters that matter in HTML text and in quoted attribute values, so a
/// value placed in `href="…"` cannot close the attribute either.
pub fn escape_html(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

pub fn escaped_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_html(text, &mut out);
    out
}

/// Replaces every line break (CR LF, CR or LF) with one space: a subject is a single header
/// line, and a break in it would start a new header.
pub fn fold_line_breaks(text: &str) -> String {
    if !text.contains(['\r', '\n']) {
        return text.to_string();
    }
    text.replace("\r\n", " ").replace(['\r', '\n'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escaping_covers_text_and_attributes() {
        assert_eq!(
            escaped_html(r#"<a href="x">Tom & 'Jerry'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn line_breaks_fold_to_one_space_each() {
        assert_eq!(fold_line_breaks("a\r\nb\rc\nd\n\ne"), "a b c d  e");
        assert_eq!(fold_line_breaks("plain"), "plain");
    }
}
