//! Segments: the six operations, the criteria grammar's refusals, and evaluation through
//! GET /contacts?segment_id= on both engines.

use roster_tests::{on_both_engines, TestApp};
use serde_json::{json, Value};

on_both_engines!(
    segment_lifecycle,
    names_are_unique,
    criteria_outside_the_grammar_are_refused,
    segments_select_the_matching_contacts,
    segment_id_stands_alone
);

fn criteria(group: Value) -> String {
    json!({"version": "1.0.0", "criteria": {"type": "and", "group": group}}).to_string()
}

fn tracking() -> String {
    criteria(
        json!([{"source": "tracking", "field": "not_opened", "op": "contains-any", "const_value": "last-n-campaigns", "param": "5"}]),
    )
}

async fn create_segment(app: &TestApp, name: &str, criteria: &str) -> Value {
    app.create(
        "/v3/segments",
        json!({"name": name, "segment_criteria": criteria}),
    )
    .await
}

async fn segment_lifecycle(app: TestApp) {
    let created = create_segment(&app, "Re-engage", &tracking()).await;
    let id = created["segment_id"].as_i64().unwrap();
    assert!(id > 0);
    assert_eq!(created["segment_criteria"], tracking());
    let read = app.get_json(&format!("/v3/segments/{id}")).await;
    assert_eq!(read, created);

    let other = criteria(
        json!([{"source": "contact", "field": "first_name", "op": "eq", "const_value": "Ann"}]),
    );
    let put = app
        .put_json(
            &format!("/v3/segments/{id}"),
            json!({"name": "Anns", "segment_criteria": other}),
        )
        .await;
    assert_eq!(put["name"], "Anns");
    assert_eq!(put["segment_criteria"], other);
    // PUT needs both properties.
    let missing = app
        .put(&format!("/v3/segments/{id}"), json!({"name": "x"}))
        .send()
        .await
        .expect(400);
    assert_eq!(missing.error_messages(), ["segment_criteria is required."]);

    let renamed = app
        .request(reqwest::Method::PATCH, &format!("/v3/segments/{id}/name"))
        .json(json!({"name": "Zed"}))
        .expect_json(200)
        .await;
    assert_eq!(renamed["name"], "Zed");
    assert_eq!(renamed["segment_criteria"], other);

    create_segment(&app, "Alpha", &tracking()).await;
    let by_name = app.get_json("/v3/segments?sort_by=name").await;
    let names: Vec<&str> = by_name["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Alpha", "Zed"]);
    let by_date = app.get_json("/v3/segments?sort_by=date&limit=1").await;
    assert_eq!(by_date["segments"][0]["name"], "Alpha");
    assert!(by_date["segments"][0].get("segment_criteria").is_none());
    let next = by_date["_links"]["next"]["href"]
        .as_str()
        .unwrap()
        .to_string();
    let page_two = app.get_json(&next).await;
    assert_eq!(page_two["segments"][0]["name"], "Zed");
    assert!(page_two.get("_links").is_none());
    app.get("/v3/segments?sort_by=size")
        .send()
        .await
        .expect(400);

    app.delete(&format!("/v3/segments/{id}"))
        .send()
        .await
        .expect(204);
    app.get(&format!("/v3/segments/{id}"))
        .send_unchecked()
        .await
        .expect(404);
    app.delete(&format!("/v3/segments/{id}"))
        .send()
        .await
        .expect(404);
    let malformed = app.delete("/v3/segments/abc").send().await.expect(400);
    assert_eq!(
        malformed.error_messages(),
        ["segment_id is in an invalid format."]
    );
}

async fn names_are_unique(app: TestApp) {
    let first = create_segment(&app, "Buyers", &tracking()).await;
    let second = create_segment(&app, "Browsers", &tracking()).await;
    let duplicate = app
        .post(
            "/v3/segments",
            json!({"name": "BUYERS", "segment_criteria": tracking()}),
        )
        .send()
        .await
        .expect(409);
    assert_eq!(duplicate.error_keys(), ["contacts.api.conflict"]);
    let id = second["segment_id"].as_i64().unwrap();
    app.put(
        &format!("/v3/segments/{id}"),
        json!({"name": "buyers", "segment_criteria": tracking()}),
    )
    .send()
    .await
    .expect(409);
    app.request(reqwest::Method::PATCH, &format!("/v3/segments/{id}/name"))
        .json(json!({"name": "Buyers"}))
        .send()
        .await
        .expect(409);
    // Another account may use the name.
    let other = app.create_account("other@example.com").await;
    app.post(
        "/v3/segments",
        json!({"name": "Buyers", "segment_criteria": tracking()}),
    )
    .token(&other.token)
    .send()
    .await
    .expect(201);
    app.get(&format!("/v3/segments/{}", first["segment_id"]))
        .token(&other.token)
        .send_unchecked()
        .await
        .expect(404);
}

async fn criteria_outside_the_grammar_are_refused(app: TestApp) {
    let refused = |text: String| {
        let app = &app;
        async move {
            app.post(
                "/v3/segments",
                json!({"name": "x", "segment_criteria": text}),
            )
            .send()
            .await
            .expect(400)
            .error_messages()
        }
    };
    assert_eq!(
        refused("not json".into()).await,
        ["segment_criteria is not valid JSON (it must be escaped JSON in a string)."]
    );
    assert_eq!(
        refused("x".repeat(20_001)).await,
        ["segment_criteria exceeds the maximum length of 20000 characters."]
    );
    let mut deep = json!({"source": "tracking", "field": "opened", "op": "contains-any"});
    for _ in 0..6 {
        deep = json!({"type": "and", "group": [deep]});
    }
    let messages = refused(json!({"version": "1.0.0", "criteria": deep}).to_string()).await;
    assert!(
        messages[0].contains("nests groups deeper than 5 levels"),
        "{messages:?}"
    );
    let unknown_list = uuid::Uuid::now_v7();
    let messages = refused(criteria(json!([{"source": "list_membership", "op": "contains-any", "const_value": unknown_list.to_string()}]))).await;
    assert_eq!(messages, [format!("segment_criteria names the list {unknown_list}, which is not a contact list of this account.")]);
    let unknown_tag = uuid::Uuid::now_v7();
    let messages = refused(criteria(json!([{"source": "tags", "op": "contains-none", "const_value": [unknown_tag.to_string()]}]))).await;
    assert_eq!(
        messages,
        [format!(
            "segment_criteria names the tag {unknown_tag}, which is not a tag of this account."
        )]
    );
    let unknown_field = uuid::Uuid::now_v7();
    let messages = refused(criteria(json!([{"source": "contact", "field": "custom_field", "param": unknown_field.to_string(), "op": "eq", "const_value": "x"}]))).await;
    assert_eq!(messages, [format!("segment_criteria criteria.group[0].param {unknown_field} is not a custom field of this account.")]);
    let messages = refused(criteria(json!([{"source": "contact", "field": "shoe_size", "op": "eq", "const_value": "9"}, {"source": "weather"}]))).await;
    assert_eq!(messages.len(), 2);
    assert!(messages[0].contains("\"shoe_size\" is not a supported contact field"));
    assert!(messages[1].contains("\"weather\" is not supported"));
    let messages = refused(json!({"version": "1.0.0", "criteria": {"type": "or", "group": [{"source": "tracking", "field": "opened", "op": "x"}]}}).to_string()).await;
    assert_eq!(
        messages,
        ["segment_criteria criteria.type must be \"and\" at the top level."]
    );
    // Wrong body types still name the field.
    let wrong = app
        .post(
            "/v3/segments",
            json!({"name": 5, "segment_criteria": {"version": "1.0.0"}}),
        )
        .send()
        .await
        .expect(400);
    assert_eq!(
        wrong.error_messages(),
        [
            "name must be a string, not a number.",
            "segment_criteria must be a string, not an object."
        ]
    );
    app.get("/healthz").send_unchecked().await.expect(200);
}

async fn ids_of(app: &TestApp, segment: i64) -> Vec<String> {
    let mut ids = Vec::new();
    let mut next = Some(format!("/v3/contacts?segment_id={segment}&limit=2"));
    while let Some(path) = next {
        let page = app.get_json(&path).await;
        ids.extend(
            page["contacts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["first_name"].as_str().unwrap().to_string()),
        );
        next = page["_links"]["next"]["href"].as_str().map(String::from);
    }
    ids.sort();
    ids
}

async fn segments_select_the_matching_contacts(app: TestApp) {
    let l1 = app.create_list("L1").await;
    let l2 = app.create_list("L2").await;
    let vip = app.create_tag("VIP").await;
    let plan = app.create_string_field("Plan").await;
    let plan = plan["custom_field_id"].as_str().unwrap().to_string();
    let size = app
        .create(
            "/v3/contact_custom_fields",
            json!({"label": "Seats", "type": "number"}),
        )
        .await;
    let size = size["custom_field_id"].as_str().unwrap().to_string();
    for (name, lists, tags, plan_value, seats, city) in [
        ("Ann", vec![&l1], vec![&vip], "gold", "12", "Boston"),
        ("Bob", vec![&l1, &l2], vec![], "silver", "3", "Chicago"),
        ("Cid", vec![&l2], vec![&vip], "gold", "40", "boston"),
        ("Dee", vec![], vec![], "gold", "7", "Denver"),
    ] {
        app.create_contact(
            json!({"first_name": name, "email_address": {"address": format!("{name}@example.com")},
                   "list_memberships": lists, "taggings": tags,
                   "custom_fields": [{"custom_field_id": plan, "value": plan_value}, {"custom_field_id": size, "value": seats}],
                   "street_addresses": [{"kind": "home", "city": city}]}),
        )
        .await;
    }
    let cases = [
        (
            json!([{"source": "list_membership", "op": "contains-any", "const_value": l1}]),
            vec!["Ann", "Bob"],
        ),
        (
            json!([{"source": "list_membership", "op": "contains-any", "const_value": format!("{l1},{l2}")},
                   {"source": "contact", "field": "custom_field", "param": plan, "op": "eq", "const_value": "GOLD"},
                   {"source": "contact", "field": "created_at", "op": "in-last-days", "const_value": "90"}]),
            vec!["Ann", "Cid"],
        ),
        (
            json!([{"source": "tags", "op": "contains-none", "const_value": vip}]),
            vec!["Bob", "Dee"],
        ),
        (
            json!([{"type": "or", "group": [
                {"source": "contact", "field": "first_name", "op": "starts-with", "const_value": "a"},
                {"source": "contact", "field": "city", "op": "eq", "const_value": "denver"}]}]),
            vec!["Ann", "Dee"],
        ),
        (
            json!([{"source": "contact", "field": "custom_field", "param": size, "op": "between", "const_value": "5,20"}]),
            vec!["Ann", "Dee"],
        ),
        (
            json!([{"source": "contact", "field": "custom_field", "param": size, "op": "gt", "const_value": "10"}]),
            vec!["Ann", "Cid"],
        ),
        (
            json!([{"source": "contact", "field": "city", "op": "contains", "const_value": "OST"}]),
            vec!["Ann", "Cid"],
        ),
        (
            json!([{"source": "contact", "field": "job_title", "op": "is-empty"}]),
            vec!["Ann", "Bob", "Cid", "Dee"],
        ),
        (
            json!([{"source": "contact", "field": "first_name", "op": "ne", "const_value": "bob"}]),
            vec!["Ann", "Cid", "Dee"],
        ),
        // Nothing is tracked yet: "not opened" holds for everyone, "opened" for no one.
        (
            json!([{"source": "tracking", "field": "not_opened", "op": "contains-any", "const_value": "last-n-campaigns", "param": "5"}]),
            vec!["Ann", "Bob", "Cid", "Dee"],
        ),
        (
            json!([{"source": "tracking", "field": "opened", "op": "contains-any", "const_value": "last-n-campaigns", "param": "5"}]),
            vec![],
        ),
    ];
    for (index, (group, expected)) in cases.into_iter().enumerate() {
        let segment =
            create_segment(&app, &format!("case {index}"), &criteria(group.clone())).await;
        let found = ids_of(&app, segment["segment_id"].as_i64().unwrap()).await;
        assert_eq!(found, expected, "case {index}: {group}");
    }
}

async fn segment_id_stands_alone(app: TestApp) {
    let segment = create_segment(&app, "All", &tracking()).await;
    let id = segment["segment_id"].as_i64().unwrap();
    let combined = app
        .get(&format!("/v3/contacts?segment_id={id}&status=all"))
        .send()
        .await
        .expect(400);
    assert_eq!(
        combined.error_messages(),
        ["segment_id can only be combined with limit, not with status."]
    );
    app.get("/v3/contacts?segment_id=999999")
        .send()
        .await
        .expect(404);
    let malformed = app
        .get("/v3/contacts?segment_id=abc")
        .send()
        .await
        .expect(400);
    assert_eq!(
        malformed.error_messages(),
        ["segment_id is in an invalid format."]
    );
    let other = app.create_account("other@example.com").await;
    app.get(&format!("/v3/contacts?segment_id={id}"))
        .token(&other.token)
        .send()
        .await
        .expect(404);
}
