//! Bad tokens: expired, altered, unsigned, signed with the wrong algorithm or key, for another
//! issuer or audience, malformed, or not bearer tokens at all. Each answers 401 with the one
//! object Constant Contact sends, and the server keeps answering afterwards.
//!
//! Tokens with chosen claims are signed here with the server's real private key (read from the
//! test database with the test secret), so each refusal is down to the one thing altered: the
//! same helper signing unaltered claims is accepted.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use roster_domain::Timestamp;
use roster_http::oauth::keys::load_signing_keys;
use roster_http::oauth::tokens::Grant;
use roster_tests::{on_both_engines, test_secret, TestApp};
use rsa::pkcs1::{EncodeRsaPrivateKey, EncodeRsaPublicKey};
use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey, LineEnding};
use rsa::traits::PublicKeyParts;
use rsa::{BigUint, RsaPrivateKey, RsaPublicKey};
use serde_json::{json, Value};

use crate::support::{assert_still_healthy, unauthorized, COLLECTION};

on_both_engines!(
    tokens_signed_here_with_the_real_key_are_accepted,
    expired_tokens_are_refused,
    a_token_accepted_before_is_refused_once_it_expires,
    altered_tokens_are_refused,
    unsigned_tokens_are_refused,
    hs256_keyed_with_the_public_key_is_refused,
    tokens_naming_no_known_key_are_refused,
    tokens_signed_by_another_key_are_refused,
    tokens_for_another_issuer_or_audience_are_refused,
    tokens_missing_or_garbling_claims_are_refused,
    malformed_authorization_headers_are_refused,
);

/// The server's signing key.
struct RealKey {
    kid: String,
    private: EncodingKey,
    public: RsaPublicKey,
}

async fn real_key(app: &TestApp) -> RealKey {
    let keys = load_signing_keys(app.store(), &test_secret())
        .await
        .expect("the signing keys load");
    let newest = keys.first().expect("a signing key");
    let private =
        RsaPrivateKey::from_pkcs8_der(&newest.private_pkcs8_der).expect("a PKCS#8 RSA key");
    let pkcs1 = private.to_pkcs1_der().expect("PKCS#1 encodes");
    RealKey {
        kid: newest.kid.clone(),
        private: EncodingKey::from_rsa_der(pkcs1.as_bytes()),
        public: newest.public.clone(),
    }
}

fn segments(token: &str) -> Vec<String> {
    let parts: Vec<String> = token.split('.').map(String::from).collect();
    assert_eq!(parts.len(), 3, "a JWS has three segments: {token}");
    parts
}

fn encode_segment(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

/// The claims of the owner's token: a valid payload to alter.
fn owner_claims(app: &TestApp) -> Value {
    let payload = &segments(&app.owner.token)[1];
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64url"))
        .expect("JSON claims")
}

fn sign_rs256(key: &EncodingKey, kid: Option<&str>, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = kid.map(String::from);
    jsonwebtoken::encode(&header, claims, key).expect("the token is signed")
}

async fn assert_refused(app: &TestApp, token: &str, what: &str) {
    app.get(COLLECTION)
        .token(token)
        .answers(401, &unauthorized(), what)
        .await;
    app.post(COLLECTION, json!({"label": "Sneaked in", "type": "string"}))
        .token(token)
        .answers(401, &unauthorized(), &format!("{what} (POST)"))
        .await;
}

async fn assert_accepted(app: &TestApp, token: &str, what: &str) {
    let response = app.get(COLLECTION).token(token).send().await;
    assert_eq!(
        response.status,
        200,
        "{what}: {}",
        String::from_utf8_lossy(&response.body)
    );
}

/// No refused token created anything.
async fn assert_nothing_created(app: &TestApp) {
    let page = app.get_json(COLLECTION).await;
    assert_eq!(page, json!({"custom_fields": []}));
}

/// How every refusal test ends: the refused requests created nothing, and the server answers.
async fn assert_unharmed(app: &TestApp) {
    assert_nothing_created(app).await;
    assert_still_healthy(app).await;
}

async fn tokens_signed_here_with_the_real_key_are_accepted(app: TestApp) {
    let key = real_key(&app).await;
    let header = jsonwebtoken::decode_header(&app.owner.token).expect("a header");
    assert_eq!(header.kid.as_deref(), Some(key.kid.as_str()));
    let resigned = sign_rs256(&key.private, Some(&key.kid), &owner_claims(&app));
    assert_accepted(&app, &resigned, "the owner's claims signed here").await;
}

async fn expired_tokens_are_refused(app: TestApp) {
    let mint = |lifetime_seconds: i64| {
        app.state
            .tokens
            .mint(Grant {
                user: app.owner.user,
                account: app.owner.account,
                client_id: app.owner.client_id.clone(),
                scopes: vec!["contact_data".into()],
                lifetime_seconds,
                role: roster_domain::account::OWNER_ROLE.into(),
                grant: None,
            })
            .expect("the token is signed")
            .access_token
    };
    // The verifier allows 5 seconds of clock skew; these are well past it.
    assert_refused(&app, &mint(-60), "expired a minute ago").await;
    assert_refused(&app, &mint(-3600), "expired an hour ago").await;
    let key = real_key(&app).await;
    let mut claims = owner_claims(&app);
    claims["exp"] = json!(Timestamp::now().unix_seconds() - 30);
    let expired = sign_rs256(&key.private, Some(&key.kid), &claims);
    assert_refused(&app, &expired, "exp 30 seconds ago").await;
    assert_accepted(&app, &mint(60), "a token valid for a minute").await;
    assert_unharmed(&app).await;
}

/// The verifier remembers tokens whose signature checked out; remembering must not outlive
/// the token: accepted while valid, refused once `exp` (plus the 5 seconds of skew) is past.
async fn a_token_accepted_before_is_refused_once_it_expires(app: TestApp) {
    let key = real_key(&app).await;
    let mut claims = owner_claims(&app);
    let exp = Timestamp::now().unix_seconds() + 1;
    claims["exp"] = json!(exp);
    let short_lived = sign_rs256(&key.private, Some(&key.kid), &claims);
    assert_accepted(&app, &short_lived, "a token valid for a second").await;
    assert_accepted(&app, &short_lived, "the same token again, remembered").await;
    while Timestamp::now().unix_seconds() <= exp + 5 {
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    assert_refused(&app, &short_lived, "the remembered token after its expiry").await;
    assert_nothing_created(&app).await;
}

async fn altered_tokens_are_refused(app: TestApp) {
    let parts = segments(&app.owner.token);
    let flip = |text: &str| {
        let mut chars: Vec<char> = text.chars().collect();
        let middle = chars.len() / 2;
        chars[middle] = if chars[middle] == 'A' { 'B' } else { 'A' };
        chars.into_iter().collect::<String>()
    };
    let other = app.create_account("other@example.com").await;
    let mut claims = owner_claims(&app);
    claims["account"] = json!(other.account.to_string());
    let other_account = encode_segment(&claims);
    let mut claims = owner_claims(&app);
    claims["exp"] = json!(claims["exp"].as_i64().expect("an exp") + 3600);
    let longer = encode_segment(&claims);
    let cases = [
        (
            "one payload character changed",
            format!("{}.{}.{}", parts[0], flip(&parts[1]), parts[2]),
        ),
        (
            "the payload names another account",
            format!("{}.{other_account}.{}", parts[0], parts[2]),
        ),
        (
            "the payload lives longer",
            format!("{}.{longer}.{}", parts[0], parts[2]),
        ),
        (
            "one signature character changed",
            format!("{}.{}.{}", parts[0], parts[1], flip(&parts[2])),
        ),
        ("no signature", format!("{}.{}.", parts[0], parts[1])),
        ("two segments", format!("{}.{}", parts[0], parts[1])),
        (
            "four segments",
            format!("{}.{}.{}.{}", parts[0], parts[1], parts[2], parts[2]),
        ),
    ];
    for (what, token) in cases {
        assert_refused(&app, &token, what).await;
    }
    assert_unharmed(&app).await;
}

async fn unsigned_tokens_are_refused(app: TestApp) {
    let key = real_key(&app).await;
    let payload = encode_segment(&owner_claims(&app));
    for alg in ["none", "None", "NONE", "nOnE"] {
        let header = encode_segment(&json!({"alg": alg, "typ": "JWT", "kid": key.kid}));
        assert_refused(&app, &format!("{header}.{payload}."), &format!("alg {alg}")).await;
    }
    let header = encode_segment(&json!({"alg": "RS256", "typ": "JWT", "kid": key.kid}));
    assert_refused(
        &app,
        &format!("{header}.{payload}."),
        "RS256 without signature",
    )
    .await;
    assert_unharmed(&app).await;
}

async fn hs256_keyed_with_the_public_key_is_refused(app: TestApp) {
    let key = real_key(&app).await;
    // The public key as a client would rebuild it from the JWKS.
    let jwks = app
        .get("/oauth2/default/v1/keys")
        .anonymous()
        .send_unchecked()
        .await
        .json();
    let jwk = jwks["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .find(|k| k["kid"] == key.kid.as_str())
        .expect("the signing key is published")
        .clone();
    let component = |name: &str| {
        BigUint::from_bytes_be(
            &URL_SAFE_NO_PAD
                .decode(jwk[name].as_str().expect("a component"))
                .expect("base64url"),
        )
    };
    let public = RsaPublicKey::new(component("n"), component("e")).expect("an RSA public key");
    assert_eq!(public, key.public, "the JWKS publishes the signing key");

    let secrets: Vec<(&str, Vec<u8>)> = vec![
        (
            "PKCS#1 PEM",
            public
                .to_pkcs1_pem(LineEnding::LF)
                .expect("PEM")
                .into_bytes(),
        ),
        (
            "SPKI PEM",
            public
                .to_public_key_pem(LineEnding::LF)
                .expect("PEM")
                .into_bytes(),
        ),
        (
            "PKCS#1 DER",
            public.to_pkcs1_der().expect("DER").as_bytes().to_vec(),
        ),
        (
            "SPKI DER",
            public.to_public_key_der().expect("DER").as_bytes().to_vec(),
        ),
        ("the modulus", public.n().to_bytes_be()),
    ];
    let claims = owner_claims(&app);
    for (form, secret) in secrets {
        for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
            let mut header = Header::new(alg);
            header.kid = Some(key.kid.clone());
            let token = jsonwebtoken::encode(&header, &claims, &EncodingKey::from_secret(&secret))
                .expect("HMAC signs");
            assert_refused(&app, &token, &format!("{alg:?} keyed with the {form}")).await;
        }
    }
    assert_unharmed(&app).await;
}

async fn tokens_naming_no_known_key_are_refused(app: TestApp) {
    let key = real_key(&app).await;
    let claims = owner_claims(&app);
    for (what, kid) in [
        ("kid nope", Some("nope")),
        ("an empty kid", Some("")),
        ("no kid", None),
    ] {
        let token = sign_rs256(&key.private, kid, &claims);
        assert_refused(&app, &token, what).await;
    }
    let payload = encode_segment(&claims);
    let signature = &segments(&app.owner.token)[2];
    for kid in [json!(7), json!(["x"]), json!(null)] {
        let header = encode_segment(&json!({"alg": "RS256", "typ": "JWT", "kid": kid}));
        assert_refused(
            &app,
            &format!("{header}.{payload}.{signature}"),
            &format!("kid {kid}"),
        )
        .await;
    }
    assert_unharmed(&app).await;
}

async fn tokens_signed_by_another_key_are_refused(app: TestApp) {
    let key = real_key(&app).await;
    let mut rng = rsa::rand_core::OsRng;
    let stranger = RsaPrivateKey::new(&mut rng, 2048).expect("a key pair");
    let stranger = EncodingKey::from_rsa_der(stranger.to_pkcs1_der().expect("DER").as_bytes());
    let claims = owner_claims(&app);
    let token = sign_rs256(&stranger, Some(&key.kid), &claims);
    assert_refused(&app, &token, "another key under the real kid").await;
    let token = sign_rs256(&stranger, Some("stranger"), &claims);
    assert_refused(&app, &token, "another key under its own kid").await;
    assert_unharmed(&app).await;
}

async fn tokens_for_another_issuer_or_audience_are_refused(app: TestApp) {
    let key = real_key(&app).await;
    let claims = owner_claims(&app);
    assert_eq!(claims["iss"], "http://roster.test/oauth2/default");
    assert_eq!(claims["aud"], "http://roster.test/v3");
    let cases = [
        ("iss", json!("http://elsewhere.test/oauth2/default")),
        ("iss", json!("http://roster.test/oauth2/other")),
        ("iss", json!("")),
        ("aud", json!("http://elsewhere.test/v3")),
        ("aud", json!("http://roster.test/v2")),
        ("aud", json!(["http://elsewhere.test/v3"])),
    ];
    for (claim, value) in cases {
        let mut altered = claims.clone();
        altered[claim] = value.clone();
        let token = sign_rs256(&key.private, Some(&key.kid), &altered);
        assert_refused(&app, &token, &format!("{claim} {value}")).await;
    }
    assert_unharmed(&app).await;
}

async fn tokens_missing_or_garbling_claims_are_refused(app: TestApp) {
    let key = real_key(&app).await;
    let claims = owner_claims(&app);
    for missing in ["exp", "iss", "aud", "sub", "account", "scp"] {
        let mut altered = claims.clone();
        altered.as_object_mut().expect("an object").remove(missing);
        let token = sign_rs256(&key.private, Some(&key.kid), &altered);
        assert_refused(&app, &token, &format!("no {missing}")).await;
    }
    for (claim, value) in [
        ("sub", json!("not-a-uuid")),
        ("account", json!("not-a-uuid")),
        ("exp", json!("tomorrow")),
        ("scp", json!("contact_data")),
    ] {
        let mut altered = claims.clone();
        altered[claim] = value.clone();
        let token = sign_rs256(&key.private, Some(&key.kid), &altered);
        assert_refused(&app, &token, &format!("{claim} {value}")).await;
    }
    assert_unharmed(&app).await;
}

async fn malformed_authorization_headers_are_refused(app: TestApp) {
    let token = app.owner.token.clone();
    let values = [
        "Bearer garbage".to_string(),
        "Bearer a.b.c".to_string(),
        "Bearer ...".to_string(),
        format!(
            "Basic {}",
            URL_SAFE_NO_PAD.encode("owner@example.com:secret")
        ),
        format!("Basic {token}"),
        format!("Token {token}"),
        format!("Bearer{token}"),
        token.clone(),
        "Bearer ".to_string(),
        "Bearer".to_string(),
        String::new(),
    ];
    for value in values {
        let response = app
            .get(COLLECTION)
            .anonymous()
            .header("authorization", &value)
            .send()
            .await;
        let shown: String = value.chars().take(30).collect();
        response.assert_answer(401, &unauthorized(), &format!("Authorization {shown:?}"));
    }
    let response = app
        .get(COLLECTION)
        .anonymous()
        .header("authorization", &format!("bearer {token}"))
        .send()
        .await;
    assert_eq!(response.status, 200, "the scheme is case-insensitive");
    assert_still_healthy(&app).await;
}
