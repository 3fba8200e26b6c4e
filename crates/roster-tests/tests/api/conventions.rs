//! The V3 wire conventions every /v3 route shares: media types, content negotiation, the error
//! bodies, how request bodies, path ids and query parameters are read, date-times, DELETE,
//! pagination, request ids, the body limit, unknown paths and methods. Custom fields are the
//! resource that carries them.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::Method;
use roster_domain::Timestamp;
use roster_tests::{on_both_engines, TestApp};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::{
    assert_plain_words, assert_still_healthy, create_fields, field_path, id_of, ids_on_page,
    invalid, not_found, unauthorized, v3_error, COLLECTION,
};

on_both_engines!(
    bodies_must_be_sent_as_json,
    accept_must_admit_json,
    errors_are_arrays_except_the_401_object,
    malformed_json_answers_400_in_plain_words,
    every_problem_in_a_body_gets_its_own_entry,
    unknown_and_read_only_properties_are_ignored,
    path_ids_are_checked_before_lookup,
    date_times_are_utc_ending_in_z,
    delete_answers_204_without_a_body,
    limit_is_bounded_with_a_default_of_50,
    pages_follow_links_in_creation_order,
    paging_is_stable_while_fields_come_and_go,
    altered_cursors_answer_400,
    a_limit_in_the_query_overrides_the_cursor,
    query_values_are_decoded_and_the_last_repeat_wins,
    every_response_carries_a_request_id,
    bodies_over_four_megabytes_answer_413,
    unknown_paths_answer_404_and_wrong_methods_405,
);

const UNSUPPORTED: &str = "Unsupported Media Type; the payload must be in JSON format, and Content-Type must be application/json.";

fn unsupported_media_type() -> Value {
    v3_error("unsupported.media_type", UNSUPPORTED)
}

/// The labels of every custom field of the owner, in order.
async fn labels(app: &TestApp) -> Vec<String> {
    let page = app.get_json(&format!("{COLLECTION}?limit=100")).await;
    page["custom_fields"]
        .as_array()
        .expect("a custom_fields array")
        .iter()
        .map(|f| f["label"].as_str().expect("a label").to_string())
        .collect()
}

/// Sends `request` (a complete HTTP/1.1 request with `Connection: close`) byte for byte, for
/// what reqwest cannot send: no Accept header (it always adds `Accept: */*`) or a chunked body.
/// Reads while writing, since the server may answer before the body is complete. Returns the
/// status and the body.
async fn raw_request(app: &TestApp, request: impl Into<Vec<u8>>) -> (u16, String) {
    let request = request.into();
    let address = app.base_url.trim_start_matches("http://");
    let stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("the server accepts a connection");
    let (mut reader, mut writer) = stream.into_split();
    let writing = tokio::spawn(async move {
        // The server may close early (413); the answer is what counts.
        let _ = writer.write_all(&request).await;
        writer
    });
    let mut bytes = Vec::new();
    reader
        .read_to_end(&mut bytes)
        .await
        .expect("the response is read");
    drop(writing.await.expect("the writer finishes"));
    let text = String::from_utf8(bytes).expect("a UTF-8 response");
    let (head, body) = text.split_once("\r\n\r\n").expect("a head and a body");
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    (status, body.to_string())
}

/// `(name, value)` pairs of a URL's query, decoded as a form.
fn query_pairs(href: &str) -> Vec<(String, String)> {
    let query = href.split_once('?').map(|(_, q)| q).unwrap_or("");
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (form_decode(name), form_decode(value))
        })
        .collect()
}

fn form_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("ASCII hex");
                out.push(u8::from_str_radix(hex, 16).expect("a percent escape"));
                i += 2;
            }
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8(out).expect("UTF-8 after decoding")
}

/// The `cursor` of a page's next link.
fn next_cursor(page: &Value) -> String {
    let href = page["_links"]["next"]["href"]
        .as_str()
        .unwrap_or_else(|| panic!("a next link in {page}"));
    query_pairs(href)
        .into_iter()
        .find(|(name, _)| name == "cursor")
        .map(|(_, value)| value)
        .expect("a cursor in the next link")
}

async fn bodies_must_be_sent_as_json(app: TestApp) {
    let body = r#"{"label": "Plain", "type": "string"}"#;
    for content_type in [
        "text/plain",
        "",
        "application/xml",
        "application/x-www-form-urlencoded",
        "application/jsonx",
        "text/json",
    ] {
        app.request(Method::POST, COLLECTION)
            .raw_body(content_type, body)
            .answers(
                415,
                &unsupported_media_type(),
                &format!("POST with Content-Type {content_type:?}"),
            )
            .await;
    }
    let field = app.create_string_field("Existing").await;
    for content_type in ["text/plain", ""] {
        // PUT does not declare 415 in the document.
        let response = app
            .request(Method::PUT, &field_path(&id_of(&field)))
            .raw_body(content_type, r#"{"label": "Changed"}"#)
            .send_unchecked()
            .await;
        response.assert_answer(
            415,
            &unsupported_media_type(),
            &format!("PUT with Content-Type {content_type:?}"),
        );
    }
    assert_eq!(
        labels(&app).await,
        ["Existing"],
        "nothing refused was stored"
    );

    for (n, content_type) in ["application/json; charset=utf-8", "Application/JSON"]
        .into_iter()
        .enumerate()
    {
        let created = app
            .request(Method::POST, COLLECTION)
            .raw_body(
                content_type,
                format!(r#"{{"label": "Plain {n}", "type": "string"}}"#),
            )
            .expect_json(201)
            .await;
        assert_eq!(created["label"], format!("Plain {n}"));
    }
    assert_still_healthy(&app).await;
}

async fn accept_must_admit_json(app: TestApp) {
    let not_acceptable = v3_error(
        "not_acceptable",
        "The Accept header admits no media type this operation produces; use application/json.",
    );
    for accept in [
        "text/html",
        "application/xml",
        "text/*",
        "application/json;q=0",
    ] {
        let response = app
            .get(COLLECTION)
            .header("accept", accept)
            .send_unchecked()
            .await;
        response.assert_answer(406, &not_acceptable, accept);
    }
    let refused = app
        .post(COLLECTION, json!({"label": "Refused", "type": "string"}))
        .header("accept", "text/html")
        .send_unchecked()
        .await;
    refused.assert_answer(406, &not_acceptable, "POST with Accept text/html");
    assert!(labels(&app).await.is_empty(), "a 406 stores nothing");

    for accept in [
        "*/*",
        "application/*",
        "application/json",
        "application/json; charset=utf-8",
        "text/html, application/json;q=0.9",
        "",
    ] {
        let page = app
            .get(COLLECTION)
            .header("accept", accept)
            .expect_json(200)
            .await;
        assert_eq!(page, json!({"custom_fields": []}), "Accept {accept:?}");
    }
    let (status, body) = raw_request(
        &app,
        format!(
            "GET {COLLECTION} HTTP/1.1\r\nHost: roster.test\r\nAuthorization: Bearer {}\r\nConnection: close\r\n\r\n",
            app.owner.token
        ),
    )
    .await;
    assert_eq!(status, 200, "no Accept header at all: {body}");
    assert_eq!(body, r#"{"custom_fields":[]}"#);
}

async fn errors_are_arrays_except_the_401_object(app: TestApp) {
    let response = app.get(COLLECTION).anonymous().send().await;
    response.assert_answer(401, &unauthorized(), "no token");
    assert_eq!(
        String::from_utf8_lossy(&response.body),
        r#"{"error_key":"unauthorized","error_message":"Unauthorized"}"#
    );

    let unknown = uuid::Uuid::new_v4().to_string();
    app.get(&field_path(&unknown))
        .answers(404, &not_found(&unknown), "unknown id")
        .await;

    let response = app.get(&format!("{COLLECTION}?limit=0")).send().await;
    response.assert_answer(
        400,
        &invalid(&["limit must be a whole number from 1 to 100."]),
        "limit=0",
    );
    assert!(String::from_utf8_lossy(&response.body).starts_with("[{\"error_key\":"));
}

async fn malformed_json_answers_400_in_plain_words(app: TestApp) {
    let nested = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (
            br#"{"label": "A", "type": }"#.to_vec(),
            "The request body is not valid JSON (line 1, column 24).",
        ),
        (
            br#"{"label": "A", "type": "string""#.to_vec(),
            "The request body is not valid JSON: it ends too early.",
        ),
        (
            br#"{"label": "A", "type": "string",}"#.to_vec(),
            "The request body is not valid JSON (line 1, column 33).",
        ),
        (
            b"{'label': 'A'}".to_vec(),
            "The request body is not valid JSON (line 1, column 2).",
        ),
        (
            b"{\"label\": \"A\",\n \"type\": \"string\"} trailing".to_vec(),
            "The request body is not valid JSON (line 2, column 20).",
        ),
        (
            b"{\"label\": \"\xff\", \"type\": \"string\"}".to_vec(),
            "The request body is not valid JSON (line 1, column 12).",
        ),
        (
            br#"{"label": "\ud800", "type": "string"}"#.to_vec(),
            "The request body is not valid JSON (line 1, column 18).",
        ),
        (
            nested.into_bytes(),
            "The request body is not valid JSON (line 1, column 128).",
        ),
        (
            br#"{"label": "A", "type": "date", "version": 1e999}"#.to_vec(),
            "The request body is not valid JSON (line 1, column 47).",
        ),
        (
            b"".to_vec(),
            "The request body is empty; a JSON object is required.",
        ),
        (
            b" \n\t ".to_vec(),
            "The request body is empty; a JSON object is required.",
        ),
        (
            br#"[{"label": "A", "type": "string"}]"#.to_vec(),
            "The request body must be a JSON object.",
        ),
        (
            br#""label""#.to_vec(),
            "The request body must be a JSON object.",
        ),
        (b"null".to_vec(), "The request body must be a JSON object."),
    ];
    let field = app.create_string_field("Existing").await;
    for (body, message) in cases {
        let what = String::from_utf8_lossy(&body)
            .chars()
            .take(60)
            .collect::<String>();
        let response = app
            .request(Method::POST, COLLECTION)
            .raw_body("application/json", body.clone())
            .send()
            .await;
        response.assert_answer(400, &invalid(&[message]), &format!("POST {what}"));
        assert_plain_words(&response);
        app.request(Method::PUT, &field_path(&id_of(&field)))
            .raw_body("application/json", body)
            .refused(&[message], &format!("PUT {what}"))
            .await;
    }
    assert_eq!(labels(&app).await, ["Existing"]);
    assert_still_healthy(&app).await;
}

async fn every_problem_in_a_body_gets_its_own_entry(app: TestApp) {
    let long_choice = "c".repeat(256);
    let posts = [
        (
            json!({"label": 5, "type": "text", "choices": "Apple"}),
            vec![
                "label must be a string, not a number.",
                "type must be one of: string, date, number, currency, single_select, multi_select.",
                "choices must be an array, not a string.",
            ],
        ),
        (json!({}), vec!["label is required.", "type is required."]),
        (
            json!({"label": null, "type": null}),
            vec!["label is required.", "type is required."],
        ),
        (
            json!({"label": "x".repeat(51), "type": "string"}),
            vec!["label exceeds the maximum length of 50 characters."],
        ),
        (
            json!({"label": "A", "type": 7}),
            vec!["type must be a string, not a number."],
        ),
        (
            json!({"label": "A", "type": "String"}),
            vec![
                "type must be one of: string, date, number, currency, single_select, multi_select.",
            ],
        ),
        (
            json!({"label": "A", "type": "single_select",
                   "choices": [{"choice_label": 5}, "Pear", {}, {"choice_label": long_choice}]}),
            vec![
                "choices[0].choice_label must be a string, not a number.",
                "choices[1] must be an object, not a string.",
                "choices[2].choice_label is required.",
                "choices[3].choice_label exceeds the maximum length of 255 characters.",
            ],
        ),
        (
            json!({"label": ["A"], "type": {"name": "string"}, "metadata": [], "version": "2"}),
            vec![
                "label must be a string, not an array.",
                "type must be a string, not an object.",
                "metadata must be an object, not an array.",
                "version must be an integer, not a string.",
            ],
        ),
        (
            json!({"label": "A", "type": "number",
                   "metadata": {"display_type": "list", "allow_negative": "yes",
                                "decimal_places": 1.5, "currency_code": "DOLLARS"}}),
            vec![
                "metadata.display_type must be one of: radio, checkbox, dropdown.",
                "metadata.allow_negative must be a boolean, not a string.",
                "metadata.decimal_places must be a whole number within the 64-bit range.",
                "metadata.currency_code exceeds the maximum length of 3 characters.",
            ],
        ),
        (
            json!({"label": true, "type": "date", "version": 1.5}),
            vec![
                "label must be a string, not a boolean.",
                "version must be a whole number within the 64-bit range.",
            ],
        ),
        (
            json!({"label": "A\u{0}B", "type": "string"}),
            vec!["label must not contain NUL characters."],
        ),
    ];
    for (body, messages) in posts {
        let response = app.post(COLLECTION, body.clone()).send().await;
        response.assert_answer(400, &invalid(&messages), &format!("POST {body}"));
        assert_plain_words(&response);
    }

    let select = app.create(
        COLLECTION,
        json!({"label": "Fruit", "type": "single_select", "choices": [{"choice_label": "Apple"}]}),
    )
    .await;
    let puts = [
        (
            json!({"label": 5, "choices": {"choice_label": "Pear"}}),
            vec![
                "label must be a string, not a number.",
                "choices must be an array, not an object.",
            ],
        ),
        (
            json!({"choices": [{"choice_id": "1", "choice_label": "Apple"}]}),
            vec![
                "label is required.",
                "choices[0].choice_id must be an integer, not a string.",
            ],
        ),
        (
            json!({"label": "y".repeat(51), "choices": [{"choice_label": "Apple"}]}),
            vec!["label exceeds the maximum length of 50 characters."],
        ),
    ];
    for (body, messages) in puts {
        let response = app
            .put(&field_path(&id_of(&select)), body.clone())
            .send()
            .await;
        response.assert_answer(400, &invalid(&messages), &format!("PUT {body}"));
        assert_plain_words(&response);
    }
    assert_eq!(labels(&app).await, ["Fruit"], "no refused body was stored");
    let unchanged = app.get_json(&field_path(&id_of(&select))).await;
    assert_eq!(unchanged, select);
    assert_still_healthy(&app).await;
}

async fn unknown_and_read_only_properties_are_ignored(app: TestApp) {
    let before = Timestamp::now();
    let created = app
        .create(
            COLLECTION,
            json!({
                "label": "Shoe size", "type": "string",
                "custom_field_id": 12, "name": ["not", "this"],
                "created_at": true, "updated_at": {"x": 1},
                "favourite_colour": "ignored", "metadata": {}, "choices": []
            }),
        )
        .await;
    let id = id_of(&created);
    assert!(id.parse::<uuid::Uuid>().is_ok(), "a server-made id: {id}");
    assert_eq!(created["name"], "Shoe_size");
    let created_at = created["created_at"].as_str().expect("created_at");
    assert!(Timestamp::parse_iso8601(created_at).expect("a date-time") >= before.plus_seconds(-1));
    assert!(created.get("favourite_colour").is_none());
    assert!(
        created.get("choices").is_none(),
        "a string field has no choices"
    );
    assert!(created.get("metadata").is_none(), "empty metadata is none");

    let updated = app
        .put_json(
            &field_path(&id),
            json!({
                "label": "Shoe size EU",
                "custom_field_id": "00000000-0000-0000-0000-000000000000",
                "name": 5, "type": 3, "created_at": "yesterday", "updated_at": false,
                "unknown": [1, 2], "choices": []
            }),
        )
        .await;
    assert_eq!(updated["custom_field_id"], id.as_str());
    assert_eq!(updated["name"], "Shoe_size_EU");
    assert_eq!(updated["type"], "string");
    assert_eq!(updated["created_at"], created["created_at"]);

    let select = app
        .create(
            COLLECTION,
            json!({"label": "Size", "type": "multi_select",
                   "choices": [{"choice_label": "S", "choice_id": "x", "custom_field_id": 1,
                                "created_at": [], "colour": "red"}]}),
        )
        .await;
    assert_eq!(select["choices"][0]["choice_id"], 1);
    assert_eq!(select["choices"][0]["choice_label"], "S");
    assert_eq!(
        select["choices"][0]["custom_field_id"],
        id_of(&select).as_str()
    );
}

async fn path_ids_are_checked_before_lookup(app: TestApp) {
    let malformed_message = invalid(&["custom_field_id is in an invalid format."]);
    let body = json!({"label": "Renamed"});
    for id in [
        "not-a-uuid",
        "1234",
        "0193c2b4000070008000000000000001",
        "0193c2b4-0000-7000-8000-00000000000g",
        "0193c2b4-0000-7000-8000-0000000000011",
        "%7B0193c2b4-0000-7000-8000-000000000001%7D",
        "%20",
    ] {
        let path = field_path(id);
        app.get(&path)
            .answers(400, &malformed_message, &format!("GET {id}"))
            .await;
        app.put(&path, body.clone())
            .answers(400, &malformed_message, &format!("PUT {id}"))
            .await;
        // DELETE does not declare 400 in the document.
        let response = app.delete(&path).send_unchecked().await;
        response.assert_answer(400, &malformed_message, &format!("DELETE {id}"));
    }

    let existing = app.create_string_field("Kept").await;
    let unknown = uuid::Uuid::new_v4().to_string();
    let path = field_path(&unknown);
    app.get(&path)
        .answers(404, &not_found(&unknown), "GET unknown")
        .await;
    app.put(&path, body)
        .answers(404, &not_found(&unknown), "PUT unknown")
        .await;
    app.delete(&path)
        .answers(404, &not_found(&unknown), "DELETE unknown")
        .await;
    let kept = app.get_json(&field_path(&id_of(&existing))).await;
    assert_eq!(kept, existing);
    assert_still_healthy(&app).await;
}

/// `YYYY-MM-DDThh:mm:ss.sssZ`, within a minute of `around`.
fn assert_utc(value: &Value, around: Timestamp, what: &str) {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("{what} is a string"));
    assert!(text.ends_with('Z'), "{what} ends in Z: {text}");
    assert_eq!(text.len(), 24, "{what} has milliseconds: {text}");
    let at = Timestamp::parse_iso8601(text).unwrap_or_else(|_| panic!("{what} parses: {text}"));
    let distance = (at.millis() - around.millis()).abs();
    assert!(distance < 60_000, "{what} is now-ish: {text}");
}

async fn date_times_are_utc_ending_in_z(app: TestApp) {
    let now = Timestamp::now();
    let created = app
        .create(
            COLLECTION,
            json!({"label": "When", "type": "single_select",
                   "choices": [{"choice_label": "Early"}, {"choice_label": "Late"}]}),
        )
        .await;
    assert_utc(&created["created_at"], now, "created_at");
    assert_utc(&created["updated_at"], now, "updated_at");
    for choice in created["choices"].as_array().expect("choices") {
        assert_utc(&choice["created_at"], now, "choice created_at");
        assert_utc(&choice["updated_at"], now, "choice updated_at");
    }
    let updated = app.put_json(
        &field_path(&id_of(&created)),
        json!({"label": "When exactly", "choices": [{"choice_id": 1, "choice_label": "Early"}]}),
    )
    .await;
    assert_utc(&updated["updated_at"], now, "updated_at after PUT");
    assert_eq!(updated["created_at"], created["created_at"]);
    let page = app.get_json(COLLECTION).await;
    assert_utc(
        &page["custom_fields"][0]["created_at"],
        now,
        "listed created_at",
    );
}

async fn delete_answers_204_without_a_body(app: TestApp) {
    let field = app.create_string_field("Short-lived").await;
    let path = field_path(&id_of(&field));
    let response = app.delete(&path).send().await.expect(204);
    assert!(response.body.is_empty(), "a 204 has no body");
    assert_eq!(response.header("content-type"), None);
    app.get(&path)
        .answers(404, &not_found(&id_of(&field)), "GET after DELETE")
        .await;
    app.delete(&path)
        .answers(404, &not_found(&id_of(&field)), "DELETE twice")
        .await;
}

async fn limit_is_bounded_with_a_default_of_50(app: TestApp) {
    let message = invalid(&["limit must be a whole number from 1 to 100."]);
    for limit in [
        "0",
        "101",
        "abc",
        "-1",
        "1.5",
        "",
        "%2D1",
        "99999999999999999999",
    ] {
        app.get(&format!("{COLLECTION}?limit={limit}"))
            .answers(400, &message, &format!("limit={limit}"))
            .await;
    }
    let ids = create_fields(&app, "Field", 51).await;
    let page = app.get_json(COLLECTION).await;
    assert_eq!(ids_on_page(&page), ids[..50], "the default page holds 50");
    assert!(page["_links"]["next"]["href"].is_string());
    let page = app.get_json(&format!("{COLLECTION}?limit=100")).await;
    assert_eq!(ids_on_page(&page), ids);
    assert!(page.get("_links").is_none(), "one page holds all 51");
    let page = app.get_json(&format!("{COLLECTION}?limit=1")).await;
    assert_eq!(ids_on_page(&page), ids[..1]);
}

async fn pages_follow_links_in_creation_order(app: TestApp) {
    let ids = create_fields(&app, "Field", 7).await;
    let mut seen = Vec::new();
    let mut sizes = Vec::new();
    let mut path = format!("{COLLECTION}?limit=2&note=a%20b");
    loop {
        let response = app.get(&path).send().await.expect(200);
        let text = String::from_utf8(response.body.clone()).expect("UTF-8");
        assert!(
            text.starts_with(r#"{"custom_fields""#),
            "the array is the first key: {text}"
        );
        let page = response.json();
        let on_page = ids_on_page(&page);
        sizes.push(on_page.len());
        seen.extend(on_page.iter().cloned());
        let Some(links) = page.get("_links") else {
            break;
        };
        let href = links["next"]["href"].as_str().expect("a next href");
        assert!(href.starts_with("/v3/contact_custom_fields?"), "{href}");
        let pairs = query_pairs(href);
        let names: Vec<&str> = pairs.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["limit", "note", "cursor"], "{href}");
        assert_eq!(pairs[0].1, "2");
        assert_eq!(pairs[1].1, "a b", "the query carries over decoded");
        let cursor = &pairs[2].1;
        assert!(!cursor.is_empty());
        for id in &ids {
            assert!(!cursor.contains(id.as_str()), "the cursor is opaque");
        }
        assert!(sizes.len() < 10, "the walk ends");
        path = href.to_string();
    }
    assert_eq!(sizes, [2, 2, 2, 1]);
    assert_eq!(seen, ids, "every field once, in creation order");
}

async fn paging_is_stable_while_fields_come_and_go(app: TestApp) {
    let ids = create_fields(&app, "Field", 8).await;
    let mut seen: Vec<String> = Vec::new();
    let page = app.get_json(&format!("{COLLECTION}?limit=3")).await;
    seen.extend(ids_on_page(&page));
    assert_eq!(seen, ids[..3]);
    // The field the cursor points after goes away, as does one not reached yet.
    app.delete(&field_path(&ids[2])).send().await.expect(204);
    app.delete(&field_path(&ids[5])).send().await.expect(204);
    let added_first = id_of(&app.create_string_field("Added 1").await);
    let mut href = page["_links"]["next"]["href"]
        .as_str()
        .expect("a next page")
        .to_string();
    let mut added = vec![added_first];
    let mut pages = 1;
    loop {
        let page = app.get_json(&href).await;
        seen.extend(ids_on_page(&page));
        pages += 1;
        if pages == 2 {
            app.delete(&field_path(&ids[3])).send().await.expect(204);
            added.push(id_of(&app.create_string_field("Added 2").await));
        }
        match page["_links"]["next"]["href"].as_str() {
            Some(next) => href = next.to_string(),
            None => break,
        }
        assert!(pages < 10, "the walk ends");
    }
    for present_throughout in [&ids[0], &ids[1], &ids[4], &ids[6], &ids[7]] {
        let times = seen.iter().filter(|id| *id == present_throughout).count();
        assert_eq!(times, 1, "{present_throughout} seen once in {seen:?}");
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "no duplicates: {seen:?}");
    assert!(
        !seen.contains(&ids[5]),
        "a field deleted before its page is not listed"
    );
    let creation_order: Vec<&String> = ids.iter().chain(added.iter()).collect();
    let positions: Vec<usize> = seen
        .iter()
        .map(|id| {
            creation_order
                .iter()
                .position(|c| *c == id)
                .expect("a known id")
        })
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "creation order: {seen:?}"
    );
}

async fn altered_cursors_answer_400(app: TestApp) {
    let ids = create_fields(&app, "Field", 5).await;
    let page = app.get_json(&format!("{COLLECTION}?limit=2")).await;
    let cursor = next_cursor(&page);
    let decoded = String::from_utf8(URL_SAFE_NO_PAD.decode(&cursor).expect("base64url"))
        .expect("UTF-8 inside");
    assert!(decoded.starts_with("limit=2&next="), "{decoded}");

    let flipped = {
        let mut chars: Vec<char> = cursor.chars().collect();
        let middle = chars.len() / 2;
        chars[middle] = if chars[middle] == 'A' { 'B' } else { 'A' };
        chars.into_iter().collect::<String>()
    };
    let other_limit = URL_SAFE_NO_PAD.encode(decoded.replacen("limit=2&", "limit=5&", 1));
    let other_position = URL_SAFE_NO_PAD.encode(decoded.replacen(&ids[1], &ids[3], 1));
    let unsigned = URL_SAFE_NO_PAD.encode(format!("limit=2&next={}", ids[1]));
    let truncated = cursor[..cursor.len() - 4].to_string();
    let message = invalid(&["cursor is not a cursor this server issued."]);
    for (what, altered) in [
        ("a flipped character", flipped),
        ("another limit", other_limit),
        ("another position", other_position),
        ("no signature", unsigned),
        ("truncated", truncated),
        ("not base64", "not base64 !".into()),
        ("empty", String::new()),
    ] {
        app.get(&format!(
            "{COLLECTION}?cursor={}",
            altered.replace(' ', "%20")
        ))
        .answers(400, &message, what)
        .await;
    }
    let next = app.get_json(&format!("{COLLECTION}?cursor={cursor}")).await;
    assert_eq!(ids_on_page(&next), ids[2..4], "the unaltered cursor works");
    assert_still_healthy(&app).await;
}

async fn a_limit_in_the_query_overrides_the_cursor(app: TestApp) {
    let ids = create_fields(&app, "Field", 6).await;
    let first = app.get_json(&format!("{COLLECTION}?limit=2")).await;
    let cursor = next_cursor(&first);
    let by_cursor = app.get_json(&format!("{COLLECTION}?cursor={cursor}")).await;
    assert_eq!(ids_on_page(&by_cursor), ids[2..4], "the cursor's page size");
    for query in [
        format!("cursor={cursor}&limit=3"),
        format!("limit=3&cursor={cursor}"),
    ] {
        let page = app.get_json(&format!("{COLLECTION}?{query}")).await;
        assert_eq!(ids_on_page(&page), ids[2..5], "{query}");
        let href = page["_links"]["next"]["href"]
            .as_str()
            .expect("a next page");
        let last = app.get_json(href).await;
        assert_eq!(ids_on_page(&last), ids[5..]);
        assert!(last.get("_links").is_none());
    }
    app.get(&format!("{COLLECTION}?cursor={cursor}&limit=0"))
        .refused(
            &["limit must be a whole number from 1 to 100."],
            "cursor with limit=0",
        )
        .await;
}

async fn query_values_are_decoded_and_the_last_repeat_wins(app: TestApp) {
    let ids = create_fields(&app, "Field", 5).await;
    for (query, expected) in [
        ("limit=%33", 3),
        ("limit=1&limit=3", 3),
        ("limit=3&limit=1", 1),
        ("li%6Dit=2", 2),
        ("limit=+2", 2),
        ("limit=2&unknown=%FF%FE&other", 2),
    ] {
        let page = app.get_json(&format!("{COLLECTION}?{query}")).await;
        assert_eq!(ids_on_page(&page), ids[..expected], "{query}");
    }
    app.get(&format!("{COLLECTION}?limit=3&limit=0"))
        .refused(
            &["limit must be a whole number from 1 to 100."],
            "the last repeat is the one checked",
        )
        .await;
    let first = app.get_json(&format!("{COLLECTION}?limit=2")).await;
    let encoded: String = next_cursor(&first)
        .bytes()
        .map(|b| format!("%{b:02X}"))
        .collect();
    let page = app
        .get_json(&format!("{COLLECTION}?cursor={encoded}"))
        .await;
    assert_eq!(ids_on_page(&page), ids[2..4], "a percent-encoded cursor");
}

async fn every_response_carries_a_request_id(app: TestApp) {
    let field = app.create_string_field("Tracked").await;
    let id = id_of(&field);
    let responses = vec![
        (200, "a list", app.get(COLLECTION).send().await),
        (
            201,
            "a creation",
            app.post(COLLECTION, json!({"label": "Second", "type": "string"}))
                .send()
                .await,
        ),
        (
            400,
            "a malformed id",
            app.get(&field_path("nope")).send().await,
        ),
        (
            401,
            "no token",
            app.get(COLLECTION).anonymous().send().await,
        ),
        (
            403,
            "a missing scope",
            app.get(COLLECTION)
                .token(&app.token_for(&app.owner, "campaign_data"))
                .send()
                .await,
        ),
        (
            404,
            "an unknown id",
            app.get(&field_path(&uuid::Uuid::new_v4().to_string()))
                .send()
                .await,
        ),
        (
            404,
            "an unknown path",
            app.get("/v3/nowhere").send_unchecked().await,
        ),
        (
            405,
            "a wrong method",
            app.request(Method::PATCH, COLLECTION)
                .send_unchecked()
                .await,
        ),
        (
            406,
            "Accept text/html",
            app.get(COLLECTION)
                .header("accept", "text/html")
                .send_unchecked()
                .await,
        ),
        (
            415,
            "a text body",
            app.request(Method::POST, COLLECTION)
                .raw_body("text/plain", "x")
                .send()
                .await,
        ),
        (200, "/healthz", app.get("/healthz").send_unchecked().await),
        (204, "a deletion", app.delete(&field_path(&id)).send().await),
    ];
    let mut request_ids = Vec::new();
    for (status, what, response) in &responses {
        assert_eq!(response.status, *status, "{what}");
        let request_id = response
            .header("x-request-id")
            .unwrap_or_else(|| panic!("{what} carries x-request-id"));
        assert!(!request_id.is_empty(), "{what}");
        request_ids.push(request_id);
    }
    let count = request_ids.len();
    request_ids.sort();
    request_ids.dedup();
    assert_eq!(request_ids.len(), count, "each request gets its own id");

    let propagated = [
        app.get(COLLECTION).header("x-request-id", "caller-1"),
        app.get(COLLECTION)
            .anonymous()
            .header("x-request-id", "caller-1"),
        app.get("/v3/nowhere").header("x-request-id", "caller-1"),
        app.get(COLLECTION)
            .header("accept", "text/html")
            .header("x-request-id", "caller-1"),
        app.request(Method::POST, COLLECTION)
            .raw_body("text/plain", "x")
            .header("x-request-id", "caller-1"),
    ];
    for request in propagated {
        let response = request.send_unchecked().await;
        assert_eq!(
            response.header("x-request-id").as_deref(),
            Some("caller-1"),
            "status {}",
            response.status
        );
    }
}

async fn bodies_over_four_megabytes_answer_413(app: TestApp) {
    const LIMIT: usize = 4 * 1024 * 1024;
    let padded = |total: usize| {
        let head = r#"{"label": "Big", "type": "string", "pad": ""#;
        let tail = r#""}"#;
        format!(
            "{head}{}{tail}",
            "x".repeat(total - head.len() - tail.len())
        )
    };
    let at_limit = padded(LIMIT);
    assert_eq!(at_limit.len(), LIMIT);
    let created = app
        .request(Method::POST, COLLECTION)
        .raw_body("application/json", at_limit)
        .expect_json(201)
        .await;
    assert_eq!(created["label"], "Big");

    let over = padded(LIMIT + 1);
    assert_eq!(over.len(), LIMIT + 1);
    // POST does not declare 413 in the document.
    let response = app
        .request(Method::POST, COLLECTION)
        .raw_body("application/json", over.replace("\"Big\"", "\"Bigger\""))
        .send_unchecked()
        .await;
    response.assert_answer(
        413,
        &v3_error(
            "request.entity.too_large",
            "The request body exceeds the limit of 4194304 bytes.",
        ),
        "one byte over",
    );
    let response = app
        .request(Method::PUT, &field_path(&id_of(&created)))
        .raw_body("application/json", over)
        .send_unchecked()
        .await;
    assert_eq!(response.status, 413, "PUT one byte over");

    // Without a declared length the limit holds too: a chunked body is cut off at 4 MB.
    let mut chunked = format!(
        "POST {COLLECTION} HTTP/1.1\r\nHost: roster.test\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        app.owner.token
    )
    .into_bytes();
    let body = padded(LIMIT + 1).replace("\"Big\"", "\"Chunky\"");
    for chunk in body.as_bytes().chunks(64 * 1024) {
        chunked.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        chunked.extend_from_slice(chunk);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let (status, body) = raw_request(&app, chunked).await;
    assert_eq!(status, 413, "a chunked body one byte over: {body}");
    assert_eq!(
        serde_json::from_str::<Value>(&body).expect("a JSON body"),
        v3_error(
            "request.entity.too_large",
            "The request body exceeds the limit of 4194304 bytes."
        )
    );
    assert_eq!(labels(&app).await, ["Big"]);
    assert_still_healthy(&app).await;
}

async fn unknown_paths_answer_404_and_wrong_methods_405(app: TestApp) {
    let field = app.create_string_field("Routed").await;
    let nothing = v3_error(
        "contacts.api.not_found",
        "The requested resource was not found.",
    );
    for path in [
        "/v3/no_such_collection".to_string(),
        format!("{}/choices", field_path(&id_of(&field))),
        "/v3".into(),
        "/v3/".into(),
        "/v3/contact_custom_fields/".into(),
        "/nowhere".into(),
    ] {
        let response = app.get(&path).send_unchecked().await;
        response.assert_answer(404, &nothing, &format!("GET {path}"));
    }
    let response = app
        .post("/v3/no_such_collection", json!({"label": "x"}))
        .send_unchecked()
        .await;
    response.assert_answer(404, &nothing, "POST to an unknown path");

    let not_allowed = v3_error(
        "method.not_allowed",
        "The HTTP method is not supported for this resource.",
    );
    for (method, path, allowed) in [
        (Method::PATCH, COLLECTION.to_string(), "GET,HEAD,POST"),
        (Method::DELETE, COLLECTION.to_string(), "GET,HEAD,POST"),
        (Method::PUT, COLLECTION.to_string(), "GET,HEAD,POST"),
        (
            Method::PATCH,
            field_path(&id_of(&field)),
            "GET,HEAD,PUT,DELETE",
        ),
        (
            Method::POST,
            field_path(&id_of(&field)),
            "GET,HEAD,PUT,DELETE",
        ),
    ] {
        let response = app
            .request(method.clone(), &path)
            .json(json!({"label": "x"}))
            .send_unchecked()
            .await;
        response.assert_answer(405, &not_allowed, &format!("{method} {path}"));
        let allow = response.header("allow").unwrap_or_default();
        let mut listed: Vec<&str> = allow.split(',').map(str::trim).collect();
        listed.sort_unstable();
        let mut expected: Vec<&str> = allowed.split(',').collect();
        expected.sort_unstable();
        assert_eq!(listed, expected, "Allow of {method} {path}");
    }
    let kept = app.get_json(&field_path(&id_of(&field))).await;
    assert_eq!(kept, field);
    assert_still_healthy(&app).await;
}
