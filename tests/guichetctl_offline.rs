//! `guichetctl`'s offline commands, run as the real binary: what an admin types and what other
//! tools rely on — the output lines and the exit status (0 allow / 1 block / 2 usage or config
//! error).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const ALLOW: i32 = 0;
const BLOCK: i32 = 1;
const ERROR: i32 = 2;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn example() -> PathBuf {
    root().join("kiosk-config/guichet.toml")
}

fn table() -> PathBuf {
    root().join("tests/fixtures/config/policy-table/guichet.toml")
}

/// Runs guichetctl from a temp dir (so nothing depends on the working directory).
fn ctl(args: &[&str]) -> Output {
    let cwd = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_guichetctl"))
        .args(args)
        .current_dir(cwd.path())
        .env_remove("RUST_LOG")
        .output()
        .expect("guichetctl runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn explain(config: &Path, url: &str) -> Output {
    ctl(&[
        "policy",
        "explain",
        url,
        "--config",
        config.to_str().unwrap(),
    ])
}

#[track_caller]
fn assert_run(o: &Output, code: i32, out: &str) {
    assert_eq!(
        (o.status.code(), stdout(o).as_str()),
        (Some(code), out),
        "stderr: {}",
        stderr(o)
    );
}

// ---------------------------------------------------------------------------------------------
// policy explain

#[test]
fn explain_allow_prints_service_pack_rule_and_exits_0() {
    let o = explain(&example(), "https://www.belgium.be/fr/themes");
    assert_run(
        &o,
        ALLOW,
        "allow belgium-be (be-federal, rule https://www.belgium.be)\n",
    );
    let o = explain(&example(), "https://x.myminfin.be/");
    assert_run(
        &o,
        ALLOW,
        "allow myminfin (be-federal, rule https://*.myminfin.be)\n",
    );
}

#[test]
fn explain_names_path_port_and_local_rules() {
    let o = explain(&table(), "https://www.pathed.be/fr/x");
    assert_run(
        &o,
        ALLOW,
        "allow pathed (fake, rule https://www.pathed.be/fr)\n",
    );
    let o = explain(&table(), "https://www.ported.be:8443/");
    assert_run(
        &o,
        ALLOW,
        "allow ported (fake, rule https://www.ported.be:8443)\n",
    );
    let o = explain(&table(), "http://plain.be/");
    assert_run(&o, ALLOW, "allow plain (fake, rule http://plain.be)\n");
    let o = explain(&table(), "https://www.commune.be/");
    assert_run(
        &o,
        ALLOW,
        "allow local (local, rule https://www.commune.be)\n",
    );
}

#[test]
fn explain_block_prints_the_reason_and_exits_1() {
    for (url, reason) in [
        ("https://evil.example/", "site not in the approved services"),
        (
            "https://www.belgium.be@evil.example/",
            "address with a user name or password",
        ),
        (
            "https://www.belgium.be.evil.example/",
            "site not in the approved services",
        ),
        (
            "http://www.belgium.be/",
            "unencrypted http is not allowed for this host",
        ),
        ("https://2130706433/", "IP address not listed"),
        ("https://[::1]/", "IP address not listed"),
        ("javascript:alert(1)", "this kind of address is not allowed"),
        ("file:///etc/passwd", "this kind of address is not allowed"),
        ("about:config", "this kind of address is not allowed"),
        ("not a url", "not a valid address"),
    ] {
        let o = explain(&example(), url);
        assert_run(&o, BLOCK, &format!("block: {reason}\n"));
    }
    let o = explain(&table(), "https://www.pathed.be/fr/%2e%2e/admin");
    assert_run(&o, BLOCK, "block: site not in the approved services\n");
}

#[test]
fn explain_internal_pages_exit_0() {
    for url in ["about:blank", "guichet://welcome"] {
        let o = explain(&example(), url);
        assert_run(&o, ALLOW, "allow guichet (internal page)\n");
    }
}

#[test]
fn explain_takes_the_url_as_webkit_hands_it_over() {
    let o = explain(&example(), "  https://WWW.BELGIUM.BE./fr\t");
    assert_run(
        &o,
        ALLOW,
        "allow belgium-be (be-federal, rule https://www.belgium.be)\n",
    );
    let o = explain(&example(), "blob:https://www.mypension.be/8c1f");
    assert_run(
        &o,
        ALLOW,
        "allow mypension (be-federal, rule https://www.mypension.be)\n",
    );
}

/// A config of the shipped packs with Mijn Burgerprofiel, whose pages load widgets from
/// `prod.widgets.burgerprofiel.vlaanderen.be` (a `resources` host).
fn flanders_config(dir: &Path, subresources: &str) -> PathBuf {
    let config = dir.join("guichet.toml");
    std::fs::write(
        &config,
        format!(
            "[terminal]\nname = \"t\"\n[policy]\npacks = [\"be-login\", \"be-family\", \"be-flanders\"]\npack_dirs = [{:?}]\nsubresources = {subresources:?}\n",
            root().join("policies").display().to_string()
        ),
    )
    .unwrap();
    config
}

#[test]
fn explain_subresource_names_the_service_whose_resource_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let config = flanders_config(dir.path(), "policy");
    let widget = "https://prod.widgets.burgerprofiel.vlaanderen.be/api/v1/widget/x/embed";
    let sub = |url: &str| {
        ctl(&[
            "policy",
            "explain",
            "--subresource",
            url,
            "--config",
            config.to_str().unwrap(),
        ])
    };
    assert_run(
        &sub(widget),
        ALLOW,
        "allow as a resource of burgerprofiel (be-flanders, resource rule https://prod.widgets.burgerprofiel.vlaanderen.be)\n",
    );
    // A web socket to it too.
    assert_eq!(
        sub("wss://prod.widgets.burgerprofiel.vlaanderen.be/s")
            .status
            .code(),
        Some(ALLOW)
    );
    // A page's own hosts serve its sub-resources.
    assert_run(
        &sub("https://www.burgerprofiel.be/logo.png"),
        ALLOW,
        "allow burgerprofiel (be-flanders, rule https://www.burgerprofiel.be)\n",
    );
    // Not a place to navigate to.
    assert_run(
        &explain(&config, widget),
        BLOCK,
        "block: site not in the approved services\n",
    );
    // An undeclared host.
    assert_run(
        &sub("https://tracker.example/pixel.gif"),
        BLOCK,
        "block: site not in the approved services\n",
    );
    // With "open" the answer is the same, and a note says the filter is off.
    let other = tempfile::tempdir().unwrap();
    let open = flanders_config(other.path(), "open");
    let o = ctl(&[
        "policy",
        "explain",
        "--subresource",
        "https://tracker.example/pixel.gif",
        "--config",
        open.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(BLOCK));
    assert!(
        stderr(&o).contains("subresources = \"open\""),
        "{}",
        stderr(&o)
    );
}

#[test]
fn explain_with_a_bad_config_exits_2_with_the_location() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("guichet.toml");
    std::fs::write(&path, "[terminal]\nname = \"t\"\nlanguage = [\"fr\"]\n").unwrap();
    let o = explain(&path, "https://www.belgium.be/");
    assert_eq!(o.status.code(), Some(ERROR));
    assert_eq!(stdout(&o), "", "nothing on stdout for an error");
    let err = stderr(&o);
    let mut lines = err.lines();
    assert_eq!(
        lines.next().unwrap_or_default(),
        format!("guichetctl: {}:3:1: unknown field `language`, expected one of `name`, `languages`, `start_url`", path.display())
    );
    assert!(
        lines.next().unwrap_or_default().starts_with("  hint: "),
        "{err}"
    );
}

#[test]
fn explain_with_a_missing_config_exits_2() {
    let o = explain(
        Path::new("/nonexistent/guichet.toml"),
        "https://www.belgium.be/",
    );
    assert_eq!(o.status.code(), Some(ERROR));
    assert!(
        stderr(&o).contains("cannot read /nonexistent/guichet.toml"),
        "{}",
        stderr(&o)
    );
}

// ---------------------------------------------------------------------------------------------
// check-config

/// A pack that requires a pack the config does not enable: the config loads (exit 0) and
/// check-config warns on stderr, naming both and the fix.
#[test]
fn check_config_warns_when_a_required_pack_is_not_enabled() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("guichet.toml");
    std::fs::write(
        &config,
        format!(
            "[terminal]\nname = \"t\"\n[policy]\npacks = [\"be-federal\"]\npack_dirs = [{:?}]\n",
            root().join("policies").display().to_string()
        ),
    )
    .unwrap();
    let o = ctl(&["check-config", "--config", config.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stderr(&o),
        format!(
            "guichetctl: {}: warning: pack \"be-federal\" requires pack \"be-login\", which [policy] packs does not enable: its services will be blocked where they reach that pack's hosts\n  hint: add \"be-login\" to [policy] packs\n",
            config.display()
        )
    );
}

#[test]
fn check_config_prints_a_summary_and_exits_0() {
    let o = ctl(&["check-config", "--config", example().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], format!("{}: ok", example().display()));
    assert_eq!(lines[1], "terminal: EPN démo — poste 1");
    assert_eq!(
        lines[2],
        "packs: 6 (be-login, be-federal, be-brussels, be-family, be-health, be-mobility)"
    );
    // The example enables what its packs require: no warning.
    assert_eq!(stderr(&o), "");
    assert!(lines[3].starts_with("services: "), "{out}");
    assert!(lines[4].starts_with("rules: "), "{out}");

    let o = ctl(&["check-config", "--config", table().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        format!(
            "{}: ok\nterminal: policy table\npacks: 1 (fake)\nservices: 11\nrules: 14\n",
            table().display()
        )
    );
}

#[test]
fn check_config_reports_an_error_in_a_pack_with_its_location() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("packs")).unwrap();
    std::fs::write(
        dir.path().join("packs/demo.toml"),
        "id = \"demo\"\ntitle = { fr = \"d\", nl = \"d\", de = \"d\", en = \"d\" }\n\n[[service]]\nid = \"svc\"\nnames = { fr = \"s\", nl = \"s\", de = \"s\", en = \"s\" }\ncategory = \"other\"\nstart_url = \"https://www.svc.be/\"\nallow = [\"ftp://www.svc.be\"]\n",
    )
    .unwrap();
    let config = dir.path().join("guichet.toml");
    std::fs::write(
        &config,
        "[terminal]\nname = \"t\"\n[policy]\npacks = [\"demo\"]\npack_dirs = [\"packs\"]\n",
    )
    .unwrap();
    let o = ctl(&["check-config", "--config", config.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(ERROR));
    assert_eq!(stdout(&o), "");
    let err = stderr(&o);
    let want = format!(
        "guichetctl: {}:9:10: bad rule \"ftp://www.svc.be\": scheme `ftp` is not allowed in a rule (only http or https)\n  hint: ",
        dir.path().join("packs/demo.toml").display()
    );
    assert!(err.starts_with(&want), "{err}");
}

/// A pack `id` with one service whose only rule uses ftp: refused at line 9, column 10.
fn broken_pack(id: &str) -> String {
    format!("id = {id:?}\ntitle = {{ fr = \"d\", nl = \"d\", de = \"d\", en = \"d\" }}\n\n[[service]]\nid = \"svc\"\nnames = {{ fr = \"s\", nl = \"s\", de = \"s\", en = \"s\" }}\ncategory = \"other\"\nstart_url = \"https://www.svc.be/\"\nallow = [\"ftp://www.svc.be\"]\n")
}

/// As installed: the shipped packs, then the site's `policies.d` (empty here); be-login and
/// be-mobility enabled. Returns the config and an empty staging folder.
fn installed_like(dir: &Path) -> (PathBuf, PathBuf) {
    let config = dir.join("guichet.toml");
    std::fs::write(
        &config,
        format!(
            "[terminal]\nname = \"t\"\n[policy]\npacks = [\"be-login\", \"be-mobility\"]\npack_dirs = [{:?}, {:?}]\n",
            root().join("policies").display().to_string(),
            dir.join("policies.d").display().to_string()
        ),
    )
    .unwrap();
    let staged = dir.join("staged");
    std::fs::create_dir(&staged).unwrap();
    (config, staged)
}

fn check_staged(config: &Path, staged: &Path) -> Output {
    ctl(&[
        "check-config",
        "--config",
        config.to_str().unwrap(),
        "--pack-dir",
        staged.to_str().unwrap(),
    ])
}

#[test]
fn check_config_pack_dir_checks_overrides_as_if_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let (config, staged) = installed_like(dir.path());
    let o = ctl(&["check-config", "--config", config.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let services = |o: &Output| {
        stdout(o)
            .lines()
            .find_map(|l| l.strip_prefix("services: ").map(str::to_owned))
            .unwrap()
    };
    let shipped = services(&o);
    // The site's override of be-mobility adds a service; a pack it does not enable yet.
    let mobility = std::fs::read_to_string(root().join("policies/be-mobility.toml")).unwrap();
    std::fs::write(
        staged.join("be-mobility.toml"),
        format!("{mobility}\n[[service]]\nid = \"velo-commune\"\nnames = {{ fr = \"v\", nl = \"v\", de = \"v\", en = \"v\" }}\ncategory = \"mobility\"\nstart_url = \"https://velo.commune.be/\"\nallow = [\"velo.commune.be\"]\n"),
    )
    .unwrap();
    std::fs::copy(
        root().join("policies/be-health.toml"),
        staged.join("be-health.toml"),
    )
    .unwrap();
    std::fs::write(staged.join("notes.txt"), "not a pack").unwrap();
    let o = check_staged(&config, &staged);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    // The override is the one used: one service more than the shipped pack.
    let n: usize = shipped.parse().unwrap();
    assert_eq!(services(&o), (n + 1).to_string(), "{out}");
    assert_eq!(
        out.lines().last().unwrap(),
        format!("{}: ok, 2 packs (be-health, be-mobility)", staged.display())
    );
}

#[test]
fn check_config_pack_dir_refuses_a_broken_pack_enabled_or_not() {
    let dir = tempfile::tempdir().unwrap();
    let (config, staged) = installed_like(dir.path());
    // A broken pack the config does not enable: it would break the terminal the day a site
    // enables it, so it is refused now.
    std::fs::write(staged.join("demo.toml"), broken_pack("demo")).unwrap();
    let o = check_staged(&config, &staged);
    assert_eq!(o.status.code(), Some(ERROR), "{}", stdout(&o));
    assert_eq!(stdout(&o), "");
    let want = format!(
        "guichetctl: {}:9:10: bad rule \"ftp://www.svc.be\"",
        staged.join("demo.toml").display()
    );
    assert!(stderr(&o).starts_with(&want), "{}", stderr(&o));
    // Without --pack-dir the config alone is fine: the staged folder is not one of its own.
    let o = ctl(&["check-config", "--config", config.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    // A broken override of an enabled pack.
    std::fs::remove_file(staged.join("demo.toml")).unwrap();
    std::fs::write(staged.join("be-mobility.toml"), broken_pack("be-mobility")).unwrap();
    let o = check_staged(&config, &staged);
    assert_eq!(o.status.code(), Some(ERROR), "{}", stdout(&o));
    let want = format!(
        "guichetctl: {}:9:10: bad rule",
        staged.join("be-mobility.toml").display()
    );
    assert!(stderr(&o).starts_with(&want), "{}", stderr(&o));

    // An override that is valid alone but clashes with an enabled pack: a service id of
    // be-login, checked across the packs the config enables.
    let login = std::fs::read_to_string(root().join("policies/be-login.toml")).unwrap();
    assert!(
        login.contains("\nid = \"csam\"\n"),
        "be-login's first service"
    );
    let first_id = "csam";
    let mobility = std::fs::read_to_string(root().join("policies/be-mobility.toml")).unwrap();
    std::fs::write(
        staged.join("be-mobility.toml"),
        mobility.replacen("id = \"sncb-nmbs\"", &format!("id = {first_id:?}"), 1),
    )
    .unwrap();
    let o = check_staged(&config, &staged);
    assert_eq!(o.status.code(), Some(ERROR), "{}", stdout(&o));
    assert!(
        stderr(&o).contains(&format!("duplicate service id {first_id:?}")),
        "{}",
        stderr(&o)
    );

    // A folder that cannot be read.
    let o = check_staged(&config, &dir.path().join("missing"));
    assert_eq!(o.status.code(), Some(ERROR), "{}", stdout(&o));
    assert!(stderr(&o).contains("cannot read"), "{}", stderr(&o));
}

#[test]
fn check_config_default_path_is_etc_guichet() {
    // The test machine has no /etc/guichet/guichet.toml; the error names the path it tried.
    if Path::new("/etc/guichet/guichet.toml").exists() {
        return;
    }
    let o = ctl(&["check-config"]);
    assert_eq!(o.status.code(), Some(ERROR));
    assert!(
        stderr(&o).contains("/etc/guichet/guichet.toml"),
        "{}",
        stderr(&o)
    );
}

// ---------------------------------------------------------------------------------------------
// Usage

#[test]
fn usage_errors_exit_2() {
    for args in [
        &[][..],
        &["policy"][..],
        &["policy", "explain"][..],
        &["policy", "explain", "https://x.be/", "extra"][..],
        &["frobnicate"][..],
        &["check-config", "--confg", "x"][..],
        &["check-config", "--config"][..],
        &["stats", "--by", "year"][..],
        &["stats", "--format", "xml"][..],
        &["stats", "--from", "2026-13-01"][..],
        &["stats", "--from", "yesterday"][..],
        &[
            "stats",
            "--from",
            "2026-12-02",
            "--to",
            "2026-12-01",
            "--dir",
            ".",
        ][..],
        &["stats", "--dir", "/nonexistent/stats"][..],
    ] {
        let o = ctl(args);
        assert_eq!(o.status.code(), Some(ERROR), "{args:?}: {}", stderr(&o));
        assert_eq!(stdout(&o), "", "{args:?}");
        assert!(!stderr(&o).is_empty(), "{args:?}");
    }
}

#[test]
fn help_and_version_exit_0_and_document_the_exit_codes() {
    let o = ctl(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    let help = stdout(&o);
    for word in [
        "check-config",
        "policy",
        "Exit status",
        "1 `policy explain`: blocked",
    ] {
        assert!(help.contains(word), "--help lacks {word:?}:\n{help}");
    }
    let o = ctl(&["policy", "explain", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("--config"));
    let o = ctl(&["stats", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    let help = stdout(&o);
    for word in [
        "--dir",
        "--by",
        "openmetrics",
        "stderr",
        "exit status stays 0",
    ] {
        assert!(help.contains(word), "stats --help lacks {word:?}:\n{help}");
    }
    let o = ctl(&["--version"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).starts_with("guichetctl "));
}

// ---------------------------------------------------------------------------------------------
// stats --dir

/// Two terminals' folders: their days add up; a file that is not a day file is named on
/// stderr and left out; small counts are suppressed as the config's min_count says.
#[test]
fn stats_offline_merges_folders_and_names_what_it_skips() {
    let tmp = tempfile::tempdir().unwrap();
    let day = |dir: &str, sessions: u64, myminfin: u64| {
        let dir = tmp.path().join(dir);
        std::fs::create_dir_all(&dir).unwrap();
        let text = format!(
            "{{\"format\":1,\"day\":\"2026-12-02\",\"counts\":{{\"sessions_completed\":{sessions},\
             \"services\":{{\"myminfin\":{myminfin}}}}}}}"
        );
        std::fs::write(dir.join("2026-12-02.json"), text).unwrap();
        dir
    };
    let (a, b) = (day("poste-1", 4, 2), day("poste-2", 3, 1));
    std::fs::write(b.join("2026-12-03.json"), "{\"format\":1,").unwrap();
    let config = tmp.path().join("guichet.toml");
    let args = |min_count: u64| {
        std::fs::write(
            &config,
            format!(
                "[terminal]\nname = \"t\"\n[policy]\npacks = [\"be-federal\"]\npack_dirs = [{:?}]\n\
                 [stats]\nmin_count = {min_count}\n",
                root().join("policies")
            ),
        )
        .unwrap();
        ctl(&[
            "stats",
            "--dir",
            a.to_str().unwrap(),
            "--dir",
            b.to_str().unwrap(),
            "--from",
            "2026-12-01",
            "--to",
            "2026-12-31",
            "--format",
            "csv",
            "--config",
            config.to_str().unwrap(),
        ])
    };
    let o = args(3);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("2026-12-02,sessions_completed,,7,\n"), "{out}");
    assert!(
        out.contains("2026-12-02,sessions_by_service,myminfin,3,\n"),
        "{out}"
    );
    assert_eq!(
        stderr(&o),
        format!(
            "guichetctl: skipped {}: truncated at line 1 column 12\n",
            b.join("2026-12-03.json").display()
        )
    );
    let o = args(4);
    assert!(
        stdout(&o).contains("myminfin,< 4,suppressed"),
        "{}",
        stdout(&o)
    );
}

// ---------------------------------------------------------------------------------------------
// policy list

fn list(config: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["policy", "list", "--config", config.to_str().unwrap()];
    args.extend_from_slice(extra);
    ctl(&args)
}

#[test]
fn list_table_shows_each_service_with_its_rules_and_logout() {
    let o = list(&table(), &["--pack", "fake"]);
    assert_eq!(o.status.code(), Some(ALLOW), "stderr: {}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("pack fake: Fake\n"), "{out}");
    for block in [
        "  service pathed [health]\n    name fr: p\n    name nl: p\n    name de: p\n    name en: p\n    start: https://www.pathed.be/fr/\n    allow: https://www.pathed.be/fr\n    logout: none\n",
        "  service sub [taxes]\n",
        "    allow: https://www.ported.be:8443\n",
    ] {
        assert!(out.contains(block), "{block:?} not in\n{out}");
    }
    // `local` is listed only when asked for or without --pack.
    assert!(!out.contains("service local"), "{out}");
    let all = stdout(&list(&table(), &[]));
    assert!(
        all.contains("pack local: Local rules ([policy] extra)\n\n  service local [other]\n"),
        "{all}"
    );
    assert!(all.contains("    allow: https://www.commune.be\n"), "{all}");
}

#[test]
fn list_table_shows_start_urls_per_language_resources_and_requires() {
    let dir = tempfile::tempdir().unwrap();
    let config = flanders_config(dir.path(), "policy");
    let o = list(&config, &["--pack", "be-flanders"]);
    assert_eq!(o.status.code(), Some(ALLOW), "stderr: {}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("  requires: be-login, be-family\n"), "{out}");
    assert!(
        out.contains("    resources: https://prod.widgets.burgerprofiel.vlaanderen.be"),
        "{out}"
    );
    assert!(!out.contains("pack be-login"), "{out}");
    let login = stdout(&list(&config, &["--pack", "be-login"]));
    assert!(
        login.contains("    start fr: https://www.csam.be/fr/profil-egov.html\n    start nl: https://www.csam.be/\n"),
        "{login}"
    );
}

#[test]
fn list_json_holds_every_field_for_tools() {
    let o = list(&example(), &["--format", "json"]);
    assert_eq!(o.status.code(), Some(ALLOW), "stderr: {}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let packs = v["packs"].as_array().unwrap();
    let ids: Vec<&str> = packs.iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "be-login",
            "be-federal",
            "be-brussels",
            "be-family",
            "be-health",
            "be-mobility"
        ]
    );
    let federal = &packs[1];
    assert_eq!(federal["requires"], serde_json::json!(["be-login"]));
    let myminfin = federal["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "myminfin")
        .unwrap();
    assert_eq!(myminfin["pack"], "be-federal");
    assert_eq!(myminfin["category"], "taxes");
    for key in ["fr", "nl", "de", "en"] {
        assert!(myminfin["names"][key].is_string(), "{key}");
        assert!(myminfin["start_url"][key].is_string(), "{key}");
    }
    assert!(myminfin["allow"]
        .as_array()
        .unwrap()
        .contains(&serde_json::json!("https://*.myminfin.be")));
    assert!(myminfin["resources"].is_array());
    assert!(myminfin.get("logout_url").is_some());
}

#[test]
fn list_an_unknown_pack_exits_2_naming_the_config_packs() {
    let o = list(&example(), &["--pack", "be-wallonia"]);
    assert_eq!(
        (o.status.code(), stdout(&o).as_str()),
        (Some(ERROR), ""),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("no pack \"be-wallonia\" in this config (its packs: be-login, be-federal, be-brussels, be-family, be-health, be-mobility)"),
        "{}",
        stderr(&o)
    );
    let o = list(&example(), &["--format", "yaml"]);
    assert_eq!(o.status.code(), Some(ERROR));
}

// ---------------------------------------------------------------------------------------------
// policy import-chrome

const REPORTED: i32 = 1;

/// A config in `dir` enabling only the pack `id` found in `dir`.
fn config_with_pack(dir: &Path, id: &str) -> PathBuf {
    let config = dir.join("guichet.toml");
    std::fs::write(
        &config,
        format!("[terminal]\nname = \"t\"\n[policy]\npacks = [{id:?}]\npack_dirs = [\".\"]\n"),
    )
    .unwrap();
    config
}

fn import(dir: &Path, json: &str, extra: &[&str]) -> Output {
    let file = dir.join("policy.json");
    std::fs::write(&file, json).unwrap();
    let mut args = vec!["policy", "import-chrome", file.to_str().unwrap()];
    args.extend_from_slice(extra);
    ctl(&args)
}

#[test]
fn import_chrome_exact_policy_file_exits_0_and_the_pack_loads() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site.toml");
    let o = import(
        dir.path(),
        r#"{"URLBlocklist": ["*"], "URLAllowlist": ["belgium.be", ".www.commune.be/fr", "https://.guichet.commune.be:8443", "10.1.2.3"], "HomepageLocation": "https://www.belgium.be"}"#,
        &["--output", out.to_str().unwrap()],
    );
    assert_run(&o, ALLOW, "");
    assert_eq!(stderr(&o), "");
    let config = config_with_pack(dir.path(), "site");
    let check = ctl(&["check-config", "--config", config.to_str().unwrap()]);
    assert_eq!(check.status.code(), Some(ALLOW), "{}", stderr(&check));
    assert!(
        stdout(&check).contains("packs: 1 (site)\nservices: 3\n"),
        "{}",
        stdout(&check)
    );
    for (url, code) in [
        ("https://www.belgium.be/fr", ALLOW),
        ("https://belgium.be/", ALLOW),
        ("https://www.commune.be/fr/etat-civil", ALLOW),
        ("https://www.commune.be/nl", BLOCK),
        ("https://shop.commune.be/fr", BLOCK),
        ("https://guichet.commune.be:8443/", ALLOW),
        ("https://guichet.commune.be/", BLOCK),
        ("https://10.1.2.3/", ALLOW),
        ("http://www.belgium.be/", BLOCK),
    ] {
        assert_eq!(explain(&config, url).status.code(), Some(code), "{url}");
    }
    let o = explain(&config, "https://www.commune.be/fr");
    assert_run(
        &o,
        ALLOW,
        "allow site-commune-be (site, rule https://www.commune.be/fr)\n",
    );
}

#[test]
fn import_chrome_reports_what_it_cannot_express_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site.toml");
    let o = import(
        dir.path(),
        r#"{"URLBlocklist": ["*", "admin.commune.be"], "URLAllowlist": ["www.belgium.be", "commune.be", "*", "file:///home", "ftp://ftp.x.be", "myapp://open", "x.be/s?q=1", "*.x.be", "*.example.*", "10.0.0.0/8", "10.0.0.*", "be"]}"#,
        &["--output", out.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(REPORTED), "{}", stderr(&o));
    let err = stderr(&o);
    for line in [
        "not converted: URLAllowlist \"*\": `*` allows every site",
        "not converted: URLAllowlist \"file:///home\": scheme `file`",
        "not converted: URLAllowlist \"ftp://ftp.x.be\": scheme `ftp`",
        "not converted: URLAllowlist \"myapp://open\": scheme `myapp`",
        "not converted: URLAllowlist \"x.be/s?q=1\": a query",
        "not converted: URLAllowlist \"*.x.be\": a wildcard inside a host",
        "not converted: URLAllowlist \"*.example.*\": a wildcard inside a host",
        "not converted: URLAllowlist \"10.0.0.0/8\": an IP range",
        "not converted: URLAllowlist \"10.0.0.*\": an IP range",
        "not converted: URLAllowlist \"be\": `*.be` would allow a whole public suffix",
        "not converted: URLBlocklist \"admin.commune.be\": blocks a part of the allowed \"commune.be\"",
        "not converted: URLAllowlist \"commune.be\": left out",
    ] {
        assert!(err.contains(line), "{line:?} not in\n{err}");
    }
    assert_eq!(err.lines().count(), 12, "{err}");
    // What is exact is written, and loads.
    let config = config_with_pack(dir.path(), "site");
    let check = ctl(&["check-config", "--config", config.to_str().unwrap()]);
    assert_eq!(check.status.code(), Some(ALLOW), "{}", stderr(&check));
    assert_eq!(
        explain(&config, "https://www.belgium.be/").status.code(),
        Some(ALLOW)
    );
    assert_eq!(
        explain(&config, "https://www.commune.be/").status.code(),
        Some(BLOCK)
    );
}

#[test]
fn import_chrome_bare_list_goes_to_stdout_and_a_blocklist_without_star_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let o = import(dir.path(), r#"[".www.belgium.be"]"#, &[]);
    assert_eq!(o.status.code(), Some(ALLOW), "{}", stderr(&o));
    let pack: toml::Table = stdout(&o).parse().unwrap();
    assert_eq!(pack["id"].as_str(), Some("chrome-import"));
    let o = import(dir.path(), r#"[".www.belgium.be"]"#, &["--id", "mine"]);
    assert!(stdout(&o).contains("id = \"mine\"\n"), "{}", stdout(&o));
    let o = import(
        dir.path(),
        r#"{"URLAllowlist": ["a.be"], "URLBlocklist": ["evil.example"]}"#,
        &[],
    );
    assert_eq!(o.status.code(), Some(REPORTED));
    assert!(
        stderr(&o).contains("URLBlocklist \"*\": missing: without it Chrome allows every site"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn import_chrome_usage_and_parse_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    for (json, extra, message) in [
        ("[\"a.be\"", &[][..], "not JSON"),
        (
            "{\"Homepage\": 1}",
            &[][..],
            "expected a JSON array of strings",
        ),
        ("[1]", &[][..], "must be an array of strings"),
        (
            "[\"a.be\"]",
            &["--id", "a", "--output", "b.toml"][..],
            "disagree",
        ),
    ] {
        let o = import(dir.path(), json, extra);
        assert_eq!(o.status.code(), Some(ERROR), "{json}");
        assert!(stderr(&o).contains(message), "{json}: {}", stderr(&o));
    }
    let o = ctl(&["policy", "import-chrome", "/nonexistent/policy.json"]);
    assert_eq!(o.status.code(), Some(ERROR));
}

#[test]
fn list_shows_the_logout_url_a_site_overrides() {
    let config = root().join("tests/fixtures/config/errors/111-logout-override-loads.toml");
    let o = list(&config, &[]);
    assert_eq!(o.status.code(), Some(ALLOW), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("    logout: https://www.svc.be/fr/deconnexion\n"),
        "{}",
        stdout(&o)
    );
    let example = stdout(&ctl(&[
        "check-config",
        "--config",
        example().to_str().unwrap(),
    ]));
    assert!(example.contains(": ok\n"), "{example}");
}
