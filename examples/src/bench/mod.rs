//! The benchmark behind `cargo run --release -p examples --example bench` (issue 7):
//! every figure is measured in the same run, against the local sandbox, and printed
//! as one table. Each measurement lives in its own module; this one holds the table.

pub mod backlog;
pub mod client;
pub mod fleet;
pub mod memory;
pub mod reaction;
pub mod scale_out;

use std::fmt::Write as _;
use std::time::Duration;

/// One line of the table.
#[derive(Debug, Clone)]
pub struct Row {
    /// What was measured.
    pub figure: String,
    /// The measured value, formatted.
    pub value: String,
    /// The target, or `-` for figures reported without one.
    pub target: String,
    /// Whether the target was met.
    pub verdict: Verdict,
}

/// How a figure compares with its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Within the target.
    Met,
    /// Outside the target (BENCHMARKS.md says by how much and why).
    Missed,
    /// Reported for information; no target.
    Info,
    /// Not measured in this run (the value says why).
    Skipped,
}

impl Row {
    /// A figure with a target; `met` decides the verdict.
    pub fn target(figure: &str, value: String, target: &str, met: bool) -> Self {
        Self {
            figure: figure.to_owned(),
            value,
            target: target.to_owned(),
            verdict: if met { Verdict::Met } else { Verdict::Missed },
        }
    }

    /// A figure without a target.
    pub fn info(figure: &str, value: String) -> Self {
        Self {
            figure: figure.to_owned(),
            value,
            target: "-".to_owned(),
            verdict: Verdict::Info,
        }
    }

    /// A figure that could not be measured, and why.
    pub fn skipped(figure: &str, why: &str) -> Self {
        Self {
            figure: figure.to_owned(),
            value: why.to_owned(),
            target: "-".to_owned(),
            verdict: Verdict::Skipped,
        }
    }
}

/// The rows as one Markdown table (pasteable into BENCHMARKS.md as printed).
pub fn render(rows: &[Row]) -> String {
    let mut out = String::from("| figure | value | target | verdict |\n|---|---|---|---|\n");
    for row in rows {
        let verdict = match row.verdict {
            Verdict::Met => "met",
            Verdict::Missed => "MISSED",
            Verdict::Info => "",
            Verdict::Skipped => "skipped",
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            row.figure, row.value, row.target, verdict
        );
    }
    out
}

/// The `p`-th percentile (0–100) of `samples`, nearest-rank; zero when empty.
pub fn percentile(samples: &[Duration], p: f64) -> Duration {
    let mut sorted = samples.to_vec();
    sorted.sort();
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Milliseconds with two decimals, for the table.
pub fn ms(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1000.0)
}

/// How long after `moved` `count` grew past `before`. Polled every 100 µs on a blocking
/// thread: Tokio's timer only has millisecond resolution, and spinning on a worker
/// would take a core from the bridge on this 2-core machine.
pub fn wait_for_count(
    count: impl Fn() -> u64,
    before: u64,
    moved: std::time::Instant,
) -> crate::Result<Duration> {
    tokio::task::block_in_place(|| {
        loop {
            if count() > before {
                return Ok(moved.elapsed());
            }
            if moved.elapsed() > Duration::from_secs(10) {
                return Err("nothing counted 10 s after the move".into());
            }
            std::thread::sleep(Duration::from_micros(100));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_is_nearest_rank() {
        let samples: Vec<_> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&samples, 50.0), Duration::from_millis(50));
        assert_eq!(percentile(&samples, 99.0), Duration::from_millis(99));
        assert_eq!(percentile(&[], 99.0), Duration::ZERO);
    }

    #[test]
    fn render_marks_missed_targets() {
        let table = render(&[
            Row::target("a", "1".into(), "≤ 2", true),
            Row::target("b", "3".into(), "≤ 2", false),
        ]);
        assert!(table.contains("| a | 1 | ≤ 2 | met |"));
        assert!(table.contains("| b | 3 | ≤ 2 | MISSED |"));
    }
}
