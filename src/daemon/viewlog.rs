//! A view's stderr, re-logged by guichetd without anything of the person.
//!
//! Everything a view process tree writes to stderr reaches guichetd on one pipe: the view's own
//! log records (JSON lines from its `tracing` subscriber, whose call sites never name a URL,
//! title or file), and raw text from the libraries below it — WebKit's web and network
//! processes, GStreamer, GLib in a child process — which can quote a URL or a page title. A
//! thread per view reads that pipe: a line that is one of the view's records is logged again
//! at its own level (target `guichet_view`); a line of bubblewrap's (`bwrap: …`, when the
//! view's containment unit or WebKit's sandbox cannot be set up: it names system paths and
//! errors, nothing of a person) is logged as a warning, its printable ASCII only, at most 200
//! characters; any other line is dropped unread, and only its existence is noted at `trace`.
//! Lines are bounded before they are allocated.

use std::io::{BufReader, Read};
use std::process::ChildStderr;

use serde::Deserialize;

use super::spawn::ViewPid;
use crate::protocol::frame::{read_line, FrameError};

/// One log record of the view, as its JSON `tracing` formatter writes it.
#[derive(Debug, Deserialize)]
struct Record {
    level: String,
    #[serde(default)]
    fields: serde_json::Map<String, serde_json::Value>,
}

/// Starts the thread that re-logs `stderr` of view `pid`; it ends when the pipe closes.
pub(super) fn forward(pid: ViewPid, stderr: ChildStderr) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name(format!("view-log-{pid}"))
        .spawn(move || relog(pid, stderr))?;
    Ok(())
}

fn relog(pid: ViewPid, stderr: impl Read) {
    let mut reader = BufReader::new(stderr);
    loop {
        let line = match read_line(&mut reader) {
            Ok(Some(line)) => line,
            Ok(None) | Err(FrameError::Io(_)) => return,
            Err(FrameError::TooLong | FrameError::Malformed(_)) => {
                tracing::trace!(view = %pid, "view stderr: a line too long, dropped");
                continue;
            }
        };
        if let Ok(record) = serde_json::from_slice::<Record>(&line) {
            emit(pid, &record);
        } else if let Some(text) = bwrap_text(&line) {
            tracing::warn!(view = %pid, "bubblewrap: {text}");
        } else {
            tracing::trace!(view = %pid, "view stderr: a line that is not a view record, dropped");
        }
    }
}

/// The text of a line bubblewrap wrote (`bwrap: …`): printable ASCII only, at most 200
/// characters.
fn bwrap_text(line: &[u8]) -> Option<String> {
    let rest = line.strip_prefix(b"bwrap: ")?;
    Some(
        rest.iter()
            .filter(|b| b.is_ascii_graphic() || **b == b' ')
            .take(200)
            .map(|b| char::from(*b))
            .collect(),
    )
}

/// The record's message and its fields as `key=value` text.
fn text(record: &Record) -> String {
    let mut out = match record.fields.get("message") {
        Some(serde_json::Value::String(m)) => m.clone(),
        _ => String::new(),
    };
    for (k, v) in record.fields.iter().filter(|(k, _)| *k != "message") {
        match v {
            serde_json::Value::String(s) => out.push_str(&format!(" {k}={s}")),
            other => out.push_str(&format!(" {k}={other}")),
        }
    }
    out
}

fn emit(pid: ViewPid, record: &Record) {
    let text = text(record);
    match record.level.as_str() {
        "ERROR" => tracing::error!(target: "guichet_view", view = %pid, "{text}"),
        "WARN" => tracing::warn!(target: "guichet_view", view = %pid, "{text}"),
        "INFO" => tracing::info!(target: "guichet_view", view = %pid, "{text}"),
        "DEBUG" => tracing::debug!(target: "guichet_view", view = %pid, "{text}"),
        _ => tracing::trace!(target: "guichet_view", view = %pid, "{text}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_keep_message_and_fields_and_other_text_is_not_a_record() {
        let line = r#"{"timestamp":"x","level":"INFO","fields":{"message":"ready","n":2},"target":"guichet::view"}"#;
        let r: Record = serde_json::from_str(line).unwrap();
        assert_eq!(r.level, "INFO");
        assert_eq!(text(&r), "ready n=2");
        for raw in [
            "** (WebKitWebProcess:42): WARNING **: failed to load https://www.myminfin.be/?q=1",
            "[GStreamer] playing \"Avertissement-extrait-de-role.pdf\"",
        ] {
            assert!(serde_json::from_str::<Record>(raw).is_err(), "{raw}");
            assert_eq!(bwrap_text(raw.as_bytes()), None);
        }
        assert_eq!(
            bwrap_text(b"bwrap: Can't mount proc on /newroot/proc: Operation not permitted\n")
                .as_deref(),
            Some("Can't mount proc on /newroot/proc: Operation not permitted")
        );
    }
}
