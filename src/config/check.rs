//! Turning the raw file into a checked [`Config`]: every rule of the config in one place.
//!
//! Parse, then validate: [`super::raw`] has read the file strictly (unknown keys refused); here
//! each section is checked and every mistake becomes a [`ConfigError`] at the value's
//! `line:col` with a hint. Defaults are the safe ones.

use std::path::{Path, PathBuf};
use std::time::Duration;

use toml::Spanned;

use super::packs::{check_pack_folder, load_packs, local_service, override_logouts};
use super::raw::{self, RawConfig};
use super::*;
use crate::policy::{Decision, Policy, Service};

/// `staged`: a folder of pack files about to be copied into the last pack folder, searched
/// after `pack_dirs` and each of its packs checked (see [`Config::load_with_pack_dir`]).
pub(super) fn check(
    raw: RawConfig,
    src: &Source,
    staged: Option<&Path>,
) -> Result<Config, ConfigError> {
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
    // Checked first: a pack's start and logout URLs may use plain http for these hosts.
    let allow_http: Vec<String> = raw
        .policy
        .allow_http
        .iter()
        .map(|h| check_http_host(h, src))
        .collect::<Result<_, _>>()?;
    let mut search = pack_dirs.clone();
    if let Some(staged) = staged {
        check_pack_folder(staged, &allow_http)?;
        search.push(staged.to_owned());
    }
    let packs = load_packs(&raw.policy.packs, &search, &allow_http, src)?;
    let mut services: Vec<Service> = packs
        .iter()
        .flat_map(|p| p.services.iter().cloned())
        .collect();
    if let Some(local) = local_service(&raw.policy.extra, src)? {
        services.push(local);
    }
    override_logouts(&mut services, &raw.policy.logout, &allow_http, src)?;
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
            pack_dirs,
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
        stats: check_stats(&raw.stats, src)?,
        printing,
        usb: usb::check_usb(&raw.usb, src)?,
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
    let max_pages = match &raw.max_pages {
        None => super::DEFAULT_MAX_PAGES,
        Some(m) if (1..=super::MAX_MAX_PAGES).contains(m.get_ref()) => *m.get_ref(),
        Some(m) => {
            return Err(src.err(
                m,
                format!("max_pages = {} is out of range", m.get_ref()),
                format!(
                    "pages one session may print in all: 1 to {}, e.g. max_pages = 20",
                    super::MAX_MAX_PAGES
                ),
            ))
        }
    };
    Ok(Printing {
        printer: printer.clone(),
        server,
        max_pages,
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
    if max_bytes == 0 || max_bytes > MAX_DOWNLOAD_LIMIT {
        return Err(src.err(
            &raw.max_bytes,
            "max_bytes must be between 1 and 1073741824 (1 GiB)",
            "the session lives in memory (tmpfs): keep it small, e.g. 52428800 (50 MiB)",
        ));
    }
    let max_session_bytes = *raw.max_session_bytes.get_ref();
    if max_session_bytes == 0 || max_session_bytes > MAX_DOWNLOAD_LIMIT {
        return Err(src.err(
            &raw.max_session_bytes,
            "max_session_bytes must be between 1 and 1073741824 (1 GiB)",
            "all of a session's downloads live in memory (tmpfs): e.g. 209715200 (200 MiB)",
        ));
    }
    if max_session_bytes < max_bytes {
        return Err(src.err(
            written(&raw.max_session_bytes, &raw.max_bytes),
            format!(
                "max_session_bytes ({max_session_bytes}) must be at least max_bytes ({max_bytes})"
            ),
            "max_bytes caps one file, max_session_bytes all the files of a session, e.g. \
             max_bytes = 52428800, max_session_bytes = 209715200",
        ));
    }
    let max_files = *raw.max_files.get_ref();
    if max_files == 0 || max_files > MAX_FILES_LIMIT {
        return Err(src.err(
            &raw.max_files,
            format!("max_files must be between 1 and {MAX_FILES_LIMIT}"),
            "a procedure needs a handful of documents, e.g. max_files = 50; to refuse every \
             download, set enabled = false",
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
        max_session_bytes,
        max_files,
        blocked_extensions,
    })
}

fn check_stats(raw: &raw::RawStats, src: &Source) -> Result<Stats, ConfigError> {
    let keep_days = *raw.keep_days.get_ref();
    let (lo, hi) = KEEP_DAYS_RANGE;
    if !(lo..=hi).contains(&keep_days) {
        return Err(src.err(
            &raw.keep_days,
            format!("keep_days = {keep_days} is out of range"),
            format!(
                "use a number of days from {lo} to {hi}; the default, {}, keeps a bit more \
                 than a year so a year can be compared with the last",
                crate::stats::DEFAULT_KEEP_DAYS
            ),
        ));
    }
    let min_count = *raw.min_count.get_ref();
    if min_count == 0 {
        return Err(src.err(
            &raw.min_count,
            "min_count must be at least 1",
            "use 1 or more: counts per service, per blocked domain and per problem below it \
             are shown as \"< N\"; the default, 3, keeps one person's visit from being \
             singled out",
        ));
    }
    let runtime = Path::new(crate::sessiondir::SYSTEM_RUNTIME);
    let example = "e.g. \"/var/lib/prometheus/node-exporter/guichet.prom\"";
    let outside_runtime = |p: &Spanned<PathBuf>, what: &str, example: &str| {
        let path = src.resolve(p.get_ref());
        if crate::sessiondir::is_within(&path, runtime) {
            return Err(src.err(
                p,
                format!(
                    "{what} is inside guichet's runtime folder {}",
                    runtime.display()
                ),
                format!(
                    "session folders live there and are wiped, and /run is emptied at every \
                     boot: choose a place that lasts, {example}"
                ),
            ));
        }
        Ok(path)
    };
    let dir = outside_runtime(
        &raw.dir,
        "the statistics folder",
        "e.g. \"/var/lib/guichet/stats\"",
    )?;
    let openmetrics_file = match &raw.openmetrics_file {
        None => None,
        Some(f) => {
            if f.get_ref().extension().is_none_or(|e| e != "prom")
                || f.get_ref().file_stem().is_none_or(|s| s.is_empty())
            {
                return Err(src.err(
                    f,
                    "openmetrics_file must be a file name ending in .prom",
                    format!(
                        "node-exporter's textfile collector reads only *.prom files, {example}"
                    ),
                ));
            }
            let path = outside_runtime(f, "openmetrics_file", example)?;
            if crate::sessiondir::is_within(&path, &dir) {
                return Err(src.err(
                    f,
                    "openmetrics_file is inside the statistics folder",
                    format!(
                        "that folder holds day files only; put the file in the folder \
                         the textfile collector reads, {example}"
                    ),
                ));
            }
            Some(path)
        }
    };
    Ok(Stats {
        enabled: raw.enabled,
        dir,
        keep_days: u32::try_from(keep_days).unwrap_or(u32::MAX),
        min_count,
        openmetrics_file,
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

mod usb;
