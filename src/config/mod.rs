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
//! Relative paths (`pack_dirs`, `stats.dir`, `control.socket`) resolve against the folder of
//! the config file, so the example config works from a checkout. The local rules of
//! `[policy] extra` become one more service, `local` (an id no pack may take), after the packs.

mod error;
mod raw;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

pub use error::{ConfigError, Located};

use crate::lang::{Lang, Localized};
use crate::policy::{Decision, Pack, Policy, Rule, Service};
use raw::{RawConfig, RawPack};

/// Where an installed guichet looks for its config.
pub const DEFAULT_CONFIG_PATH: &str = "/etc/guichet/guichet.toml";
/// Where packs are searched when the config does not say; a later folder overrides an earlier.
pub const DEFAULT_PACK_DIRS: [&str; 2] = ["/usr/share/guichet/policies", "/etc/guichet/policies.d"];
/// 50 MiB: a scanned certificate fits, a stash of videos does not.
pub const DEFAULT_MAX_DOWNLOAD: u64 = 50 * 1024 * 1024;
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

/// A checked configuration with its compiled policy.
#[derive(Clone, Debug)]
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
}

#[derive(Clone, Debug)]
pub struct Terminal {
    pub name: String,
    /// Offered languages; the first is the default.
    pub languages: Vec<Lang>,
    /// Replaces the welcome screen when set (must be allowed by the policy).
    pub start_url: Option<url::Url>,
}

#[derive(Clone, Debug)]
pub struct SessionLimits {
    pub idle_timeout: Duration,
    pub idle_warning: Duration,
    pub max_duration: Duration,
    pub logout_before_wipe: bool,
}

#[derive(Clone, Debug)]
pub struct PolicyConfig {
    pub packs: Vec<Pack>,
    pub subresources: Subresources,
    /// The compiled allowlist (packs in config order, then local rules).
    pub policy: Policy,
}

/// Whether sub-resources (images, scripts, XHR) are checked against the policy too.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Subresources {
    /// Pages load their resources from anywhere (CDNs); navigations are still checked.
    #[default]
    Open,
    /// A WebKit content filter blocks sub-resources of hosts no rule lists.
    Policy,
}

#[derive(Clone, Debug)]
pub struct Downloads {
    pub enabled: bool,
    pub max_bytes: u64,
    /// Lower-case, without the dot.
    pub blocked_extensions: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct Network {
    /// Upstream proxy for every request of the view.
    pub proxy: Option<url::Url>,
}

#[derive(Clone, Debug)]
pub struct Control {
    pub socket: PathBuf,
    pub staff_group: String,
}

#[derive(Clone, Debug)]
pub struct Stats {
    pub enabled: bool,
    pub dir: PathBuf,
}

/// Where the take-away prints, and the CUPS server whose jobs of the kiosk user are wiped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Printing {
    /// The CUPS queue name.
    pub printer: String,
    /// `/path/to/cups.sock` or `host[:port]`; `None`: CUPS's own default (no `-h`).
    pub server: Option<String>,
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
        check(raw, &src)
    }

    /// The default language (the first offered).
    pub fn default_lang(&self) -> Lang {
        self.terminal.languages[0]
    }
}

fn check(raw: RawConfig, src: &Source) -> Result<Config, ConfigError> {
    let terminal = check_terminal(&raw.terminal, src)?;
    let session = check_session(&raw.session, src)?;
    let downloads = check_downloads(&raw.downloads, src)?;
    let network = Network {
        proxy: raw
            .network
            .proxy
            .as_ref()
            .map(|p| check_proxy(p, src))
            .transpose()?,
    };

    let pack_dirs: Vec<PathBuf> = match &raw.policy.pack_dirs {
        Some(dirs) => dirs
            .iter()
            .map(|d| src.resolve(Path::new(d.get_ref())))
            .collect(),
        None => DEFAULT_PACK_DIRS.iter().map(PathBuf::from).collect(),
    };
    let packs = load_packs(&raw.policy.packs, &pack_dirs, src)?;
    let mut services: Vec<Service> = packs
        .iter()
        .flat_map(|p| p.services.iter().cloned())
        .collect();
    if let Some(local) = local_service(&raw.policy.extra, src)? {
        services.push(local);
    }
    let allow_http: Vec<String> = raw
        .policy
        .allow_http
        .iter()
        .map(|h| check_http_host(h, src))
        .collect::<Result<_, _>>()?;
    let policy = Policy::new(services, &allow_http);

    if let (Some(url), Some(spanned)) = (&terminal.start_url, &raw.terminal.start_url) {
        if !matches!(policy.decide_url(url), Decision::Allow(_)) {
            return Err(src.err(
                spanned,
                "start_url is not allowed by the policy",
                "add a rule for its host in [policy] extra or choose a pack that lists it",
            ));
        }
    }

    let printing = raw
        .printing
        .as_ref()
        .map(|p| check_printing(p, src))
        .transpose()?;

    let control_group = raw.control.staff_group.get_ref().trim().to_owned();
    if control_group.is_empty() {
        return Err(src.err(
            &raw.control.staff_group,
            "staff_group is empty",
            "name the Unix group of the helpers, e.g. \"guichet-staff\"",
        ));
    }

    Ok(Config {
        source: src.path.to_owned(),
        terminal,
        session,
        policy: PolicyConfig {
            packs,
            subresources: raw.policy.subresources,
            policy,
        },
        downloads,
        network,
        control: Control {
            socket: src.resolve(&raw.control.socket),
            staff_group: control_group,
        },
        stats: Stats {
            enabled: raw.stats.enabled,
            dir: src.resolve(&raw.stats.dir),
        },
        printing,
    })
}

/// A CUPS queue name as `lpadmin` accepts it (systemv/lpadmin.c, `validate_name`): at most 127
/// bytes, no control character, space, DEL, `/`, `\`, `?`, `'`, `"` or `#`. `@` is refused
/// too: there it would start a host name.
fn valid_queue_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 127
        && !name
            .chars()
            .any(|c| c.is_control() || matches!(c, ' ' | '/' | '\\' | '?' | '\'' | '"' | '#' | '@'))
}

/// `/absolute/socket/path` or `host[:port]` (a DNS name, an IPv4 address or a bracketed IPv6
/// address), as `cupsSetServer` takes it.
fn valid_cups_server(server: &str) -> bool {
    if server.starts_with('/') {
        return !server.chars().any(char::is_control) && !server.contains("/../");
    }
    let (host, port) = match server.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') || h.ends_with(']') => (h, Some(p)),
        _ => (server, None),
    };
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|n| n > 0));
    let host_ok = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(v6) => v6.parse::<std::net::Ipv6Addr>().is_ok(),
        None => {
            !host.is_empty()
                && host.len() <= 253
                && host.split('.').all(|label| {
                    !label.is_empty()
                        && label.len() <= 63
                        && !label.starts_with('-')
                        && label
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                })
        }
    };
    port_ok && host_ok
}

fn check_printing(raw: &raw::RawPrinting, src: &Source) -> Result<Printing, ConfigError> {
    let printer = raw.printer.get_ref();
    if !valid_queue_name(printer) {
        return Err(src.err(
            &raw.printer,
            format!("\"{printer}\" is not a CUPS queue name"),
            "write the queue name as `lpstat -p` lists it: 1 to 127 characters, no space, \
             tab, /, \\, ?, #, @ or quote, e.g. \"accueil-laser\"",
        ));
    }
    let server = match &raw.server {
        None => None,
        Some(s) if valid_cups_server(s.get_ref()) => Some(s.get_ref().clone()),
        Some(s) => {
            return Err(src.err(
                s,
                format!("\"{}\" is not a CUPS server", s.get_ref()),
                "write an absolute socket path, e.g. \"/run/cups/cups.sock\", or host[:port], \
                 e.g. \"print.commune.local:631\"; leave it out for CUPS's default",
            ))
        }
    };
    Ok(Printing {
        printer: printer.clone(),
        server,
    })
}

fn check_terminal(raw: &raw::RawTerminal, src: &Source) -> Result<Terminal, ConfigError> {
    let name = raw.name.get_ref().trim().to_owned();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(src.err(
            &raw.name,
            "terminal name must be 1 to 80 characters",
            "e.g. name = \"EPN Namur — poste 2\"",
        ));
    }
    let languages = raw.languages.get_ref().clone();
    if languages.is_empty() {
        return Err(src.err(
            &raw.languages,
            "languages is empty",
            "list at least one of \"fr\", \"nl\", \"de\", \"en\"; the first is the default",
        ));
    }
    for (i, l) in languages.iter().enumerate() {
        if languages[..i].contains(l) {
            return Err(src.err(
                &raw.languages,
                format!("language \"{}\" is listed twice", l.code()),
                "list each language once; the first is the default",
            ));
        }
    }
    let start_url = match &raw.start_url {
        None => None,
        Some(s) => Some(url::Url::parse(s.get_ref()).map_err(|e| {
            src.err(
                s,
                format!("start_url is not a valid URL: {e}"),
                "write a full URL, e.g. \"https://www.belgium.be/fr\"",
            )
        })?),
    };
    Ok(Terminal {
        name,
        languages,
        start_url,
    })
}

fn check_range(
    v: &Spanned<u64>,
    (lo, hi): (u64, u64),
    key: &str,
    src: &Source,
) -> Result<Duration, ConfigError> {
    let secs = *v.get_ref();
    if secs < lo || secs > hi {
        return Err(src.err(
            v,
            format!("{key} = {secs} is out of range"),
            format!("use a number of seconds from {lo} to {hi}"),
        ));
    }
    Ok(Duration::from_secs(secs))
}

/// Of two related values, the one to point at: `a`, unless it was left at its default (it has
/// no place in the file) and `b` was written.
fn written<'s, T>(a: &'s Spanned<T>, b: &'s Spanned<T>) -> &'s Spanned<T> {
    if a.span().is_empty() && !b.span().is_empty() {
        b
    } else {
        a
    }
}

fn check_session(raw: &raw::RawSession, src: &Source) -> Result<SessionLimits, ConfigError> {
    let idle_timeout = check_range(
        &raw.idle_timeout_secs,
        IDLE_TIMEOUT_RANGE,
        "idle_timeout_secs",
        src,
    )?;
    let idle_warning = check_range(
        &raw.idle_warning_secs,
        IDLE_WARNING_RANGE,
        "idle_warning_secs",
        src,
    )?;
    let max_duration = check_range(
        &raw.max_duration_secs,
        MAX_DURATION_RANGE,
        "max_duration_secs",
        src,
    )?;
    if idle_warning >= idle_timeout {
        return Err(src.err(
            written(&raw.idle_warning_secs, &raw.idle_timeout_secs),
            "idle_warning_secs must be shorter than idle_timeout_secs",
            "the countdown is shown during the last idle_warning_secs of the idle timeout",
        ));
    }
    if max_duration <= idle_timeout {
        return Err(src.err(
            written(&raw.max_duration_secs, &raw.idle_timeout_secs),
            "max_duration_secs must be longer than idle_timeout_secs",
            "e.g. idle_timeout_secs = 300, max_duration_secs = 7200",
        ));
    }
    Ok(SessionLimits {
        idle_timeout,
        idle_warning,
        max_duration,
        logout_before_wipe: raw.logout_before_wipe,
    })
}

fn check_downloads(raw: &raw::RawDownloads, src: &Source) -> Result<Downloads, ConfigError> {
    let max_bytes = *raw.max_bytes.get_ref();
    if max_bytes == 0 || max_bytes > 1 << 30 {
        return Err(src.err(
            &raw.max_bytes,
            "max_bytes must be between 1 and 1073741824 (1 GiB)",
            "the session lives in memory (tmpfs): keep it small, e.g. 52428800 (50 MiB)",
        ));
    }
    let mut blocked_extensions = Vec::new();
    for e in &raw.blocked_extensions {
        let ext = e
            .get_ref()
            .trim()
            .trim_start_matches('.')
            .to_ascii_lowercase();
        if ext.is_empty() || !ext.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(src.err(
                e,
                format!("\"{}\" is not a file extension", e.get_ref()),
                "write extensions without the dot, e.g. \"exe\"",
            ));
        }
        blocked_extensions.push(ext);
    }
    Ok(Downloads {
        enabled: raw.enabled,
        max_bytes,
        blocked_extensions,
    })
}

fn check_proxy(p: &Spanned<String>, src: &Source) -> Result<url::Url, ConfigError> {
    let hint = "write the proxy as \"http://host:port\"";
    let url = url::Url::parse(p.get_ref())
        .map_err(|e| src.err(p, format!("proxy is not a valid URL: {e}"), hint))?;
    if !matches!(url.scheme(), "http" | "https" | "socks5") || url.host().is_none() {
        return Err(src.err(
            p,
            "proxy must be an http, https or socks5 URL with a host",
            hint,
        ));
    }
    Ok(url)
}

fn check_http_host(h: &Spanned<String>, src: &Source) -> Result<String, ConfigError> {
    let hint = "list bare host names, e.g. \"intranet.commune.local\"";
    let text = h.get_ref().trim();
    if text.contains(['/', ':', '*', '@']) || text.is_empty() {
        return Err(src.err(h, format!("\"{text}\" is not a host name"), hint));
    }
    let host = url::Host::parse(text)
        .map_err(|_| src.err(h, format!("\"{text}\" is not a host name"), hint))?;
    Ok(crate::loggable::host_key(&host).into_owned())
}

fn check_rule(r: &Spanned<String>, src: &Source) -> Result<Rule, ConfigError> {
    Rule::parse(r.get_ref())
        .map_err(|e| src.err(r, format!("bad rule \"{}\": {e}", r.get_ref()), e.hint()))
}

/// Id (service and pack) of the service made from `[policy] extra`; packs cannot use it.
pub const LOCAL_ID: &str = "local";

/// `[policy] extra` becomes one service, `local`, in category `other`, starting at the place
/// its first rule names.
fn local_service(extra: &[Spanned<String>], src: &Source) -> Result<Option<Service>, ConfigError> {
    let Some(first) = extra.first() else {
        return Ok(None);
    };
    let allow = extra
        .iter()
        .map(|r| check_rule(r, src))
        .collect::<Result<Vec<_>, _>>()?;
    let rule = &allow[0];
    let port = if rule.port == rule.scheme.default_port() {
        String::new()
    } else {
        format!(":{}", rule.port)
    };
    let start = format!(
        "{}://{}{port}{}/",
        rule.scheme.as_str(),
        rule.host,
        rule.path
    );
    let start_url = url::Url::parse(&start).map_err(|_| {
        src.err(
            first,
            format!(
                "the rule \"{}\" does not name a reachable address",
                first.get_ref()
            ),
            "write the first local rule as a host name, e.g. \"www.commune.be\"",
        )
    })?;
    Ok(Some(Service {
        id: LOCAL_ID.to_owned(),
        pack: LOCAL_ID.to_owned(),
        names: Localized::same("Local"),
        category: crate::policy::Category::Other,
        start_url,
        allow,
        logout_url: None,
        permissions: Vec::new(),
    }))
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// Finds and checks each pack named in `[policy] packs`, in order.
fn load_packs(
    ids: &[Spanned<String>],
    dirs: &[PathBuf],
    src: &Source,
) -> Result<Vec<Pack>, ConfigError> {
    let available = available_packs(dirs);
    let mut packs: Vec<Pack> = Vec::new();
    let mut service_owner: HashMap<String, String> = HashMap::new();
    for id in ids {
        let name = id.get_ref();
        if packs.iter().any(|p| &p.id == name) {
            return Err(src.err(
                id,
                format!("pack \"{name}\" is listed twice"),
                "list each pack once",
            ));
        }
        let Some(file) = available.get(name.as_str()) else {
            let mut known: Vec<&str> = available.keys().map(String::as_str).collect();
            known.sort_unstable();
            let searched: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
            return Err(src.err(
                id,
                format!("unknown pack \"{name}\""),
                if known.is_empty() {
                    format!("no pack found in {}", searched.join(", "))
                } else {
                    format!("available packs: {}", known.join(", "))
                },
            ));
        };
        let pack = load_pack(file, &mut service_owner)?;
        packs.push(pack);
    }
    Ok(packs)
}

/// Pack id → file, over all folders; a later folder overrides an earlier one.
fn available_packs(dirs: &[PathBuf]) -> HashMap<String, PathBuf> {
    let mut found = HashMap::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "toml") {
                if let Some(stem) = path.file_stem().and_then(|s| s.to_str()) {
                    found.insert(stem.to_owned(), path);
                }
            }
        }
    }
    found
}

fn load_pack(
    path: &Path,
    service_owner: &mut HashMap<String, String>,
) -> Result<Pack, ConfigError> {
    let text = read(path)?;
    let src = Source { path, text: &text };
    let raw: RawPack = src.parse()?;
    let id = raw.id.get_ref().clone();
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    if !valid_id(&id) || id != stem {
        return Err(src.err(&raw.id, format!("pack id \"{id}\" must be lower-case letters, digits, - or _ and match the file name \"{stem}.toml\""), "rename the file or the id so they agree"));
    }
    if id == LOCAL_ID {
        return Err(src.err(
            &raw.id,
            format!("pack id \"{LOCAL_ID}\" is reserved for [policy] extra"),
            "rename the pack (file and id)",
        ));
    }
    let mut services = Vec::new();
    for s in raw.services {
        let sid = s.id.get_ref().clone();
        if !valid_id(&sid) {
            return Err(src.err(
                &s.id,
                format!("service id \"{sid}\" must be lower-case letters, digits, - or _"),
                "e.g. id = \"myminfin\"",
            ));
        }
        if sid == LOCAL_ID {
            return Err(src.err(
                &s.id,
                format!("service id \"{LOCAL_ID}\" is reserved for [policy] extra"),
                "choose another id, e.g. the service's name",
            ));
        }
        if let Some(owner) = service_owner.insert(sid.clone(), id.clone()) {
            return Err(src.err(
                &s.id,
                format!("duplicate service id \"{sid}\" (already in pack \"{owner}\")"),
                "service ids must be unique across all chosen packs",
            ));
        }
        let allow = s
            .allow
            .iter()
            .map(|r| check_rule(r, &src))
            .collect::<Result<Vec<_>, _>>()?;
        if allow.is_empty() {
            return Err(src.err(
                &s.id,
                format!("service \"{sid}\" has no allow rule"),
                "add at least the host of its start_url to allow",
            ));
        }
        let parse_url = |u: &Spanned<String>, key: &str| {
            url::Url::parse(u.get_ref()).map_err(|e| {
                src.err(
                    u,
                    format!("{key} is not a valid URL: {e}"),
                    "write a full https URL",
                )
            })
        };
        let start_url = parse_url(&s.start_url, "start_url")?;
        let logout_url = s
            .logout_url
            .as_ref()
            .map(|u| parse_url(u, "logout_url"))
            .transpose()?;
        let service = Service {
            id: sid,
            pack: id.clone(),
            names: s.names,
            category: s.category,
            start_url,
            allow,
            logout_url,
            permissions: s.permissions,
        };
        // A service must be reachable through its own rules, over https.
        let own = Policy::new(vec![service.clone()], &[]);
        for (u, key) in [
            (Some(&s.start_url), "start_url"),
            (s.logout_url.as_ref(), "logout_url"),
        ] {
            if let Some(u) = u {
                if !matches!(own.decide(u.get_ref()), Decision::Allow(_)) {
                    return Err(src.err(
                        u,
                        format!("{key} is not covered by the service's own allow rules over https"),
                        "add its host to allow, or fix the URL",
                    ));
                }
            }
        }
        services.push(service);
    }
    Ok(Pack {
        id,
        title: raw.title,
        services,
    })
}
