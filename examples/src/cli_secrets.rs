//! Where `setup` puts the webhook secrets it registered: an environment file the
//! server's environment is loaded from (created with mode 0600, merged with what is
//! already there), or `KEY=value` lines on stdout when asked for explicitly. Never
//! both, and never without being asked: a secret printed by default ends up in
//! terminal scrollback and CI logs.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use client_core::{ExposeSecret, SecretString};

use crate::Result;

/// What setup does with one environment variable.
#[derive(Debug, Clone)]
pub enum SecretUpdate {
    /// Set it to this value.
    Set(SecretString),
    /// Add these values to its comma-separated list (Lever tokens of new webhooks
    /// beside adopted ones, whose tokens Lever does not show again).
    Append(Vec<SecretString>),
    /// Leave it as it is (an adopted Lever webhook: the stored value stays valid).
    Keep,
}

impl SecretUpdate {
    /// Set a comma-separated list.
    pub fn set_list(values: &[SecretString]) -> Self {
        Self::Set(SecretString::from(join(values)))
    }
}

/// The variables setup updates, in output order.
#[derive(Debug, Clone, Default)]
pub struct SecretUpdates(pub Vec<(&'static str, SecretUpdate)>);

impl SecretUpdates {
    /// Add an update of `name`.
    pub fn push(&mut self, name: &'static str, update: SecretUpdate) {
        self.0.push((name, update));
    }

    /// The names of the variables given a value (set or appended to).
    pub fn changed(&self) -> Vec<&'static str> {
        self.0
            .iter()
            .filter(|(_, u)| !matches!(u, SecretUpdate::Keep))
            .map(|(name, _)| *name)
            .collect()
    }

    /// The names of the variables left as they are.
    pub fn kept(&self) -> Vec<&'static str> {
        self.0
            .iter()
            .filter(|(_, u)| matches!(u, SecretUpdate::Keep))
            .map(|(name, _)| *name)
            .collect()
    }
}

/// Where the secrets go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretsTo {
    /// An environment file, created (or rewritten) with mode 0600.
    File(PathBuf),
    /// `KEY=value` lines on stdout.
    Stdout,
}

/// Deliver `updates` to `to`, telling `out` where they went (and the values, for
/// [`SecretsTo::Stdout`] only).
pub fn deliver(updates: &SecretUpdates, to: &SecretsTo, out: &mut impl Write) -> Result<()> {
    match to {
        SecretsTo::File(path) => {
            write_env_file(path, updates)?;
            let changed = updates.changed();
            if changed.is_empty() {
                writeln!(out, "No secret changed; {} left as it was.", path.display())?;
            } else {
                writeln!(
                    out,
                    "Secrets written to {} (mode 0600): {}. Load it into the server's \
                     environment (`set -a; . {0}; set +a`), and keep it out of version control.",
                    path.display(),
                    changed.join(", ")
                )?;
            }
        }
        SecretsTo::Stdout => {
            writeln!(
                out,
                "Secrets (--print-env): put them in the server's environment; they are not shown again."
            )?;
            for (name, update) in &updates.0 {
                match update {
                    SecretUpdate::Set(value) => writeln!(out, "{name}={}", value.expose_secret())?,
                    SecretUpdate::Append(values) => writeln!(
                        out,
                        "# add to your {name} (comma-separated): {}",
                        join(values)
                    )?,
                    SecretUpdate::Keep => {}
                }
            }
        }
    }
    let kept = updates.kept();
    if !kept.is_empty() {
        writeln!(
            out,
            "Unchanged (adopted webhooks; the vendor does not show their secrets again): {}. \
             Keep the values you have, or run again with --rotate-secrets.",
            kept.join(", ")
        )?;
    }
    Ok(())
}

/// Merge `updates` into the `KEY=value` file at `path`: other lines stay, updated
/// keys are replaced in place, new keys appended. The new content goes to a
/// temporary file created with mode 0600 beside it, then renamed over it, so the
/// secrets are never readable by others, not even for a moment, and a crash leaves
/// the old file whole.
pub fn write_env_file(path: &Path, updates: &SecretUpdates) -> Result<()> {
    let existing = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(error) => return Err(format!("cannot read {}: {error}", path.display()).into()),
    };
    let content = merge(&existing, updates);
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".secrets-");
    private(&mut builder);
    let mut file = builder.tempfile_in(dir)?;
    file.write_all(content.as_bytes())?;
    file.as_file().sync_all()?;
    file.persist(path)
        .map_err(|e| format!("cannot write {}: {}", path.display(), e.error))?;
    Ok(())
}

/// Owner read and write only. (Elsewhere than Unix, the temporary file's own
/// defaults apply.)
fn private(builder: &mut tempfile::Builder<'_, '_>) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o600));
    }
    #[cfg(not(unix))]
    let _ = builder;
}

fn merge(existing: &str, updates: &SecretUpdates) -> String {
    let mut lines: Vec<String> = existing.lines().map(str::to_owned).collect();
    for (name, update) in &updates.0 {
        let at = lines
            .iter()
            .position(|line| line.split_once('=').is_some_and(|(k, _)| k.trim() == *name));
        let value = match (update, at) {
            (SecretUpdate::Keep, _) => continue,
            (SecretUpdate::Set(value), _) => value.expose_secret().to_owned(),
            (SecretUpdate::Append(values), Some(at)) => {
                let (_, old) = lines[at].split_once('=').unwrap_or_default();
                let old = unquote(old.trim());
                let mut all: Vec<&str> = old.split(',').filter(|t| !t.trim().is_empty()).collect();
                let new = join(values);
                all.push(&new);
                all.join(",")
            }
            (SecretUpdate::Append(values), None) => join(values),
        };
        let line = format!("{name}={}", quote(&value));
        match at {
            Some(at) => lines[at] = line,
            None => lines.push(line),
        }
    }
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

fn join(values: &[SecretString]) -> String {
    values
        .iter()
        .map(|v| v.expose_secret())
        .collect::<Vec<_>>()
        .join(",")
}

/// The value as a shell word: bare when it is plainly safe, else single-quoted.
fn quote(value: &str) -> String {
    let plain = value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_.,:/+=@".contains(c));
    if plain {
        value.to_owned()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

fn unquote(value: &str) -> String {
    match value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')) {
        Some(inner) => inner.replace(r"'\''", "'"),
        None => value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn updates(list: Vec<(&'static str, SecretUpdate)>) -> SecretUpdates {
        SecretUpdates(list)
    }

    fn set(value: &str) -> SecretUpdate {
        SecretUpdate::Set(SecretString::from(value))
    }

    #[test]
    fn a_new_file_gets_one_line_per_set_variable() {
        let text = merge(
            "",
            &updates(vec![
                ("A", set("1")),
                ("B", SecretUpdate::Keep),
                ("C", set("it's")),
            ]),
        );
        assert_eq!(text, "A=1\nC='it'\\''s'\n");
        assert_eq!(unquote("'it'\\''s'"), "it's");
    }

    #[test]
    fn merging_replaces_in_place_appends_to_lists_and_keeps_the_rest() {
        let existing = "# bridge\nA=old\nDATABASE_URL=postgres://x\nL=t1,t2\n";
        let text = merge(
            existing,
            &updates(vec![
                ("A", set("new")),
                ("L", SecretUpdate::Append(vec![SecretString::from("t3")])),
                ("K", SecretUpdate::Keep),
                ("N", set("n")),
            ]),
        );
        assert_eq!(
            text,
            "# bridge\nA=new\nDATABASE_URL=postgres://x\nL=t1,t2,t3\nN=n\n"
        );
    }
}
