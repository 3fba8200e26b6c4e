//! The sender-address confirmation: the token a confirmation mail carries, and the public page
//! it links to (GET shows a form, so mail scanners that prefetch links confirm nothing; POST
//! confirms). Outside /v3 and without authentication.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use roster_domain::{AccountId, Timestamp};

use super::query::ConfirmQuery;
use crate::error::ApiError;
use crate::oauth::pages::{escape, hidden_inputs, page};
use crate::oauth::{random_secret, sha256_hex};
use crate::wire::Query;
use crate::AppState;

/// Where the confirmation link of a sender address points (outside /v3: a page for people).
pub const CONFIRM_PATH: &str = "/account/emails/confirm";

/// A confirmation token: the account's id (so the lookup is scoped to the account like every
/// other) and 256 random bits; only its SHA-256 is stored.
pub(super) fn new_confirmation_token(account: AccountId) -> String {
    format!("{}.{}", account.0.simple(), random_secret(32))
}

fn parse_confirmation_token(token: &str) -> Option<(AccountId, String)> {
    let (account, secret) = token.trim().split_once('.')?;
    let account = uuid::Uuid::try_parse(account).ok()?;
    (!secret.is_empty()).then(|| (AccountId(account), sha256_hex(token.trim())))
}

fn unknown_link() -> Response {
    page(
        StatusCode::NOT_FOUND,
        "Link not valid",
        "<p class=\"error\">This confirmation link is not valid, or it was used already.</p>",
        &[],
    )
}

/// GET /account/emails/confirm?token=…: shows the address and a button. Only the button's POST
/// confirms, so link scanners that fetch every URL in a message confirm nothing.
pub async fn confirm_page(
    State(state): State<AppState>,
    Query(params, _): Query<ConfirmQuery>,
) -> Result<Response, ApiError> {
    let token = params.token.single().unwrap_or_default().to_string();
    let Some((account, token_sha256)) = parse_confirmation_token(&token) else {
        return Ok(unknown_link());
    };
    let Some(email) = state
        .store
        .account_email_by_token(account, &token_sha256)
        .await?
    else {
        return Ok(unknown_link());
    };
    let body = format!(
        "<p>Confirm that <strong>{address}</strong> may be used as a sender address of this \
         Roster account.</p>\n\
         <form method=\"post\" action=\"{CONFIRM_PATH}\">\n{hidden}\
         <button type=\"submit\">Confirm {address}</button>\n</form>",
        address = escape(email.address.as_str()),
        hidden = hidden_inputs(&[("token".into(), token)]),
    );
    Ok(page(StatusCode::OK, "Confirm sender address", &body, &[]))
}

/// POST /account/emails/confirm (form field `token`): confirms the address, once.
pub async fn confirm(State(state): State<AppState>, body: Bytes) -> Result<Response, ApiError> {
    let fields = crate::oauth::signin::form_fields(&body);
    let token = fields.get("token").map(String::as_str).unwrap_or_default();
    let Some((account, token_sha256)) = parse_confirmation_token(token) else {
        return Ok(unknown_link());
    };
    let Some(email) = state
        .store
        .confirm_account_email(account, &token_sha256, Timestamp::now())
        .await?
    else {
        return Ok(unknown_link());
    };
    tracing::info!(email_id = email.email_id, "sender address confirmed");
    let body = format!(
        "<p><strong>{}</strong> is confirmed: the account may now send email from it.</p>",
        escape(email.address.as_str())
    );
    Ok(page(StatusCode::OK, "Sender address confirmed", &body, &[]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_carry_their_account_and_hash_whole() {
        let account = AccountId::generate();
        let token = new_confirmation_token(account);
        let (parsed, hash) = parse_confirmation_token(&token).unwrap();
        assert_eq!(parsed, account);
        assert_eq!(hash, sha256_hex(&token));
        for bad in [
            "",
            "abc",
            "not-a-uuid.secret",
            &format!("{}.", account.0.simple()),
        ] {
            assert!(parse_confirmation_token(bad).is_none(), "{bad}");
        }
    }
}
