//! requests-oauthlib (PyPI) against the test server: the authorization-code flow with PKCE
//! through the HTML pages, refresh with rotation, and the implicit flow
//! (`crates/roster-tests/python/oauth_flows.py`). Without Python or its modules the test is
//! skipped with a notice outside CI, and fails with CI=true.

use std::io::Write;
use std::process::Stdio;

use roster_tests::{on_both_engines, TestApp, TEST_PASSWORD};

on_both_engines!(requests_oauthlib_completes_every_flow);

const REDIRECT: &str = "http://localhost:5000/callback";

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

async fn python_ready() -> Result<(), String> {
    let output = tokio::process::Command::new("python3")
        .args(["-c", "import requests, requests_oauthlib"])
        .output()
        .await
        .map_err(|e| format!("python3 cannot run: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).trim().to_string())
    }
}

async fn requests_oauthlib_completes_every_flow(app: TestApp) {
    if let Err(problem) = python_ready().await {
        let notice = format!(
            "requests-oauthlib is not available ({problem}); install it with \
             `python3 -m pip install -r crates/roster-tests/python/requirements.txt`"
        );
        if in_ci() {
            panic!("CI=true: {notice}");
        }
        let _ = writeln!(
            std::io::stderr(),
            "\nSKIPPED: the requests-oauthlib test: {notice}\n"
        );
        return;
    }
    let (client_id, secret) = app.create_app(false, REDIRECT).await;
    let (public_id, _) = app.create_app(true, REDIRECT).await;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/python/oauth_flows.py");
    let run = tokio::process::Command::new("python3")
        .arg(script)
        .args([
            app.base_url.as_str(),
            app.owner.email.as_str(),
            TEST_PASSWORD,
            client_id.as_str(),
            secret.as_deref().unwrap_or_default(),
            public_id.as_str(),
            REDIRECT,
        ])
        .stdin(Stdio::null())
        .output();
    let output = tokio::time::timeout(std::time::Duration::from_secs(120), run)
        .await
        .expect("the script finishes within two minutes")
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "oauth_flows.py failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for step in [
        "authorization code with PKCE: ok",
        "refresh with rotation: ok",
        "implicit flow: ok",
    ] {
        assert!(stdout.contains(step), "missing step {step}:\n{stdout}");
    }
}
