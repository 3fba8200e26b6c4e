//! The harness end to end on tiny data: 500 contacts on SQLite, one-second wrk runs, the
//! report written to a temporary file. It proves the harness works, not how fast Roster is:
//! nothing here asserts a timing. Skipped (with a notice) where wrk or the `roster` binary of
//! this build is missing (`cargo test --workspace` builds it).

use std::time::Duration;

use roster_bench::report::Outcome;
use roster_bench::{Engine, Options, SCENARIOS};

/// The `roster` binary of this build, or None (with a notice) where wrk or it is missing.
fn roster_binary() -> Option<std::path::PathBuf> {
    if !roster_bench::wrk::available() {
        eprintln!(
            "SKIPPED: wrk is not installed ({})",
            roster_bench::wrk::INSTALL_HINT
        );
        return None;
    }
    let test_exe = std::env::current_exe().unwrap();
    let Ok(roster_binary) = roster_bench::server::roster_binary_beside(&test_exe) else {
        eprintln!("SKIPPED: no roster binary in this build's target directory");
        return None;
    };
    Some(roster_binary)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_harness_runs_on_tiny_data() {
    let Some(roster_binary) = roster_binary() else {
        return;
    };
    let directory = tempfile::tempdir().unwrap();
    let output = directory.path().join("BENCHMARKS.md");
    let options = Options {
        engine: Engine::Sqlite,
        contacts: 500,
        scenarios: Vec::new(),
        throughput_time: Duration::from_secs(1),
        latency_time: Duration::from_secs(1),
        postgres_url: String::new(),
        roster_binary,
        output: Some(output.clone()),
        command: "smoke test".into(),
        keep_database: false,
        // CI must not wait minutes per scenario for a quiet machine.
        noisy: true,
        repeat: 1,
        send_recipients: 200,
        report_sends: 2_000,
    };
    let report = roster_bench::run(&options).await.expect("the harness runs");
    let failed: Vec<_> = report
        .rows
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Failed(_)))
        .collect();
    assert!(failed.is_empty(), "{failed:#?}");
    let measured = |scenario: &str| {
        report
            .rows
            .iter()
            .any(|r| r.scenario == scenario && matches!(r.outcome, Outcome::Measured { .. }))
    };
    for scenario in SCENARIOS {
        assert!(measured(scenario), "{scenario} was measured");
    }
    // Both memory figures: after the http scenario and during the import.
    assert_eq!(
        report
            .rows
            .iter()
            .filter(|r| r.scenario == "memory")
            .count(),
        2
    );
    // Every row carries the load its scenario started at (the smoke test does not wait for
    // it to fall).
    if roster_bench::quiet::load_average().is_some() {
        assert!(
            report.rows.iter().all(|r| r.load.is_some()),
            "{:#?}",
            report.rows
        );
    }
    let written = std::fs::read_to_string(&output).unwrap();
    assert!(written.contains("## SQLite"), "{written}");
    assert!(written.contains("load at start"), "{written}");
    assert!(written.contains("- machine load: "), "{written}");
    assert!(!written.contains("not available"), "{written}");
}

/// `--repeat 2` on the http and segment scenarios: one row each, the medians of two runs (the
/// segment's second run reuses the segment the first created).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeated_scenario_reports_its_medians() {
    let Some(roster_binary) = roster_binary() else {
        return;
    };
    let options = Options {
        engine: Engine::Sqlite,
        contacts: 500,
        scenarios: vec!["http".into(), "segment".into()],
        throughput_time: Duration::from_secs(1),
        latency_time: Duration::from_secs(1),
        postgres_url: String::new(),
        roster_binary,
        output: None,
        command: "smoke test".into(),
        keep_database: false,
        noisy: true,
        repeat: 2,
        send_recipients: 200,
        report_sends: 2_000,
    };
    let report = roster_bench::run(&options).await.expect("the harness runs");
    assert_eq!(report.rows.len(), 2, "{:#?}", report.rows);
    for row in &report.rows {
        assert!(matches!(row.outcome, Outcome::Measured { .. }), "{row:#?}");
        assert!(row.figure.ends_with("; medians of 2 runs"), "{row:#?}");
    }
    assert!(report.section.contains("ran 2 times"), "{}", report.section);
}

/// The soak command for three seconds on 300 contacts: every request of the mix answers 2xx
/// (a duplicate email, a list over the cap or a malformed body in the script would not).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_soak_mix_answers_only_2xx() {
    let Some(roster_binary) = roster_binary() else {
        return;
    };
    let args = roster_bench::soak::SoakArgs {
        duration: 3,
        connections: 8,
        contacts: 300,
        sample_every: 1,
        engine: Engine::Sqlite,
        postgres_url: String::new(),
    };
    let report = roster_bench::soak::run(&args, &roster_binary)
        .await
        .expect("the soak runs");
    assert!(report.requests > 0);
    assert_eq!(report.non_2xx, 0, "{}", report.plain());
    assert_eq!(report.socket_errors, 0, "{}", report.plain());
    assert!(report.rss.len() >= 3, "{:?}", report.rss);
}
