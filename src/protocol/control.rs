//! The control protocol: staff and admin commands from `guichetctl` to `guichetd`.
//!
//! One JSON [`Request`] line in, one JSON [`Response`] line out, per connection, over a Unix
//! socket at `[control] socket` (mode 0660, group `staff_group`). A frame longer than
//! [`super::frame::MAX_LINE`] is refused before anything is allocated for it. Every connection
//! is checked with `SO_PEERCRED` and `SO_PEERGROUPS` (`crate::daemon::control`): root,
//! guichetd's own user or a member of `staff_group`; anyone else gets an error reply and a log
//! line. [`super::client`] is guichetctl's end.
//!
//! Nothing here says what the person is doing: `status` carries the state, the session's age,
//! the terminal name, the last wipe result and the config state — never a URL, title or file.
//! `stats` carries the per-day figures of `crate::stats`, with small counts suppressed.
//!
//! A request and every reply but `stats` fit in [`super::frame::MAX_LINE`]; a `stats` reply
//! may take up to [`MAX_STATS_REPLY`], which guichetd checks before sending and guichetctl
//! before allocating.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::daemon::machine::State;
use crate::stats::{Format, Grouping};

/// Longest `stats` reply, newline included: a year of daily figures in any format fits.
pub const MAX_STATS_REPLY: usize = 4 * 1024 * 1024;

/// `guichetctl` → `guichetd`. A request with a field its command does not take is refused
/// (`{"type":"pause","confirm":false}` is an error, not a pause).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Request {
    /// The terminal's state.
    ///
    /// `{"type":"status"}`
    Status,
    /// End the running session (take-away screen first unless `now`), wipe it, show a fresh
    /// welcome. Out of order: retry the failed wipe.
    ///
    /// `{"type":"reset","now":false}`
    Reset {
        #[serde(default)]
        now: bool,
    },
    /// Show the "paused" screen (after the running session ends, if one runs).
    ///
    /// `{"type":"pause"}`
    Pause,
    /// Leave the paused screen for a fresh welcome.
    ///
    /// `{"type":"resume"}`
    Resume,
    /// Check the config file now; a valid one applies at the next welcome.
    ///
    /// `{"type":"reload"}`
    Reload,
    /// Stop guichetd cleanly at the next welcome screen (at once when no person's session
    /// runs: welcome, paused, out of order), so that systemd starts the new binary after a
    /// package upgrade without ever ending a person's session.
    ///
    /// `{"type":"restart"}`
    Restart,
    /// The helper has seen the person's "Call the helper": clear the flag `status` shows.
    ///
    /// `{"type":"ack"}`
    Ack,
    /// The statistics of the days `from` to `to` (local days, both included), grouped `by`
    /// day, week or month, in `format`. The reply is [`Response::Stats`].
    ///
    /// `{"type":"stats","from":"2026-11-01","to":"2026-11-30","by":"week","format":"csv"}`
    Stats {
        from: NaiveDate,
        to: NaiveDate,
        by: Grouping,
        format: Format,
    },
}

/// The request as read: every command a struct, so that `deny_unknown_fields` holds for the
/// commands without fields too (serde ignores extra keys of a unit variant).
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
enum WireRequest {
    Status {},
    Reset {
        #[serde(default)]
        now: bool,
    },
    Pause {},
    Resume {},
    Reload {},
    Restart {},
    Ack {},
    Stats {
        from: NaiveDate,
        to: NaiveDate,
        by: Grouping,
        format: Format,
    },
}

impl<'de> Deserialize<'de> for Request {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match WireRequest::deserialize(d)? {
            WireRequest::Status {} => Request::Status,
            WireRequest::Reset { now } => Request::Reset { now },
            WireRequest::Pause {} => Request::Pause,
            WireRequest::Resume {} => Request::Resume,
            WireRequest::Reload {} => Request::Reload,
            WireRequest::Restart {} => Request::Restart,
            WireRequest::Ack {} => Request::Ack,
            WireRequest::Stats {
                from,
                to,
                by,
                format,
            } => Request::Stats {
                from,
                to,
                by,
                format,
            },
        })
    }
}

/// `guichetd` → `guichetctl`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Response {
    /// The command was done (or started); `message` says what happens next.
    ///
    /// `{"type":"ok","message":"the session ends now"}`
    Ok { message: String },
    /// The command was refused or could not be read.
    ///
    /// `{"type":"error","message":"not paused"}`
    Error { message: String },
    /// The reply to `status`.
    ///
    /// `{"type":"status","state":"active","terminal":"EPN — poste 2","session_age_secs":754,
    ///   "sessions_started":12,"spare_ready":true,"pause_pending":false,"out_of_order":null,
    ///   "last_wipe":{"ok":true,"millis":41,"error":null},
    ///   "config":{"pending":false,"rejected":null},"stats_warning":null,
    ///   "helper_called":false,"restart_pending":false}`
    Status(Status),
    /// The reply to `stats`: the report as text in the format asked for, and the statistics
    /// files that were skipped (name and reason), for guichetctl to print on stderr.
    ///
    /// `{"type":"stats","text":"period,figure,key,value,note\n…",
    ///   "skipped":["/var/lib/guichet/stats/2026-11-03.json: truncated at line 9 column 3"]}`
    Stats { text: String, skipped: Vec<String> },
}

/// What `guichetctl status` shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    pub state: State,
    pub terminal: String,
    /// Seconds since the person's first input, while a session runs.
    pub session_age_secs: Option<u64>,
    /// Welcome screens shown since guichetd started.
    pub sessions_started: u64,
    /// A hidden view is loaded and ready to be shown.
    pub spare_ready: bool,
    /// A pause waits for the running session to end.
    pub pause_pending: bool,
    /// Why the terminal is out of order.
    pub out_of_order: Option<String>,
    pub last_wipe: Option<LastWipe>,
    pub config: ConfigState,
    /// Why the statistics are not being written (a folder that cannot be written, a failed
    /// flush), until a write succeeds. A warning only: the terminal stays in service.
    pub stats_warning: Option<String>,
    /// The person pressed "Call the helper" in this session: set until `guichetctl ack` or
    /// the next session's welcome. Nothing else about the call (no page, no time).
    #[serde(default)]
    pub helper_called: bool,
    /// `guichetctl restart` waits for the running session to end.
    #[serde(default)]
    pub restart_pending: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastWipe {
    pub ok: bool,
    pub millis: u64,
    pub error: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigState {
    /// A valid new config waits for the next welcome.
    pub pending: bool,
    /// The last rejected config, as `file:line:col: message` plus hint.
    pub rejected: Option<String>,
}

impl Response {
    pub fn ok(message: impl Into<String>) -> Response {
        Response::Ok {
            message: message.into(),
        }
    }

    pub fn error(message: impl Into<String>) -> Response {
        Response::Error {
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_examples_round_trip() {
        let req: Vec<(&str, Request)> = vec![
            (r#"{"type":"status"}"#, Request::Status),
            (
                r#"{"type":"reset","now":false}"#,
                Request::Reset { now: false },
            ),
            (r#"{"type":"pause"}"#, Request::Pause),
            (r#"{"type":"resume"}"#, Request::Resume),
            (r#"{"type":"reload"}"#, Request::Reload),
            (r#"{"type":"restart"}"#, Request::Restart),
            (r#"{"type":"ack"}"#, Request::Ack),
            (
                r#"{"type":"stats","from":"2026-11-01","to":"2026-11-30","by":"week","format":"csv"}"#,
                Request::Stats {
                    from: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
                    to: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
                    by: Grouping::Week,
                    format: Format::Csv,
                },
            ),
        ];
        for (json, r) in req {
            assert_eq!(serde_json::from_str::<Request>(json).unwrap(), r);
            assert_eq!(serde_json::to_string(&r).unwrap(), json);
        }
        assert_eq!(
            serde_json::from_str::<Request>(r#"{"type":"reset"}"#).unwrap(),
            Request::Reset { now: false }
        );
        let status = r#"{"type":"status","state":"active","terminal":"EPN — poste 2","session_age_secs":754,"sessions_started":12,"spare_ready":true,"pause_pending":false,"out_of_order":null,"last_wipe":{"ok":true,"millis":41,"error":null},"config":{"pending":false,"rejected":null},"stats_warning":null,"helper_called":true,"restart_pending":false}"#;
        let r: Response = serde_json::from_str(status).unwrap();
        assert_eq!(serde_json::to_string(&r).unwrap(), status);
        let stats = r#"{"type":"stats","text":"period,figure,key,value,note\n","skipped":["/var/lib/guichet/stats/2026-11-03.json: truncated at line 9 column 3"]}"#;
        let r: Response = serde_json::from_str(stats).unwrap();
        assert!(matches!(&r, Response::Stats { skipped, .. } if skipped.len() == 1));
        assert_eq!(serde_json::to_string(&r).unwrap(), stats);
        assert_eq!(
            serde_json::to_string(&Response::ok("the session ends now")).unwrap(),
            r#"{"type":"ok","message":"the session ends now"}"#
        );
    }

    #[test]
    fn unknown_requests_and_fields_are_refused() {
        assert!(serde_json::from_str::<Request>(r#"{"type":"format_disk"}"#).is_err());
        for bad in [
            r#"{"type":"reset","now":true,"x":1}"#,
            r#"{"type":"pause","confirm":false}"#,
            r#"{"type":"status","verbose":true}"#,
            r#"{"type":"resume","now":true}"#,
            r#"{"type":"ack","all":true}"#,
            r#"{"type":"reload","file":"/tmp/x"}"#,
            r#"{"type":"reset","now":"yes"}"#,
            r#"{"type":"stats","from":"2026-11-01","to":"2026-11-30","by":"week","format":"csv","min_count":1}"#,
            r#"{"type":"stats","from":"2026-11-01","to":"2026-11-30","by":"year","format":"csv"}"#,
            r#"{"type":"stats","from":"2026-11-01","to":"2026-11-30","by":"day","format":"xml"}"#,
            r#"{"type":"stats","from":"yesterday","to":"2026-11-30","by":"day","format":"csv"}"#,
            r#"{"type":"stats","from":"2026-11-01","by":"day","format":"csv"}"#,
        ] {
            assert!(serde_json::from_str::<Request>(bad).is_err(), "{bad}");
        }
        assert_eq!(
            serde_json::from_str::<Request>(r#"{"type":"reset"}"#).unwrap(),
            Request::Reset { now: false }
        );
    }
}
