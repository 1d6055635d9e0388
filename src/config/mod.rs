//! The site admin's one file, `guichet.toml`, and the policy packs it names.
//!
//! Parse, then validate: the file is read into the raw structs of [`raw`] (strict TOML, unknown
//! keys refused), then [`Config::load`] checks every rule in one place and compiles the
//! [`Policy`]. Every error says `path:line:col: message` and gives a one-line hint. Defaults are
//! the safe ones: short idle timeout, capped downloads, no plain http.
//!
//! `[printing]`, when present, enables printing to one CUPS queue; it has no switch for the
//! wipe of print jobs, which always runs when printing is configured (see [`crate::printjobs`]).
//!
//! Relative paths (`pack_dirs`, `stats.dir`, `stats.openmetrics_file`, `control.socket`)
//! resolve against the folder of the config file, so the example config works from a
//! checkout. The local rules of `[policy] extra` become one more service,
//! [`crate::policy::LOCAL_ID`] (an id no pack may take), after the packs. `[stats]` places
//! are refused inside guichet's runtime folder, where session folders are wiped.
//!
//! A checked config travels to each view by value: guichetd writes it into the session
//! directory as a JSON snapshot and the view never reads `guichet.toml` (see `snapshot`).
//!
//! Files: [`raw`] (the file as written), `check` (every rule), `packs` (finding and checking
//! packs), [`error`] (`file:line:col` and hints), `snapshot` (the checked config as JSON).

mod check;
mod error;
#[cfg(test)]
mod man_page;
mod packs;
mod raw;
mod snapshot;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use toml::Spanned;

pub use error::{ConfigError, Located};
pub use snapshot::{SnapshotError, MAX_SNAPSHOT_BYTES};

use crate::lang::Lang;
use crate::policy::{Pack, Policy};
use raw::RawConfig;

/// Where an installed guichet looks for its config.
pub const DEFAULT_CONFIG_PATH: &str = "/etc/guichet/guichet.toml";
/// Where packs are searched when the config does not say; a later folder overrides an earlier.
pub const DEFAULT_PACK_DIRS: [&str; 2] = ["/usr/share/guichet/policies", "/etc/guichet/policies.d"];
/// 50 MiB: a scanned certificate fits, a stash of videos does not.
pub const DEFAULT_MAX_DOWNLOAD: u64 = 50 * 1024 * 1024;
/// 200 MiB for all the downloads of one session together: the session lives in memory.
pub const DEFAULT_MAX_SESSION_DOWNLOADS: u64 = 200 * 1024 * 1024;
/// Files one session may download: a procedure needs a handful, not hundreds.
pub const DEFAULT_MAX_FILES: u64 = 50;
/// Largest `max_bytes` and `max_session_bytes`: 1 GiB.
const MAX_DOWNLOAD_LIMIT: u64 = 1 << 30;
/// Largest `max_files`.
const MAX_FILES_LIMIT: u64 = 10_000;
/// Files a person never needs from a public service and that could run code on the terminal.
pub const DEFAULT_BLOCKED_EXTENSIONS: &[&str] = &[
    "sh", "bash", "desktop", "exe", "msi", "bat", "cmd", "com", "scr", "ps1", "vbs", "js", "jar",
    "deb", "rpm", "appimage", "run", "bin", "elf", "py", "pl", "apk", "dmg", "lnk", "reg", "so",
    "dll",
];
/// Limits on session timers, in seconds.
const IDLE_TIMEOUT_RANGE: (u64, u64) = (30, 4 * 3600);
const IDLE_WARNING_RANGE: (u64, u64) = (5, 600);
const MAX_DURATION_RANGE: (u64, u64) = (300, 24 * 3600);
/// Retention of the statistics, in days: up to ten years.
const KEEP_DAYS_RANGE: (u64, u64) = (1, 3660);

/// A checked configuration with its compiled policy.
///
/// Serializable so that guichetd can hand it to a view by value ([`Config::to_snapshot`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The file it was read from.
    pub source: PathBuf,
    pub terminal: Terminal,
    pub session: SessionLimits,
    pub policy: PolicyConfig,
    pub downloads: Downloads,
    pub network: Network,
    pub control: Control,
    pub stats: Stats,
    /// `[printing]`: `None` when the section is absent (no printing, no print jobs to wipe).
    pub printing: Option<Printing>,
    /// `[usb]`: the take-away's copy onto a USB stick.
    #[serde(default)]
    pub usb: Usb,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Terminal {
    pub name: String,
    /// Offered languages; the first is the default.
    pub languages: Vec<Lang>,
    /// Replaces the welcome screen when set (must be allowed by the policy).
    pub start_url: Option<url::Url>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionLimits {
    pub idle_timeout: Duration,
    pub idle_warning: Duration,
    pub max_duration: Duration,
    pub logout_before_wipe: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyConfig {
    /// The folders packs were looked up in (watched for changes).
    pub pack_dirs: Vec<PathBuf>,
    pub packs: Vec<Pack>,
    pub subresources: Subresources,
    /// The compiled allowlist (packs in config order, then local rules).
    pub policy: Policy,
}

/// A pack that `requires` another pack the config does not enable: its procedures pass through
/// hosts of that pack (the login) and will be blocked there. A warning, not an error: a site
/// may want a pack's information pages without its logins.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MissingPack {
    /// The pack that declares `requires`.
    pub pack: String,
    /// The pack it requires, not in `[policy] packs`.
    pub requires: String,
}

impl std::fmt::Display for MissingPack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "pack \"{}\" requires pack \"{}\", which [policy] packs does not enable: its services will be blocked where they reach that pack's hosts\n  hint: add \"{}\" to [policy] packs",
            self.pack, self.requires, self.requires
        )
    }
}

impl PolicyConfig {
    /// Each `requires` of an enabled pack that names a pack not enabled, in config order.
    pub fn missing_packs(&self) -> Vec<MissingPack> {
        let mut out = Vec::new();
        for p in &self.packs {
            for r in &p.requires {
                if !self.packs.iter().any(|q| &q.id == r) {
                    out.push(MissingPack {
                        pack: p.id.clone(),
                        requires: r.clone(),
                    });
                }
            }
        }
        out
    }
}

/// Whether sub-resources (images, scripts, fetches, web sockets) are checked against the
/// policy too.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Subresources {
    /// An explicit site choice: pages load from anywhere, so a page (or a tracker it embeds)
    /// can send what the person types to any host. Navigations are still checked.
    Open,
    /// The default: a WebKit content filter blocks sub-resources from hosts no service lists
    /// in `allow` or `resources`.
    #[default]
    Policy,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Downloads {
    pub enabled: bool,
    /// Largest single file.
    pub max_bytes: u64,
    /// Largest total of one session's downloads.
    pub max_session_bytes: u64,
    /// Most files one session may download.
    pub max_files: u64,
    /// Lower-case, without the dot.
    pub blocked_extensions: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Network {
    /// Upstream proxy for every request of the view.
    pub proxy: Option<url::Url>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Control {
    pub socket: PathBuf,
    pub staff_group: String,
}

/// `[stats]`: the per-day counters (see [`crate::stats`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stats {
    /// `false`: nothing is counted or written.
    pub enabled: bool,
    /// The folder of the day files (never inside the runtime dir, whose `sessions/` are wiped).
    pub dir: PathBuf,
    /// Day files older than this many days are deleted.
    pub keep_days: u32,
    /// Per-key counts below this are suppressed in every export.
    pub min_count: u64,
    /// The OpenMetrics file guichetd keeps for a node-exporter textfile collector (closed days
    /// only), when set.
    pub openmetrics_file: Option<PathBuf>,
}

/// `[usb]`: whether the take-away offers to copy documents onto a USB stick, and where the
/// system mounts removable media (guichetd watches these folders; see `crate::daemon`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Usb {
    pub enabled: bool,
    /// Absolute folders; a filesystem mounted one or two levels below one of them
    /// (`/media/LABEL`, `/media/USER/LABEL`) is a stick.
    pub mount_roots: Vec<PathBuf>,
}

impl Default for Usb {
    fn default() -> Self {
        Usb {
            enabled: false,
            mount_roots: DEFAULT_USB_MOUNT_ROOTS.iter().map(PathBuf::from).collect(),
        }
    }
}

/// Where udisks2 (`/media/USER/LABEL` or `/run/media/USER/LABEL`) and the simpler
/// automounters (`/media/LABEL`) mount removable media.
pub const DEFAULT_USB_MOUNT_ROOTS: [&str; 2] = ["/media", "/run/media"];

/// Where the take-away prints, and the CUPS server whose jobs of the kiosk user are wiped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Printing {
    /// The CUPS queue name.
    pub printer: String,
    /// `/path/to/cups.sock` or `host[:port]`; `None`: CUPS's own default (no `-h`).
    pub server: Option<String>,
    /// Pages one session may print in all; a document that would go past it is refused.
    #[serde(default = "default_max_pages")]
    pub max_pages: u32,
}

/// `[printing] max_pages` when the file does not say.
pub const DEFAULT_MAX_PAGES: u32 = 20;
/// The most `[printing] max_pages` may be.
pub const MAX_MAX_PAGES: u32 = 1000;

fn default_max_pages() -> u32 {
    DEFAULT_MAX_PAGES
}

/// The file being checked: its path and text, for locating errors.
struct Source<'a> {
    path: &'a Path,
    text: &'a str,
}

impl Source<'_> {
    fn err<T>(
        &self,
        spanned: &Spanned<T>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> ConfigError {
        ConfigError::at(self.path, self.text, Some(spanned.span()), message, hint)
    }

    fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, ConfigError> {
        toml::from_str(self.text).map_err(|e| {
            let message = e.message().trim().to_owned();
            let hint = error::hint_for_toml(&message);
            ConfigError::at(self.path, self.text, e.span(), message, hint)
        })
    }

    /// A path from the file, relative to its folder.
    fn resolve(&self, p: &Path) -> PathBuf {
        match self.path.parent() {
            Some(dir) if p.is_relative() => dir.join(p),
            _ => p.to_owned(),
        }
    }
}

fn read(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })
}

impl Config {
    /// Reads, checks and compiles the config at `path` and the packs it names.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = read(path)?;
        Config::from_text(path, &text)
    }

    /// Checks config `text` as if read from `path` (packs are read from disk).
    pub fn from_text(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let src = Source { path, text };
        let raw: RawConfig = src.parse()?;
        check::check(raw, &src, None)
    }

    /// Checks the config at `path` as it will be once the pack files of `staged` are copied
    /// into its last pack folder (`/etc/guichet/policies.d`): `staged` is searched after the
    /// config's `pack_dirs`, so its packs override theirs, and every pack file in it is checked,
    /// whether `[policy] packs` enables it or not. How a site's pack overrides are checked
    /// before they are put in place (`guichetctl check-config --pack-dir`). Returns the config
    /// (its `pack_dirs` as the file says) and the ids of the packs in `staged`, sorted.
    pub fn load_with_pack_dir(
        path: &Path,
        staged: &Path,
    ) -> Result<(Config, Vec<String>), ConfigError> {
        let text = read(path)?;
        let src = Source { path, text: &text };
        let raw: RawConfig = src.parse()?;
        let config = check::check(raw, &src, Some(staged))?;
        Ok((config, packs::pack_ids(staged)))
    }

    /// The default language (the first offered).
    pub fn default_lang(&self) -> Lang {
        self.terminal.languages[0]
    }
}
