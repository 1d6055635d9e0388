//! The checked config as guichetd hands it to a view: JSON, by value.
//!
//! guichetd checks `guichet.toml` ([`Config::load`]) and writes the config that applies to a
//! new session into that session's directory (`config.json`, see
//! [`crate::sessiondir::SessionDir::write_config`]); the view reads that file and never
//! `guichet.toml`, so a file broken, deleted or changed on disk after the check never reaches
//! a session. The snapshot is data guichetd already checked, but the view still treats it as
//! input: [`Config::from_snapshot`] refuses unknown fields, parses every rule again, compiles
//! the policy again (its indexes never travel) and re-checks the rules the view relies on
//! ([`validate`]), so a corrupt or hostile file gives a clear startup error, never a panic.
//! Errors never quote the file: a snapshot holds URLs and host names, and the error goes to
//! the journal.

use super::{
    Config, IDLE_TIMEOUT_RANGE, IDLE_WARNING_RANGE, MAX_DOWNLOAD_LIMIT, MAX_DURATION_RANGE,
    MAX_FILES_LIMIT,
};
use crate::policy::Decision;

/// Largest snapshot a view reads (the shipped packs make a few tens of KiB).
pub const MAX_SNAPSHOT_BYTES: u64 = 8 * 1024 * 1024;

/// Why a view cannot use the config snapshot it was given. The text names no value of it.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("cannot read the config snapshot: {0}")]
    Read(#[source] std::io::Error),
    #[error("the config snapshot is larger than {MAX_SNAPSHOT_BYTES} bytes")]
    TooLarge,
    /// Not JSON, or not the shape of a config (a field unknown or missing, a rule or URL
    /// that does not parse): the kind of error and where, not what was read.
    #[error(
        "the config snapshot is not a valid config ({kind} error at line {line}, column {column})"
    )]
    Parse {
        kind: &'static str,
        line: usize,
        column: usize,
    },
    #[error("the config snapshot breaks a rule: {0}")]
    Invalid(&'static str),
}

impl Config {
    /// The config as JSON, for a view ([`Config::from_snapshot`] reads it back).
    pub fn to_snapshot(&self) -> String {
        serde_json::to_string(self).expect("a config serializes (string keys only)")
    }

    /// Reads a config snapshot written by [`Config::to_snapshot`], checking it again.
    pub fn from_snapshot(text: &str) -> Result<Config, SnapshotError> {
        if text.len() as u64 > MAX_SNAPSHOT_BYTES {
            return Err(SnapshotError::TooLarge);
        }
        let config: Config = serde_json::from_str(text).map_err(|e| SnapshotError::Parse {
            kind: match e.classify() {
                serde_json::error::Category::Io => "read",
                serde_json::error::Category::Syntax => "syntax",
                serde_json::error::Category::Data => "data",
                serde_json::error::Category::Eof => "end of file",
            },
            line: e.line(),
            column: e.column(),
        })?;
        validate(&config).map_err(SnapshotError::Invalid)?;
        Ok(config)
    }
}

fn in_range(v: std::time::Duration, (lo, hi): (u64, u64)) -> bool {
    (lo..=hi).contains(&v.as_secs())
}

/// The rules of `check` the view relies on, on checked values: what a snapshot that did not
/// come from [`Config::load`] could get wrong.
fn validate(c: &Config) -> Result<(), &'static str> {
    let name = c.terminal.name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err("terminal name must be 1 to 80 characters");
    }
    let langs = &c.terminal.languages;
    if langs.is_empty() {
        return Err("no language");
    }
    if (1..langs.len()).any(|i| langs[..i].contains(&langs[i])) {
        return Err("a language is listed twice");
    }
    let s = &c.session;
    if !in_range(s.idle_timeout, IDLE_TIMEOUT_RANGE)
        || !in_range(s.idle_warning, IDLE_WARNING_RANGE)
        || !in_range(s.max_duration, MAX_DURATION_RANGE)
        || s.idle_warning >= s.idle_timeout
        || s.max_duration <= s.idle_timeout
    {
        return Err("session timers out of range");
    }
    let d = &c.downloads;
    if !(1..=MAX_DOWNLOAD_LIMIT).contains(&d.max_bytes)
        || !(d.max_bytes..=MAX_DOWNLOAD_LIMIT).contains(&d.max_session_bytes)
        || !(1..=MAX_FILES_LIMIT).contains(&d.max_files)
    {
        return Err("download limits out of range");
    }
    if d.blocked_extensions.iter().any(|e| {
        e.is_empty()
            || !e
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    }) {
        return Err("a blocked extension is not lower-case letters and digits");
    }
    if let Some(proxy) = &c.network.proxy {
        if !matches!(proxy.scheme(), "http" | "https" | "socks5") || proxy.host().is_none() {
            return Err("proxy must be an http, https or socks5 URL with a host");
        }
    }
    let policy = &c.policy.policy;
    let services = policy.services();
    for (i, service) in services.iter().enumerate() {
        if services[..i].iter().any(|s| s.id == service.id) {
            return Err("two services have the same id");
        }
        if service.allow.is_empty() {
            return Err("a service has no allow rule");
        }
        let urls = service
            .start_url
            .all()
            .into_iter()
            .map(|(_, u)| u)
            .chain(service.logout_url.as_ref());
        for url in urls {
            if !matches!(policy.decide_url(url), Decision::Allow(_)) {
                return Err("a service's start or logout URL is not allowed by the policy");
            }
        }
    }
    if let Some(url) = &c.terminal.start_url {
        if !matches!(policy.decide_url(url), Decision::Allow(_)) {
            return Err("start_url is not allowed by the policy");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
