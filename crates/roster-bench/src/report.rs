//! The table: one row per figure, with its baseline from the same run, the ratio, the target
//! and the machine's load when its scenario started; printed, and written to BENCHMARKS.md as
//! one section per engine (a run replaces its engine's section and keeps the others).

use std::path::Path;

use crate::quiet;

/// A target a row is judged by.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    /// ratio = figure / baseline must be at least this.
    RatioAtLeast(f64),
    /// ratio = figure / baseline must be at most this.
    RatioAtMost(f64),
    /// the figure itself must be at most this.
    ValueAtMost(f64),
    /// ratio = figure / baseline must lie between these (a rate held to its setting).
    RatioWithin(f64, f64),
    /// a figure shown for reference, with no target of its own.
    Info,
}

impl Target {
    fn text(self) -> String {
        match self {
            Target::RatioAtLeast(n) => format!("ratio ≥ {n}"),
            Target::RatioAtMost(n) => format!("ratio ≤ {n}"),
            Target::ValueAtMost(n) => format!("≤ {n}"),
            Target::RatioWithin(low, high) => format!("{low} ≤ ratio ≤ {high}"),
            Target::Info => "—".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Measured {
        value: f64,
        baseline: Option<(f64, String)>,
    },
    Failed(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub scenario: &'static str,
    pub figure: String,
    pub unit: &'static str,
    pub outcome: Outcome,
    pub target: Target,
    /// The 1-minute load average when its scenario started (the highest of its runs), filled
    /// in by the harness after the scenario ran; None where it could not be read.
    pub load: Option<f64>,
}

impl Row {
    pub fn ratio(&self) -> Option<f64> {
        match &self.outcome {
            Outcome::Measured {
                value,
                baseline: Some((base, _)),
            } if *base > 0.0 => Some(value / base),
            _ => None,
        }
    }

    /// Some(true) when the target is met, None when nothing was measured.
    pub fn met(&self) -> Option<bool> {
        let Outcome::Measured { value, .. } = &self.outcome else {
            return None;
        };
        Some(match self.target {
            Target::RatioAtLeast(n) => self.ratio()? >= n,
            Target::RatioAtMost(n) => self.ratio()? <= n,
            Target::ValueAtMost(n) => *value <= n,
            Target::RatioWithin(low, high) => (low..=high).contains(&self.ratio()?),
            Target::Info => return None,
        })
    }

    /// Started at a load that makes its figures incomparable with a quiet run.
    pub fn noisy(&self) -> bool {
        quiet::is_noisy(self.load)
    }

    fn cells(&self) -> [String; 7] {
        let (value, baseline) = match &self.outcome {
            Outcome::Measured { value, baseline } => (
                format!("{} {}", number(*value), self.unit),
                baseline
                    .as_ref()
                    .map(|(b, what)| format!("{} {} ({what})", number(*b), self.unit))
                    .unwrap_or_else(|| "—".into()),
            ),
            Outcome::Failed(why) => (format!("failed: {why}"), "—".into()),
        };
        let ratio = self
            .ratio()
            .map(|r| format!("{r:.2}"))
            .unwrap_or_else(|| "—".into());
        let status = match self.met() {
            Some(true) => "met",
            Some(false) => "MISSED",
            None => match self.outcome {
                Outcome::Failed(_) => "FAILED",
                _ => "—",
            },
        };
        [
            format!("{}: {}", self.scenario, self.figure),
            value,
            baseline,
            ratio,
            self.target.text(),
            status.to_string(),
            match self.load {
                Some(load) if self.noisy() => format!("{load:.2} noisy"),
                Some(load) => format!("{load:.2}"),
                None => "—".into(),
            },
        ]
    }
}

fn number(value: f64) -> String {
    if value >= 100.0 {
        format!("{value:.0}")
    } else if value >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

const HEADER: [&str; 7] = [
    "scenario: figure",
    "value",
    "baseline",
    "ratio",
    "target",
    "",
    "load at start",
];

/// One row per figure from `runs.len()` runs of one scenario (each run yields its figures in
/// the same order): the median value and the median baseline, the figure's text from the run
/// whose value is the median. A failed run fails the row: a scenario that fails one time in
/// five is not measured.
pub fn medians(runs: Vec<Vec<Row>>) -> Vec<Row> {
    let count = runs.len();
    let mut runs = runs.into_iter();
    let Some(first) = runs.next() else {
        return Vec::new();
    };
    if count == 1 {
        return first;
    }
    let mut figures: Vec<Vec<Row>> = first.into_iter().map(|row| vec![row]).collect();
    for run in runs {
        for (samples, row) in figures.iter_mut().zip(run) {
            samples.push(row);
        }
    }
    figures
        .into_iter()
        .map(|samples| median_row(samples, count))
        .collect()
}

fn median_row(mut samples: Vec<Row>, runs: usize) -> Row {
    if let Some(failed) = samples
        .iter()
        .position(|row| matches!(row.outcome, Outcome::Failed(_)))
    {
        let mut row = samples.swap_remove(failed);
        row.figure = format!("{} (run {} of {runs} failed)", row.figure, failed + 1);
        return row;
    }
    let value = |row: &Row| match row.outcome {
        Outcome::Measured { value, .. } => value,
        Outcome::Failed(_) => f64::NAN,
    };
    let mut baselines: Vec<f64> = samples
        .iter()
        .filter_map(|row| match &row.outcome {
            Outcome::Measured {
                baseline: Some((base, _)),
                ..
            } => Some(*base),
            _ => None,
        })
        .collect();
    baselines.sort_by(f64::total_cmp);
    let median_baseline = baselines.get(baselines.len() / 2).copied();
    samples.sort_by(|a, b| value(a).total_cmp(&value(b)));
    let middle = samples.len() / 2;
    let mut row = samples.swap_remove(middle);
    if let (
        Outcome::Measured {
            baseline: Some((base, _)),
            ..
        },
        Some(median),
    ) = (&mut row.outcome, median_baseline)
    {
        *base = median;
    }
    row.figure = format!("{}; medians of {runs} runs", row.figure);
    row
}

/// The rows as a Markdown table.
pub fn markdown(rows: &[Row]) -> String {
    let mut text = format!("| {} |\n", HEADER.join(" | "));
    text.push_str(&format!("|{}\n", "---|".repeat(HEADER.len())));
    for row in rows {
        let cells = row.cells().map(|c| c.replace('|', "\\|"));
        text.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    text
}

/// The rows aligned for a terminal.
pub fn plain(rows: &[Row]) -> String {
    let cells: Vec<[String; 7]> = rows.iter().map(Row::cells).collect();
    let mut widths = HEADER.map(|h| h.chars().count());
    for row in &cells {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        cells
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    let mut text = line(&HEADER.map(String::from)) + "\n";
    for row in &cells {
        text.push_str(&line(row));
        text.push('\n');
    }
    text
}

const PREAMBLE: &str = "# Benchmarks\n\n\
Written by `cargo run --release -p roster-bench -- all` (see docs/BENCHMARKS-HOWTO.md): every \
figure beside its baseline measured in the same run on the same machine, one section per \
engine, replaced by each run on that engine. Rows that miss their target say MISSED.\n";

fn markers(engine: &str) -> (String, String) {
    (
        format!("<!-- roster-bench:{engine} -->"),
        format!("<!-- /roster-bench:{engine} -->"),
    )
}

/// Replaces (or appends) `engine`'s section of the file's text, keeping everything else.
pub fn replace_section(existing: &str, engine: &str, section: &str) -> String {
    let (start, end) = markers(engine);
    let block = format!("{start}\n{}\n{end}", section.trim_end());
    let base = if existing.trim().is_empty() {
        PREAMBLE.to_string()
    } else {
        existing.to_string()
    };
    match (base.find(&start), base.find(&end)) {
        (Some(from), Some(to)) if to > from => {
            format!("{}{block}{}", &base[..from], &base[to + end.len()..])
        }
        _ => format!("{}\n{block}\n", base.trim_end()),
    }
}

pub fn write_section(path: &Path, engine: &str, section: &str) -> anyhow::Result<()> {
    let existing = std::fs::read_to_string(path).unwrap_or_default();
    std::fs::write(path, replace_section(&existing, engine, section))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(value: f64, base: f64, target: Target) -> Row {
        Row {
            scenario: "http",
            figure: "GET".into(),
            unit: "req/s",
            outcome: Outcome::Measured {
                value,
                baseline: Some((base, "healthz".into())),
            },
            target,
            load: Some(0.5),
        }
    }

    #[test]
    fn rows_missing_their_target_say_so() {
        assert_eq!(
            row(40.0, 100.0, Target::RatioAtLeast(0.5)).met(),
            Some(false)
        );
        assert_eq!(
            row(60.0, 100.0, Target::RatioAtLeast(0.5)).met(),
            Some(true)
        );
        assert_eq!(row(3.5, 1.0, Target::RatioAtMost(3.0)).met(), Some(false));
        assert!(markdown(&[row(40.0, 100.0, Target::RatioAtLeast(0.5))]).contains("MISSED"));
    }

    #[test]
    fn a_scenario_started_under_load_is_marked_noisy() {
        let mut loaded = row(60.0, 100.0, Target::RatioAtLeast(0.5));
        loaded.load = Some(1.0);
        assert!(loaded.noisy());
        assert!(!row(60.0, 100.0, Target::RatioAtLeast(0.5)).noisy());
        let table = markdown(&[loaded, row(60.0, 100.0, Target::RatioAtLeast(0.5))]);
        assert!(table.contains("| 1.00 noisy |"), "{table}");
        assert!(table.contains("| 0.50 |"), "{table}");
    }

    #[test]
    fn repeated_runs_report_the_median_value_and_baseline() {
        let runs = vec![
            vec![row(30.0, 100.0, Target::RatioAtLeast(0.5))],
            vec![row(60.0, 90.0, Target::RatioAtLeast(0.5))],
            vec![row(50.0, 120.0, Target::RatioAtLeast(0.5))],
        ];
        let [median] = medians(runs).try_into().unwrap();
        assert_eq!(
            median.outcome,
            Outcome::Measured {
                value: 50.0,
                baseline: Some((100.0, "healthz".into()))
            }
        );
        assert_eq!(median.figure, "GET; medians of 3 runs");
        let one = vec![vec![row(30.0, 100.0, Target::RatioAtLeast(0.5))]];
        assert_eq!(medians(one.clone()), one[0]);
    }

    #[test]
    fn a_failed_run_fails_the_repeated_row() {
        let mut failed = row(0.0, 0.0, Target::RatioAtLeast(0.5));
        failed.outcome = Outcome::Failed("timeout".into());
        let runs = vec![
            vec![row(30.0, 100.0, Target::RatioAtLeast(0.5))],
            vec![failed],
        ];
        let [row] = medians(runs).try_into().unwrap();
        assert_eq!(row.outcome, Outcome::Failed("timeout".into()));
        assert_eq!(row.figure, "GET (run 2 of 2 failed)");
    }

    #[test]
    fn a_run_replaces_only_its_engine_section() {
        let first = replace_section("", "sqlite", "## SQLite\nold");
        let both = replace_section(&first, "postgres", "## PostgreSQL\npg");
        let again = replace_section(&both, "sqlite", "## SQLite\nnew");
        assert!(again.starts_with("# Benchmarks"));
        assert!(again.contains("## SQLite\nnew") && !again.contains("old"));
        assert!(again.contains("## PostgreSQL\npg"));
        assert!(again.find("SQLite\nnew") < again.find("PostgreSQL\npg"));
    }
}
