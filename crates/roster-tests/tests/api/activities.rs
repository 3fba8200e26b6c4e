//! Bulk activities end to end: each operation queues an activity, the test drains the queue,
//! and the results are checked through the API (counts, memberships, files, errors).

use reqwest::multipart::{Form, Part};
use roster_tests::{on_both_engines, on_both_engines_with_mail, TestApp};

use crate::engagement_support::{click, flush, open, send_campaign, subscriber};
use serde_json::{json, Value};

async fn activity(app: &TestApp, started: &Value) -> Value {
    let id = started["activity_id"].as_str().unwrap();
    app.get_json(&format!("/v3/activities/{id}")).await
}

async fn contact_by_email(app: &TestApp, email: &str) -> Vec<Value> {
    app.get_json(&format!(
        "/v3/contacts?email={email}&status=all&include=list_memberships,taggings,custom_fields"
    ))
    .await["contacts"]
        .as_array()
        .unwrap()
        .clone()
}

async fn import_json(app: &TestApp, list: &str, rows: Value) -> Value {
    let started = app
        .create(
            "/v3/activities/contacts_json_import",
            json!({"import_data": rows, "list_ids": [list]}),
        )
        .await;
    assert_eq!(started["state"], "initialized");
    app.drain_activities().await;
    activity(app, &started).await
}

fn csv_form(file: &[u8], name: &str, lists: &str) -> Form {
    Form::new()
        .part(
            "file",
            Part::bytes(file.to_vec())
                .file_name(name.to_string())
                .mime_str("text/csv")
                .unwrap(),
        )
        .text("list_ids", lists.to_string())
}

on_both_engines!(
    json_import_upserts_by_email_and_keeps_permission,
    json_import_refuses_bad_requests_without_5xx,
    file_import_keeps_good_rows_and_names_bad_ones,
    file_import_refuses_bad_uploads,
    export_streams_the_csv_file,
    memberships_taggings_and_deletes_move_the_counts,
    list_and_tag_deletes_answer_202_with_their_activity,
    activity_collection_filters_and_pages,
    a_full_queue_answers_429,
    racing_requests_cannot_pass_the_queue_limit_together
);

async fn json_import_upserts_by_email_and_keeps_permission(app: TestApp) {
    let list = app.create_list("Imported").await;
    app.post(
        "/v3/contact_custom_fields",
        json!({"label": "Shoe size", "type": "string"}),
    )
    .send()
    .await
    .expect(201);
    let done = import_json(
        &app,
        &list,
        json!([
            {"email": "Ann@Example.com", "first_name": "Ann", "job_title": "CTO", "cf:Shoe_size": "42",
             "home country": "US", "phone": "555-0100"},
            {"email": "bob@example.com", "last_name": "Brown"},
            {"email": "not an address", "first_name": "Bad"},
            {"email": "ann@example.com", "last_name": "Lee"}
        ]),
    )
    .await;
    assert_eq!(done["state"], "completed");
    assert_eq!(done["percent_done"], 100);
    assert_eq!(done["status"]["items_total_count"], 4);
    assert_eq!(done["status"]["error_count"], 1);
    assert_eq!(done["status"]["person_count"], 2);
    let errors = done["activity_errors"].as_array().unwrap();
    assert!(
        errors[0].as_str().unwrap().contains("import_data[2]"),
        "{errors:?}"
    );
    assert_eq!(app.membership_count(&list, "all").await, 2);
    let ann = contact_by_email(&app, "ann@example.com").await;
    assert_eq!(ann.len(), 1);
    assert_eq!(ann[0]["first_name"], "Ann");
    assert_eq!(ann[0]["last_name"], "Lee");
    assert_eq!(ann[0]["email_address"]["permission_to_send"], "implicit");
    assert_eq!(ann[0]["email_address"]["opt_in_source"], "Account");
    assert_eq!(ann[0]["custom_fields"][0]["value"], "42");

    // An existing contact: only the sent properties change, never its permission.
    let id = ann[0]["contact_id"].as_str().unwrap();
    app.put(
        &format!("/v3/contacts/{id}"),
        json!({"email_address": {"address": "ann@example.com", "permission_to_send": "unsubscribed"},
               "first_name": "Ann", "last_name": "Lee", "job_title": "CTO", "update_source": "Account"}),
    )
    .send()
    .await
    .expect(200);
    let other = app.create_list("Second").await;
    let again = import_json(
        &app,
        &other,
        json!([{"email": "ANN@example.com", "company_name": "Acme"}]),
    )
    .await;
    assert_eq!(again["state"], "completed");
    let ann = contact_by_email(&app, "ann@example.com").await;
    assert_eq!(ann.len(), 1, "no duplicate contact");
    assert_eq!(ann[0]["company_name"], "Acme");
    assert_eq!(ann[0]["job_title"], "CTO");
    assert_eq!(
        ann[0]["email_address"]["permission_to_send"],
        "unsubscribed"
    );
    assert_eq!(ann[0]["list_memberships"].as_array().unwrap().len(), 2);
}

async fn json_import_refuses_bad_requests_without_5xx(app: TestApp) {
    let list = app.create_list("Imported").await;
    // 40,001 contacts: over Constant Contact's limit.
    let rows: Vec<Value> = (0..40_001)
        .map(|i| json!({"email": format!("c{i}@x.io")}))
        .collect();
    let response = app
        .post(
            "/v3/activities/contacts_json_import",
            json!({"import_data": rows, "list_ids": [list]}),
        )
        .send()
        .await
        .expect(400);
    assert!(response.error_messages()[0].contains("at most 40000"));
    // A body just over the 4 MB limit (barely over, so the server has read it all when it
    // answers and the client sees the answer rather than a closed connection).
    let head = r#"{"import_data": [], "pad": ""#;
    let big = format!(
        "{head}{}\"}}",
        "x".repeat(4 * 1024 * 1024 + 8 - head.len() - 2)
    );
    app.request(reqwest::Method::POST, "/v3/activities/contacts_json_import")
        .raw_body("application/json", big)
        .send_unchecked()
        .await
        .expect(413);
    // Unknown lists, missing lists.
    let unknown = uuid::Uuid::now_v7().to_string();
    let response = app
        .post(
            "/v3/activities/contacts_json_import",
            json!({"import_data": [{"email": "a@x.io"}], "list_ids": [unknown]}),
        )
        .send()
        .await
        .expect(400);
    assert!(response.error_messages()[0].contains("do not exist"));
    app.post(
        "/v3/activities/contacts_json_import",
        json!({"import_data": [{"email": "a@x.io"}]}),
    )
    .send()
    .await
    .expect(400);
    app.post(
        "/v3/activities/contacts_json_import",
        json!({"import_data": "nope", "list_ids": [list]}),
    )
    .send()
    .await
    .expect(400);
}

async fn file_import_keeps_good_rows_and_names_bad_ones(app: TestApp) {
    let list = app.create_list("CSV").await;
    let mut file = b"email,first_name,last_name\n\
        ann@example.com,Ann,Lee\n\
        bob@example.com,Bob\n\
        cat@example.com,\"Cat, the\",Smith\n\
        \xff\xfe@example.com,Bad,Bytes\n"
        .to_vec();
    // An unterminated quote swallows the rest of the file into one field.
    file.extend_from_slice(b"dan@example.com,\"Dan,Doe\nzed@example.com,Zed,Z\n");
    let started = app
        .request(reqwest::Method::POST, "/v3/activities/contacts_file_import")
        .multipart(csv_form(&file, "people.csv", &list))
        .expect_json(201)
        .await;
    assert_eq!(started["source_file_name"], "people.csv");
    app.drain_activities().await;
    let done = activity(&app, &started).await;
    assert_eq!(done["state"], "completed");
    assert_eq!(done["status"]["person_count"], 2, "{done}");
    let errors: Vec<String> = done["activity_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap().to_string())
        .collect();
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("line 3:") && e.contains("fields")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("line 5:") && e.contains("UTF-8")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.starts_with("line 6:")),
        "{errors:?}"
    );
    assert_eq!(app.membership_count(&list, "all").await, 2);
    let cat = contact_by_email(&app, "cat@example.com").await;
    assert_eq!(cat[0]["first_name"], "Cat, the");
}

async fn file_import_refuses_bad_uploads(app: TestApp) {
    let list = app.create_list("CSV").await;
    let post = |form: Form| {
        app.request(reqwest::Method::POST, "/v3/activities/contacts_file_import")
            .multipart(form)
    };
    let response = post(csv_form(b"first_name\nAnn\n", "a.csv", &list))
        .send()
        .await
        .expect(400);
    assert!(response.error_messages()[0].contains("no email column"));
    let response = post(
        Form::new()
            .part(
                "file",
                Part::bytes(b"\x89PNG\r\n\x1a\n\0\0".to_vec())
                    .file_name("a.png")
                    .mime_str("image/png")
                    .unwrap(),
            )
            .text("list_ids", list.clone()),
    )
    .send()
    .await
    .expect(415);
    assert!(response.error_messages()[0].contains(".csv"));
    let response = post(Form::new().text("list_ids", list.clone()))
        .send()
        .await
        .expect(400);
    assert_eq!(response.error_messages(), ["file is required."]);
    let unknown = uuid::Uuid::now_v7().to_string();
    post(csv_form(b"email\na@x.io\n", "a.csv", &unknown))
        .send()
        .await
        .expect(400);
    // JSON is not a multipart form.
    app.post("/v3/activities/contacts_file_import", json!({}))
        .send()
        .await
        .expect(415);
    // 40,000 contacts plus the header is one line too many.
    let mut big = b"email\n".to_vec();
    for i in 0..40_001 {
        big.extend_from_slice(format!("c{i}@x.io\n").as_bytes());
    }
    post(csv_form(&big, "big.csv", &list))
        .send()
        .await
        .expect(400);
}

async fn export_streams_the_csv_file(app: TestApp) {
    let list = app.create_list("Export").await;
    let rows: Vec<Value> = (0..1500)
        .map(|i| json!({"email": format!("p{i:04}@example.com"), "first_name": format!("P{i}")}))
        .collect();
    import_json(&app, &list, json!(rows)).await;
    let started = app
        .create(
            "/v3/activities/contact_exports",
            json!({"list_ids": [list], "fields": ["email", "first_name"]}),
        )
        .await;
    assert!(started["_links"]["results"]["href"]
        .as_str()
        .unwrap()
        .starts_with("/v3/contact_exports/"));
    app.drain_activities().await;
    let done = activity(&app, &started).await;
    assert_eq!(done["state"], "completed");
    assert_eq!(done["status"]["items_completed_count"], 1500);
    let href = done["_links"]["results"]["href"].as_str().unwrap();
    let file = app
        .get(href)
        .header("accept", "text/csv")
        .send()
        .await
        .expect(200);
    assert!(file.header("content-type").unwrap().starts_with("text/csv"));
    let text = String::from_utf8(file.body.clone()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "email,first_name");
    assert_eq!(lines.len(), 1501);
    assert!(lines.contains(&"p0042@example.com,P42"));
    app.post(
        "/v3/activities/contact_exports",
        json!({"fields": ["shoe"]}),
    )
    .send()
    .await
    .expect(400);
}

async fn memberships_taggings_and_deletes_move_the_counts(app: TestApp) {
    let source = app.create_list("Source").await;
    let target = app.create_list("Target").await;
    let tag = app.create_tag("VIP").await;
    let rows: Vec<Value> = (0..30)
        .map(|i| json!({"email": format!("m{i}@example.com")}))
        .collect();
    import_json(&app, &source, json!(rows)).await;
    let excluded = contact_by_email(&app, "m0@example.com").await[0]["contact_id"].clone();
    let added = app.create(
        "/v3/activities/add_list_memberships",
        json!({"source": {"list_ids": [source]}, "exclude": {"contact_ids": [excluded]}, "list_ids": [target]}),
    )
    .await;
    app.drain_activities().await;
    assert_eq!(activity(&app, &added).await["state"], "completed");
    assert_eq!(app.membership_count(&target, "all").await, 29);

    let tagged = app
        .create(
            "/v3/activities/contacts_taggings_add",
            json!({"source": {"list_ids": [target]}, "tag_ids": [tag]}),
        )
        .await;
    app.drain_activities().await;
    assert_eq!(activity(&app, &tagged).await["state"], "completed");
    assert_eq!(app.tag_contacts_count(&tag).await, 29);
    let some: Vec<Value> = contact_by_email(&app, "m1@example.com").await[0]["contact_id"]
        .as_str()
        .map(|id| vec![json!(id)])
        .unwrap();
    app.post(
        "/v3/activities/contacts_taggings_remove",
        json!({"source": {"contact_ids": some}, "tag_ids": [tag]}),
    )
    .send()
    .await
    .expect(201);
    app.post(
        "/v3/activities/remove_list_memberships",
        json!({"source": {"contact_ids": some}, "list_ids": [target]}),
    )
    .send()
    .await
    .expect(201);
    app.drain_activities().await;
    assert_eq!(app.tag_contacts_count(&tag).await, 28);
    assert_eq!(app.membership_count(&target, "all").await, 28);

    let deleted = app
        .create(
            "/v3/activities/contact_delete",
            json!({"contact_ids": some}),
        )
        .await;
    app.drain_activities().await;
    assert_eq!(activity(&app, &deleted).await["state"], "completed");
    assert_eq!(app.membership_count(&source, "all").await, 29);
    let gone = contact_by_email(&app, "m1@example.com").await;
    assert!(gone[0]["deleted_at"].is_string(), "{gone:?}");

    // Deleting the tag and the list keeps the contacts.
    app.post(
        "/v3/activities/contacts_tags_delete",
        json!({"tag_ids": [tag]}),
    )
    .send()
    .await
    .expect(201);
    app.post("/v3/activities/list_delete", json!({"list_ids": [target]}))
        .send()
        .await
        .expect(201);
    let field = app.create_string_field("Size").await;
    let removed = app
        .create(
            "/v3/activities/custom_fields_delete",
            json!({"custom_field_ids": [field["custom_field_id"]]}),
        )
        .await;
    app.drain_activities().await;
    assert_eq!(activity(&app, &removed).await["state"], "completed");
    app.get(&format!("/v3/contact_tags/{tag}"))
        .send()
        .await
        .expect(404);
    let list = app.get_json(&format!("/v3/contact_lists/{target}")).await;
    assert!(list["deleted_at"].is_string());
    assert_eq!(contact_by_email(&app, "m2@example.com").await.len(), 1);
    // Bad sources are refused.
    app.post(
        "/v3/activities/add_list_memberships",
        json!({"source": {"list_ids": [source], "all_active_contacts": true}, "list_ids": [source]}),
    )
    .send()
    .await
    .expect(400);
}

async fn list_and_tag_deletes_answer_202_with_their_activity(app: TestApp) {
    let list = app.create_list("Doomed").await;
    let tag = app.create_tag("Doomed").await;
    import_json(&app, &list, json!([{"email": "keep@example.com"}])).await;
    let by_list = app
        .delete(&format!("/v3/contact_lists/{list}"))
        .expect_json(202)
        .await;
    let by_tag = app
        .delete(&format!("/v3/contact_tags/{tag}"))
        .expect_json(202)
        .await;
    app.drain_activities().await;
    assert_eq!(activity(&app, &by_list).await["state"], "completed");
    assert_eq!(activity(&app, &by_tag).await["state"], "completed");
    assert_eq!(contact_by_email(&app, "keep@example.com").await.len(), 1);
    app.delete(&format!("/v3/contact_lists/{list}"))
        .send()
        .await
        .expect(404);
    app.get(&format!("/v3/activities/{}", uuid::Uuid::now_v7()))
        .send()
        .await
        .expect(404);
}

async fn activity_collection_filters_and_pages(app: TestApp) {
    let list = app.create_list("Many").await;
    for i in 0..3 {
        app.post(
            "/v3/activities/contacts_json_import",
            json!({"import_data": [{"email": format!("a{i}@x.io")}], "list_ids": [list]}),
        )
        .send()
        .await
        .expect(201);
    }
    let page = app.get_json("/v3/activities?limit=2").await;
    assert_eq!(page["activities"].as_array().unwrap().len(), 2);
    let next = page["_links"]["next"]["href"].as_str().unwrap().to_string();
    let rest = app.get_json(&next).await;
    assert_eq!(rest["activities"].as_array().unwrap().len(), 1);
    let none = app.get_json("/v3/activities?state=completed").await;
    assert_eq!(none["activities"].as_array().unwrap().len(), 0);
    app.drain_activities().await;
    let done = app.get_json("/v3/activities?state=completed").await;
    assert_eq!(done["activities"].as_array().unwrap().len(), 3);
    app.get("/v3/activities?state=bogus")
        .send()
        .await
        .expect(400);
}

async fn a_full_queue_answers_429(app: TestApp) {
    let list = app.create_list("Queue").await;
    let account = app.owner.account;
    for _ in 0..1000 {
        let activity = roster_domain::activity::Activity::new(
            account,
            roster_domain::activity::ActivityKind::ListDelete,
            0,
            roster_domain::Timestamp::now(),
        );
        app.store()
            .create_activity(
                &activity,
                &roster_domain::activity::ActivityJob::DeleteLists(Vec::new()),
                1000,
            )
            .await
            .unwrap();
    }
    let response = app
        .post(
            "/v3/activities/contacts_json_import",
            json!({"import_data": [{"email": "a@x.io"}], "list_ids": [list]}),
        )
        .send()
        .await
        .expect(429);
    assert!(response.error_messages()[0].contains("1,000 queued activities"));
}

/// Fifty requests race for the last ten places in the queue: exactly ten win.
async fn racing_requests_cannot_pass_the_queue_limit_together(app: TestApp) {
    let account = app.owner.account;
    let queue = |count: usize| {
        (0..count).map(|_| {
            let activity = roster_domain::activity::Activity::new(
                account,
                roster_domain::activity::ActivityKind::ListDelete,
                0,
                roster_domain::Timestamp::now(),
            );
            let store = app.store();
            async move {
                store
                    .create_activity(
                        &activity,
                        &roster_domain::activity::ActivityJob::DeleteLists(Vec::new()),
                        1000,
                    )
                    .await
            }
        })
    };
    for created in queue(990) {
        created.await.unwrap();
    }
    let raced = futures::future::join_all(queue(50)).await;
    let won = raced.iter().filter(|created| created.is_ok()).count();
    assert_eq!(won, 10, "the queue holds exactly 1,000 activities");
    assert!(raced.iter().all(|created| match created {
        Ok(()) => true,
        Err(roster_domain::StoreError::LimitReached(_)) => true,
        Err(_) => false,
    }));
}

on_both_engines!(
    two_engines_share_the_queue_without_running_anything_twice,
    an_expired_lease_is_resumed_and_the_old_holder_is_refused,
    an_activity_past_its_runtime_ends_timed_out
);

async fn start_import(app: &TestApp, list: &str, prefix: &str, count: usize) -> Value {
    let rows: Vec<Value> = (0..count)
        .map(|i| json!({"email": format!("{prefix}{i}@example.com")}))
        .collect();
    app.create(
        "/v3/activities/contacts_json_import",
        json!({"import_data": rows, "list_ids": [list]}),
    )
    .await
}

async fn two_engines_share_the_queue_without_running_anything_twice(app: TestApp) {
    use roster_activities::{ActivityEngine, EngineConfig};
    let list = app.create_list("Shared").await;
    let mut started = Vec::new();
    for i in 0..6 {
        started.push(start_import(&app, &list, &format!("q{i}-"), 600).await);
    }
    let first = ActivityEngine::new(app.state.store.clone(), EngineConfig::default());
    let second = ActivityEngine::new(app.state.store.clone(), EngineConfig::default());
    let (a, b) = tokio::join!(first.drain(), second.drain());
    a.unwrap();
    b.unwrap();
    for activity_started in &started {
        let done = activity(&app, activity_started).await;
        assert_eq!(done["state"], "completed");
        assert_eq!(done["status"]["person_count"], 600, "{done}");
    }
    assert_eq!(app.membership_count(&list, "all").await, 3600);
}

async fn an_expired_lease_is_resumed_and_the_old_holder_is_refused(app: TestApp) {
    use roster_domain::activity::ActivityJob;
    use roster_domain::{StoreError, Timestamp};
    let list = app.create_list("Leased").await;
    let started = start_import(&app, &list, "l", 1200).await;
    let store = app.store();
    let now = Timestamp::now();
    let expired = Timestamp::from_millis(now.millis() - 1);
    // A node claims the import, commits one batch, then dies (its lease is already over).
    let claimed = store
        .claim_activity("dead-node", now, expired)
        .await
        .unwrap()
        .expect("the import is claimable");
    let ActivityJob::Import { list_ids, items } = claimed.job else {
        panic!("an import job")
    };
    let account = claimed.activity.account;
    let id = claimed.activity.id;
    store
        .import_contacts_batch(
            account,
            id,
            "dead-node",
            0,
            &items[..500],
            &list_ids,
            now,
            expired,
        )
        .await
        .unwrap();
    app.drain_activities().await;
    let done = activity(&app, &started).await;
    assert_eq!(done["state"], "completed");
    assert_eq!(done["status"]["person_count"], 1200);
    assert_eq!(app.membership_count(&list, "all").await, 1200);
    // The dead node's next batch is refused: nothing is applied twice.
    let refused = store
        .import_contacts_batch(
            account,
            id,
            "dead-node",
            500,
            &items[500..1000],
            &list_ids,
            now,
            expired,
        )
        .await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );
}

async fn an_activity_past_its_runtime_ends_timed_out(app: TestApp) {
    use roster_activities::{ActivityEngine, EngineConfig};
    let list = app.create_list("Slow").await;
    let started = start_import(&app, &list, "t", 10).await;
    let engine = ActivityEngine::new(
        app.state.store.clone(),
        EngineConfig {
            max_runtime: std::time::Duration::ZERO,
            ..Default::default()
        },
    );
    engine.drain().await.unwrap();
    let done = activity(&app, &started).await;
    assert_eq!(done["state"], "timed_out");
    assert!(done["completed_at"].is_string());
    assert!(done["activity_errors"][0]
        .as_str()
        .unwrap()
        .contains("ran longer than"));
    let listed = app.get_json("/v3/activities?state=timed_out").await;
    assert_eq!(listed["activities"].as_array().unwrap().len(), 1);
}

on_both_engines!(segments_are_a_source_for_memberships_taggings_and_exports);

/// A segment selects the contacts of add_list_memberships, contacts_taggings_add and
/// contact_exports through the same evaluation as GET /contacts?segment_id=.
async fn segments_are_a_source_for_memberships_taggings_and_exports(app: TestApp) {
    let source = app.create_list("Source").await;
    let target = app.create_list("Target").await;
    let tag = app.create_tag("Segmented").await;
    let rows: Vec<Value> = ["ann", "anna", "bob", "carl"]
        .iter()
        .map(|name| json!({"email": format!("{name}@example.com"), "first_name": name}))
        .collect();
    import_json(&app, &source, json!(rows)).await;
    let criteria = json!({"version": "1.0.0", "criteria": {"type": "and", "group": [
        {"source": "contact", "field": "first_name", "op": "starts-with", "const_value": "an"}]}})
    .to_string();
    let segment = app
        .create(
            "/v3/segments",
            json!({"name": "An-names", "segment_criteria": criteria}),
        )
        .await;
    let segment_id = segment["segment_id"].as_i64().unwrap();

    let started = app
        .create(
            "/v3/activities/add_list_memberships",
            json!({"source": {"segment_id": segment_id}, "list_ids": [target]}),
        )
        .await;
    app.drain_activities().await;
    assert_eq!(activity(&app, &started).await["state"], "completed");
    assert_eq!(app.membership_count(&target, "all").await, 2);

    let tagged = app
        .create(
            "/v3/activities/contacts_taggings_add",
            json!({"source": {"segment_id": segment_id}, "tag_ids": [tag]}),
        )
        .await;
    app.drain_activities().await;
    assert_eq!(activity(&app, &tagged).await["state"], "completed");
    assert_eq!(app.tag_contacts_count(&tag).await, 2);

    let export = app
        .create(
            "/v3/activities/contact_exports",
            json!({"segment_id": segment_id, "fields": ["email"]}),
        )
        .await;
    app.drain_activities().await;
    let done = activity(&app, &export).await;
    let file = app
        .get(done["_links"]["results"]["href"].as_str().unwrap())
        .header("accept", "text/csv")
        .send()
        .await
        .expect(200);
    let text = String::from_utf8(file.body.clone()).unwrap();
    let mut lines: Vec<&str> = text.lines().skip(1).collect();
    lines.sort();
    assert_eq!(lines, ["ann@example.com", "anna@example.com"]);

    // An unknown segment, or one of another account, is refused naming the property.
    let unknown = app
        .post(
            "/v3/activities/add_list_memberships",
            json!({"source": {"segment_id": 999_999}, "list_ids": [target]}),
        )
        .send()
        .await
        .expect(400);
    assert_eq!(
        unknown.error_messages(),
        ["source.segment_id 999999 is not a segment of this account."]
    );
    let other = app.create_account("other@example.com").await;
    app.post(
        "/v3/activities/contact_exports",
        json!({"segment_id": segment_id}),
    )
    .token(&other.token)
    .send()
    .await
    .expect(400);
    // A segment deleted before its activity runs fails the activity, saying why.
    let queued = app
        .create(
            "/v3/activities/remove_list_memberships",
            json!({"source": {"segment_id": segment_id}, "list_ids": [target]}),
        )
        .await;
    app.delete(&format!("/v3/segments/{segment_id}"))
        .send()
        .await
        .expect(204);
    app.drain_activities().await;
    let failed = activity(&app, &queued).await;
    assert_eq!(failed["state"], "failed");
    assert_eq!(
        failed["activity_errors"],
        json!([format!("The segment {segment_id} no longer exists.")])
    );
    assert_eq!(app.membership_count(&target, "all").await, 2);
}

on_both_engines_with_mail!(engagement_levels_are_a_source_for_list_memberships);
on_both_engines!(engagement_levels_outside_the_rule_are_refused);

/// The first names of a list's members, sorted.
async fn member_names(app: &TestApp, list: &str) -> Vec<String> {
    let page = app
        .get_json(&format!("/v3/contacts?lists={list}&limit=500"))
        .await;
    let mut names: Vec<String> = page["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["first_name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}

/// Three campaigns to a list of four, opened and clicked through the public endpoints: ann
/// engaged with all three, bob with two (one by a click alone), cid with one, dee with none;
/// eve was never sent anything. high = at least half of the last 10 messages, medium = at least
/// one, low = none of at least one (docs/SEGMENTS.md).
async fn engagement_levels_are_a_source_for_list_memberships(app: TestApp) {
    let readers = app.create_list("Readers").await;
    for name in ["ann", "bob", "cid", "dee"] {
        subscriber(&app, &format!("{name}@example.com"), &readers).await;
    }
    let elsewhere = app.create_list("Elsewhere").await;
    subscriber(&app, "eve@example.com", &elsewhere).await;
    let a = send_campaign(&app, "A", &readers).await;
    for name in ["ann", "bob", "cid"] {
        open(&app, &a.to[&format!("{name}@example.com")]).await;
    }
    let b = send_campaign(&app, "B", &readers).await;
    open(&app, &b.to["ann@example.com"]).await;
    click(&app, &b.to["bob@example.com"]).await;
    let c = send_campaign(&app, "C", &readers).await;
    click(&app, &c.to["ann@example.com"]).await;
    flush(&app).await;

    for (level, expected) in [
        ("high", vec!["ann", "bob"]),
        ("Somewhat", vec!["cid"]),
        ("LEAST", vec!["dee"]),
        ("MOST", vec!["ann", "bob"]),
        ("medium", vec!["cid"]),
        ("low", vec!["dee"]),
    ] {
        let target = app.create_list(&format!("Level {level}")).await;
        let started = app
            .create(
                "/v3/activities/add_list_memberships",
                json!({"source": {"engagement_level": level}, "list_ids": [target]}),
            )
            .await;
        app.drain_activities().await;
        assert_eq!(activity(&app, &started).await["state"], "completed");
        assert_eq!(member_names(&app, &target).await, expected, "{level}");
    }
    // Removing the most engaged from the list they were sent through.
    app.create(
        "/v3/activities/remove_list_memberships",
        json!({"source": {"engagement_level": "high"}, "list_ids": [readers]}),
    )
    .await;
    app.drain_activities().await;
    assert_eq!(member_names(&app, &readers).await, ["cid", "dee"]);
}

async fn engagement_levels_outside_the_rule_are_refused(app: TestApp) {
    let list = app.create_list("Target").await;
    let tag = app.create_tag("VIP").await;
    let refused = |path: &'static str, body: Value| {
        let app = &app;
        async move {
            app.post(path, body)
                .send()
                .await
                .expect(400)
                .error_messages()
        }
    };
    for path in [
        "/v3/activities/add_list_memberships",
        "/v3/activities/remove_list_memberships",
    ] {
        assert_eq!(
            refused(
                path,
                json!({"source": {"engagement_level": "extreme"}, "list_ids": [list]})
            )
            .await,
            ["source.engagement_level must be high, medium or low (or MOST, SOMEWHAT, LEAST)."]
        );
        assert_eq!(
            refused(
                path,
                json!({"source": {"engagement_level": 3}, "list_ids": [list]})
            )
            .await,
            ["source.engagement_level must be a string, not a number."]
        );
        let both = refused(
            path,
            json!({"source": {"engagement_level": "high", "list_ids": [list]},
                   "list_ids": [list]}),
        )
        .await;
        assert_eq!(both.len(), 1, "{both:?}");
        assert!(
            both[0].starts_with("source must name exactly one of"),
            "{both:?}"
        );
    }
    // The tagging bodies do not declare it.
    let tagging = refused(
        "/v3/activities/contacts_taggings_add",
        json!({"source": {"engagement_level": "high"}, "tag_ids": [tag]}),
    )
    .await;
    assert_eq!(
        tagging[0],
        "source.engagement_level is not a source of tagging activities (only of list \
         memberships)."
    );
}
