//! Constant Contact's official Python SDK (`constant-contact-api-client`, pinned in
//! crates/roster-tests/python/requirements.txt) drives contacts, lists, tags, email campaigns,
//! their resends to non-openers and A/B tests, and reads the email and contact reports, against the test
//! server: the script asserts status codes through the SDK's `*_with_http_info` methods and lets
//! the SDK's own models validate every body.
//!
//! Without the SDK installed the test fails in CI (`CI=true`) and is skipped elsewhere, with a
//! notice written straight to stderr (libtest hides the output of passing tests).

use std::io::Write;
use std::path::PathBuf;
use std::process::Stdio;

use roster_tests::TestApp;
use roster_tests::{on_both_engines, on_both_engines_with_mail, on_both_engines_with_mail_and};

use crate::email_reports::{engaged_campaign, intake};

on_both_engines!(
    official_python_sdk_drives_contacts_lists_and_tags,
    official_python_sdk_drives_email_campaigns,
    official_python_sdk_drives_resends_and_ab_tests
);
on_both_engines_with_mail_and!(intake; official_python_sdk_reads_email_reports);
on_both_engines_with_mail!(official_python_sdk_reads_contact_reports);

fn script_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("python")
}

/// Whether the SDK imports; None when python3 itself is missing.
async fn sdk_importable() -> Option<bool> {
    let status = tokio::process::Command::new("python3")
        .args(["-c", "import constant_contact_api_client"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .await
        .ok()?;
    Some(status.success())
}

/// Runs `script` (in crates/roster-tests/python) against the test server with the owner's token
/// and `extra` arguments, and requires it to print "`name`: all checks passed".
async fn run_sdk_script(app: &TestApp, script: &str, extra: &[&str]) {
    if sdk_importable().await != Some(true) {
        let why = "python3 cannot import constant_contact_api_client; install it with \
                   `pip install -r crates/roster-tests/python/requirements.txt`";
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("{why}");
        }
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: python_sdk {script} ({:?}): {why}",
            app.engine
        );
        return;
    }
    let output = tokio::process::Command::new("python3")
        .arg(script_dir().join(script))
        .arg(&app.base_url)
        .arg(&app.owner.token)
        .args(extra)
        .output()
        .await
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "the SDK script {script} failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let name = script.trim_end_matches(".py");
    assert!(
        String::from_utf8_lossy(&output.stdout).contains(&format!("{name}: all checks passed")),
        "the script {script} did not reach its end"
    );
}

async fn official_python_sdk_drives_contacts_lists_and_tags(app: TestApp) {
    run_sdk_script(&app, "sdk_contacts.py", &[]).await;
}

async fn official_python_sdk_drives_email_campaigns(app: TestApp) {
    let sender = app.owner.email.clone();
    run_sdk_script(&app, "sdk_emails.py", &[&sender]).await;
}

async fn official_python_sdk_reads_email_reports(app: TestApp) {
    let sent = engaged_campaign(&app).await;
    let campaign = app.get_json(&format!("/v3/emails/{}", sent.campaign)).await;
    let permalink = campaign["campaign_activities"][1]["campaign_activity_id"]
        .as_str()
        .unwrap()
        .to_string();
    run_sdk_script(
        &app,
        "sdk_email_reports.py",
        &[&sent.campaign, &sent.activity, &permalink],
    )
    .await;
}

/// The contact reports of a real round trip (contact_reports.rs's story: two campaigns sent
/// through the SMTP sink, opens, clicks and an opt-out through the public endpoints), read
/// through the SDK's ContactsReportingApi.
async fn official_python_sdk_reads_contact_reports(app: TestApp) {
    let story = crate::contact_reports::story(&app).await;
    run_sdk_script(
        &app,
        "sdk_contact_reports.py",
        &[&story.ann, &story.bob, &story.first, &story.second],
    )
    .await;
}

/// The resend to non-openers and the A/B test of a draft campaign, through the SDK's
/// EmailCampaignsApi and EmailCampaignsABTestsApi.
async fn official_python_sdk_drives_resends_and_ab_tests(app: TestApp) {
    let email = app.owner.email.clone();
    let created = app
        .post(
            "/v3/emails",
            serde_json::json!({"name": "SDK resend", "email_campaign_activities": [{
                "format_type": 5, "from_name": "Test Org", "from_email": email,
                "reply_to_email": email, "subject": "Hello",
                "html_content": "<html><body>[[trackingImage]]<p>Hi</p></body></html>"
            }]}),
        )
        .expect_json(200)
        .await;
    let activity = |role: &str| {
        created["campaign_activities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["role"] == role)
            .unwrap()["campaign_activity_id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (primary, permalink) = (activity("primary_email"), activity("permalink"));
    run_sdk_script(&app, "sdk_follow_ups.py", &[&primary, &permalink]).await;
}
