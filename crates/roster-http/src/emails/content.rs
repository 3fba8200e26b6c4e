//! The content rules POST /emails and PUT on an activity share (docs/CAMPAIGNS.md): the
//! character pairs Constant Contact's custom-code guide forbids, the 400 KB message, and the
//! personalisation tags, each problem named under the body's path.

use roster_domain::campaign::ActivityContent;
use roster_domain::{AccountId, FieldError};

use crate::error::ApiError;
use crate::AppState;

/// The pairs the custom-code guide refuses anywhere in the HTML (template-engine syntax).
const FORBIDDEN_PAIRS: [&str; 3] = ["[#", "${", "<@"];
/// The whole message (headers and content) may not exceed 400 KB.
const MAX_MESSAGE_BYTES: usize = 400 * 1024;

/// Every problem with the content of an activity; `prefix` places them in the body.
pub async fn check_content(
    _state: &AppState,
    _account: AccountId,
    content: &ActivityContent,
    prefix: &str,
) -> Result<Vec<FieldError>, ApiError> {
    let mut problems = Vec::new();
    let html = &content.html_content;
    for pair in FORBIDDEN_PAIRS {
        if html.contains(pair) {
            problems.push(FieldError::new(
                format!("{prefix}html_content"),
                format!("must not contain the characters {pair}"),
            ));
        }
    }
    let size = [
        &content.from_name,
        &content.from_email,
        &content.reply_to_email,
        &content.subject,
        html,
    ]
    .iter()
    .map(|text| text.len())
    .sum::<usize>()
        + content.preheader.as_ref().map_or(0, String::len);
    if size > MAX_MESSAGE_BYTES {
        problems.push(FieldError::new(
            format!("{prefix}html_content"),
            "makes the message larger than 400 KB",
        ));
    }
    Ok(problems)
}
