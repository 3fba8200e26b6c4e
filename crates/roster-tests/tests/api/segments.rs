//! Segments: the six operations, the criteria grammar's refusals, and evaluation through
//! GET /contacts?segment_id= on both engines.

use roster_tests::{on_both_engines, on_both_engines_with_mail, TestApp};
use serde_json::{json, Value};

use crate::engagement_support::{click, flush, open, send_campaign, subscriber};

on_both_engines!(
    segment_lifecycle,
    names_are_unique,
    criteria_outside_the_grammar_are_refused,
    segments_select_the_matching_contacts,
    segment_id_stands_alone,
    a_deleted_segment_is_read_but_used_nowhere,
    tracking_conditions_outside_the_set_are_refused,
    stored_unsupported_tracking_conditions_keep_their_old_evaluation
);
on_both_engines_with_mail!(tracking_conditions_follow_the_round_trips);

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
    let messages = refused(json!({"version": "1.0.0", "criteria": {"type": "or", "group": [{"source": "tracking", "field": "opened", "op": "contains-any", "const_value": "last-n-campaigns", "param": "1"}]}}).to_string()).await;
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
        // Nothing was sent: "not opened" needs a campaign sent (nobody), "not sent" holds for
        // everyone, "opened" for no one.
        (
            json!([{"source": "tracking", "field": "not_opened", "op": "contains-any", "const_value": "last-n-campaigns", "param": "5"}]),
            vec![],
        ),
        (
            json!([{"source": "tracking", "field": "not_sent", "op": "contains-any", "const_value": "last-n-campaigns", "param": "5"}]),
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

/// The spec: GET /segments/{segment_id} shows a deleted segment's details. Every other
/// operation, the list and the name check treat it as gone.
async fn a_deleted_segment_is_read_but_used_nowhere(app: TestApp) {
    let named = criteria(
        json!([{"source": "contact", "field": "first_name", "op": "eq", "const_value": "Ann"}]),
    );
    let kept = create_segment(&app, "Kept", &named).await;
    let gone = create_segment(&app, "Gone", &named).await;
    let id = gone["segment_id"].as_i64().unwrap();
    app.delete(&format!("/v3/segments/{id}"))
        .send()
        .await
        .expect(204);
    let read = app.get_json(&format!("/v3/segments/{id}")).await;
    assert_eq!(read, gone, "the deleted segment's details, as they were");
    let listed = app.get_json("/v3/segments").await;
    let ids: Vec<i64> = listed["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["segment_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [kept["segment_id"].as_i64().unwrap()]);
    app.put(
        &format!("/v3/segments/{id}"),
        json!({"name": "Back", "segment_criteria": named}),
    )
    .send()
    .await
    .expect(404);
    app.request(reqwest::Method::PATCH, &format!("/v3/segments/{id}/name"))
        .json(json!({"name": "Back"}))
        .send()
        .await
        .expect(404);
    app.delete(&format!("/v3/segments/{id}"))
        .send()
        .await
        .expect(404);
    app.get(&format!("/v3/contacts?segment_id={id}"))
        .send()
        .await
        .expect(404);
    let list = app.create_list("Target").await;
    app.post(
        "/v3/activities/add_list_memberships",
        json!({"source": {"segment_id": id}, "list_ids": [list]}),
    )
    .send()
    .await
    .expect(400);
    // Its name is free again; the deleted one still reads as it was.
    let reused = create_segment(&app, "Gone", &named).await;
    assert_ne!(reused["segment_id"], gone["segment_id"]);
    assert_eq!(app.get_json(&format!("/v3/segments/{id}")).await, gone);
    // Another account sees nothing, deleted or not.
    let other = app.create_account("other@example.com").await;
    app.get(&format!("/v3/segments/{id}"))
        .token(&other.token)
        .send_unchecked()
        .await
        .expect(404);
}

fn tracked(field: &str, const_value: &str, param: Value) -> String {
    criteria(
        json!([{"source": "tracking", "field": field, "op": "contains-any",
                     "const_value": const_value, "param": param}]),
    )
}

/// Two campaigns to a list of three (dee is on no list, so never sent): ann opens the first
/// and clicks the second (an open implied), bob clicks the first, cid does nothing. Each
/// tracking field and scope is then checked against what that makes true.
async fn tracking_conditions_follow_the_round_trips(app: TestApp) {
    let list = app.create_list("Readers").await;
    for name in ["ann", "bob", "cid"] {
        subscriber(&app, &format!("{name}@example.com"), &list).await;
    }
    let other = app.create_list("Elsewhere").await;
    subscriber(&app, "dee@example.com", &other).await;
    let first = send_campaign(&app, "First", &list).await;
    open(&app, &first.to["ann@example.com"]).await;
    click(&app, &first.to["bob@example.com"]).await;
    flush(&app).await;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let second = send_campaign(&app, "Second", &list).await;
    click(&app, &second.to["ann@example.com"]).await;
    flush(&app).await;

    let now = roster_domain::Timestamp::now();
    let around_now = format!(
        "{},{}",
        now.plus_seconds(-3600).to_rfc3339(),
        now.plus_seconds(3600).to_rfc3339()
    );
    let in_2019 = "2019-01-01T00:00:00-0500,2019-12-01T00:00:00-0500";
    let cases: Vec<(String, Vec<&str>)> = vec![
        (
            tracked("sent", "last-n-campaigns", json!("1")),
            vec!["ann", "bob", "cid"],
        ),
        (
            tracked("not_sent", "last-n-campaigns", json!(1)),
            vec!["dee"],
        ),
        (
            tracked("opened", "last-n-campaigns", json!("1")),
            vec!["ann"],
        ),
        (
            tracked("not_opened", "last-n-campaigns", json!("1")),
            vec!["bob", "cid"],
        ),
        (
            tracked("opened", "last-n-campaigns", json!("2")),
            vec!["ann", "bob"],
        ),
        (
            tracked("not_opened", "last-n-campaigns", json!("500")),
            vec!["cid"],
        ),
        (
            tracked("clicked", "last-n-campaigns", json!("1")),
            vec!["ann"],
        ),
        (
            tracked("not_clicked", "last-n-campaigns", json!("1")),
            vec!["bob", "cid"],
        ),
        (
            tracked("clicked", "last-n-campaigns", json!("2")),
            vec!["ann", "bob"],
        ),
        (
            tracked("not_clicked", "last-n-campaigns", json!("2")),
            vec!["cid"],
        ),
        (
            tracked("opened", "specific-campaigns", json!(first.campaign)),
            vec!["ann", "bob"],
        ),
        (
            tracked("clicked", "specific-campaigns", json!([first.campaign])),
            vec!["bob"],
        ),
        (
            tracked("not_clicked", "specific-campaigns", json!(first.campaign)),
            vec!["ann", "cid"],
        ),
        (
            tracked(
                "sent",
                "specific-campaigns",
                json!(format!("{},{}", first.campaign, second.campaign)),
            ),
            vec!["ann", "bob", "cid"],
        ),
        (
            tracked("sent", "date-range", json!(around_now)),
            vec!["ann", "bob", "cid"],
        ),
        (tracked("sent", "date-range", json!(in_2019)), vec![]),
        (
            tracked("not_sent", "date-range", json!(in_2019)),
            vec!["ann", "bob", "cid", "dee"],
        ),
        (
            tracked("opened", "last-n-days", json!("1")),
            vec!["ann", "bob"],
        ),
        (
            tracked("not_opened", "last-n-days", json!(1825)),
            vec!["cid"],
        ),
    ];
    for (index, (text, expected)) in cases.into_iter().enumerate() {
        let segment = create_segment(&app, &format!("case {index}"), &text).await;
        let found = ids_of(&app, segment["segment_id"].as_i64().unwrap()).await;
        assert_eq!(found, expected, "case {index}: {text}");
    }
}

async fn tracking_conditions_outside_the_set_are_refused(app: TestApp) {
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
    let path = "segment_criteria criteria.group[0]";
    assert_eq!(
        refused(tracked("bounced", "last-n-campaigns", json!("5"))).await,
        [format!(
            "{path}.field \"bounced\" is not a supported tracking field (sent, not_sent, \
             opened, not_opened, clicked, not_clicked)."
        )]
    );
    let wrong_op = criteria(json!([{"source": "tracking", "field": "opened", "op": "eq",
        "const_value": "last-n-campaigns", "param": "5"}]));
    assert_eq!(
        refused(wrong_op).await,
        [format!(
            "{path}.op \"eq\" is not supported for tracking (contains-any)."
        )]
    );
    assert_eq!(
        refused(tracked("opened", "ever", json!("5"))).await,
        [format!(
            "{path}.const_value \"ever\" is not supported for tracking (last-n-campaigns, \
             specific-campaigns, date-range, last-n-days)."
        )]
    );
    for n in [json!("0"), json!("501"), json!("five"), json!(null)] {
        assert_eq!(
            refused(tracked("opened", "last-n-campaigns", n.clone())).await,
            [format!(
                "{path}.param must be a whole number of campaigns from 1 to 500."
            )],
            "{n}"
        );
    }
    assert_eq!(
        refused(tracked("opened", "specific-campaigns", json!("nope"))).await,
        [format!(
            "{path}.param holds nope, which is not a campaign id."
        )]
    );
    assert_eq!(
        refused(tracked("opened", "specific-campaigns", json!([]))).await,
        [format!(
            "{path}.param must name from 1 to 100 campaign ids."
        )]
    );
    let unknown = uuid::Uuid::now_v7();
    assert_eq!(
        refused(tracked(
            "opened",
            "specific-campaigns",
            json!(unknown.to_string())
        ))
        .await,
        [format!(
            "segment_criteria names the campaign {unknown}, which is not a campaign of this \
             account."
        )]
    );
    for range in ["2020-01-01T00:00:00Z", "2020-01-01T00:00:00Z,later"] {
        assert_eq!(
            refused(tracked("sent", "date-range", json!(range))).await,
            [format!(
                "{path}.param must be \"start,end\", two ISO-8601 date-times."
            )],
            "{range}"
        );
    }
    for range in [
        "2020-01-02T00:00:00Z,2020-01-01T00:00:00Z",
        "2015-01-01T00:00:00Z,2020-01-01T00:00:00Z",
    ] {
        assert_eq!(
            refused(tracked("sent", "date-range", json!(range))).await,
            [format!(
                "{path}.param must end after it starts, at most 1825 days later."
            )],
            "{range}"
        );
    }
    assert_eq!(
        refused(tracked("sent", "last-n-days", json!("1826"))).await,
        [format!(
            "{path}.param must be a whole number of days from 1 to 1825."
        )]
    );
    // 1,825 days exactly is accepted.
    app.post(
        "/v3/segments",
        json!({"name": "five years", "segment_criteria":
            tracked("sent", "date-range", json!("2015-01-01T00:00:00Z,2019-12-31T00:00:00Z"))}),
    )
    .send()
    .await
    .expect(201);
    // PUT checks the same way.
    let kept = create_segment(
        &app,
        "Kept",
        &tracked("sent", "last-n-campaigns", json!("3")),
    )
    .await;
    app.put(
        &format!("/v3/segments/{}", kept["segment_id"]),
        json!({"name": "Kept",
               "segment_criteria": tracked("sent", "last-n-campaigns", json!("0"))}),
    )
    .send()
    .await
    .expect(400);
}

/// A segment stored before tracking conditions were evaluated, with a condition outside the
/// supported set, keeps the evaluation it had: a `not_…` field holds for every contact, any
/// other for none. (Written through the store, as an older Roster wrote it.)
async fn stored_unsupported_tracking_conditions_keep_their_old_evaluation(app: TestApp) {
    for name in ["Ann", "Bob"] {
        app.create_contact(json!({"first_name": name,
                   "email_address": {"address": format!("{name}@example.com")}}))
            .await;
    }
    let store = app.store();
    let old = |field: &str| {
        criteria(json!([{"source": "tracking", "field": field, "op": "in",
                         "const_value": "ever"}]))
    };
    let not_bounced = store
        .create_segment(
            app.owner.account,
            "Old not",
            &old("not_bounced"),
            roster_domain::Timestamp::now(),
        )
        .await
        .unwrap();
    let bounced = store
        .create_segment(
            app.owner.account,
            "Old",
            &old("bounced"),
            roster_domain::Timestamp::now(),
        )
        .await
        .unwrap();
    assert_eq!(ids_of(&app, not_bounced.id.0).await, ["Ann", "Bob"]);
    assert_eq!(ids_of(&app, bounced.id.0).await, Vec::<String>::new());
    let legacy = store.segments_with_tracking().await.unwrap();
    assert_eq!(legacy.len(), 2);
    assert!(legacy
        .iter()
        .all(|(_, s)| roster_domain::segment::legacy_tracking_conditions(&s.criteria) == 1));
    // A bulk activity takes it as its source, evaluated the same way.
    let target = app.create_list("Target").await;
    app.create(
        "/v3/activities/add_list_memberships",
        json!({"source": {"segment_id": not_bounced.id.0}, "list_ids": [target]}),
    )
    .await;
    app.drain_activities().await;
    assert_eq!(app.membership_count(&target, "all").await, 2);
}
