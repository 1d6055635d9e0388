//! The config and pack files exactly as written, before any rule is checked.
//!
//! Every struct denies unknown fields; values that are checked later keep their place in the
//! file ([`Spanned`]) so the check can say `file:line:col`.

use serde::Deserialize;
use std::path::PathBuf;
use toml::Spanned;

use crate::lang::{Lang, Localized};
use crate::policy::{Category, Permission};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    pub terminal: RawTerminal,
    #[serde(default)]
    pub session: RawSession,
    pub policy: RawPolicy,
    #[serde(default)]
    pub downloads: RawDownloads,
    #[serde(default)]
    pub network: RawNetwork,
    #[serde(default)]
    pub control: RawControl,
    #[serde(default)]
    pub stats: RawStats,
    /// Present = printing enabled.
    pub printing: Option<RawPrinting>,
    #[serde(default)]
    pub usb: RawUsb,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTerminal {
    pub name: Spanned<String>,
    #[serde(default = "default_languages")]
    pub languages: Spanned<Vec<Lang>>,
    pub start_url: Option<Spanned<String>>,
}

fn default_languages() -> Spanned<Vec<Lang>> {
    Spanned::new(0..0, Lang::ALL.to_vec())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawSession {
    pub idle_timeout_secs: Spanned<u64>,
    pub idle_warning_secs: Spanned<u64>,
    pub max_duration_secs: Spanned<u64>,
    pub logout_before_wipe: bool,
}

impl Default for RawSession {
    fn default() -> Self {
        RawSession {
            idle_timeout_secs: Spanned::new(0..0, 300),
            idle_warning_secs: Spanned::new(0..0, 60),
            max_duration_secs: Spanned::new(0..0, 2 * 3600),
            logout_before_wipe: true,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    pub packs: Vec<Spanned<String>>,
    #[serde(default)]
    pub pack_dirs: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    pub extra: Vec<Spanned<String>>,
    #[serde(default)]
    pub subresources: super::Subresources,
    #[serde(default)]
    pub allow_http: Vec<Spanned<String>>,
    /// `[policy.logout]`: service id → the logout URL this site uses instead of the pack's.
    #[serde(default)]
    pub logout: std::collections::BTreeMap<String, Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawDownloads {
    pub enabled: bool,
    pub max_bytes: Spanned<u64>,
    pub max_session_bytes: Spanned<u64>,
    pub max_files: Spanned<u64>,
    pub blocked_extensions: Vec<Spanned<String>>,
}

impl Default for RawDownloads {
    fn default() -> Self {
        RawDownloads {
            enabled: true,
            max_bytes: Spanned::new(0..0, super::DEFAULT_MAX_DOWNLOAD),
            max_session_bytes: Spanned::new(0..0, super::DEFAULT_MAX_SESSION_DOWNLOADS),
            max_files: Spanned::new(0..0, super::DEFAULT_MAX_FILES),
            blocked_extensions: super::DEFAULT_BLOCKED_EXTENSIONS
                .iter()
                .map(|e| Spanned::new(0..0, (*e).to_owned()))
                .collect(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNetwork {
    pub proxy: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawControl {
    pub socket: PathBuf,
    pub staff_group: Spanned<String>,
}

impl Default for RawControl {
    fn default() -> Self {
        RawControl {
            socket: PathBuf::from("/run/guichet/control.sock"),
            staff_group: Spanned::new(0..0, "guichet-staff".to_owned()),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawStats {
    pub enabled: bool,
    pub dir: Spanned<PathBuf>,
    pub keep_days: Spanned<u64>,
    pub min_count: Spanned<u64>,
    pub openmetrics_file: Option<Spanned<PathBuf>>,
}

impl Default for RawStats {
    fn default() -> Self {
        RawStats {
            enabled: true,
            dir: Spanned::new(0..0, PathBuf::from("/var/lib/guichet/stats")),
            keep_days: Spanned::new(0..0, u64::from(crate::stats::DEFAULT_KEEP_DAYS)),
            min_count: Spanned::new(0..0, crate::stats::DEFAULT_MIN_COUNT),
            openmetrics_file: None,
        }
    }
}

/// No key turns the wipe of print jobs off: with printing configured, the kiosk user's jobs are
/// always cancelled and purged at every wipe (the charter promises no copy of any document).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPrinting {
    pub printer: Spanned<String>,
    pub server: Option<Spanned<String>>,
    /// Pages a session may print in all (default [`crate::config::DEFAULT_MAX_PAGES`]).
    pub max_pages: Option<Spanned<u32>>,
}

/// `[usb]`: copying the take-away onto a USB stick (off unless the site turns it on).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawUsb {
    pub enabled: Spanned<bool>,
    pub mount_roots: Vec<Spanned<PathBuf>>,
}

impl Default for RawUsb {
    fn default() -> Self {
        RawUsb {
            enabled: Spanned::new(0..0, false),
            mount_roots: super::DEFAULT_USB_MOUNT_ROOTS
                .iter()
                .map(|r| Spanned::new(0..0, PathBuf::from(r)))
                .collect(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPack {
    pub id: Spanned<String>,
    pub title: Localized,
    #[serde(default)]
    pub requires: Vec<Spanned<String>>,
    #[serde(rename = "service")]
    pub services: Vec<RawService>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawService {
    pub id: Spanned<String>,
    pub names: Localized,
    pub category: Category,
    pub start_url: Spanned<RawStartUrl>,
    pub allow: Vec<Spanned<String>>,
    #[serde(default)]
    pub resources: Vec<Spanned<String>>,
    pub logout_url: Option<Spanned<String>>,
    #[serde(default)]
    pub permissions: Vec<Permission>,
}

/// `start_url = "https://…"` or `start_url = { fr = "…", nl = "…", de = "…", en = "…" }`.
#[derive(Debug)]
pub enum RawStartUrl {
    One(String),
    PerLang(Localized),
}

impl<'de> Deserialize<'de> for RawStartUrl {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = RawStartUrl;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a URL, or a table { fr = \"…\", nl = \"…\", de = \"…\", en = \"…\" }")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<RawStartUrl, E> {
                Ok(RawStartUrl::One(v.to_owned()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<RawStartUrl, A::Error> {
                Localized::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(RawStartUrl::PerLang)
            }
        }
        d.deserialize_any(Visitor)
    }
}
