//! What may be logged of a request: the path and the query, with the values of parameters that
//! carry credentials masked wherever they appear, and the token of a path that is one
//! (`/unsubscribe/{token}`: whoever holds it can unsubscribe its contact).

const SECRET_PARAMETERS: [&str; 10] = [
    "code",
    "token",
    "access_token",
    "refresh_token",
    "id_token",
    "client_secret",
    "password",
    "code_verifier",
    "device_code",
    "user_code",
];

/// Paths whose last segment is a secret token.
const SECRET_PATH_PREFIXES: [&str; 1] = ["/unsubscribe/"];

/// `path?query` with secret values replaced by `[redacted]`.
pub fn path_and_query(uri: &axum::http::Uri) -> String {
    let path = match SECRET_PATH_PREFIXES
        .iter()
        .find(|prefix| uri.path().starts_with(*prefix))
    {
        Some(prefix) => format!("{prefix}[redacted]"),
        None => uri.path().to_string(),
    };
    let Some(query) = uri.query() else {
        return path;
    };
    let masked: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if is_secret(key) => format!("{key}=[redacted]"),
            _ => pair.to_string(),
        })
        .collect();
    format!("{path}?{}", masked.join("&"))
}

fn is_secret(key: &str) -> bool {
    let decoded: String = form_urlencoded::parse(key.as_bytes())
        .map(|(k, _)| k.into_owned())
        .collect();
    SECRET_PARAMETERS
        .iter()
        .any(|secret| decoded.eq_ignore_ascii_case(secret))
}

#[cfg(test)]
mod tests {
    #[test]
    fn masks_credentials_only() {
        let uri: axum::http::Uri = "/cb?code=abc&state=xyz&Access_Token=t&limit=5"
            .parse()
            .unwrap();
        assert_eq!(
            super::path_and_query(&uri),
            "/cb?code=[redacted]&state=xyz&Access_Token=[redacted]&limit=5"
        );
    }

    #[test]
    fn masks_unsubscribe_tokens_in_the_path() {
        let uri: axum::http::Uri = "/unsubscribe/AbC-123_x?x=1".parse().unwrap();
        assert_eq!(super::path_and_query(&uri), "/unsubscribe/[redacted]?x=1");
    }
}
