//! The table: one row per figure, with its baseline from the same run, the ratio and the
//! target; printed, and written to BENCHMARKS.md as one section per engine (a run replaces its
//! engine's section and keeps the others).

use std::path::Path;

/// A target a row is judged by.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    /// ratio = figure / baseline must be at least this.
    RatioAtLeast(f64),
    /// ratio = figure / baseline must be at most this.
    RatioAtMost(f64),
    /// the figure itself must be at most this.
    ValueAtMost(f64),
    /// a figure shown for reference, with no target of its own.
    Info,
}

impl Target {
    fn text(self) -> String {
        match self {
            Target::RatioAtLeast(n) => format!("ratio ≥ {n}"),
            Target::RatioAtMost(n) => format!("ratio ≤ {n}"),
            Target::ValueAtMost(n) => format!("≤ {n}"),
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
            Target::Info => return None,
        })
    }

    fn cells(&self) -> [String; 6] {
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

const HEADER: [&str; 6] = [
    "scenario: figure",
    "value",
    "baseline",
    "ratio",
    "target",
    "",
];

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
    let cells: Vec<[String; 6]> = rows.iter().map(Row::cells).collect();
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
