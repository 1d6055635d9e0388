//! The things statistics count *by*: each one a closed set or a checked syntax.
//!
//! A day file keys its breakdowns by these types only, so nothing of a person can enter it
//! through a key: a [`ServiceId`] has the syntax of a pack's service id, a [`BlockedDomain`]
//! is at most the registrable domain of a host (computed with the Public Suffix List), and the
//! rest are enums. Loading a day file checks the same syntax, so a hand-edited file cannot
//! smuggle text into an export either.

use std::cmp::Ordering;
use std::fmt;
use std::net::Ipv4Addr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::loggable::LoggableHost;
use crate::policy::Category;

/// A key that does not have the syntax it must have. The value itself is never shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("service id: not a pack id (a-z, 0-9, '-' or '_', 1 to 64 characters)")]
    ServiceId,
    #[error("blocked domain: not a domain name")]
    Domain,
}

/// Longest service id, as for pack ids.
const MAX_SERVICE_ID_LEN: usize = 64;

/// The id of a policy service (`myminfin`), with the syntax of ids in packs: lower-case ASCII
/// letters, digits, `-` and `_`, 1 to 64 characters.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ServiceId(String);

impl ServiceId {
    /// Checks `id` against the pack id syntax.
    pub fn new(id: &str) -> Result<Self, KeyError> {
        let ok = !id.is_empty()
            && id.len() <= MAX_SERVICE_ID_LEN
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if ok {
            Ok(Self(id.to_owned()))
        } else {
            Err(KeyError::ServiceId)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ServiceId {
    type Error = KeyError;
    fn try_from(s: String) -> Result<Self, KeyError> {
        Self::new(&s)
    }
}

impl From<ServiceId> for String {
    fn from(id: ServiceId) -> Self {
        id.0
    }
}

impl fmt::Display for ServiceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a blocked navigation was going, as much as statistics may keep: the registrable
/// domain (`evil.example.co.uk` → `example.co.uk`), `(ip)` for an IP literal, `(other)` for
/// a name that has no registrable domain (a single label, a public suffix itself).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BlockedDomain(String);

const IP_KEY: &str = "(ip)";
const OTHER_KEY: &str = "(other)";
const MAX_DOMAIN_LEN: usize = 253;

impl BlockedDomain {
    /// The registrable domain of `host`; the rest of the host is dropped here.
    pub fn of(host: &LoggableHost) -> Self {
        let h = host.as_str();
        if h.starts_with('[') || h.parse::<Ipv4Addr>().is_ok() {
            return Self(IP_KEY.to_owned());
        }
        match psl::domain_str(h) {
            Some(d) if Self::valid(d) => Self(d.to_owned()),
            _ => Self(OTHER_KEY.to_owned()),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A lower-case DNS name with at least two labels, or one of the two special keys.
    fn valid(s: &str) -> bool {
        if s == IP_KEY || s == OTHER_KEY {
            return true;
        }
        s.len() <= MAX_DOMAIN_LEN
            && s.contains('.')
            && s.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_".contains(&b))
            })
    }
}

impl TryFrom<String> for BlockedDomain {
    type Error = KeyError;
    fn try_from(s: String) -> Result<Self, KeyError> {
        if Self::valid(&s) {
            Ok(Self(s))
        } else {
            Err(KeyError::Domain)
        }
    }
}

impl From<BlockedDomain> for String {
    fn from(d: BlockedDomain) -> Self {
        d.0
    }
}

impl fmt::Display for BlockedDomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A service category as a map key: ordered by its name so day files are stable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub(crate) struct CategoryKey(pub(crate) Category);

impl Ord for CategoryKey {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.as_str().cmp(other.0.as_str())
    }
}

impl PartialOrd for CategoryKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// What went wrong, as the person reported it with the "report a problem" button.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    PageBroken,
    LoginFails,
    CannotDownload,
    Other,
}

impl ProblemKind {
    pub const ALL: [ProblemKind; 4] = [
        ProblemKind::PageBroken,
        ProblemKind::LoginFails,
        ProblemKind::CannotDownload,
        ProblemKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProblemKind::PageBroken => "page_broken",
            ProblemKind::LoginFails => "login_fails",
            ProblemKind::CannotDownload => "cannot_download",
            ProblemKind::Other => "other",
        }
    }
}

/// Why a session ended, as statistics count it.
///
/// The names mirror [`crate::daemon::machine::EndReason`]; [`EndReason::from_session`] maps the
/// supervisor's finer reasons onto these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// The person pressed "End session".
    Button,
    /// Nobody touched the terminal until the idle countdown ran out.
    Idle,
    /// The maximum session duration was reached.
    MaxDuration,
    /// A helper reset or paused the terminal during the session.
    Staff,
    /// The view crashed, or did not finish its end flow in time.
    Crash,
    /// The terminal stopped serving during the session (guichetd stopping).
    OutOfOrder,
}

impl EndReason {
    pub const ALL: [EndReason; 6] = [
        EndReason::Button,
        EndReason::Idle,
        EndReason::MaxDuration,
        EndReason::Staff,
        EndReason::Crash,
        EndReason::OutOfOrder,
    ];

    /// The statistics reason of a session the supervisor ended for `reason`.
    ///
    /// `Pause` (a helper paused a running session) counts as `staff`; `EndingTimeout` (the
    /// view did not finish its end flow) as `crash`; `Shutdown` as `out_of_order`. `Retry`
    /// retries the wipe of a session that already ended and was counted then: `None`.
    pub fn from_session(reason: crate::daemon::machine::EndReason) -> Option<Self> {
        use crate::daemon::machine::EndReason as S;
        Some(match reason {
            S::Button => EndReason::Button,
            S::Idle => EndReason::Idle,
            S::MaxDuration => EndReason::MaxDuration,
            S::Staff | S::Pause => EndReason::Staff,
            S::Crash | S::EndingTimeout => EndReason::Crash,
            S::Shutdown => EndReason::OutOfOrder,
            S::Retry => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            EndReason::Button => "button",
            EndReason::Idle => "idle",
            EndReason::MaxDuration => "max_duration",
            EndReason::Staff => "staff",
            EndReason::Crash => "crash",
            EndReason::OutOfOrder => "out_of_order",
        }
    }
}

/// How long a session lasted, in five buckets. Each bucket holds its lower edge: a session of
/// exactly 5 minutes is in `5–15`, one of exactly 60 minutes in `60 min or more`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum DurationBucket {
    #[serde(rename = "under_5_min")]
    Under5,
    #[serde(rename = "5_to_15_min")]
    From5To15,
    #[serde(rename = "15_to_30_min")]
    From15To30,
    #[serde(rename = "30_to_60_min")]
    From30To60,
    #[serde(rename = "60_min_or_more")]
    From60,
}

impl DurationBucket {
    pub const ALL: [DurationBucket; 5] = [
        DurationBucket::Under5,
        DurationBucket::From5To15,
        DurationBucket::From15To30,
        DurationBucket::From30To60,
        DurationBucket::From60,
    ];

    /// The bucket of a session that lasted `d`.
    pub fn of(d: Duration) -> Self {
        const MIN: u64 = 60;
        match d.as_secs() {
            s if s < 5 * MIN => DurationBucket::Under5,
            s if s < 15 * MIN => DurationBucket::From5To15,
            s if s < 30 * MIN => DurationBucket::From15To30,
            s if s < 60 * MIN => DurationBucket::From30To60,
            _ => DurationBucket::From60,
        }
    }

    /// The key used in files and machine-readable exports.
    pub fn as_str(self) -> &'static str {
        match self {
            DurationBucket::Under5 => "under_5_min",
            DurationBucket::From5To15 => "5_to_15_min",
            DurationBucket::From15To30 => "15_to_30_min",
            DurationBucket::From30To60 => "30_to_60_min",
            DurationBucket::From60 => "60_min_or_more",
        }
    }
}
