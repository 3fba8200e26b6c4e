//! The checker as the integration-test harness uses it: method, request path, status,
//! Content-Type and raw body in; a verdict or a list of sentences out.

use roster_spec::{SpecChecker, Verdict};
use serde_json::{json, Value};

const JSON: Option<&str> = Some("application/json");
const FIELD_ID: &str = "0b3c2f7e-4752-11e9-9c8a-fa163e6b01c1";

fn field_path() -> String {
    format!("/v3/contact_custom_fields/{FIELD_ID}")
}

fn custom_field() -> Value {
    json!({
        "custom_field_id": FIELD_ID,
        "label": "Vehicle make",
        "name": "Vehicle_make",
        "type": "string",
        "version": 1,
        "metadata": { "display_type": "radio", "allow_negative": false, "decimal_places": 2 },
        "choices": [{
            "custom_field_id": FIELD_ID,
            "choice_id": 1,
            "choice_label": "Apple",
            "display_order": 1,
            "created_at": "2024-06-27T10:28:09Z",
            "updated_at": "2024-06-27T10:28:09.123+02:00",
            "deleted_at": "2024-06-28"
        }],
        "created_at": "2016-03-03T10:53:04Z",
        "updated_at": "2016-01-23T13:48:44.108Z"
    })
}

fn check_json(method: &str, path: &str, status: u16, body: &Value) -> Result<Verdict, Vec<String>> {
    SpecChecker::global().check(method, path, status, JSON, body.to_string().as_bytes())
}

/// What the checker finds wrong with `body` as the 200 answer to GET of a custom field.
fn field_problems(body: &Value) -> Vec<String> {
    expect_problems(check_json("GET", &field_path(), 200, body))
}

/// A valid custom field with `property` set to `value`: the one problem the checker finds.
fn only_problem_with(property: &str, value: Value) -> String {
    let mut body = custom_field();
    body[property] = value;
    let problems = field_problems(&body);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    problems[0].clone()
}

fn expect_problems(result: Result<Verdict, Vec<String>>) -> Vec<String> {
    match result {
        Ok(verdict) => panic!("expected problems, got {verdict:?}"),
        Err(problems) => {
            assert!(!problems.is_empty(), "Err must carry at least one problem");
            problems
        }
    }
}

#[test]
fn a_conforming_custom_field_body_passes() {
    assert_eq!(
        check_json("GET", &field_path(), 200, &custom_field()),
        Ok(Verdict::Conforms)
    );
}

#[test]
fn an_extra_property_is_named_in_the_problem() {
    let problem = only_problem_with("favourite_colour", json!("blue"));
    assert!(problem.contains("favourite_colour"), "{problem}");
    assert!(
        problem.starts_with(
            "GET /contact_custom_fields/{custom_field_id} (getCustomField) answered 200"
        ),
        "{problem}"
    );
    assert!(
        problem.contains("schema getCustomField_200_response"),
        "{problem}"
    );
}

#[test]
fn nested_objects_are_closed_too() {
    let mut body = custom_field();
    body["choices"][0]["colour"] = json!("red");
    let problems = field_problems(&body);
    assert!(
        problems[0].contains("JSON pointer \"/choices/0\""),
        "{problems:#?}"
    );
    assert!(problems[0].contains("colour"), "{problems:#?}");
}

#[test]
fn a_wrong_type_fails_at_its_pointer() {
    let problem = only_problem_with("version", json!("1"));
    assert!(problem.contains("JSON pointer \"/version\""), "{problem}");
    assert!(problem.contains("integer"), "{problem}");
}

#[test]
fn a_missing_required_property_fails() {
    let mut body = custom_field();
    body.as_object_mut().unwrap().remove("label");
    let problems = field_problems(&body);
    assert!(problems[0].contains("label"), "{problems:#?}");
}

#[test]
fn a_bad_uuid_fails_format_validation() {
    let problem = only_problem_with("custom_field_id", json!("not-a-uuid"));
    assert!(problem.contains("/custom_field_id"), "{problem}");
    assert!(problem.contains("uuid"), "{problem}");
}

#[test]
fn date_times_must_be_rfc_3339() {
    for bad in ["2016-03-03 10:53:04", "2016-03-03T10:53:04", "yesterday"] {
        let mut body = custom_field();
        body["created_at"] = json!(bad);
        let problems = field_problems(&body);
        assert!(problems[0].contains("/created_at"), "{bad}: {problems:#?}");
        assert!(problems[0].contains("date-time"), "{bad}: {problems:#?}");
    }
    let mut body = custom_field();
    body["choices"][0]["deleted_at"] = json!("2024-06-28T00:00:00Z");
    let problems = field_problems(&body);
    assert!(problems[0].contains("\"date\""), "{problems:#?}");
}

#[test]
fn an_undeclared_status_is_reported_with_the_declared_ones() {
    let problems = expect_problems(SpecChecker::global().check(
        "GET",
        "/v3/contact_custom_fields",
        418,
        None,
        b"",
    ));
    assert_eq!(
        problems,
        vec![
            "GET /contact_custom_fields (getAllCustomFields) answered 418, which the document \
              does not declare (declared: 200, 400, 401, 403, 500, 503)"
                .to_owned()
        ]
    );
}

#[test]
fn a_400_must_be_the_error_array() {
    let checker = SpecChecker::global();
    let object = json!({ "error_key": "bad", "error_message": "Bad" });
    let problems = expect_problems(check_json("GET", "/v3/contact_custom_fields", 400, &object));
    assert!(problems[0].contains("array"), "{problems:#?}");

    let array = json!([object]);
    assert_eq!(
        check_json("GET", "/v3/contact_custom_fields", 400, &array),
        Ok(Verdict::Conforms)
    );
    assert!(check_json("GET", "/v3/contact_custom_fields", 400, &json!([])).is_err());
    let extra = json!([{ "error_key": "k", "error_message": "m", "trace": "x" }]);
    assert!(check_json("GET", "/v3/contact_custom_fields", 400, &extra).is_err());
    let missing = json!([{ "error_key": "k" }]);
    assert!(check_json("GET", "/v3/contact_custom_fields", 400, &missing).is_err());
    assert!(checker
        .check("GET", "/v3/contact_custom_fields", 500, JSON, b"oops")
        .is_err());
}

#[test]
fn a_401_must_be_the_single_error_object() {
    let object = json!({ "error_key": "unauthorized", "error_message": "Unauthorized" });
    assert_eq!(
        check_json("GET", "/v3/contact_custom_fields", 401, &object),
        Ok(Verdict::Conforms)
    );
    let problems = expect_problems(check_json(
        "GET",
        "/v3/contact_custom_fields",
        401,
        &json!([object]),
    ));
    assert!(problems[0].contains("answered 401"), "{problems:#?}");
    assert!(problems[0].contains("object"), "{problems:#?}");
}

#[test]
fn error_bodies_must_be_labelled_json() {
    let body = json!([{ "error_key": "k", "error_message": "m" }]).to_string();
    let checker = SpecChecker::global();
    let problems = expect_problems(checker.check(
        "GET",
        "/v3/contact_custom_fields",
        400,
        Some("text/plain"),
        body.as_bytes(),
    ));
    assert!(problems[0].contains("text/plain"), "{problems:#?}");
    assert_eq!(
        checker.check(
            "GET",
            "/v3/contact_custom_fields",
            400,
            Some("Application/JSON; charset=utf-8"),
            body.as_bytes()
        ),
        Ok(Verdict::Conforms)
    );
}

#[test]
fn a_204_must_have_no_body() {
    let checker = SpecChecker::global();
    assert_eq!(
        checker.check("DELETE", &field_path(), 204, None, b""),
        Ok(Verdict::Conforms)
    );
    let problems = expect_problems(checker.check("DELETE", &field_path(), 204, JSON, b"{}"));
    assert!(problems[0].contains("204"), "{problems:#?}");
    assert!(problems[0].contains("deleteCustomField"), "{problems:#?}");
}

#[test]
fn a_declared_json_body_needs_the_json_content_type() {
    let checker = SpecChecker::global();
    let body = custom_field().to_string();
    let problems = expect_problems(checker.check(
        "GET",
        &field_path(),
        200,
        Some("text/html"),
        body.as_bytes(),
    ));
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(problems[0].contains("text/html"), "{problems:#?}");
    assert!(problems[0].contains("application/json"), "{problems:#?}");

    let problems = expect_problems(checker.check("GET", &field_path(), 200, None, body.as_bytes()));
    assert!(problems[0].contains("no Content-Type"), "{problems:#?}");

    assert_eq!(
        checker.check(
            "GET",
            &field_path(),
            200,
            Some("application/json; charset=utf-8"),
            body.as_bytes()
        ),
        Ok(Verdict::Conforms)
    );
}

#[test]
fn a_body_that_is_not_json_is_reported() {
    let problems =
        expect_problems(SpecChecker::global().check("GET", &field_path(), 200, JSON, b"<html>"));
    assert!(problems[0].contains("not JSON"), "{problems:#?}");
    let problems =
        expect_problems(SpecChecker::global().check("GET", &field_path(), 200, JSON, b""));
    assert!(problems[0].contains("empty body"), "{problems:#?}");
}

#[test]
fn a_declared_csv_body_is_accepted_as_csv() {
    let checker = SpecChecker::global();
    let path = "/v3/contact_exports/7cb4ac1e-1a1a-11ef-a3b0-fa163e6b01c1";
    assert_eq!(
        checker.check(
            "GET",
            path,
            200,
            Some("text/csv"),
            b"email,first_name\na@b.c,A\n"
        ),
        Ok(Verdict::Conforms)
    );
    assert!(checker.check("GET", path, 200, JSON, b"{}").is_err());
}

#[test]
fn undocumented_body_of_a_2xx_is_not_checked_but_json_must_say_so() {
    let checker = SpecChecker::global();
    let path = format!("/v3/contacts/resubscribe/{FIELD_ID}");
    assert_eq!(
        checker.check("PUT", &path, 200, JSON, b"{\"anything\": 1}"),
        Ok(Verdict::Conforms)
    );
    assert_eq!(
        checker.check("PUT", &path, 200, None, b""),
        Ok(Verdict::Conforms)
    );
    assert!(checker
        .check("PUT", &path, 200, Some("text/plain"), b"{\"anything\": 1}")
        .is_err());
}

#[test]
fn contacts_counts_resolves_to_the_counts_operation() {
    let checker = SpecChecker::global();
    assert_eq!(
        checker.operation_id(
            "GET",
            "/v3/contacts/counts?include_new_subscriber_count=true"
        ),
        Some("getContactCounts")
    );
    assert_eq!(
        checker.operation_id("get", &format!("/v3/contacts/{FIELD_ID}")),
        Some("getContactById")
    );
    let counts =
        json!({ "total": 3, "explicit": 1, "implicit": 1, "pending": 0, "unsubscribed": 1 });
    assert_eq!(
        check_json("GET", "/v3/contacts/counts", 200, &counts),
        Ok(Verdict::Conforms)
    );
}

#[test]
fn literal_segments_win_deeper_in_the_path_too() {
    let checker = SpecChecker::global();
    assert_eq!(
        checker.operation_id(
            "PUT",
            "/v3/events/e1/tracks/t1/registrations/payment_status"
        ),
        Some("updateRegistrationPaymentStatusUsingPUT")
    );
    assert_eq!(
        checker.operation_id("GET", "/v3/events/e1/tracks/t1/registrations/r1"),
        Some("getRegistrationInfo")
    );
}

#[test]
fn undocumented_method_or_path_gives_undocumented() {
    let checker = SpecChecker::global();
    for (method, path) in [
        ("GET", "/v3/no_such_thing"),
        ("GET", "/health"),
        ("GET", "/contact_custom_fields"),
        ("PATCH", "/v3/contact_custom_fields"),
        ("GET", "/v3/contact_custom_fields/a/b"),
    ] {
        assert_eq!(
            checker.check(method, path, 418, Some("text/plain"), b"teapot"),
            Ok(Verdict::Undocumented),
            "{method} {path}"
        );
        assert_eq!(checker.operation_id(method, path), None, "{method} {path}");
    }
}

#[test]
fn inline_array_response_schemas_validate() {
    let privileges = json!([{ "privilege_name": "contacts:read" }]);
    assert_eq!(
        check_json("GET", "/v3/account/user/privileges", 200, &privileges),
        Ok(Verdict::Conforms)
    );
    let wrong = json!([{ "privilege": "contacts:read" }]);
    let problems = expect_problems(check_json(
        "GET",
        "/v3/account/user/privileges",
        200,
        &wrong,
    ));
    assert!(problems[0].contains("JSON pointer \"/0\""), "{problems:#?}");
    assert!(
        problems[0].contains("inline application/json schema"),
        "{problems:#?}"
    );
}

#[test]
fn every_problem_in_a_body_is_reported() {
    let mut body = custom_field();
    body["version"] = json!("one");
    body["custom_field_id"] = json!("nope");
    body["surprise"] = json!(true);
    let problems = field_problems(&body);
    assert_eq!(problems.len(), 3, "{problems:#?}");
}
