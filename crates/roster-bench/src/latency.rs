//! The latency rows: the filter, the maintained counts and a segment's first page, each a p99
//! beside the p99 of GET /contacts/{id} measured in alternating windows of the same run.

use std::path::Path;
use std::time::Duration;

use anyhow::{bail, Context};
use serde_json::Value;

use crate::report::{Outcome, Row, Target};
use crate::{failed, say, wrk, Bench, LATENCY_CONNECTIONS};

/// Latency rows measure the figure and GET /contacts/{id} in this many alternating pairs of
/// windows and compare the medians of their p99s: on a shared machine, drift between two
/// separate windows moved the ratios more than the queries did.
const LATENCY_PAIRS: usize = 3;

/// Checks an endpoint's answer once before it is put under load.
type AnswerCheck = Box<dyn Fn(&Value) -> anyhow::Result<()>>;

impl Bench<'_> {
    pub(crate) async fn filter(&self) -> Row {
        say("filter: lists=L1&updated_after=183 days ago");
        let after = roster_http::wire::date_time(self.loaded.now.plus_seconds(-183 * 24 * 3600));
        let path = format!(
            "/v3/contacts?lists={}&updated_after={after}&limit=50",
            self.loaded.l1
        );
        let figure = "p99 of GET /v3/contacts?lists=L1&updated_after=(183 days ago)&limit=50";
        let l1_members = self.loaded.l1_members;
        self.p99_against_get(&path, |body| {
            let n = body["contacts"].as_array().map_or(0, Vec::len);
            // About half of L1 matches: a full page, except on tiny data sets.
            if n == 0 || (l1_members >= 1_000 && n != 50) {
                bail!("the filter answered {n} contacts, not 50");
            }
            Ok(())
        })
        .await
        .map(|outcome| Row {
            scenario: "filter",
            figure: figure.into(),
            unit: "ms",
            outcome,
            target: Target::RatioAtMost(3.0),
            load: None,
        })
        .unwrap_or_else(|e| failed("filter", figure, "ms", Target::RatioAtMost(3.0), e))
    }

    pub(crate) async fn counts(&self) -> Vec<Row> {
        say("counts: the maintained counts");
        let total = self.loaded.contacts as i64;
        let l2 = self.loaded.l2_members as i64;
        let (l1_id, l2_id) = (self.loaded.l1.to_string(), self.loaded.l2.to_string());
        let l1 = self.loaded.l1_members as i64;
        let checks: [(&str, String, AnswerCheck); 3] = [
            (
                "p99 of GET /v3/contacts/counts",
                "/v3/contacts/counts".to_string(),
                Box::new(move |body: &Value| {
                    if body["total"].as_i64() != Some(total) {
                        bail!("counts.total is {}, not {total}", body["total"]);
                    }
                    Ok(())
                }),
            ),
            (
                "p99 of GET /v3/contact_lists?include_membership_count=all",
                "/v3/contact_lists?include_membership_count=all".to_string(),
                Box::new(move |body: &Value| {
                    for list in body["lists"].as_array().into_iter().flatten() {
                        let expected = if list["list_id"] == l1_id.as_str() {
                            l1
                        } else if list["list_id"] == l2_id.as_str() {
                            l2
                        } else {
                            continue;
                        };
                        if list["membership_count"].as_i64() != Some(expected) {
                            bail!(
                                "{} has membership_count {}, not {expected}",
                                list["name"],
                                list["membership_count"]
                            );
                        }
                    }
                    Ok(())
                }),
            ),
            (
                "p99 of GET /v3/contacts?lists=L2&include_count=true&limit=1",
                format!(
                    "/v3/contacts?lists={}&include_count=true&limit=1",
                    self.loaded.l2
                ),
                Box::new(move |body: &Value| {
                    if body["contacts_count"].as_i64() != Some(l2) {
                        bail!("contacts_count is {}, not {l2}", body["contacts_count"]);
                    }
                    Ok(())
                }),
            ),
        ];
        let mut rows = Vec::new();
        for (figure, path, check) in checks {
            rows.push(
                self.p99_against_get(&path, check)
                    .await
                    .map(|outcome| Row {
                        scenario: "counts",
                        figure: figure.into(),
                        unit: "ms",
                        outcome,
                        target: Target::RatioAtMost(2.0),
                        load: None,
                    })
                    .unwrap_or_else(|e| {
                        failed("counts", figure, "ms", Target::RatioAtMost(2.0), e)
                    }),
            );
        }
        rows
    }

    pub(crate) async fn segment(&self) -> Row {
        say("segment: L2 and Tier = tier-3 and created in the last 90 days");
        let figure = "p99 of the first page (limit=50) of GET /v3/contacts?segment_id= \
                      (member of L2, custom field 1 = a value held by 10%, created in the \
                      last 90 days)";
        let target = Target::RatioAtMost(10.0);
        let page = self
            .segment_page
            .get_or_try_init(|| self.segment_page_path())
            .await;
        let outcome = match page {
            Ok(path) => {
                let contacts = self.loaded.contacts;
                self.p99_against_get(path, |body| {
                    let n = body["contacts"].as_array().map_or(0, Vec::len);
                    // About 1.2% of the contacts match: a full page from 10,000 up.
                    if n == 0 || (contacts >= 10_000 && n != 50) {
                        bail!("the segment's first page holds {n} contacts, not 50");
                    }
                    Ok(())
                })
                .await
            }
            Err(e) => Err(e),
        };
        match outcome {
            Ok(outcome) => Row {
                scenario: "segment",
                figure: figure.into(),
                unit: "ms",
                outcome,
                target,
                load: None,
            },
            Err(e) => failed("segment", figure, "ms", target, e),
        }
    }

    /// p99 of one wrk window at the latency connection count, with `token`.
    fn window_p99(
        &self,
        path: &str,
        token: &str,
        script: Option<&Path>,
    ) -> anyhow::Result<wrk::Outcome> {
        wrk::run(&wrk::Load {
            url: &format!("{}{path}", self.base_url),
            token: Some(token),
            connections: LATENCY_CONNECTIONS,
            duration: (self.options.latency_time / 2).max(Duration::from_secs(1)),
            script,
        })
    }

    /// p99 of `path` beside p99 of GET /contacts/{id}, after checking the answer once: the
    /// medians of `LATENCY_PAIRS` alternating windows of each (half the latency time each).
    async fn p99_against_get(
        &self,
        path: &str,
        check: impl Fn(&Value) -> anyhow::Result<()>,
    ) -> anyhow::Result<Outcome> {
        self.p99_against_get_as(path, self.token, check).await
    }

    /// `p99_against_get` of `path` requested with `token` (another account's: the baseline
    /// stays the loaded account's GET /contacts/{id}).
    pub(crate) async fn p99_against_get_as(
        &self,
        path: &str,
        token: &str,
        check: impl Fn(&Value) -> anyhow::Result<()>,
    ) -> anyhow::Result<Outcome> {
        check(&self.get_json_as(path, token).await?).with_context(|| format!("GET {path}"))?;
        let script = self.ids_script()?;
        let (mut figure, mut baseline) = (Vec::new(), Vec::new());
        for _ in 0..LATENCY_PAIRS {
            let by_id = self.window_p99(&self.one_id_path(), self.token, Some(&script))?;
            let outcome = self.window_p99(path, token, None)?;
            say(format!(
                "  {path}: p50 {:.2} ms, p99 {:.2} ms ({:.0} req/s); GET /v3/contacts/{{id}}: \
                 p50 {:.2} ms, p99 {:.2} ms",
                outcome.p50_ms,
                outcome.p99_ms,
                outcome.requests_per_second,
                by_id.p50_ms,
                by_id.p99_ms
            ));
            baseline.push(by_id.p99_ms);
            figure.push(outcome.p99_ms);
        }
        Ok(Outcome::Measured {
            value: median(&mut figure),
            baseline: Some((
                median(&mut baseline),
                format!(
                    "p99 of GET /v3/contacts/{{id}}; medians of {LATENCY_PAIRS} alternating \
                     windows each"
                ),
            )),
        })
    }
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}
