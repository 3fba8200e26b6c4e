//! The text part generated from HTML (html2text), and what rendering can fail with.

use crate::content::MAX_HTML_NESTING_DEPTH;
use crate::html_scan::nesting_exceeds;

/// The width the generated text part is wrapped to: the customary limit for plain-text mail.
pub const TEXT_WIDTH: usize = 78;

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("the text part could not be generated from the HTML: {0}")]
    TextPart(#[from] html2text::Error),
    #[error("the style rules could not be inlined: {0}")]
    CssInline(#[from] css_inline::InlineError),
    #[error(
        "the HTML nests elements deeper than {MAX_HTML_NESTING_DEPTH} levels (byte {at_byte})"
    )]
    TooDeep { at_byte: usize },
}

/// The plain-text rendering of `html` by html2text, wrapped at [`TEXT_WIDTH`], with links as
/// numbered footnotes. Width overflow is allowed so that a deeply nested table is printed
/// wider rather than refused. HTML nested deeper than [`MAX_HTML_NESTING_DEPTH`] is refused
/// before html2text sees it (its time grows with the square of the depth): the content check
/// refuses it at create and update already, and this keeps the bound for any caller that built
/// its `CampaignContent` without that check.
pub fn text_from_html(html: &str) -> Result<String, RenderError> {
    if let Some(at) = nesting_exceeds(html, MAX_HTML_NESTING_DEPTH) {
        return Err(RenderError::TooDeep { at_byte: at });
    }
    Ok(html2text::config::plain()
        .allow_width_overflow()
        .string_from_read(html.as_bytes(), TEXT_WIDTH)?)
}
