//! Every way a site admin can get `guichet.toml` or a pack wrong is reported as
//! `file:line:col: message` plus a hint, at the place to fix; the shipped example passes.
//!
//! The cases are files in `tests/fixtures/config/errors/`: `NN-what.toml` is a `guichet.toml`,
//! and `NN-what.expected` next to it is what loading it gives, exactly: the error as guichetd
//! prints it, or, for a config that must load, `loads` and the values it decided. Paths in
//! them are relative to the crate. Most cases use the valid pack `packs/demo.toml` (one
//! service, `svc`); a case that needs other packs names its own folder `NN-what/` in
//! `pack_dirs`. [`every_case_gives_its_expected_result`] walks the folder and reports every
//! mismatch at once.
//!
//! To add or change a case, edit its `.toml`, then run
//! `GUICHET_BLESS=1 cargo test --test config_errors` to (re)write every `.expected` from what
//! loading gives now, and read the diff before committing: an expectation is what a site admin
//! should see, not whatever the code happens to say.

use std::fs;
use std::path::{Path, PathBuf};

use guichet::config::Config;
use guichet::policy::Decision;

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/config/errors")
}

fn example_config() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("kiosk-config/guichet.toml")
}

/// `text` with the crate's path taken off, so expectations hold on any checkout.
fn crate_relative(text: &str) -> String {
    text.replace(concat!(env!("CARGO_MANIFEST_DIR"), "/"), "")
}

/// What a config that loads decided, one `key = value` a line.
fn decided(c: &Config) -> String {
    let langs: Vec<&str> = c.terminal.languages.iter().map(|l| l.code()).collect();
    let packs: Vec<&str> = c.policy.packs.iter().map(|p| p.id.as_str()).collect();
    let services: Vec<String> = c
        .policy
        .policy
        .services()
        .iter()
        .map(|s| format!("{} {}", s.id, s.start_url))
        .collect();
    let missing: Vec<String> = c
        .policy
        .missing_packs()
        .iter()
        .map(|m| format!("{} requires {}", m.pack, m.requires))
        .collect();
    let url = |u: Option<&url::Url>| u.map_or("none".to_owned(), |u| format!("{:?}", u.as_str()));
    let mut out = format!(
        "loads\n\
         terminal.name = {:?}\n\
         terminal.languages = {langs:?}\n\
         terminal.start_url = {}\n\
         session.idle_timeout_secs = {}\n\
         session.idle_warning_secs = {}\n\
         session.max_duration_secs = {}\n\
         session.logout_before_wipe = {}\n\
         policy.packs = {packs:?}\n\
         policy.subresources = {:?}\n\
         policy.services = {services:?}\n\
         policy.missing_packs = {missing:?}\n\
         downloads.enabled = {}\n\
         downloads.max_bytes = {}\n\
         downloads.max_session_bytes = {}\n\
         downloads.max_files = {}\n\
         downloads.blocked_extensions = {:?}\n\
         network.proxy = {}\n\
         control.socket = {:?}\n\
         control.staff_group = {:?}\n\
         stats.enabled = {}\n\
         stats.dir = {:?}\n\
         stats.keep_days = {}\n\
         stats.min_count = {}\n\
         stats.openmetrics_file = {}\n",
        c.terminal.name,
        url(c.terminal.start_url.as_ref()),
        c.session.idle_timeout.as_secs(),
        c.session.idle_warning.as_secs(),
        c.session.max_duration.as_secs(),
        c.session.logout_before_wipe,
        c.policy.subresources,
        c.downloads.enabled,
        c.downloads.max_bytes,
        c.downloads.max_session_bytes,
        c.downloads.max_files,
        c.downloads.blocked_extensions,
        url(c.network.proxy.as_ref()),
        c.control.socket,
        c.control.staff_group,
        c.stats.enabled,
        c.stats.dir,
        c.stats.keep_days,
        c.stats.min_count,
        c.stats
            .openmetrics_file
            .as_ref()
            .map_or("none".to_owned(), |f| format!("{f:?}")),
    );
    match &c.printing {
        None => out.push_str("printing = none\n"),
        Some(p) => out.push_str(&format!(
            "printing.printer = {:?}\nprinting.server = {}\nprinting.max_pages = {}\n",
            p.printer,
            p.server
                .as_ref()
                .map_or("none".to_owned(), |s| format!("{s:?}")),
            p.max_pages
        )),
    }
    crate_relative(&out)
}

/// What loading `config` gives, as its `.expected` holds it; `Err` when an error breaks a rule
/// every error keeps (located, with a hint, its text opening with its place).
fn outcome(config: &Path) -> Result<String, String> {
    let err = match Config::load(config) {
        Ok(c) => return Ok(decided(&c)),
        Err(e) => e,
    };
    let text = err.to_string();
    let Some(l) = err.located() else {
        return Err(format!("not located: {text}"));
    };
    if l.hint.trim().is_empty() {
        return Err(format!("no hint: {text}"));
    }
    let place = format!("{}:{}:{}: ", l.path.display(), l.line, l.col);
    if !text.starts_with(&place) {
        return Err(format!("does not open with {place}: {text}"));
    }
    Ok(crate_relative(&text) + "\n")
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    | {l}\n")).collect()
}

#[test]
fn every_case_gives_its_expected_result() {
    let dir = cases_dir();
    let bless = std::env::var("GUICHET_BLESS").is_ok_and(|v| v == "1");
    let mut entries: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    let mut cases = Vec::new();
    let mut wrong = Vec::new();
    for path in entries {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            if name != "packs" && !path.with_file_name(format!("{name}.toml")).exists() {
                wrong.push(format!(
                    "{name}/: a pack folder without its case {name}.toml"
                ));
            }
            continue;
        }
        match path.extension().and_then(|e| e.to_str()) {
            Some("toml") => cases.push(path),
            Some("expected") if path.with_extension("toml").exists() => {}
            _ => wrong.push(format!("{name}: neither a case nor the expectation of one")),
        }
    }
    assert!(!cases.is_empty(), "no case in {}", dir.display());
    for case in &cases {
        let name = case.file_stem().unwrap().to_string_lossy();
        let expected = case.with_extension("expected");
        let got = match outcome(case) {
            Ok(got) => got,
            Err(problem) => {
                wrong.push(format!("{name}: {problem}"));
                continue;
            }
        };
        match fs::read_to_string(&expected) {
            Ok(want) if want == got => {}
            _ if bless => fs::write(&expected, &got).unwrap(),
            Ok(want) => wrong.push(format!(
                "{name}:\n  expected\n{}  got\n{}",
                indent(&want),
                indent(&got)
            )),
            Err(e) => wrong.push(format!(
                "{name}: no {name}.expected ({e}); GUICHET_BLESS=1 writes it"
            )),
        }
    }
    assert!(
        wrong.is_empty(),
        "{} problem(s), {} cases:\n\n{}",
        wrong.len(),
        cases.len(),
        wrong.join("\n")
    );
}

/// A case of the table that must load.
fn load_case(stem: &str) -> Config {
    Config::load(&cases_dir().join(format!("{stem}.toml"))).unwrap_or_else(|e| panic!("{e}"))
}

/// Asserted here too, so that blessing an unsafe default cannot slip through the table.
#[test]
fn defaults_are_the_safe_ones() {
    let config = load_case("01-defaults-are-the-safe-ones");
    assert_eq!(config.session.idle_timeout.as_secs(), 300);
    assert!(config.session.idle_warning < config.session.idle_timeout);
    assert!(config.session.logout_before_wipe);
    assert_eq!(config.downloads.max_bytes, 50 * 1024 * 1024);
    assert_eq!(config.downloads.max_session_bytes, 200 * 1024 * 1024);
    assert_eq!(config.downloads.max_files, 50);
    assert!(config
        .downloads
        .blocked_extensions
        .iter()
        .any(|e| e == "exe"));
    assert_eq!(config.terminal.languages.len(), 4);
    assert!(config.network.proxy.is_none());
    assert!(matches!(
        config.policy.policy.decide("http://www.svc.be/"),
        Decision::Block(_)
    ));
}

#[test]
fn start_url_allowed_by_a_local_rule_passes() {
    let config = load_case("17-start-url-allowed-by-a-local-rule");
    assert!(config.terminal.start_url.is_some());
    // The local service starts where its first rule points.
    let local = config.policy.policy.service("local").unwrap();
    assert_eq!(local.start_url.fr.as_str(), "https://www.commune.be/fr/");
    assert_eq!(local.start_url.nl, local.start_url.fr);
    assert!(matches!(
        config.policy.policy.decide_url(&local.start_url.fr),
        Decision::Allow(_)
    ));
}

#[test]
fn a_missing_file_is_a_read_error() {
    let err = Config::load(Path::new("/nonexistent/guichet.toml")).unwrap_err();
    assert!(err.located().is_none());
    assert!(err
        .to_string()
        .starts_with("cannot read /nonexistent/guichet.toml"));
}

// ---------------------------------------------------------------------------------------------
// The shipped files.

#[test]
fn the_example_config_passes() {
    let config = Config::load(&example_config()).unwrap_or_else(|e| panic!("{e}"));
    let packs: Vec<&str> = config.policy.packs.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(
        packs,
        [
            "be-login",
            "be-federal",
            "be-brussels",
            "be-family",
            "be-health",
            "be-mobility"
        ]
    );
    assert!(config.policy.missing_packs().is_empty());
    assert!(config.policy.policy.services().len() >= 30);
    assert_eq!(config.default_lang().code(), "fr");
    assert!(matches!(
        config.policy.policy.decide("https://www.belgium.be/fr"),
        Decision::Allow(_)
    ));
    assert!(matches!(
        config.policy.policy.decide("http://www.belgium.be/"),
        Decision::Block(_)
    ));
}

#[test]
fn every_service_of_the_shipped_pack_starts_on_an_allowed_page() {
    let config = Config::load(&example_config()).unwrap();
    for s in config.policy.policy.services() {
        for (lang, url) in s.start_url.all() {
            let d = config.policy.policy.decide_url(url);
            assert!(
                matches!(&d, Decision::Allow(a) if a.service == s.id),
                "{} ({}): {d}",
                s.id,
                lang.code()
            );
        }
    }
}

#[test]
fn the_example_printing_section_passes_once_uncommented() {
    let text = fs::read_to_string(example_config()).unwrap();
    let start = text
        .find("# [printing]")
        .expect("commented [printing] example");
    let mut uncommented = text[..start].to_owned();
    for line in text[start..].lines() {
        let l = line.strip_prefix("# ").unwrap_or(line);
        if l.starts_with('[')
            || l.starts_with("printer")
            || l.starts_with("server")
            || l.starts_with("max_pages")
        {
            uncommented.push_str(l);
        } else {
            uncommented.push_str(line);
        }
        uncommented.push('\n');
    }
    let path = example_config().with_file_name("guichet-printing-test.toml");
    let result = Config::from_text(&path, &uncommented);
    let config = result.unwrap_or_else(|e| panic!("{e}"));
    let p = config.printing.expect("printing enabled");
    assert_eq!(p.printer, "accueil-laser");
    assert_eq!(p.server.as_deref(), Some("/run/cups/cups.sock"));
    assert_eq!(p.max_pages, 20);
}
