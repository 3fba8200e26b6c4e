//! The authorization server: the server flow with PKCE through the HTML pages, the client flow,
//! refresh rotation, the device flow, revocation, introspection, metadata, and one test per
//! attack of issue 3's list.

use roster_domain::Role;
use roster_http::oauth::pkce_challenge;
use roster_tests::{on_both_engines, Browser, TestApp, TEST_PASSWORD};
use serde_json::{json, Value};

const REDIRECT: &str = "http://localhost:5000/callback";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

on_both_engines!(
    server_flow_with_pkce_through_the_pages,
    client_flow_redirects_with_a_fragment,
    token_endpoint_accepts_form_query_and_json,
    refresh_rotates_and_reuse_revokes_the_family,
    scope_escalation_on_refresh_is_refused,
    code_reuse_fails_and_revokes_its_tokens,
    code_presented_by_another_client_fails,
    pkce_verifier_wrong_or_missing_fails,
    redirect_uri_mismatch_is_never_redirected_to,
    consent_is_asked_again_for_wider_scopes,
    brute_force_sign_in_is_throttled,
    tokens_of_a_deleted_app_stop_working,
    introspection_is_limited_to_the_clients_own_tokens,
    revocation_reaches_every_node_within_five_seconds,
    device_flow,
    metadata_describes_every_endpoint,
    tokens_verify_against_the_jwks,
    authorization_errors_go_back_to_the_client,
);

/// Signs in through the authorize page and allows; returns the final 302 page.
async fn authorize(app: &TestApp, browser: &Browser, query: &str) -> roster_tests::Page {
    let path = format!("/oauth2/default/v1/authorize?{query}");
    let mut page = browser.get(&path).await;
    if page.body.contains("name=\"password\"") {
        let signed_in = browser
            .submit_sign_in(&page, &app.owner.email, TEST_PASSWORD)
            .await;
        assert_eq!(signed_in.status, 303, "{}", signed_in.body);
        page = browser
            .get(&signed_in.location().expect("a location"))
            .await;
    }
    if page.status == 200 {
        assert!(page.body.contains("Allow access?"), "{}", page.body);
        page = browser.decide(&page, "allow").await;
    }
    page
}

/// The authorize page a code request for `scope` opens, as the browser is signed in now.
async fn code_request_page(browser: &Browser, client_id: &str, scope: &str) -> roster_tests::Page {
    let path = format!(
        "/oauth2/default/v1/authorize?{}",
        code_query(client_id, scope)
    );
    browser.get(&path).await
}

fn code_query(client_id: &str, scope: &str) -> String {
    format!(
        "response_type=code&client_id={client_id}&redirect_uri={}&scope={scope}&state=xyz&code_challenge={}&code_challenge_method=S256",
        urlencode(REDIRECT),
        pkce_challenge(VERIFIER)
    )
}

fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// POSTs `form` to the OAuth endpoint `endpoint` (`token`, `revoke`, `introspect`, …), which
/// the V3 document does not describe, so the answer is not checked against it.
async fn post_form(app: &TestApp, endpoint: &str, form: &[(&str, &str)]) -> reqwest::Response {
    app.http
        .post(app.url(&format!("/oauth2/default/v1/{endpoint}")))
        .form(form)
        .send()
        .await
        .expect("the server answers")
}

/// A JSON document the OAuth server publishes (its metadata, its keys).
async fn get_document(app: &TestApp, path: &str) -> Value {
    app.http
        .get(app.url(path))
        .send()
        .await
        .expect("the server answers")
        .json()
        .await
        .expect("JSON")
}

async fn token_request(
    app: &TestApp,
    form: &[(&str, &str)],
) -> (u16, Value, reqwest::header::HeaderMap) {
    let response = post_form(app, "token", form).await;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, response.json().await.expect("JSON"), headers)
}

/// A code for a public client, through the pages.
async fn code_for(app: &TestApp, browser: &Browser, client_id: &str, scope: &str) -> String {
    let page = authorize(app, browser, &code_query(client_id, scope)).await;
    assert_eq!(page.status, 302, "{}", page.body);
    assert_eq!(page.location_param("state").as_deref(), Some("xyz"));
    page.location_param("code").expect("a code")
}

async fn exchange(app: &TestApp, client_id: &str, code: &str) -> (u16, Value) {
    let (status, body, _) = token_request(
        app,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", client_id),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    (status, body)
}

async fn privileges_with(app: &TestApp, token: &str) -> u16 {
    app.get("/v3/account/user/privileges")
        .token(token)
        .send_unchecked()
        .await
        .status
}

async fn server_flow_with_pkce_through_the_pages(app: TestApp) {
    let (client_id, _) = app.create_app(true, REDIRECT).await;
    let browser = Browser::new(&app.base_url);
    let first = code_request_page(&browser, &client_id, "contact_data+offline_access").await;
    assert_eq!(first.status, 200);
    assert!(first.body.contains("name=\"username\"") && first.body.contains("name=\"password\""));
    assert!(first
        .header("content-security-policy")
        .unwrap()
        .contains("frame-ancestors 'none'"));
    let code = code_for(&app, &browser, &client_id, "contact_data+offline_access").await;
    let (status, body) = exchange(&app, &client_id, &code).await;
    assert_eq!(status, 200, "{body}");
    let mut keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "access_token",
            "expires_in",
            "refresh_token",
            "scope",
            "token_type"
        ]
    );
    assert_eq!(body["scope"], "contact_data offline_access");
    assert_eq!(body["token_type"], "Bearer");
    assert!(body["refresh_token"].as_str().unwrap().len() <= 50);
    let token = body["access_token"].as_str().unwrap();
    app.get("/v3/contact_custom_fields")
        .token(token)
        .send()
        .await
        .expect(200);

    // Without offline_access there is no refresh token.
    let code = code_for(&app, &browser, &client_id, "contact_data").await;
    let (status, body) = exchange(&app, &client_id, &code).await;
    assert_eq!(status, 200);
    assert!(body.get("refresh_token").is_none(), "{body}");
}

async fn client_flow_redirects_with_a_fragment(app: TestApp) {
    let (client_id, _) = app.create_app(true, REDIRECT).await;
    let browser = Browser::new(&app.base_url);
    let page = authorize(
        &app,
        &browser,
        &format!(
            "response_type=token&client_id={client_id}&redirect_uri={}&scope=contact_data%20account_read&state=s1",
            urlencode(REDIRECT)
        ),
    )
    .await;
    assert_eq!(page.status, 302);
    let location = page.location().unwrap();
    assert!(
        location.starts_with(&format!("{REDIRECT}#access_token=")),
        "{location}"
    );
    assert_eq!(page.location_param("token_type").as_deref(), Some("Bearer"));
    assert_eq!(page.location_param("expires_in").as_deref(), Some("28800"));
    assert_eq!(
        page.location_param("scope").as_deref(),
        Some("contact_data account_read")
    );
    assert_eq!(page.location_param("state").as_deref(), Some("s1"));
    assert!(page.location_param("refresh_token").is_none());
    let token = page.location_param("access_token").unwrap();
    app.get("/v3/contact_custom_fields")
        .token(&token)
        .send()
        .await
        .expect(200);
}

async fn token_endpoint_accepts_form_query_and_json(app: TestApp) {
    let (client_id, secret) = app.create_app(false, REDIRECT).await;
    let secret = secret.unwrap();
    let browser = Browser::new(&app.base_url);
    let query = code_query(&client_id, "contact_data%2Boffline_access");
    // JSON body, Basic authentication.
    let code = authorize(&app, &browser, &query)
        .await
        .location_param("code")
        .unwrap();
    let response = app
        .http
        .post(app.url("/oauth2/default/v1/token"))
        .basic_auth(&client_id, Some(&secret))
        .json(&json!({"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "code_verifier": VERIFIER}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["scope"], "contact_data offline_access");
    // Query string, secret as parameters.
    let code = authorize(&app, &browser, &query)
        .await
        .location_param("code")
        .unwrap();
    let url = format!(
        "{}?grant_type=authorization_code&code={code}&redirect_uri={}&code_verifier={VERIFIER}&client_id={client_id}&client_secret={secret}",
        app.url("/oauth2/default/v1/token"),
        urlencode(REDIRECT)
    );
    let response = app.http.post(url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    // A wrong secret over Basic: 401 invalid_client with a challenge.
    let response = app
        .http
        .post(app.url("/oauth2/default/v1/token"))
        .basic_auth(&client_id, Some("wrong"))
        .form(&[("grant_type", "refresh_token"), ("refresh_token", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert!(response
        .headers()
        .get("www-authenticate")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("Basic"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_client");
    // An unknown grant type.
    let (status, body, _) = token_request(
        &app,
        &[
            ("grant_type", "password"),
            ("client_id", &client_id),
            ("client_secret", &secret),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );
}

async fn tokens_with_refresh(app: &TestApp, client_id: &str, scope: &str) -> Value {
    let browser = Browser::new(&app.base_url);
    let code = code_for(app, &browser, client_id, scope).await;
    let (status, body) = exchange(app, client_id, &code).await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn refresh(
    app: &TestApp,
    client_id: &str,
    refresh_token: &str,
    scope: Option<&str>,
) -> (u16, Value) {
    let mut form = vec![
        ("grant_type", "refresh_token"),
        ("client_id", client_id),
        ("refresh_token", refresh_token),
    ];
    if let Some(scope) = scope {
        form.push(("scope", scope));
    }
    let (status, body, _) = token_request(app, &form).await;
    (status, body)
}

async fn refresh_rotates_and_reuse_revokes_the_family(app: TestApp) {
    let (client_id, _) = app.create_app(true, REDIRECT).await;
    let first = tokens_with_refresh(&app, &client_id, "contact_data offline_access").await;
    let r1 = first["refresh_token"].as_str().unwrap();
    let (status, second) = refresh(&app, &client_id, r1, None).await;
    assert_eq!(status, 200, "{second}");
    let r2 = second["refresh_token"].as_str().unwrap();
    assert_ne!(r1, r2);
    let access2 = second["access_token"].as_str().unwrap();
    assert_eq!(privileges_with(&app, access2).await, 200);
    // Presenting the used r1 again revokes the whole family: r2 and the access tokens.
    let (status, body) = refresh(&app, &client_id, r1, None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let (status, body) = refresh(&app, &client_id, r2, None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    assert_eq!(privileges_with(&app, access2).await, 401);
    assert_eq!(
        privileges_with(&app, first["access_token"].as_str().unwrap()).await,
        401
    );
}

async fn scope_escalation_on_refresh_is_refused(app: TestApp) {
    let (client_id, _) = app.create_app(true, REDIRECT).await;
    let tokens = tokens_with_refresh(&app, &client_id, "contact_data offline_access").await;
    let r1 = tokens["refresh_token"].as_str().unwrap();
    let (status, body) = refresh(&app, &client_id, r1, Some("contact_data campaign_data")).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_scope")),
        "{body}"
    );
    // Narrowing is fine; the narrowed access token lacks what was dropped.
    let (status, body) = refresh(&app, &client_id, r1, Some("offline_access")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["scope"], "offline_access");
    let narrowed = body["access_token"].as_str().unwrap();
    app.get("/v3/contact_custom_fields")
        .token(narrowed)
        .send()
        .await
        .expect(403);
    // The rotated refresh token keeps the grant's scope.
    let (status, body) = refresh(
        &app,
        &client_id,
        body["refresh_token"].as_str().unwrap(),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["scope"], "contact_data offline_access");
}

async fn code_reuse_fails_and_revokes_its_tokens(app: TestApp) {
    let (client_id, _) = app.create_app(true, REDIRECT).await;
    let browser = Browser::new(&app.base_url);
    let code = code_for(&app, &browser, &client_id, "contact_data offline_access").await;
    let (status, first) = exchange(&app, &client_id, &code).await;
    assert_eq!(status, 200);
    let access = first["access_token"].as_str().unwrap();
    assert_eq!(privileges_with(&app, access).await, 200);
    let (status, body) = exchange(&app, &client_id, &code).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    assert_eq!(privileges_with(&app, access).await, 401);
    let (status, _) = refresh(
        &app,
        &client_id,
        first["refresh_token"].as_str().unwrap(),
        None,
    )
    .await;
    assert_eq!(status, 400);
}

async fn code_presented_by_another_client_fails(app: TestApp) {
    let (client_id, _) = app.create_app(true, REDIRECT).await;
    let (other, _) = app.create_app(true, REDIRECT).await;
    let browser = Browser::new(&app.base_url);
    let code = code_for(&app, &browser, &client_id, "contact_data").await;
    let (status, body) = exchange(&app, &other, &code).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    // The rightful client can still use it.
    let (status, _) = exchange(&app, &client_id, &code).await;
    assert_eq!(status, 200);
}

async fn pkce_verifier_wrong_or_missing_fails(app: TestApp) {
    let (client_id, _) = app.create_app(true, REDIRECT).await;
    let browser = Browser::new(&app.base_url);
    let code = code_for(&app, &browser, &client_id, "contact_data").await;
    let wrong = "x".repeat(43);
    for verifier in [Some(wrong.as_str()), None] {
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("client_id", client_id.as_str()),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
        ];
        if let Some(verifier) = verifier {
            form.push(("code_verifier", verifier));
        }
        let (status, body, _) = token_request(&app, &form).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant")),
            "{body}"
        );
    }
    // A public client cannot even start without a challenge.
    let page = browser
        .get(&format!(
            "/oauth2/default/v1/authorize?response_type=code&client_id={client_id}&redirect_uri={}&scope=contact_data&state=q",
            urlencode(REDIRECT)
        ))
        .await;
    assert_eq!(page.status, 302);
    assert_eq!(
        page.location_param("error").as_deref(),
        Some("invalid_request")
    );
    assert_eq!(page.location_param("state").as_deref(), Some("q"));
}

async fn redirect_uri_mismatch_is_never_redirected_to(app: TestApp) {
    let (client_id, _) = app.create_app(true, REDIRECT).await;
    let browser = Browser::new(&app.base_url);
    for evil in [
        "https://evil.example/callback",
        "http://localhost:5000/callback/extra",
        "",
    ] {
        let page = browser
            .get(&format!(
                "/oauth2/default/v1/authorize?response_type=code&client_id={client_id}&redirect_uri={}&scope=contact_data&code_challenge={}",
                urlencode(evil),
                pkce_challenge(VERIFIER)
            ))
            .await;
        assert_eq!(page.status, 400, "{evil}");
        assert!(page.location().is_none());
        assert!(page.body.contains("redirect_uri"), "{}", page.body);
    }
    let page = browser
        .get(&format!("/oauth2/default/v1/authorize?response_type=code&client_id=nope&redirect_uri={}&scope=contact_data", urlencode(REDIRECT)))
        .await;
    assert_eq!(page.status, 400);
    assert!(page.location().is_none());
    // At the token endpoint, another redirect_uri than the code's fails.
    let code = code_for(&app, &browser, &client_id, "contact_data").await;
    let (status, body, _) = token_request(
        &app,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &client_id),
            ("code", &code),
            ("redirect_uri", "http://localhost:5000/other"),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
}

async fn consent_is_asked_again_for_wider_scopes(app: TestApp) {
    let (client_id, _) = app.create_app(true, REDIRECT).await;
    let browser = Browser::new(&app.base_url);
    code_for(&app, &browser, &client_id, "contact_data+campaign_data").await;
    // Same or fewer scopes: the session and the consent skip both pages.
    let page = code_request_page(&browser, &client_id, "contact_data").await;
    assert_eq!(page.status, 302, "{}", page.body);
    assert!(page.location_param("code").is_some());
    // A wider scope asks again.
    let page = code_request_page(&browser, &client_id, "contact_data+account_read").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Allow access?") && page.body.contains("account_read"));
    // Another client asks too.
    let (other, _) = app.create_app(true, REDIRECT).await;
    let page = code_request_page(&browser, &other, "contact_data").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Allow access?"));
    // Denying goes back with access_denied.
    let page = browser.decide(&page, "deny").await;
    assert_eq!(page.status, 302);
    assert_eq!(
        page.location_param("error").as_deref(),
        Some("access_denied")
    );
}

async fn brute_force_sign_in_is_throttled(app: TestApp) {
    let (client_id, _) = app.create_app(true, REDIRECT).await;
    let browser = Browser::new(&app.base_url);
    let path = format!(
        "/oauth2/default/v1/authorize?{}",
        code_query(&client_id, "contact_data")
    );
    let page = browser.get(&path).await;
    for _ in 0..app.config.oauth.signin_failures_per_account {
        let answer = browser
            .submit_sign_in(&page, &app.owner.email, "wrong password")
            .await;
        assert_eq!(answer.status, 401);
        assert!(answer.body.contains("wrong"), "{}", answer.body);
    }
    // Even the right password is refused now, and fast (no hash is computed).
    let started = std::time::Instant::now();
    let answer = browser
        .submit_sign_in(&page, &app.owner.email, TEST_PASSWORD)
        .await;
    assert_eq!(answer.status, 429, "{}", answer.body);
    assert!(answer.body.contains("Too many failed sign-in attempts"));
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    assert!(answer
        .header("set-cookie")
        .is_none_or(|c| !c.contains("roster_session")));
    // Another account signs in fine from elsewhere in the window.
    let other = app
        .create_user(&app.owner, "colleague@example.com", Role::Reporter)
        .await;
    let _ = other;
    let answer = browser
        .submit_sign_in(&page, "colleague@example.com", TEST_PASSWORD)
        .await;
    assert_eq!(answer.status, 303);
}

async fn tokens_of_a_deleted_app_stop_working(app: TestApp) {
    let (client_id, _) = app.create_app(true, REDIRECT).await;
    let tokens = tokens_with_refresh(&app, &client_id, "contact_data offline_access").await;
    let access = tokens["access_token"].as_str().unwrap();
    assert_eq!(privileges_with(&app, access).await, 200);
    // The CLI deletes the app (a separate process in real life; the same function here).
    roster::commands::apps(
        &roster::settings::DatabaseArgs {
            database_url: app.database_url.clone(),
            secret_key: Some(roster_tests::TEST_SECRET.into()),
        },
        &roster::cli::AppsCommand::Delete {
            client_id: client_id.clone(),
        },
    )
    .await
    .expect("the app is deleted");
    // Within the revocation refresh interval, every node rejects its tokens.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while privileges_with(&app, access).await != 401 {
        assert!(
            std::time::Instant::now() < deadline,
            "the deleted app's token still works"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let (status, body) = refresh(
        &app,
        &client_id,
        tokens["refresh_token"].as_str().unwrap(),
        None,
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
}

async fn introspect(app: &TestApp, client_id: &str, token: &str) -> Value {
    let response = post_form(
        app,
        "introspect",
        &[("client_id", client_id), ("token", token)],
    )
    .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn introspection_is_limited_to_the_clients_own_tokens(app: TestApp) {
    let (client_id, _) = app.create_app(true, REDIRECT).await;
    let (other, _) = app.create_app(true, REDIRECT).await;
    let tokens = tokens_with_refresh(&app, &client_id, "contact_data offline_access").await;
    let access = tokens["access_token"].as_str().unwrap();
    let refresh_token = tokens["refresh_token"].as_str().unwrap();
    let own = introspect(&app, &client_id, access).await;
    assert_eq!(own["active"], true);
    assert_eq!(own["client_id"], client_id.as_str());
    assert_eq!(own["scope"], "contact_data offline_access");
    assert_eq!(
        introspect(&app, &client_id, refresh_token).await["active"],
        true
    );
    assert_eq!(
        introspect(&app, &other, access).await,
        json!({"active": false})
    );
    assert_eq!(
        introspect(&app, &other, refresh_token).await,
        json!({"active": false})
    );
    // Another client's revocation request does nothing; the owner's revokes.
    let revoke = |client: String, token: String| {
        let app = &app;
        async move {
            post_form(
                app,
                "revoke",
                &[("client_id", client.as_str()), ("token", token.as_str())],
            )
            .await
            .status()
            .as_u16()
        }
    };
    assert_eq!(revoke(other.clone(), access.to_string()).await, 200);
    assert_eq!(privileges_with(&app, access).await, 200);
    assert_eq!(revoke(client_id.clone(), access.to_string()).await, 200);
    assert_eq!(privileges_with(&app, access).await, 401);
    assert_eq!(introspect(&app, &client_id, access).await["active"], false);
    // Without client authentication: 401.
    let response = post_form(&app, "introspect", &[("token", access)]).await;
    assert_eq!(response.status(), 401);
}

async fn revocation_reaches_every_node_within_five_seconds(app: TestApp) {
    let peer = app.start_peer().await;
    let (client_id, _) = app.create_app(true, REDIRECT).await;
    let tokens = tokens_with_refresh(&app, &client_id, "contact_data offline_access").await;
    let access = tokens["access_token"].as_str().unwrap().to_string();
    let on_peer = |token: String| {
        let url = format!("{}/v3/account/user/privileges", peer.base_url);
        let http = app.http.clone();
        async move {
            http.get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(on_peer(access.clone()).await, 200);
    let response = post_form(
        &app,
        "revoke",
        &[
            ("client_id", client_id.as_str()),
            ("token", tokens["refresh_token"].as_str().unwrap()),
        ],
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        privileges_with(&app, &access).await,
        401,
        "the revoking node applies it at once"
    );
    let started = std::time::Instant::now();
    while on_peer(access.clone()).await != 401 {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "the peer still accepts the token"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    peer.stopper.stop().await;
}

async fn device_poll(app: &TestApp, client_id: &str, device_code: &str) -> (u16, Value) {
    let (status, body, _) = token_request(
        app,
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("client_id", client_id),
            ("device_code", device_code),
        ],
    )
    .await;
    (status, body)
}

async fn device_flow(app: TestApp) {
    let (client_id, _) = app.create_app(true, REDIRECT).await;
    let response = post_form(
        &app,
        "device/authorize",
        &[
            ("client_id", client_id.as_str()),
            ("scope", "contact_data offline_access"),
        ],
    )
    .await;
    assert_eq!(response.status(), 200);
    let started: Value = response.json().await.unwrap();
    let device_code = started["device_code"].as_str().unwrap();
    let user_code = started["user_code"].as_str().unwrap();
    assert_eq!(started["interval"], 1);
    assert!(started["verification_uri"]
        .as_str()
        .unwrap()
        .ends_with("/oauth2/default/v1/device"));
    let (status, body) = device_poll(&app, &client_id, device_code).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("authorization_pending"))
    );
    let (status, body) = device_poll(&app, &client_id, device_code).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("slow_down")));

    // The user signs in on the verification page and enters the code.
    let browser = Browser::new(&app.base_url);
    let page = browser.get("/oauth2/default/v1/device").await;
    let signed_in = browser
        .submit_sign_in(&page, &app.owner.email, TEST_PASSWORD)
        .await;
    assert_eq!(signed_in.status, 303);
    let entry = browser.get(&signed_in.location().unwrap()).await;
    assert!(entry.body.contains("name=\"user_code\""));
    let confirm = browser
        .get(&format!(
            "/oauth2/default/v1/device?user_code={}",
            user_code.to_lowercase()
        ))
        .await;
    assert_eq!(confirm.status, 200);
    assert!(confirm.body.contains("contact_data"));
    let done = browser.decide(&confirm, "allow").await;
    assert_eq!(done.status, 200);
    assert!(done.body.contains("Device connected"));

    // After the (grown) interval the device gets its tokens.
    tokio::time::sleep(std::time::Duration::from_millis(6100)).await;
    let (status, body) = device_poll(&app, &client_id, device_code).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["scope"], "contact_data offline_access");
    assert!(body["refresh_token"].is_string());
    app.get("/v3/contact_custom_fields")
        .token(body["access_token"].as_str().unwrap())
        .send()
        .await
        .expect(200);
    let (status, body) = device_poll(&app, &client_id, device_code).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );

    // A code nobody approves in time expires.
    let started: Value = post_form(
        &app,
        "device/authorize",
        &[("client_id", client_id.as_str()), ("scope", "contact_data")],
    )
    .await
    .json()
    .await
    .unwrap();
    let device_code = started["device_code"].as_str().unwrap();
    expire_device_codes(&app).await;
    let (status, body) = device_poll(&app, &client_id, device_code).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("expired_token"))
    );
}

/// Moves every device authorization's expiry into the past (as if ten minutes went by).
async fn expire_device_codes(app: &TestApp) {
    app.execute_sql("UPDATE oauth_device_authorizations SET expires_at = 0")
        .await;
}

async fn metadata_describes_every_endpoint(app: TestApp) {
    let body: Value = get_document(&app, "/.well-known/oauth-authorization-server").await;
    assert_eq!(body["issuer"], "http://roster.test/oauth2/default");
    for (key, path) in [
        ("authorization_endpoint", "authorize"),
        ("token_endpoint", "token"),
        ("jwks_uri", "keys"),
        ("revocation_endpoint", "revoke"),
        ("introspection_endpoint", "introspect"),
        ("device_authorization_endpoint", "device/authorize"),
    ] {
        let url = body[key].as_str().unwrap();
        assert_eq!(url, format!("http://roster.test/oauth2/default/v1/{path}"));
        // Each one is routed here: a bare GET is answered (200, 400 or 405), never 404.
        let local = url.replace("http://roster.test", &app.base_url);
        let status = app.http.get(local).send().await.unwrap().status().as_u16();
        assert!([200, 400, 405].contains(&status), "{key}: {status}");
    }
    assert_eq!(body["code_challenge_methods_supported"], json!(["S256"]));
}

async fn tokens_verify_against_the_jwks(app: TestApp) {
    let (client_id, _) = app.create_app(true, REDIRECT).await;
    let tokens = tokens_with_refresh(&app, &client_id, "contact_data").await;
    let token = tokens["access_token"].as_str().unwrap();
    let jwks: Value = get_document(&app, "/oauth2/default/v1/keys").await;
    let header = jsonwebtoken::decode_header(token).unwrap();
    let jwk = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"].as_str() == header.kid.as_deref())
        .expect("the token's kid is in the JWKS");
    let key = jsonwebtoken::DecodingKey::from_rsa_components(
        jwk["n"].as_str().unwrap(),
        jwk["e"].as_str().unwrap(),
    )
    .unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&["http://roster.test/v3"]);
    validation.set_issuer(&["http://roster.test/oauth2/default"]);
    let claims = jsonwebtoken::decode::<Value>(token, &key, &validation)
        .unwrap()
        .claims;
    assert_eq!(claims["cid"], client_id.as_str());
    assert_eq!(claims["scp"], json!(["contact_data"]));
    assert_eq!(claims["rol"], "account_owner");
}

async fn authorization_errors_go_back_to_the_client(app: TestApp) {
    let (client_id, _) = app.create_app(true, REDIRECT).await;
    let browser = Browser::new(&app.base_url);
    let base = format!(
        "client_id={client_id}&redirect_uri={}&state=st",
        urlencode(REDIRECT)
    );
    for (query, error) in [
        (format!("{base}&response_type=magic&scope=contact_data"), "unsupported_response_type"),
        (format!("{base}&response_type=code&scope=everything&code_challenge={}", pkce_challenge(VERIFIER)), "invalid_scope"),
        (format!("{base}&response_type=code&scope=contact_data&code_challenge={}&code_challenge_method=plain", pkce_challenge(VERIFIER)), "invalid_request"),
    ] {
        let page = browser.get(&format!("/oauth2/default/v1/authorize?{query}")).await;
        assert_eq!(page.status, 302, "{query}");
        assert_eq!(page.location_param("error").as_deref(), Some(error), "{query}");
        assert_eq!(page.location_param("state").as_deref(), Some("st"));
    }
    let page = browser
        .get(&format!(
            "/oauth2/default/v1/authorize?{base}&response_type=token&scope=nope"
        ))
        .await;
    assert!(page
        .location()
        .unwrap()
        .starts_with(&format!("{REDIRECT}#error=invalid_scope")));
    // A forged consent POST without the CSRF cookie is refused.
    let response = post_form(
        &app,
        "authorize",
        &[
            ("client_id", client_id.as_str()),
            ("redirect_uri", REDIRECT),
            ("response_type", "token"),
            ("scope", "contact_data"),
            ("decision", "allow"),
            ("csrf_token", "x"),
        ],
    )
    .await;
    assert_eq!(response.status(), 400);
}
