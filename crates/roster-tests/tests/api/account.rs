//! Account Services: the summary (GET, partial PUT, extra fields), the physical address (404
//! before one is set, POST then 409, PUT removing what is left out), and sender addresses (the
//! owner's confirmed from the start; an added one UNCONFIRMED until the mailed link's page is
//! followed and its button pressed), with bad input, isolation between accounts and the
//! scopes and privileges each operation needs.

use roster_domain::Role;
use roster_tests::{form_fields, on_both_engines, on_both_engines_with_mail, TestApp};
use serde_json::{json, Value};

const SUMMARY: &str = "/v3/account/summary";
const ADDRESS: &str = "/v3/account/summary/physical_address";
const EMAILS: &str = "/v3/account/emails";

fn us_address() -> Value {
    json!({
        "address_line1": "123 Maple Street",
        "address_line2": "Unit 1",
        "city": "Boston",
        "state_code": "MA",
        "postal_code": "02451",
        "country_code": "US"
    })
}

fn assert_invalid(response: &roster_tests::TestResponse, field: &str) {
    assert_eq!(
        response.status,
        400,
        "{}",
        String::from_utf8_lossy(&response.body)
    );
    let messages = response.error_messages();
    assert!(
        messages.iter().any(|m| m.starts_with(&format!("{field} "))),
        "no error names {field}: {messages:?}"
    );
}

async fn summary_get_and_partial_put(app: TestApp) {
    let summary = app.get_json(SUMMARY).await;
    assert_eq!(summary["encoded_account_id"], app.owner.encoded_id.as_str());
    assert_eq!(summary["contact_email"], "owner@example.com");
    assert_eq!(summary["first_name"], "Test");
    assert_eq!(summary["organization_name"], "Test Org");
    assert!(summary.get("physical_address").is_none());

    let updated = app
        .put_json(
            SUMMARY,
            json!({
                "contact_phone": "5081111212",
                "country_code": "us",
                "state_code": "ma",
                "time_zone_id": "US/Eastern",
                "website": "https://instaprinz.example",
                "encoded_account_id": "ignored",
            }),
        )
        .await;
    assert_eq!(updated["country_code"], "US");
    assert_eq!(updated["state_code"], "MA");
    assert_eq!(updated["encoded_account_id"], app.owner.encoded_id.as_str());
    // Properties left out keep their values.
    assert_eq!(updated["first_name"], "Test");
    assert_eq!(updated["organization_name"], "Test Org");

    app.put(SUMMARY, json!({"first_name": "Lola", "website": ""}))
        .send()
        .await
        .expect(200);
    let summary = app.get_json(SUMMARY).await;
    assert_eq!(summary["first_name"], "Lola");
    assert_eq!(summary["last_name"], "Owner");
    assert_eq!(summary["contact_phone"], "5081111212");
    assert_eq!(summary["time_zone_id"], "US/Eastern");
    assert!(summary.get("website").is_none(), "an empty string clears");

    // Moving to a country without states drops the old state code.
    let moved = app.put_json(SUMMARY, json!({"country_code": "DE"})).await;
    assert_eq!(moved["country_code"], "DE");
    assert!(moved.get("state_code").is_none());
}

async fn summary_extra_fields(app: TestApp) {
    app.put(
        SUMMARY,
        json!({"company_logo": {"external_url": "https://img.example/logo.png"}}),
    )
    .send()
    .await
    .expect(200);
    app.post(ADDRESS, us_address()).send().await.expect(201);
    let plain = app.get_json(SUMMARY).await;
    assert!(plain.get("physical_address").is_none() && plain.get("company_logo").is_none());
    let full = app
        .get_json(&format!(
            "{SUMMARY}?extra_fields=physical_address,company_logo"
        ))
        .await;
    assert_eq!(full["physical_address"]["city"], "Boston");
    assert_eq!(
        full["company_logo"]["external_url"],
        "https://img.example/logo.png"
    );
    let response = app
        .get(&format!("{SUMMARY}?extra_fields=everything"))
        .send()
        .await;
    assert_invalid(&response, "extra_fields");
}

async fn summary_bad_input_names_the_field(app: TestApp) {
    let cases = [
        (json!({"contact_phone": "1".repeat(26)}), "contact_phone"),
        (json!({"first_name": "x".repeat(81)}), "first_name"),
        (json!({"country_code": "XX"}), "country_code"),
        (
            json!({"country_code": "US", "state_code": "ZZ"}),
            "state_code",
        ),
        (json!({"country_code": "US"}), "state_code"),
        (
            json!({"country_code": "FR", "state_code": "MA"}),
            "state_code",
        ),
        (json!({"time_zone_id": "not a zone"}), "time_zone_id"),
        (json!({"website": "example.com"}), "website"),
        (json!({"first_name": 7}), "first_name"),
        (json!({"contact_email": "not-an-email"}), "contact_email"),
        // Only a confirmed sender address may be the contact email.
        (
            json!({"contact_email": "stranger@example.com"}),
            "contact_email",
        ),
        (
            json!({"company_logo": {"external_url": "ftp://x.example/a.png"}}),
            "company_logo.external_url",
        ),
    ];
    for (body, field) in cases {
        let response = app.put(SUMMARY, body.clone()).send().await;
        assert_invalid(&response, field);
    }
    // Nothing was changed by the refused requests.
    let summary = app.get_json(SUMMARY).await;
    assert_eq!(summary["first_name"], "Test");
    assert!(summary.get("country_code").is_none());
}

async fn physical_address_lifecycle(app: TestApp) {
    // The document declares no 404 here; Roster answers one before an address exists
    // (docs/WIRE.md), so this response is not checked against it.
    let missing = app.get(ADDRESS).send_unchecked().await.expect(404);
    assert_eq!(missing.error_keys(), ["contacts.api.not_found"]);
    let missing_put = app.put(ADDRESS, us_address()).send_unchecked().await;
    assert_eq!(missing_put.status, 404);

    let created = app.create(ADDRESS, us_address()).await;
    assert_eq!(created, us_address());
    assert_eq!(app.get_json(ADDRESS).await, us_address());

    let again = app.post(ADDRESS, us_address()).send().await.expect(409);
    assert_eq!(again.error_keys(), ["contacts.api.conflict"]);

    // PUT replaces: address_line2 and the US-only properties left out are gone.
    let german = json!({
        "address_line1": "Hauptstraße 1",
        "city": "München",
        "state_name": "Bayern",
        "country_code": "DE"
    });
    let replaced = app.put_json(ADDRESS, german.clone()).await;
    assert_eq!(replaced, german);
    let stored = app.get_json(ADDRESS).await;
    assert_eq!(stored, german);
    assert!(stored.get("address_line2").is_none());
}

async fn physical_address_bad_input(app: TestApp) {
    let mut long = us_address();
    long["address_line1"] = json!("x".repeat(81));
    let mut no_postal = us_address();
    no_postal.as_object_mut().unwrap().remove("postal_code");
    let mut bad_state = us_address();
    bad_state["state_code"] = json!("QC");
    let mut wrong_type = us_address();
    wrong_type["city"] = json!(42);
    let cases = [
        (
            json!({"city": "Boston", "country_code": "DE"}),
            "address_line1",
        ),
        (
            json!({"address_line1": "1 Main", "country_code": "DE"}),
            "city",
        ),
        (
            json!({"address_line1": "1 Main", "city": "Boston"}),
            "country_code",
        ),
        (long, "address_line1"),
        (no_postal, "postal_code"),
        (bad_state, "state_code"),
        (wrong_type, "city"),
        (
            json!({"address_line1": "1", "city": "Paris", "country_code": "ZZ"}),
            "country_code",
        ),
        (
            json!({"address_line1": "1", "city": "Paris", "country_code": "FR", "state_code": "IF"}),
            "state_code",
        ),
    ];
    for (body, field) in cases {
        assert_invalid(&app.post(ADDRESS, body.clone()).send().await, field);
    }
    let missing = app.get(ADDRESS).send_unchecked().await;
    assert_eq!(missing.status, 404, "no refused POST stored an address");
}

async fn owner_email_is_confirmed_from_the_start(app: TestApp) {
    let emails = app.get_json(EMAILS).await;
    let emails = emails.as_array().unwrap();
    assert_eq!(emails.len(), 1);
    assert_eq!(emails[0]["email_address"], "owner@example.com");
    assert_eq!(emails[0]["email_id"], 1);
    assert_eq!(emails[0]["confirm_status"], "CONFIRMED");
    assert_eq!(emails[0]["confirm_source_type"], "SITE_OWNER");
    assert_eq!(emails[0]["roles"], json!(["CONTACT", "BILLING"]));
    assert!(emails[0]["confirm_time"].is_string());
}

/// The confirmation link of the one mail the sink received for `address`.
fn confirm_link(app: &TestApp, address: &str) -> String {
    let received = app.sink().received();
    let mails: Vec<_> = received
        .iter()
        .filter(|m| m.rcpt_to == [address.to_string()])
        .collect();
    assert_eq!(mails.len(), 1, "exactly one confirmation mail");
    let text = mails[0].parsed().body_text(0).unwrap().to_string();
    let start = text
        .find("http://roster.test/account/emails/confirm?token=")
        .expect("the mail carries the confirmation link");
    let link: String = text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    link.replace("http://roster.test", "")
}

async fn added_email_is_confirmed_through_the_mailed_link(app: TestApp) {
    let created = app
        .create(EMAILS, json!({"email_address": " News@Example.COM "}))
        .await;
    assert_eq!(
        created,
        json!({"email_address": "news@example.com", "email_id": 2, "confirm_status": "UNCONFIRMED"})
    );
    let unconfirmed = app
        .get_json(&format!("{EMAILS}?confirm_status=UNCONFIRMED"))
        .await;
    assert_eq!(unconfirmed.as_array().unwrap().len(), 1);
    assert_eq!(unconfirmed[0]["pending_roles"], json!(["OTHER"]));
    assert_eq!(unconfirmed[0]["roles"], json!([]));

    let report = app.mailer().drain().await.unwrap();
    assert_eq!(report.sent, 1);
    let link = confirm_link(&app, "news@example.com");

    // Fetching the link (as a scanner would) shows a button and confirms nothing.
    let page = app.http.get(app.url(&link)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(page.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = page.text().await.unwrap();
    assert!(html.contains("news@example.com"));
    let still = app
        .get_json(&format!("{EMAILS}?email_address=news@example.com"))
        .await;
    assert_eq!(still[0]["confirm_status"], "UNCONFIRMED");

    // Pressing the button confirms.
    let (action, fields) = form_fields(&html).expect("the page has a form");
    let form = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&fields)
        .finish();
    let done = app
        .http
        .post(app.url(&action))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 200);
    let confirmed = app
        .get_json(&format!("{EMAILS}?email_address=NEWS@example.com"))
        .await;
    assert_eq!(confirmed.as_array().unwrap().len(), 1);
    assert_eq!(confirmed[0]["confirm_status"], "CONFIRMED");
    assert_eq!(confirmed[0]["roles"], json!(["OTHER"]));
    assert_eq!(confirmed[0]["pending_roles"], json!([]));
    assert!(confirmed[0]["confirm_time"].is_string());

    // The link works once.
    let reused = app
        .http
        .post(app.url(&action))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap();
    assert_eq!(reused.status(), 404);
    assert_eq!(
        app.http.get(app.url(&link)).send().await.unwrap().status(),
        404
    );

    // A confirmed address may now be the contact email.
    let updated = app
        .put_json(SUMMARY, json!({"contact_email": "news@example.com"}))
        .await;
    assert_eq!(updated["contact_email"], "news@example.com");
    assert_eq!(app.sink().received().len(), 1, "no other mail was sent");
}

async fn email_filters_and_duplicates(app: TestApp) {
    app.post(EMAILS, json!({"email_address": "two@example.com"}))
        .send()
        .await
        .expect(201);
    let duplicate = app
        .post(EMAILS, json!({"email_address": "TWO@example.com"}))
        .send()
        .await
        .expect(409);
    assert_eq!(duplicate.error_keys(), ["contacts.api.conflict"]);
    app.post(EMAILS, json!({"email_address": "owner@example.com"}))
        .send()
        .await
        .expect(409);

    let ids = |v: Value| -> Vec<i64> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|e| e["email_id"].as_i64().unwrap())
            .collect()
    };
    let all = app.get_json(EMAILS).await;
    assert_eq!(ids(all), [1, 2]);
    for (query, expected) in [
        ("confirm_status=C", vec![1]),
        ("confirm_status=unconfirmed", vec![2]),
        ("role_code=BILLING", vec![1]),
        ("role_code=O", vec![]),
        ("email_address=two@example.com", vec![2]),
        ("email_address=nobody@example.com", vec![]),
    ] {
        let found = app.get_json(&format!("{EMAILS}?{query}")).await;
        assert_eq!(ids(found), expected, "{query}");
    }
    for (query, field) in [
        ("confirm_status=MAYBE", "confirm_status"),
        ("role_code=BOSS", "role_code"),
        ("email_address=not-an-email", "email_address"),
    ] {
        assert_invalid(&app.get(&format!("{EMAILS}?{query}")).send().await, field);
    }
    let two = app
        .get(&format!("{EMAILS}?confirm_status=C&role_code=C"))
        .send()
        .await
        .expect(400);
    assert!(two.error_messages()[0].contains("only one"));
}

async fn email_bad_input_names_the_field(app: TestApp) {
    let long = format!("{}@example.com", "a".repeat(70));
    for body in [
        json!({"email_address": "not-an-email"}),
        json!({"email_address": long}),
        json!({"email_address": 5}),
        json!({}),
    ] {
        assert_invalid(&app.post(EMAILS, body).send().await, "email_address");
    }
    let emails = app.get_json(EMAILS).await;
    assert_eq!(emails.as_array().unwrap().len(), 1);
}

async fn accounts_see_only_their_own_data(app: TestApp) {
    let other = app.create_account("other@example.com").await;
    app.post(ADDRESS, us_address()).send().await.expect(201);
    app.post(EMAILS, json!({"email_address": "mine@example.com"}))
        .send()
        .await
        .expect(201);
    app.put(SUMMARY, json!({"first_name": "Mine"}))
        .send()
        .await
        .expect(200);

    let summary = app.get(SUMMARY).token(&other.token).expect_json(200).await;
    assert_eq!(summary["encoded_account_id"], other.encoded_id.as_str());
    assert_eq!(summary["contact_email"], "other@example.com");
    assert_eq!(summary["first_name"], "Test");
    let missing = app.get(ADDRESS).token(&other.token).send_unchecked().await;
    assert_eq!(missing.status, 404);
    let emails = app.get(EMAILS).token(&other.token).expect_json(200).await;
    assert_eq!(
        emails,
        json!([{
            "email_address": "other@example.com",
            "email_id": 1,
            "confirm_status": "CONFIRMED",
            "confirm_time": emails[0]["confirm_time"],
            "confirm_source_type": "SITE_OWNER",
            "roles": ["CONTACT", "BILLING"],
            "pending_roles": []
        }])
    );
    // The same address may be added by another account; ids are per account.
    let theirs = app
        .post(EMAILS, json!({"email_address": "mine@example.com"}))
        .token(&other.token)
        .expect_json(201)
        .await;
    assert_eq!(theirs["email_id"], 2);
    // Another account's confirmed address is not a valid contact email.
    let refused = app
        .put(SUMMARY, json!({"contact_email": "owner@example.com"}))
        .token(&other.token)
        .send()
        .await;
    assert_invalid(&refused, "contact_email");
}

async fn scopes_and_privileges_are_required(app: TestApp) {
    let no_read = app.token_for(&app.owner, "contact_data account_update");
    let no_update = app.token_for(&app.owner, "contact_data account_read");
    for path in [SUMMARY, EMAILS] {
        app.get(path).token(&no_read).send().await.expect(403);
        app.get(path).token(&no_update).send().await.expect(200);
    }
    app.get(ADDRESS).token(&no_read).send().await.expect(403);
    app.put(SUMMARY, json!({"first_name": "X"}))
        .token(&no_update)
        .send()
        .await
        .expect(403);
    app.post(ADDRESS, us_address())
        .token(&no_update)
        .send()
        .await
        .expect(403);
    app.put(ADDRESS, us_address())
        .token(&no_update)
        .send()
        .await
        .expect(403);
    app.post(EMAILS, json!({"email_address": "x@example.com"}))
        .token(&no_update)
        .send()
        .await
        .expect(403);

    // A manager holds account:read but not account:update, whatever the token's scopes.
    let manager = app
        .create_user(&app.owner, "manager@example.com", Role::AccountManager)
        .await;
    let manager = app.token_as(
        &app.owner,
        manager,
        Role::AccountManager,
        roster_tests::ALL_SCOPES,
    );
    app.get(SUMMARY).token(&manager).send().await.expect(200);
    let forbidden = app
        .put(SUMMARY, json!({"first_name": "X"}))
        .token(&manager)
        .send()
        .await
        .expect(403);
    assert!(forbidden.error_messages()[0].contains("account:update"));
    app.post(EMAILS, json!({"email_address": "x@example.com"}))
        .token(&manager)
        .send()
        .await
        .expect(403);
    let summary = app.get_json(SUMMARY).await;
    assert_eq!(
        summary["first_name"], "Test",
        "no refused PUT changed anything"
    );
}

on_both_engines!(
    summary_get_and_partial_put,
    summary_extra_fields,
    summary_bad_input_names_the_field,
    physical_address_lifecycle,
    physical_address_bad_input,
    owner_email_is_confirmed_from_the_start,
    email_filters_and_duplicates,
    email_bad_input_names_the_field,
    accounts_see_only_their_own_data,
    scopes_and_privileges_are_required,
);

on_both_engines_with_mail!(added_email_is_confirmed_through_the_mailed_link);
