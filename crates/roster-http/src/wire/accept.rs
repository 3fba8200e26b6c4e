//! Content negotiation: the V3 API produces JSON, so an Accept header that admits neither
//! `application/json`, `application/*` nor `*/*` answers 406. An absent or empty header is fine.
//! The one exception is the export download (`/v3/contact_exports/{id}`), which produces
//! `text/csv` (and JSON for its errors), so `text/csv` and `text/*` are admitted there too.

use axum::extract::Request;
use axum::http::header::ACCEPT;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

/// Whether an Accept header admits `application/json` (with a non-zero quality).
pub fn admits_json(accept: &str) -> bool {
    admits(accept, &["application/json", "application/*", "*/*"])
}

/// Whether an Accept header admits `text/csv` or JSON.
pub fn admits_csv(accept: &str) -> bool {
    admits_json(accept) || admits(accept, &["text/csv", "text/*"])
}

/// Whether an Accept header holds one of `media` (with a non-zero quality).
fn admits(accept: &str, media: &[&str]) -> bool {
    if accept.trim().is_empty() {
        return true;
    }
    let accepted = media;
    accept.split(',').any(|range| {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let refused = parts.any(|param| {
            let param = param.trim();
            param.len() >= 2
                && param[..2].eq_ignore_ascii_case("q=")
                && param[2..]
                    .trim()
                    .parse::<f32>()
                    .map(|q| q <= 0.0)
                    .unwrap_or(false)
        });
        !refused && accepted.contains(&media.as_str())
    })
}

pub async fn require_json_accept(request: Request, next: Next) -> Response {
    // Several Accept headers form one list: any of them admitting JSON is enough.
    let check = if request.uri().path().starts_with("/v3/contact_exports/") {
        admits_csv
    } else {
        admits_json
    };
    let mut values = request.headers().get_all(ACCEPT).iter().peekable();
    let admitted =
        values.peek().is_none() || values.any(|value| value.to_str().map(check).unwrap_or(false));
    if !admitted {
        return ApiError::NotAcceptable.into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::admits_json;

    #[test]
    fn json_wildcards_and_absence_are_admitted() {
        for ok in [
            "",
            "application/json",
            "*/*",
            "application/*",
            "text/html, application/json;q=0.9",
            "APPLICATION/JSON; charset=utf-8",
        ] {
            assert!(admits_json(ok), "{ok}");
        }
        for refused in [
            "text/html",
            "application/xml",
            "application/json;q=0",
            "text/*",
        ] {
            assert!(!admits_json(refused), "{refused}");
        }
        assert!(super::admits_csv("text/csv"));
        assert!(!super::admits_csv("text/html"));
    }
}
