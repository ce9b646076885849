//! How the example programs log: to stderr, filtered by `RUST_LOG` (tracing's
//! `EnvFilter` syntax, e.g. `RUST_LOG=info,ats_bridge::intake=debug`; unset: the
//! program's default level), as text or — with `LOG_FORMAT=json` — one JSON object per
//! line for a log shipper.
//!
//! What is logged carries ids, states and reasons only, never personal data: the
//! libraries log that way (see their crate docs), and nothing here adds to it.

use std::io;
use std::str::FromStr;

use tracing::Level;
use tracing::subscriber::Subscriber;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// The environment variable that picks the [`LogFormat`].
pub const LOG_FORMAT_VAR: &str = "LOG_FORMAT";

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines (the default).
    #[default]
    Text,
    /// One JSON object per line: `timestamp`, `level`, `target`, `fields` (with the
    /// `message`), and the current `span` and `spans`.
    Json,
}

impl FromStr for LogFormat {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "text" | "" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            other => Err(format!("log format {other:?} is not one of `text`, `json`")),
        }
    }
}

impl LogFormat {
    /// The format `LOG_FORMAT` names (unset: text).
    pub fn from_env() -> Result<Self, String> {
        crate::env(LOG_FORMAT_VAR).map_or(Ok(LogFormat::Text), |value| value.parse())
    }
}

/// The filter `RUST_LOG` describes, or everything from `default` up when it is unset.
/// A directive that does not parse is skipped (and reported on stderr by tracing).
pub fn filter(default: Level) -> EnvFilter {
    EnvFilter::builder()
        .with_default_directive(default.into())
        .from_env_lossy()
}

/// A subscriber writing `format` lines that pass `filter` to `writer`.
pub fn subscriber<W>(
    filter: EnvFilter,
    format: LogFormat,
    writer: W,
) -> Box<dyn Subscriber + Send + Sync>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    match format {
        LogFormat::Text => Box::new(builder.finish()),
        LogFormat::Json => Box::new(builder.json().finish()),
    }
}

/// Install the process' logger: `RUST_LOG` (else `default` up), in `format`, to stderr.
/// Does nothing when a logger is already installed.
pub fn init(default: Level, format: LogFormat) {
    let _ =
        tracing::subscriber::set_global_default(subscriber(filter(default), format, io::stderr));
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    /// A writer into a shared buffer.
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl io::Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl<'w> MakeWriter<'w> for Buffer {
        type Writer = Buffer;
        fn make_writer(&'w self) -> Self::Writer {
            self.clone()
        }
    }

    impl Buffer {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    #[test]
    fn formats_are_named_text_or_json() {
        assert_eq!("json".parse(), Ok(LogFormat::Json));
        assert_eq!(" JSON ".parse(), Ok(LogFormat::Json));
        assert_eq!("text".parse(), Ok(LogFormat::Text));
        let error = "yaml".parse::<LogFormat>().unwrap_err();
        assert!(error.contains("yaml"), "{error}");
    }

    #[test]
    fn json_lines_carry_level_target_and_fields_and_directives_filter() {
        let buffer = Buffer::default();
        let filter = EnvFilter::new("warn,ats_bridge::intake=debug");
        let subscriber = subscriber(filter, LogFormat::Json, buffer.clone());
        tracing::subscriber::with_default(subscriber, || {
            tracing::debug!(target: "ats_bridge::intake", source = "lever", "stored");
            tracing::info!(target: "ats_bridge::engine", "filtered out");
            tracing::warn!(target: "ats_bridge::engine", row = "lever/a/i", "retrying");
        });
        let lines: Vec<serde_json::Value> = buffer
            .text()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert_eq!(lines[0]["level"], "DEBUG");
        assert_eq!(lines[0]["target"], "ats_bridge::intake");
        assert_eq!(lines[0]["fields"]["message"], "stored");
        assert_eq!(lines[0]["fields"]["source"], "lever");
        assert_eq!(lines[1]["level"], "WARN");
        assert_eq!(lines[1]["fields"]["row"], "lever/a/i");
    }

    #[test]
    fn text_is_the_default() {
        let buffer = Buffer::default();
        let subscriber = subscriber(EnvFilter::new("info"), LogFormat::default(), buffer.clone());
        tracing::subscriber::with_default(subscriber, || tracing::info!(n = 1, "hello"));
        let text = buffer.text();
        assert!(
            text.contains("INFO") && text.contains("hello n=1"),
            "{text}"
        );
        assert!(serde_json::from_str::<serde_json::Value>(text.trim()).is_err());
    }
}
