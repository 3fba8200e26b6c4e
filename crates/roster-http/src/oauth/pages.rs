//! The authorization server's HTML: plain server-rendered pages with every interpolated value
//! escaped, sent with `Content-Security-Policy: frame-ancestors 'none'` (no framing, so no
//! clickjacking of the consent button), no caching and no referrer.

use crate::error::ApiError;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, SET_COOKIE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// Escapes text for HTML content and double-quoted attributes: the renderer's escaping, so the
/// pages and the campaign messages escape alike.
pub use roster_render::escape::escaped_html as escape;

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem \
    auto;padding:0 1rem;color:#1b1b1b}\
label{display:block;margin:.8rem 0 \
    .2rem}input[type=text],input[type=email],input[type=password]{width:100%;padding:.4rem}\
textarea{box-sizing:border-box;width:100%;padding:.4rem;font:inherit}\
.hint{margin:0 0 .3rem;font-size:.9rem;color:#555}\
button{margin:1rem .5rem 0 0;padding:.5rem 1rem}.error{color:#a00}ul{padding-left:1.2rem}\
.error a{color:#a00}";

/// A complete page with the security headers and any cookies to set.
pub fn page(status: StatusCode, title: &str, body: &str, cookies: &[String]) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} - Roster</title><style>{STYLE}</style></head>\
         <body><h1>{title}</h1>\n{body}\n</body></html>\n",
        title = escape(title),
    );
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    secure_headers(headers);
    for cookie in cookies {
        if let Ok(value) = HeaderValue::from_str(cookie) {
            headers.append(SET_COOKIE, value);
        }
    }
    response
}

/// The headers every authorization-server page and redirect carries.
pub fn secure_headers(headers: &mut axum::http::HeaderMap) {
    headers.insert(
        "content-security-policy",
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        ),
    );
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
}

/// An error page: used whenever redirecting back to the client would be unsafe (unknown client,
/// unregistered redirect URI) or there is no client to return to.
/// The page a browser flow shows: its own, or, when the store failed, a 503 page (the failure
/// logged as `what` failed).
pub fn page_outcome(what: &str, result: Result<Response, ApiError>) -> Response {
    result.unwrap_or_else(|error| {
        tracing::error!(error = %error, "{what} failed");
        error_page(
            StatusCode::SERVICE_UNAVAILABLE,
            "The authorization server is temporarily unavailable. Try again shortly.",
        )
    })
}

pub fn error_page(status: StatusCode, message: &str) -> Response {
    page(
        status,
        "Authorization failed",
        &format!("<p class=\"error\">{}</p>", escape(message)),
        &[],
    )
}

/// Hidden inputs for name/value pairs.
pub fn hidden_inputs(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(name, value)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">\n",
                escape(name),
                escape(value)
            )
        })
        .collect()
}

/// The sign-in form; it posts to the sign-in endpoint, which returns to `return_to`.
pub fn signin_form(
    csrf: &str,
    return_to: &str,
    message: Option<&str>,
    cookies: &[String],
) -> Response {
    let status = if message.is_some() {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::OK
    };
    let notice = message
        .map(|m| format!("<p class=\"error\">{}</p>\n", escape(m)))
        .unwrap_or_default();
    let body = format!(
        "{notice}<form method=\"post\" action=\"{action}\">\n{hidden}\
         <label for=\"username\">Email</label><input type=\"email\" id=\"username\" \
             name=\"username\" autocomplete=\"username\" required>\n\
         <label for=\"password\">Password</label><input type=\"password\" id=\"password\" \
             name=\"password\" autocomplete=\"current-password\" required>\n\
         <button type=\"submit\">Sign in</button>\n</form>",
        action = escape(&format!("{}/signin", super::BASE_PATH)),
        hidden = hidden_inputs(&[
            ("csrf_token".into(), csrf.into()),
            ("return_to".into(), return_to.into()),
        ]),
    );
    page(status, "Sign in", &body, cookies)
}

/// What each scope lets an application do, for the consent page.
pub fn scope_description(scope: &str) -> &'static str {
    match scope {
        "contact_data" => "Read or modify your contacts, lists, tags and custom fields",
        "campaign_data" => "Read or modify your email campaigns and their reports",
        "account_read" => "Read your account details",
        "account_update" => "Modify your account details",
        "billing_data" => "Read or modify your billing data",
        "offline_access" => "Keep access while you are away (refresh tokens)",
        _ => "An unknown permission",
    }
}

/// The consent step: the client's name, the requested scopes, allow and deny.
pub fn consent_form(
    action: &str,
    client_name: &str,
    user_email: &str,
    scopes: &[String],
    hidden: &[(String, String)],
    cookies: &[String],
) -> Response {
    let items: String = scopes
        .iter()
        .map(|scope| {
            format!(
                "<li><code>{}</code>: {}</li>\n",
                escape(scope),
                escape(scope_description(scope))
            )
        })
        .collect();
    let body = format!(
        "<p><strong>{client}</strong> asks to act for <strong>{user}</strong> with these \
            permissions:</p>\n\
         <ul>\n{items}</ul>\n<form method=\"post\" action=\"{action}\">\n{hidden}\
         <button type=\"submit\" name=\"decision\" value=\"allow\">Allow</button>\
         <button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>\n</form>",
        client = escape(client_name),
        user = escape(user_email),
        action = escape(action),
        hidden = hidden_inputs(hidden),
    );
    page(StatusCode::OK, "Allow access?", &body, cookies)
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            super::escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
