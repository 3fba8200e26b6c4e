//! The open routes (liveness, readiness, the JWKS) and the token every /v3 route requires.

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use reqwest::Method;
use roster_tests::{on_both_engines, Engine, TestApp};
use serde_json::{json, Value};

use crate::support::{field_path, id_of, unauthorized, COLLECTION};

on_both_engines!(
    health_and_readiness_need_no_token,
    v3_routes_without_a_token_answer_401,
    the_jwks_verifies_issued_tokens,
);

async fn health_and_readiness_need_no_token(app: TestApp) {
    let engine = match app.engine {
        Engine::Sqlite => "sqlite",
        Engine::Postgres => "postgres",
    };
    for request in [
        app.get("/healthz").anonymous(),
        app.get("/healthz").token("not a token"),
    ] {
        let response = request.send_unchecked().await;
        assert_eq!(response.status, 200);
        assert_eq!(response.json(), json!({"status": "ok"}));
    }
    for request in [
        app.get("/readyz").anonymous(),
        app.get("/readyz").token("not a token"),
    ] {
        let response = request.send_unchecked().await;
        assert_eq!(response.status, 200);
        assert_eq!(
            response.json(),
            json!({"status": "ready", "database": engine})
        );
    }
}

async fn v3_routes_without_a_token_answer_401(app: TestApp) {
    let field = app.create_string_field("Guarded").await;
    let item = field_path(&id_of(&field));
    let body = json!({"label": "Changed", "type": "string"});
    let requests = [
        (Method::GET, COLLECTION.to_string(), None),
        (Method::POST, COLLECTION.to_string(), Some(body.clone())),
        (Method::GET, item.clone(), None),
        (Method::PUT, item.clone(), Some(body.clone())),
        (Method::DELETE, item.clone(), None),
    ];
    for (method, path, body) in requests {
        let mut request = app.request(method.clone(), &path).anonymous();
        if let Some(body) = body {
            request = request.json(body);
        }
        request
            .answers(401, &unauthorized(), &format!("{method} {path}"))
            .await;
    }
    let kept = app.get_json(&item).await;
    assert_eq!(kept, field, "nothing changed without a token");
}

async fn the_jwks_verifies_issued_tokens(app: TestApp) {
    let response = app
        .get("/oauth2/default/v1/keys")
        .anonymous()
        .send_unchecked()
        .await;
    assert_eq!(response.status, 200);
    let jwks = response.json();
    let header = jsonwebtoken::decode_header(&app.owner.token).expect("a JWT header");
    assert_eq!(header.alg, Algorithm::RS256);
    let kid = header.kid.expect("tokens name their key");
    let keys = jwks["keys"].as_array().expect("a keys array");
    let jwk: &Value = keys
        .iter()
        .find(|k| k["kid"] == kid.as_str())
        .unwrap_or_else(|| panic!("the JWKS holds {kid}: {jwks}"));
    assert_eq!(jwk["kty"], "RSA");
    assert_eq!(jwk["alg"], "RS256");
    assert_eq!(jwk["use"], "sig");
    let key = DecodingKey::from_rsa_components(
        jwk["n"].as_str().expect("a modulus"),
        jwk["e"].as_str().expect("an exponent"),
    )
    .expect("an RSA public key");

    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&["http://roster.test/oauth2/default"]);
    validation.set_audience(&["http://roster.test/v3"]);
    let claims = jsonwebtoken::decode::<Value>(&app.owner.token, &key, &validation)
        .expect("the JWKS key verifies the token")
        .claims;
    assert_eq!(claims["sub"], app.owner.user.to_string());
    assert_eq!(claims["account"], app.owner.account.to_string());
    assert_eq!(claims["cid"], app.owner.client_id.as_str());
    assert_eq!(
        claims["scp"],
        json!([
            "contact_data",
            "campaign_data",
            "account_read",
            "account_update",
            "offline_access"
        ])
    );

    let other = app.create_account("other@example.com").await;
    let claims = jsonwebtoken::decode::<Value>(&other.token, &key, &validation)
        .expect("every account's token verifies")
        .claims;
    assert_eq!(claims["account"], other.account.to_string());

    let owner: Vec<&str> = app.owner.token.split('.').collect();
    let theirs: Vec<&str> = other.token.split('.').collect();
    let spliced = format!("{}.{}.{}", owner[0], theirs[1], owner[2]);
    assert!(
        jsonwebtoken::decode::<Value>(&spliced, &key, &validation).is_err(),
        "the key checks the signature"
    );
}
