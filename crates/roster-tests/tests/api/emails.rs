//! Email Campaigns (docs/CAMPAIGNS.md): create, read, list, rename, delete and restore a
//! campaign; read and update its primary activity; every refusal with the property it names;
//! isolation between accounts and the privileges each operation needs.

use reqwest::Method;
use roster_domain::Role;
use roster_tests::{on_both_engines, TestApp, TestRequest};
use serde_json::{json, Value};

on_both_engines!(
    a_campaign_is_created_read_renamed_and_removed,
    creation_refuses_each_bad_property_by_name,
    names_are_unique_among_campaigns_that_are_not_removed,
    the_footer_address_follows_the_email_schema,
    activities_are_updated_by_put_with_the_documented_rules,
    recipients_are_lists_or_one_segment_of_the_account,
    collections_page_and_filter_on_updated_at,
    xrefs_answer_empty_for_valid_v2_ids,
    another_accounts_campaigns_are_not_found,
    each_operation_needs_its_privilege,
    a_removed_campaign_is_restored_by_the_cli,
    personalisation_tags_are_checked_at_create_and_update,
    previews_render_for_the_owner_with_the_footer,
    the_live_campaign_limit_and_the_sending_states_refuse
);

const HTML: &str =
    "<html><body>[[trackingImage]]<p>Hello [[FirstName OR \"there\"]]</p></body></html>";

fn activity(owner_email: &str) -> Value {
    json!({
        "format_type": 5,
        "from_name": "Test Org",
        "from_email": owner_email,
        "reply_to_email": owner_email,
        "subject": "Spring news",
        "preheader": "What is new",
        "html_content": HTML,
    })
}

fn campaign_body(app: &TestApp, name: &str) -> Value {
    json!({"name": name, "email_campaign_activities": [activity(&app.owner.email)]})
}

async fn create_campaign(app: &TestApp, name: &str) -> Value {
    app.post("/v3/emails", campaign_body(app, name))
        .send()
        .await
        .expect(200)
        .json()
}

fn primary_activity_id(campaign: &Value) -> String {
    let activities = campaign["campaign_activities"].as_array().unwrap();
    let primary = activities
        .iter()
        .find(|a| a["role"] == "primary_email")
        .expect("a primary_email activity");
    primary["campaign_activity_id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn patch<'a>(app: &'a TestApp, path: &str, body: Value) -> TestRequest<'a> {
    app.request(Method::PATCH, path).json(body)
}

async fn a_campaign_is_created_read_renamed_and_removed(app: TestApp) {
    let created = create_campaign(&app, "Spring").await;
    let id = created["campaign_id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 36);
    assert_eq!(created["name"], "Spring");
    assert_eq!(created["current_status"], "Draft");
    assert_eq!(created["type"], "NEWSLETTER");
    assert_eq!(created["type_code"], 10);
    let roles: Vec<&str> = created["campaign_activities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["primary_email", "permalink"]);

    let read = app.get_json(&format!("/v3/emails/{id}")).await;
    assert_eq!(read, created);

    let activity_id = primary_activity_id(&created);
    let plain = app
        .get_json(&format!("/v3/emails/activities/{activity_id}"))
        .await;
    assert_eq!(plain["current_status"], "DRAFT");
    assert_eq!(plain["campaign_id"], id.as_str());
    assert_eq!(plain["format_type"], 5);
    assert_eq!(plain["subject"], "Spring news");
    assert!(plain.get("html_content").is_none(), "{plain}");
    let full = app
        .get_json(&format!(
            "/v3/emails/activities/{activity_id}?include=html_content,physical_address_in_footer"
        ))
        .await;
    assert_eq!(full["html_content"], HTML);
    app.get(&format!(
        "/v3/emails/activities/{activity_id}?include=colour"
    ))
    .send()
    .await
    .expect(400);

    let renamed = patch(&app, &format!("/v3/emails/{id}"), json!({"name": "Summer"}))
        .send()
        .await
        .expect(200)
        .json();
    assert_eq!(renamed["name"], "Summer");
    assert_eq!(
        renamed["campaign_activities"],
        created["campaign_activities"]
    );

    app.delete(&format!("/v3/emails/{id}"))
        .send()
        .await
        .expect(204);
    let removed = app.get_json(&format!("/v3/emails/{id}")).await;
    assert_eq!(removed["current_status"], "Removed");
    app.delete(&format!("/v3/emails/{id}"))
        .send()
        .await
        .expect(404);
    app.get(&format!("/v3/emails/activities/{activity_id}"))
        .send()
        .await
        .expect(404);
    app.put(
        &format!("/v3/emails/activities/{activity_id}"),
        activity(&app.owner.email),
    )
    .send()
    .await
    .expect(404);
    patch(&app, &format!("/v3/emails/{id}"), json!({"name": "Autumn"}))
        .send()
        .await
        .expect(409);
    let listed = app.get_json("/v3/emails").await;
    let statuses: Vec<&Value> = listed["campaigns"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["campaign_id"] == id.as_str())
        .map(|c| &c["current_status"])
        .collect();
    assert_eq!(statuses, [&json!("Removed")]);
    app.get("/v3/emails/not-a-uuid").send().await.expect(400);
}

async fn refused(app: &TestApp, body: Value) -> Vec<String> {
    app.post("/v3/emails", body)
        .send()
        .await
        .expect(400)
        .error_messages()
}

fn named(messages: &[String], property: &str) -> bool {
    messages.iter().any(|m| m.starts_with(property))
}

async fn creation_refuses_each_bad_property_by_name(app: TestApp) {
    let email = app.owner.email.clone();
    let messages = refused(&app, json!({"email_campaign_activities": [{}]})).await;
    for property in [
        "name",
        "email_campaign_activities[0].format_type",
        "email_campaign_activities[0].from_name",
        "email_campaign_activities[0].from_email",
        "email_campaign_activities[0].reply_to_email",
        "email_campaign_activities[0].subject",
        "email_campaign_activities[0].html_content",
    ] {
        assert!(named(&messages, property), "{property}: {messages:?}");
    }
    let messages = refused(&app, json!({"name": "X"})).await;
    assert!(
        named(&messages, "email_campaign_activities"),
        "{messages:?}"
    );
    let messages = refused(&app, json!({"name": "X", "email_campaign_activities": []})).await;
    assert!(
        named(&messages, "email_campaign_activities"),
        "{messages:?}"
    );

    let with = |change: Value| {
        let mut one = activity(&email);
        for (key, value) in change.as_object().unwrap() {
            one[key] = value.clone();
        }
        json!({"name": "X", "email_campaign_activities": [one]})
    };
    let cases = [
        (
            json!({"format_type": 4}),
            "email_campaign_activities[0].format_type",
        ),
        (
            json!({"format_type": "5"}),
            "email_campaign_activities[0].format_type",
        ),
        (
            json!({"from_name": "n".repeat(101)}),
            "email_campaign_activities[0].from_name",
        ),
        (
            json!({"from_email": "stranger@example.com"}),
            "email_campaign_activities[0].from_email",
        ),
        (
            json!({"reply_to_email": "stranger@example.com"}),
            "email_campaign_activities[0].reply_to_email",
        ),
        (
            json!({"preheader": "p".repeat(201)}),
            "email_campaign_activities[0].preheader",
        ),
        (
            json!({"html_content": "h".repeat(150_001)}),
            "email_campaign_activities[0].html_content",
        ),
        (
            json!({"html_content": "<p>${name}</p>"}),
            "email_campaign_activities[0].html_content",
        ),
        (
            json!({"html_content": "<p>[#if x]</p>"}),
            "email_campaign_activities[0].html_content",
        ),
        (
            json!({"html_content": "<@macro/>"}),
            "email_campaign_activities[0].html_content",
        ),
        (
            json!({"subject": ""}),
            "email_campaign_activities[0].subject",
        ),
    ];
    for (change, property) in cases {
        let messages = refused(&app, with(change.clone())).await;
        assert!(named(&messages, property), "{change}: {messages:?}");
    }
    let long_name =
        json!({"name": "n".repeat(81), "email_campaign_activities": [activity(&email)]});
    assert!(named(&refused(&app, long_name).await, "name"));
    // At the limits, and without a tracking image, the campaign is accepted.
    let at_limits = with(json!({
        "from_name": "n".repeat(100),
        "preheader": "p".repeat(200),
        "html_content": "<html><body>No tracking image</body></html>",
    }));
    app.post("/v3/emails", at_limits).send().await.expect(200);
    let listed = app.get_json("/v3/emails").await;
    assert_eq!(listed["campaigns"].as_array().unwrap().len(), 1);
}

async fn names_are_unique_among_campaigns_that_are_not_removed(app: TestApp) {
    let first = create_campaign(&app, "Weekly").await;
    app.post("/v3/emails", campaign_body(&app, "weekly"))
        .send()
        .await
        .expect(409);
    let second = create_campaign(&app, "Monthly").await;
    let second_id = second["campaign_id"].as_str().unwrap();
    patch(
        &app,
        &format!("/v3/emails/{second_id}"),
        json!({"name": "WEEKLY"}),
    )
    .send()
    .await
    .expect(409);
    let first_id = first["campaign_id"].as_str().unwrap();
    app.delete(&format!("/v3/emails/{first_id}"))
        .send()
        .await
        .expect(204);
    create_campaign(&app, "Weekly").await;
    for bad in [
        json!({}),
        json!({"name": ""}),
        json!({"name": "n".repeat(81)}),
    ] {
        let messages = patch(&app, &format!("/v3/emails/{second_id}"), bad)
            .send()
            .await
            .expect(400)
            .error_messages();
        assert!(named(&messages, "name"), "{messages:?}");
    }
}

async fn the_footer_address_follows_the_email_schema(app: TestApp) {
    let email = app.owner.email.clone();
    let with_address = |address: Value| {
        let mut one = activity(&email);
        one["physical_address_in_footer"] = address;
        json!({"name": format!("A {}", uuid::Uuid::new_v4()), "email_campaign_activities": [one]})
    };
    let prefix = "email_campaign_activities[0].physical_address_in_footer.";
    let messages = refused(&app, with_address(json!({"city": "Boston"}))).await;
    for property in ["organization_name", "address_line1", "country_code"] {
        assert!(
            named(&messages, &format!("{prefix}{property}")),
            "{messages:?}"
        );
    }
    let us_without_state = json!({"organization_name": "Org", "address_line1": "1 Main St",
        "country_code": "US"});
    let messages = refused(&app, with_address(us_without_state)).await;
    assert!(
        named(&messages, &format!("{prefix}state_code")),
        "{messages:?}"
    );
    let bad_state = json!({"organization_name": "Org", "address_line1": "1 Main St",
        "country_code": "US", "state_code": "ZZ"});
    assert!(named(
        &refused(&app, with_address(bad_state)).await,
        &format!("{prefix}state_code")
    ));
    let canada = json!({"organization_name": "Org", "address_line1": "1 Rue Main",
        "country_code": "CA", "city": "Montreal"});
    let created = app
        .post("/v3/emails", with_address(canada))
        .send()
        .await
        .expect(200)
        .json();
    let activity_id = primary_activity_id(&created);
    let read = app
        .get_json(&format!(
            "/v3/emails/activities/{activity_id}?include=physical_address_in_footer"
        ))
        .await;
    assert_eq!(read["physical_address_in_footer"]["country_code"], "CA");
    assert_eq!(
        read["physical_address_in_footer"]["organization_name"],
        "Org"
    );
}

fn update(email: &str) -> Value {
    json!({
        "from_name": "New Name",
        "from_email": email,
        "reply_to_email": email,
        "subject": "Updated subject",
    })
}

async fn activities_are_updated_by_put_with_the_documented_rules(app: TestApp) {
    let email = app.owner.email.clone();
    let mut body = campaign_body(&app, "Put");
    body["email_campaign_activities"][0]["physical_address_in_footer"] = json!({
        "organization_name": "Org", "address_line1": "1 Main St", "country_code": "US",
        "state_code": "MA"});
    let created = app.post("/v3/emails", body).send().await.expect(200).json();
    let activity_id = primary_activity_id(&created);
    let path = format!("/v3/emails/activities/{activity_id}");
    let mut put = update(&email);
    // Read-only properties are ignored.
    put["current_status"] = json!("DONE");
    put["role"] = json!("permalink");
    put["campaign_id"] = json!("5ab1cfa3-5b2e-4d5a-9a5e-000000000000");
    let updated = app.put(&path, put).send().await.expect(200).json();
    assert_eq!(updated["subject"], "Updated subject");
    assert_eq!(updated["from_name"], "New Name");
    assert_eq!(updated["current_status"], "DRAFT");
    assert_eq!(updated["role"], "primary_email");
    // Omitted sub-resources are kept; an omitted top-level property is overwritten.
    assert_eq!(updated["html_content"], HTML);
    assert_eq!(updated["physical_address_in_footer"]["state_code"], "MA");
    assert!(updated.get("preheader").is_none(), "{updated}");
    let read = app.get_json(&format!("{path}?include=html_content")).await;
    assert_eq!(read["subject"], "Updated subject");
    assert_eq!(read["html_content"], HTML);

    let mut with_properties = update(&email);
    with_properties["document_properties"] = json!({"greeting_name_type": "F",
        "text_content": "Plain words"});
    let stored = app
        .put(&path, with_properties)
        .send()
        .await
        .expect(200)
        .json();
    assert_eq!(stored["document_properties"]["greeting_name_type"], "F");
    let mut bad_properties = update(&email);
    bad_properties["document_properties"] = json!({"greeting_name_type": "Z"});
    let messages = app
        .put(&path, bad_properties)
        .send()
        .await
        .expect(400)
        .error_messages();
    assert!(
        named(&messages, "document_properties.greeting_name_type"),
        "{messages:?}"
    );

    let messages = app
        .put(&path, json!({}))
        .send()
        .await
        .expect(400)
        .error_messages();
    for property in ["from_name", "from_email", "reply_to_email", "subject"] {
        assert!(named(&messages, property), "{messages:?}");
    }
    let mut stranger = update(&email);
    stranger["from_email"] = json!("stranger@example.com");
    assert!(named(
        &app.put(&path, stranger)
            .send()
            .await
            .expect(400)
            .error_messages(),
        "from_email"
    ));
    let mut forbidden = update(&email);
    forbidden["html_content"] = json!("<p>${x}</p>");
    assert!(named(
        &app.put(&path, forbidden)
            .send()
            .await
            .expect(400)
            .error_messages(),
        "html_content"
    ));

    let permalink = created["campaign_activities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["role"] == "permalink")
        .unwrap()["campaign_activity_id"]
        .as_str()
        .unwrap()
        .to_string();
    app.put(
        &format!("/v3/emails/activities/{permalink}"),
        update(&email),
    )
    .send()
    .await
    .expect(400);
    app.put(
        "/v3/emails/activities/0b1dd5a1-5b2e-4d5a-9a5e-000000000000",
        update(&email),
    )
    .send()
    .await
    .expect(404);
}

async fn recipients_are_lists_or_one_segment_of_the_account(app: TestApp) {
    let email = app.owner.email.clone();
    let created = create_campaign(&app, "Recipients").await;
    let path = format!("/v3/emails/activities/{}", primary_activity_id(&created));
    let list = app.create_list("Readers").await;
    let segment = app
        .post(
            "/v3/segments",
            json!({"name": "Everyone", "segment_criteria": json!({"version": "1.0.0",
                "criteria": {"type": "and", "group": [{"source": "contact",
                "field": "first_name", "op": "eq", "const_value": "Ann"}]}}).to_string()}),
        )
        .send()
        .await
        .expect(201)
        .json();
    let segment_id = segment["segment_id"].as_i64().unwrap();

    let mut to_list = update(&email);
    to_list["contact_list_ids"] = json!([list, list]);
    let stored = app.put(&path, to_list).send().await.expect(200).json();
    assert_eq!(stored["contact_list_ids"], json!([list]));
    assert_eq!(stored["segment_ids"], json!([]));

    let mut to_segment = update(&email);
    to_segment["segment_ids"] = json!([segment_id]);
    let stored = app.put(&path, to_segment).send().await.expect(200).json();
    assert_eq!(stored["segment_ids"], json!([segment_id]));
    assert_eq!(stored["contact_list_ids"], json!([]));

    let cases = [
        (
            json!({"contact_list_ids": [list], "segment_ids": [segment_id]}),
            "segment_ids",
        ),
        (
            json!({"segment_ids": [segment_id, segment_id + 1]}),
            "segment_ids",
        ),
        (
            json!({"contact_list_ids": ["0b1dd5a1-5b2e-4d5a-9a5e-000000000000"]}),
            "contact_list_ids[0]",
        ),
        (json!({"contact_list_ids": ["nope"]}), "contact_list_ids[0]"),
        (
            json!({"segment_ids": [segment_id + 1000]}),
            "segment_ids[0]",
        ),
    ];
    for (change, property) in cases {
        let mut body = update(&email);
        for (key, value) in change.as_object().unwrap() {
            body[key] = value.clone();
        }
        let messages = app
            .put(&path, body)
            .send()
            .await
            .expect(400)
            .error_messages();
        assert!(named(&messages, property), "{change}: {messages:?}");
    }
    // POST /emails ignores recipients.
    let mut body = campaign_body(&app, "Ignored recipients");
    body["email_campaign_activities"][0]["contact_list_ids"] = json!([list]);
    let created = app.post("/v3/emails", body).send().await.expect(200).json();
    let read = app
        .get(&format!(
            "/v3/emails/activities/{}",
            primary_activity_id(&created)
        ))
        .send()
        .await
        .expect(200)
        .json();
    assert_eq!(read["contact_list_ids"], json!([]));
}

async fn collections_page_and_filter_on_updated_at(app: TestApp) {
    let mut ids = Vec::new();
    for n in 0..5 {
        let created = create_campaign(&app, &format!("Campaign {n}")).await;
        ids.push(created["campaign_id"].as_str().unwrap().to_string());
    }
    let mut seen = Vec::new();
    let mut path = "/v3/emails?limit=2".to_string();
    loop {
        let page = app.get_json(&path).await;
        for campaign in page["campaigns"].as_array().unwrap() {
            assert!(campaign.get("campaign_activities").is_none());
            seen.push(campaign["campaign_id"].as_str().unwrap().to_string());
        }
        match page["_links"]["next"]["href"].as_str() {
            Some(next) => path = next.to_string(),
            None => break,
        }
    }
    assert_eq!(seen, ids);
    for bad in [
        "limit=0",
        "limit=501",
        "limit=x",
        "before_date=yesterday",
        "after_date=1",
    ] {
        app.get(&format!("/v3/emails?{bad}"))
            .send()
            .await
            .expect(400);
    }
    app.get("/v3/emails?limit=500").send().await.expect(200);
    let later = app
        .get_json("/v3/emails?after_date=2999-01-01T00:00:00Z")
        .await;
    assert_eq!(later["campaigns"], json!([]));
    let earlier = app
        .get_json("/v3/emails?before_date=2999-01-01T00:00:00Z&after_date=2000-01-01T00:00:00Z")
        .await;
    assert_eq!(earlier["campaigns"].as_array().unwrap().len(), 5);
}

async fn xrefs_answer_empty_for_valid_v2_ids(app: TestApp) {
    let ok = app
        .get_json("/v3/emails/campaign_id_xrefs?v2_email_campaign_ids=1,2,3")
        .await;
    assert_eq!(ok, json!({"xrefs": []}));
    let fifty: Vec<String> = (1..=50).map(|n| n.to_string()).collect();
    let fifty_one: Vec<String> = (1..=51).map(|n| n.to_string()).collect();
    app.get(&format!(
        "/v3/emails/campaign_id_xrefs?v2_email_campaign_ids={}",
        fifty.join(",")
    ))
    .send()
    .await
    .expect(200);
    for bad in [
        String::new(),
        "?v2_email_campaign_ids=".to_string(),
        "?v2_email_campaign_ids=abc".to_string(),
        format!("?v2_email_campaign_ids={}", fifty_one.join(",")),
    ] {
        let messages = app
            .get(&format!("/v3/emails/campaign_id_xrefs{bad}"))
            .send()
            .await
            .expect(400)
            .error_messages();
        assert!(named(&messages, "v2_email_campaign_ids"), "{messages:?}");
    }
}

async fn another_accounts_campaigns_are_not_found(app: TestApp) {
    let created = create_campaign(&app, "Private").await;
    let id = created["campaign_id"].as_str().unwrap();
    let activity_id = primary_activity_id(&created);
    let other = app.create_account("other@example.com").await;
    app.get(&format!("/v3/emails/{id}"))
        .token(&other.token)
        .send()
        .await
        .expect(404);
    patch(&app, &format!("/v3/emails/{id}"), json!({"name": "Mine"}))
        .token(&other.token)
        .send()
        .await
        .expect(404);
    app.delete(&format!("/v3/emails/{id}"))
        .token(&other.token)
        .send()
        .await
        .expect(404);
    app.get(&format!("/v3/emails/activities/{activity_id}"))
        .token(&other.token)
        .send()
        .await
        .expect(404);
    app.put(
        &format!("/v3/emails/activities/{activity_id}"),
        update("other@example.com"),
    )
    .token(&other.token)
    .send()
    .await
    .expect(404);
    let listed = app
        .get("/v3/emails")
        .token(&other.token)
        .send()
        .await
        .expect(200)
        .json();
    assert_eq!(listed["campaigns"], json!([]));
    // The owner's campaign is untouched.
    let read = app.get_json(&format!("/v3/emails/{id}")).await;
    assert_eq!(read["name"], "Private");
}

async fn each_operation_needs_its_privilege(app: TestApp) {
    let created = create_campaign(&app, "Privileges").await;
    let id = created["campaign_id"].as_str().unwrap();
    let activity_id = primary_activity_id(&created);
    let author = app
        .create_user(&app.owner, "author@example.com", Role::Author)
        .await;
    let author_token = app.token_as(&app.owner, author, Role::Author, "campaign_data");
    // An author reads and writes campaigns but cannot delete them.
    app.get(&format!("/v3/emails/{id}"))
        .token(&author_token)
        .send()
        .await
        .expect(200);
    patch(
        &app,
        &format!("/v3/emails/{id}"),
        json!({"name": "By author"}),
    )
    .token(&author_token)
    .send()
    .await
    .expect(200);
    app.delete(&format!("/v3/emails/{id}"))
        .token(&author_token)
        .send()
        .await
        .expect(403);
    let contact_manager = app
        .create_user(&app.owner, "contacts@example.com", Role::ContactManager)
        .await;
    let manager_token = app.token_as(
        &app.owner,
        contact_manager,
        Role::ContactManager,
        "campaign_data contact_data",
    );
    app.get(&format!("/v3/emails/activities/{activity_id}"))
        .token(&manager_token)
        .send()
        .await
        .expect(403);
    // The scope is campaign_data.
    let contact_scope = app.token_for(&app.owner, "contact_data");
    app.get("/v3/emails")
        .token(&contact_scope)
        .send()
        .await
        .expect(403);
    app.get("/v3/emails").anonymous().send().await.expect(401);
}

async fn a_removed_campaign_is_restored_by_the_cli(app: TestApp) {
    let created = create_campaign(&app, "Restorable").await;
    let id = created["campaign_id"].as_str().unwrap().to_string();
    app.delete(&format!("/v3/emails/{id}"))
        .send()
        .await
        .expect(204);
    let database = roster::settings::DatabaseArgs {
        database_url: app.database_url.clone(),
        secret_key: None,
    };
    let restore = roster::cli::CampaignsCommand::Restore {
        campaign_id: id.clone(),
        account_email: app.owner.email.clone(),
    };
    roster::campaigns::campaigns(&database, &restore)
        .await
        .expect("the campaign is restored");
    let read = app.get_json(&format!("/v3/emails/{id}")).await;
    assert_eq!(read["current_status"], "Draft");
    app.get(&format!(
        "/v3/emails/activities/{}",
        primary_activity_id(&read)
    ))
    .send()
    .await
    .expect(200);
    // A campaign that is not removed cannot be restored.
    assert!(roster::campaigns::campaigns(&database, &restore)
        .await
        .is_err());
}

async fn personalisation_tags_are_checked_at_create_and_update(app: TestApp) {
    let email = app.owner.email.clone();
    let with = |change: Value| {
        let mut one = activity(&email);
        for (key, value) in change.as_object().unwrap() {
            one[key] = value.clone();
        }
        json!({"name": format!("T {}", uuid::Uuid::new_v4()), "email_campaign_activities": [one]})
    };
    let html = "email_campaign_activities[0].html_content";
    let subject = "email_campaign_activities[0].subject";
    let preheader = "email_campaign_activities[0].preheader";
    for (change, property, tag) in [
        (
            json!({"preheader": "Hi [[Nickname]]"}),
            preheader,
            "Nickname",
        ),
        (
            json!({"preheader": "[[CUSTOM.nope OR \"x\"]]"}),
            preheader,
            "nope",
        ),
        (
            json!({"preheader": "[[trackingImage]]"}),
            preheader,
            "trackingImage",
        ),
        // One level past the nesting limit (256) is refused, naming the level.
        (
            json!({"html_content": "<div>".repeat(257)}),
            html,
            "level 257",
        ),
        (
            json!({"html_content": "<p>[[Nickname]]</p>"}),
            html,
            "Nickname",
        ),
        (
            json!({"html_content": "<p>[[FirstName</p>"}),
            html,
            "FirstName",
        ),
        (json!({"subject": "Hi [[FirstName]]"}), subject, "FirstName"),
        (
            json!({"html_content": "<p>[[CUSTOM.shoe_size]]</p>"}),
            html,
            "shoe_size",
        ),
    ] {
        let messages = refused(&app, with(change.clone())).await;
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with(property) && m.contains(tag)),
            "{change}: {messages:?}"
        );
    }
    // Known tags, any case, with fallbacks; a custom field once the account has it.
    let field = app.create_string_field("Shoe size").await;
    let name = field["name"].as_str().unwrap();
    let created = app
        .post(
            "/v3/emails",
            with(json!({
                "subject": "Hi [[firstname OR \"there\"]] from [[account.OrganizationName]]",
                "preheader": format!("[[FirstName]] [[CUSTOM.{name}]]"),
                "html_content": format!(
                    "{}<p>[[CUSTOM.{name} OR \"?\"]] [[LastName]]</p>",
                    "<div>".repeat(256)
                ),
            })),
        )
        .expect_json(200)
        .await;
    let path = format!("/v3/emails/activities/{}", primary_activity_id(&created));
    let mut body = update(&email);
    body["html_content"] = json!("<p>[[Unknown]]</p>");
    let messages = app.put(&path, body).expect_json(400).await;
    assert!(messages.to_string().contains("Unknown"), "{messages}");
    let mut body = update(&email);
    body["preheader"] = json!("[[Unknown]]");
    let messages = app
        .put(&path, body)
        .send()
        .await
        .expect(400)
        .error_messages();
    assert!(named(&messages, "preheader"), "{messages:?}");
    let mut body = update(&email);
    body["subject"] = json!("[[FirstName]] news");
    let messages = app
        .put(&path, body)
        .send()
        .await
        .expect(400)
        .error_messages();
    assert!(named(&messages, "subject"), "{messages:?}");
}

async fn previews_render_for_the_owner_with_the_footer(app: TestApp) {
    let mut body = campaign_body(&app, "Preview");
    body["email_campaign_activities"][0]["preheader"] = json!("News for [[FirstName OR \"you\"]]");
    body["email_campaign_activities"][0]["physical_address_in_footer"] = json!({
        "organization_name": "Footer Org", "address_line1": "1 Main St", "city": "Boston",
        "country_code": "US", "state_code": "MA", "postal_code": "02108"});
    let created = app.post("/v3/emails", body).expect_json(200).await;
    let activity_id = primary_activity_id(&created);
    let preview = app
        .get_json(&format!("/v3/emails/activities/{activity_id}/previews"))
        .await;
    assert_eq!(preview["campaign_activity_id"], activity_id.as_str());
    assert_eq!(preview["subject"], "Spring news");
    assert_eq!(preview["from_email"], app.owner.email.as_str());
    let html = preview["preview_html_content"].as_str().unwrap();
    let text = preview["preview_text_content"].as_str().unwrap();
    // The owner's first name, the footer with the activity's address, an inert unsubscribe
    // link, and no tracking image.
    assert!(html.contains("Hello Test"), "{html}");
    // The preheader, personalised, is the body's first element, hidden; the text part does not
    // start with it.
    assert_eq!(preview["preheader"], "News for Test");
    assert!(
        html.starts_with("<html><body><div style=\"display:none;")
            && html.contains(">News for Test</div>"),
        "{html}"
    );
    assert!(text.starts_with("Hello Test"), "{text}");
    assert!(
        html.contains("Footer Org") && html.contains("1 Main St"),
        "{html}"
    );
    assert!(html.contains("#unsubscribe"), "{html}");
    assert!(!html.contains("[[") && !html.contains("<img"), "{html}");
    assert!(
        text.contains("Hello Test") && text.contains("Footer Org"),
        "{text}"
    );
    assert!(!text.contains('<'), "{text}");
    let other = app.create_account("viewer@example.com").await;
    app.get(&format!("/v3/emails/activities/{activity_id}/previews"))
        .token(&other.token)
        .send()
        .await
        .expect(404);
    let id = created["campaign_id"].as_str().unwrap();
    app.delete(&format!("/v3/emails/{id}"))
        .send()
        .await
        .expect(204);
    app.get(&format!("/v3/emails/activities/{activity_id}/previews"))
        .send()
        .await
        .expect(404);
}

async fn the_live_campaign_limit_and_the_sending_states_refuse(app: TestApp) {
    let created = create_campaign(&app, "States").await;
    let id = created["campaign_id"].as_str().unwrap().to_string();
    let activity_id = primary_activity_id(&created);
    // As if the account had 10,000 campaigns that are not Removed.
    app.execute_sql("UPDATE accounts SET live_campaign_count = 10000")
        .await;
    let messages = refused(&app, campaign_body(&app, "One too many")).await;
    assert!(messages.iter().any(|m| m.contains("10000")), "{messages:?}");
    app.execute_sql("UPDATE accounts SET live_campaign_count = 1")
        .await;
    // A campaign that is about to send or sending cannot be deleted (400: no 409 declared).
    for status in ["SCHEDULED", "EXECUTING"] {
        app.execute_sql(&format!("UPDATE email_campaigns SET status = '{status}'"))
            .await;
        app.delete(&format!("/v3/emails/{id}"))
            .send()
            .await
            .expect(400);
    }
    // An activity is updated only in DRAFT or DONE.
    for (status, expected) in [("ERROR", 400), ("DONE", 200)] {
        app.execute_sql(&format!(
            "UPDATE email_campaign_activities SET status = '{status}'"
        ))
        .await;
        app.put(
            &format!("/v3/emails/activities/{activity_id}"),
            update(&app.owner.email),
        )
        .send()
        .await
        .expect(expected);
    }
    app.execute_sql("UPDATE email_campaigns SET status = 'DONE'")
        .await;
    app.delete(&format!("/v3/emails/{id}"))
        .send()
        .await
        .expect(204);
}
