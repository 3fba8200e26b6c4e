//! Scopes and privileges: every operation needs its scope AND its privilege (403 with the error
//! array otherwise); GET /account/user/privileges lists the caller's privileges.

use roster_domain::{Privilege, Role};
use roster_tests::{on_both_engines, TestApp, ALL_SCOPES};
use serde_json::json;

on_both_engines!(
    privileges_list_follows_the_role,
    missing_privilege_is_forbidden_even_with_the_scope,
    missing_scope_is_forbidden_even_with_the_privilege,
    users_add_cli_creates_a_user_with_a_role,
);

async fn privileges_list_follows_the_role(app: TestApp) {
    let owner = app
        .get("/v3/account/user/privileges")
        .token(&app.token_for(&app.owner, "offline_access"))
        .expect_json(200)
        .await;
    let names: Vec<&str> = owner
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["privilege_name"].as_str().unwrap())
        .collect();
    let all: Vec<&str> = Privilege::ALL.iter().map(|p| p.name()).collect();
    assert_eq!(names, all);
    let user = app
        .create_user(&app.owner, "author@example.com", Role::Author)
        .await;
    let author = app
        .get("/v3/account/user/privileges")
        .token(&app.token_as(&app.owner, user, Role::Author, ALL_SCOPES))
        .expect_json(200)
        .await;
    let expected: Vec<serde_json::Value> = Role::Author
        .privileges()
        .iter()
        .map(|p| json!({"privilege_id": p.id(), "privilege_name": p.name()}))
        .collect();
    assert_eq!(author, json!(expected));
    app.get("/v3/account/user/privileges")
        .anonymous()
        .send()
        .await
        .expect(401);
}

async fn missing_privilege_is_forbidden_even_with_the_scope(app: TestApp) {
    // An author holds no contacts privilege; a reporter reads contacts but cannot write.
    let author = app
        .create_user(&app.owner, "author@example.com", Role::Author)
        .await;
    let author = app.token_as(&app.owner, author, Role::Author, ALL_SCOPES);
    let response = app
        .get("/v3/contact_custom_fields")
        .token(&author)
        .send()
        .await
        .expect(403);
    assert_eq!(response.error_keys(), ["forbidden"]);
    assert!(response.error_messages()[0].contains("contacts:read"));
    let reporter = app
        .create_user(&app.owner, "reporter@example.com", Role::Reporter)
        .await;
    let reporter = app.token_as(&app.owner, reporter, Role::Reporter, ALL_SCOPES);
    app.get("/v3/contact_custom_fields")
        .token(&reporter)
        .send()
        .await
        .expect(200);
    let response = app
        .post(
            "/v3/contact_custom_fields",
            json!({"label": "Shoe size", "type": "string"}),
        )
        .token(&reporter)
        .send()
        .await
        .expect(403);
    assert!(response.error_messages()[0].contains("contacts:write"));
    // A token naming no known role holds no privilege.
    let nobody = app
        .state
        .tokens
        .mint(roster_http::oauth::tokens::Grant {
            user: app.owner.user,
            account: app.owner.account,
            client_id: app.owner.client_id.clone(),
            scopes: vec!["contact_data".into()],
            lifetime_seconds: 60,
            role: "ghost".into(),
            grant: None,
        })
        .unwrap()
        .access_token;
    app.get("/v3/contact_custom_fields")
        .token(&nobody)
        .send()
        .await
        .expect(403);
}

async fn missing_scope_is_forbidden_even_with_the_privilege(app: TestApp) {
    let token = app.token_for(&app.owner, "campaign_data account_read");
    let response = app
        .get("/v3/contact_custom_fields")
        .token(&token)
        .send()
        .await
        .expect(403);
    assert!(response.error_messages()[0].contains("contact_data"));
    // getUserPrivileges needs no scope at all.
    app.get("/v3/account/user/privileges")
        .token(&token)
        .send()
        .await
        .expect(200);
}

async fn users_add_cli_creates_a_user_with_a_role(app: TestApp) {
    let database = roster::settings::DatabaseArgs {
        database_url: app.database_url.clone(),
        secret_key: Some(roster_tests::TEST_SECRET.into()),
    };
    let add = |email: &str, role: &str| roster::cli::UsersCommand::Add {
        account_email: app.owner.email.clone(),
        email: email.into(),
        password: Some("a long password".into()),
        role: role.into(),
        first_name: None,
        last_name: None,
    };
    roster::users::users(&database, &add("manager@example.com", "account_manager"))
        .await
        .expect("the user is added");
    let user = app
        .store()
        .user_by_email(&roster_domain::EmailAddress::parse("manager@example.com").unwrap())
        .await
        .unwrap()
        .expect("the user exists");
    assert_eq!(user.account_id, app.owner.account);
    assert_eq!(user.role, "account_manager");
    let error = roster::users::users(&database, &add("x@example.com", "admin"))
        .await
        .unwrap_err();
    assert!(error.to_string().contains("unknown role"), "{error}");
    let error = roster::users::users(&database, &add("manager@example.com", "author"))
        .await
        .unwrap_err();
    assert!(format!("{error:#}").contains("already exists"), "{error:#}");
}
