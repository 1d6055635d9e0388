//! Every way a site admin can get `guichet.toml` or a pack wrong is reported as
//! `file:line:col: message` plus a hint, at the place to fix; the shipped example passes.
//!
//! Each test writes its files into a temp dir, so the line and column it expects can be read
//! off the text right above.

use std::path::{Path, PathBuf};

use guichet::config::{Config, ConfigError, Located};
use guichet::policy::Decision;

/// A valid pack `demo` with one service, `svc` (line 6: `id = "svc"`).
const DEMO_PACK: &str = r#"id = "demo"
title = { fr = "Démo", nl = "Demo", de = "Demo", en = "Demo" }

[[service]]
# A fake service.
id = "svc"
names = { fr = "s", nl = "s", de = "s", en = "s" }
category = "administration"
start_url = "https://www.svc.be/"
allow = ["www.svc.be"]
"#;

/// A temp dir with `guichet.toml` and `packs/*.toml`.
struct Site {
    dir: tempfile::TempDir,
}

impl Site {
    fn new() -> Site {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("packs")).unwrap();
        Site { dir }
    }

    /// With the `demo` pack.
    fn demo() -> Site {
        Site::new().pack("demo", DEMO_PACK)
    }

    fn pack(self, id: &str, text: &str) -> Site {
        std::fs::write(self.path(&format!("packs/{id}.toml")), text).unwrap();
        self
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn load(&self, config: &str) -> Result<Config, ConfigError> {
        let path = self.path("guichet.toml");
        std::fs::write(&path, config).unwrap();
        Config::load(&path)
    }

    /// Loads `config` and checks the error: in `file` (relative to the site), at `line:col`,
    /// with a message containing `message` and a hint containing `hint`.
    #[track_caller]
    fn fails(&self, config: &str, file: &str, line: usize, col: usize, message: &str, hint: &str) {
        let err = match self.load(config) {
            Ok(_) => panic!("config loaded, expected {file}:{line}:{col}: {message}"),
            Err(e) => e,
        };
        let Some(l) = err.located() else {
            panic!("not located: {err}");
        };
        let got = (l.path.as_path(), l.line, l.col);
        let want = (self.path(file), line, col);
        assert!(
            got == (want.0.as_path(), want.1, want.2)
                && l.message.contains(message)
                && l.hint.contains(hint)
                && !l.hint.trim().is_empty(),
            "expected {file}:{line}:{col}: …{message}… (hint …{hint}…)\ngot {err}"
        );
    }
}

fn example_config() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("kiosk-config/guichet.toml")
}

// ---------------------------------------------------------------------------------------------
// The shipped files.

#[test]
fn the_example_config_passes() {
    let config = Config::load(&example_config()).unwrap_or_else(|e| panic!("{e}"));
    let packs: Vec<&str> = config.policy.packs.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(packs, ["be-federal"]);
    assert!(config.policy.policy.services().len() >= 5);
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
        let d = config.policy.policy.decide_url(&s.start_url);
        assert!(
            matches!(&d, Decision::Allow(a) if a.service == s.id),
            "{}: {d}",
            s.id
        );
    }
}

#[test]
fn defaults_are_the_safe_ones() {
    let config = Site::demo()
        .load("[terminal]\nname = \"t\"\n[policy]\npacks = [\"demo\"]\npack_dirs = [\"packs\"]\n")
        .unwrap();
    assert_eq!(config.session.idle_timeout.as_secs(), 300);
    assert!(config.session.idle_warning < config.session.idle_timeout);
    assert!(config.session.logout_before_wipe);
    assert_eq!(config.downloads.max_bytes, 50 * 1024 * 1024);
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
fn relative_paths_resolve_against_the_config_folder() {
    let site = Site::demo();
    let config = site
        .load(
            r#"[terminal]
name = "t"
[policy]
packs = ["demo"]
pack_dirs = ["packs"]
[stats]
dir = "stats"
[control]
socket = "run/control.sock"
"#,
        )
        .unwrap();
    assert_eq!(config.stats.dir, site.path("stats"));
    assert_eq!(config.control.socket, site.path("run/control.sock"));
}

#[test]
fn an_error_reads_path_line_col_message_then_hint() {
    let site = Site::demo();
    let err = site
        .load("[terminal]\nname = \"t\"\ncolour = \"blue\"\n[policy]\npacks = []\n")
        .unwrap_err();
    let text = err.to_string();
    let path = site.path("guichet.toml");
    let first = format!("{}:3:1: unknown field `colour`", path.display());
    assert!(text.starts_with(&first), "{text}");
    let hint = text.lines().nth(1).unwrap_or_default();
    assert!(hint.starts_with("  hint: "), "{text}");
    assert!(
        hint.contains("name"),
        "the hint lists the known keys: {text}"
    );
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
// TOML and types.

#[test]
fn toml_syntax_error() {
    Site::demo().fails(
        r#"[terminal]
name = "unterminated
[policy]
packs = ["demo"]
"#,
        "guichet.toml",
        2,
        21,
        "",
        "TOML syntax",
    );
}

#[test]
fn unknown_key() {
    Site::demo().fails(
        r#"[terminal]
name = "t"
[session]
idle_timeout = 300
[policy]
packs = ["demo"]
pack_dirs = ["packs"]
"#,
        "guichet.toml",
        4,
        1,
        "unknown field `idle_timeout`",
        "idle_timeout_secs",
    );
}

#[test]
fn unknown_section() {
    Site::demo().fails(
        r#"[terminal]
name = "t"
[policy]
packs = ["demo"]
pack_dirs = ["packs"]
[sesion]
idle_timeout_secs = 300
"#,
        "guichet.toml",
        6,
        2,
        "unknown field `sesion`",
        "session",
    );
}

#[test]
fn missing_section() {
    Site::demo().fails(
        "[terminal]\nname = \"t\"\n",
        "guichet.toml",
        1,
        1,
        "missing field `policy`",
        "add this key",
    );
}

#[test]
fn wrong_type_number_in_quotes() {
    Site::demo().fails(
        r#"[terminal]
name = "t"
[session]
idle_timeout_secs = "300"
[policy]
packs = ["demo"]
pack_dirs = ["packs"]
"#,
        "guichet.toml",
        4,
        21,
        "invalid type",
        "numbers without quotes",
    );
}

#[test]
fn wrong_type_string_for_list() {
    Site::demo().fails(
        r#"[terminal]
name = "t"
[policy]
packs = "demo"
"#,
        "guichet.toml",
        4,
        9,
        "invalid type",
        "lists in [ ]",
    );
}

#[test]
fn unknown_language() {
    Site::demo().fails(
        r#"[terminal]
name = "t"
languages = ["fr", "wa"]
[policy]
packs = ["demo"]
pack_dirs = ["packs"]
"#,
        "guichet.toml",
        3,
        20,
        "unknown variant `wa`",
        "one of the values",
    );
}

#[test]
fn unknown_subresources_mode() {
    Site::demo().fails(
        r#"[terminal]
name = "t"
[policy]
packs = ["demo"]
pack_dirs = ["packs"]
subresources = "closed"
"#,
        "guichet.toml",
        6,
        16,
        "unknown variant `closed`",
        "one of the values",
    );
}

// ---------------------------------------------------------------------------------------------
// [terminal]

#[test]
fn empty_languages() {
    Site::demo().fails(
        r#"[terminal]
name = "t"
languages = []
[policy]
packs = ["demo"]
pack_dirs = ["packs"]
"#,
        "guichet.toml",
        3,
        13,
        "languages is empty",
        "the first is the default",
    );
}

#[test]
fn language_twice() {
    Site::demo().fails(
        r#"[terminal]
name = "t"
languages = ["nl", "fr", "nl"]
[policy]
packs = ["demo"]
pack_dirs = ["packs"]
"#,
        "guichet.toml",
        3,
        13,
        "language \"nl\" is listed twice",
        "list each language once",
    );
}

#[test]
fn empty_terminal_name() {
    Site::demo().fails(
        r#"[terminal]
name = "  "
[policy]
packs = ["demo"]
pack_dirs = ["packs"]
"#,
        "guichet.toml",
        2,
        8,
        "terminal name must be 1 to 80 characters",
        "name = ",
    );
}

#[test]
fn start_url_not_a_url() {
    Site::demo().fails(
        r#"[terminal]
name = "t"
start_url = "www.svc.be"
[policy]
packs = ["demo"]
pack_dirs = ["packs"]
"#,
        "guichet.toml",
        3,
        13,
        "start_url is not a valid URL",
        "full URL",
    );
}

#[test]
fn start_url_not_allowed_by_the_policy() {
    Site::demo().fails(
        r#"[terminal]
name = "t"
start_url = "https://www.evil.example/"
[policy]
packs = ["demo"]
pack_dirs = ["packs"]
"#,
        "guichet.toml",
        3,
        13,
        "start_url is not allowed by the policy",
        "[policy] extra",
    );
}

#[test]
fn start_url_allowed_by_a_local_rule_passes() {
    let config = Site::demo()
        .load(
            r#"[terminal]
name = "t"
start_url = "https://www.commune.be/fr/accueil"
[policy]
packs = ["demo"]
pack_dirs = ["packs"]
extra = ["www.commune.be/fr"]
"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(config.terminal.start_url.is_some());
    // The local service starts where its first rule points.
    let local = config.policy.policy.service("local").unwrap();
    assert_eq!(local.start_url.as_str(), "https://www.commune.be/fr/");
    assert!(matches!(
        config.policy.policy.decide_url(&local.start_url),
        Decision::Allow(_)
    ));
}

// ---------------------------------------------------------------------------------------------
// [session]: durations

#[test]
fn idle_timeout_too_short() {
    Site::demo().fails(
        r#"[terminal]
name = "t"
[session]
idle_timeout_secs = 10
[policy]
packs = ["demo"]
pack_dirs = ["packs"]
"#,
        "guichet.toml",
        4,
        21,
        "idle_timeout_secs = 10 is out of range",
        "from 30 to 14400",
    );
}

#[test]
fn max_duration_too_long() {
    Site::demo().fails(
        r#"[terminal]
name = "t"
[session]
max_duration_secs = 100000
[policy]
packs = ["demo"]
pack_dirs = ["packs"]
"#,
        "guichet.toml",
        4,
        21,
        "max_duration_secs = 100000 is out of range",
        "from 300 to 86400",
    );
}

#[test]
fn negative_duration() {
    Site::demo().fails(
        r#"[terminal]
name = "t"
[session]
idle_warning_secs = -5
[policy]
packs = ["demo"]
pack_dirs = ["packs"]
"#,
        "guichet.toml",
        4,
        21,
        "-5",
        "",
    );
}

#[test]
fn duration_with_a_unit() {
    Site::demo().fails(
        r#"[terminal]
name = "t"
[session]
idle_timeout_secs = 5m
[policy]
packs = ["demo"]
pack_dirs = ["packs"]
"#,
        "guichet.toml",
        4,
        21,
        "",
        "",
    );
}

#[test]
fn warning_as_long_as_timeout() {
    Site::demo().fails(
        r#"[terminal]
name = "t"
[session]
idle_timeout_secs = 60
idle_warning_secs = 60
[policy]
packs = ["demo"]
pack_dirs = ["packs"]
"#,
        "guichet.toml",
        5,
        21,
        "idle_warning_secs must be shorter than idle_timeout_secs",
        "countdown",
    );
}

/// The warning keeps its default (60 s): the error points at the value that was written.
#[test]
fn timeout_shorter_than_default_warning() {
    Site::demo().fails(
        r#"[terminal]
name = "t"
[session]
idle_timeout_secs = 45
[policy]
packs = ["demo"]
pack_dirs = ["packs"]
"#,
        "guichet.toml",
        4,
        21,
        "idle_warning_secs must be shorter than idle_timeout_secs",
        "countdown",
    );
}

#[test]
fn max_duration_not_longer_than_idle_timeout() {
    Site::demo().fails(
        r#"[terminal]
name = "t"
[session]
idle_timeout_secs = 3600
max_duration_secs = 1800
[policy]
packs = ["demo"]
pack_dirs = ["packs"]
"#,
        "guichet.toml",
        5,
        21,
        "max_duration_secs must be longer than idle_timeout_secs",
        "max_duration_secs = 7200",
    );
}

// ---------------------------------------------------------------------------------------------
// [policy]

#[test]
fn bad_rule_in_extra() {
    Site::demo().fails(
        r#"[terminal]
name = "t"
[policy]
packs = ["demo"]
pack_dirs = ["packs"]
extra = ["www.commune.be", "ftp://files.commune.be"]
"#,
        "guichet.toml",
        6,
        28,
        "bad rule \"ftp://files.commune.be\": scheme `ftp` is not allowed",
        "[scheme://]host[:port][/path-prefix]",
    );
}

/// Columns count characters, not bytes: `ü` is one column.
#[test]
fn columns_count_characters() {
    Site::demo().fails(
        r#"[terminal]
name = "t"
[policy]
packs = ["demo"]
pack_dirs = ["packs"]
extra = ["bücher.be", "*.192.0.2.1"]
"#,
        "guichet.toml",
        6,
        23,
        "not an IP address",
        "[scheme://]host[:port][/path-prefix]",
    );
}

#[test]
fn rule_with_a_backslash() {
    Site::demo().fails(
        r#"[terminal]
name = "t"
[policy]
packs = ["demo"]
pack_dirs = ["packs"]
extra = ['www.commune.be\fr']
"#,
        "guichet.toml",
        6,
        10,
        "cannot contain spaces, control characters or `\\`",
        "[scheme://]host[:port][/path-prefix]",
    );
}

#[test]
fn rule_with_dot_segments() {
    Site::demo().fails(
        r#"[terminal]
name = "t"
[policy]
packs = ["demo"]
pack_dirs = ["packs"]
extra = ["www.commune.be/fr/../admin"]
"#,
        "guichet.toml",
        6,
        10,
        "`.` or `..` segments",
        "[scheme://]host[:port][/path-prefix]",
    );
}

#[test]
fn unknown_pack() {
    Site::demo().fails(
        r#"[terminal]
name = "t"
[policy]
packs = ["demo", "be-flemish"]
pack_dirs = ["packs"]
"#,
        "guichet.toml",
        4,
        18,
        "unknown pack \"be-flemish\"",
        "available packs: demo",
    );
}

#[test]
fn unknown_pack_and_no_pack_at_all() {
    Site::new().fails(
        r#"[terminal]
name = "t"
[policy]
packs = ["demo"]
pack_dirs = ["packs"]
"#,
        "guichet.toml",
        4,
        10,
        "unknown pack \"demo\"",
        "no pack found in",
    );
}

#[test]
fn pack_listed_twice() {
    Site::demo().fails(
        r#"[terminal]
name = "t"
[policy]
packs = ["demo", "demo"]
pack_dirs = ["packs"]
"#,
        "guichet.toml",
        4,
        18,
        "pack \"demo\" is listed twice",
        "list each pack once",
    );
}

#[test]
fn bad_allow_http_host() {
    Site::demo().fails(
        r#"[terminal]
name = "t"
[policy]
packs = ["demo"]
pack_dirs = ["packs"]
allow_http = ["intranet.commune.local", "http://old.commune.be"]
"#,
        "guichet.toml",
        6,
        41,
        "\"http://old.commune.be\" is not a host name",
        "bare host names",
    );
}

// ---------------------------------------------------------------------------------------------
// Packs

#[test]
fn duplicate_service_id_across_packs() {
    Site::demo()
        .pack(
            "other",
            r#"id = "other"
title = { fr = "o", nl = "o", de = "o", en = "o" }

[[service]]
id = "svc"
names = { fr = "s", nl = "s", de = "s", en = "s" }
category = "health"
start_url = "https://www.other.be/"
allow = ["www.other.be"]
"#,
        )
        .fails(
            r#"[terminal]
name = "t"
[policy]
packs = ["demo", "other"]
pack_dirs = ["packs"]
"#,
            "packs/other.toml",
            5,
            6,
            "duplicate service id \"svc\" (already in pack \"demo\")",
            "unique across all chosen packs",
        );
}

#[test]
fn pack_id_does_not_match_file_name() {
    Site::new()
        .pack("demo", &DEMO_PACK.replace("id = \"demo\"", "id = \"démo\""))
        .fails(
            r#"[terminal]
name = "t"
[policy]
packs = ["demo"]
pack_dirs = ["packs"]
"#,
            "packs/demo.toml",
            1,
            6,
            "pack id \"démo\" must be lower-case letters, digits, - or _ and match the file name \"demo.toml\"",
            "rename the file or the id",
        );
}

#[test]
fn service_id_local_is_reserved() {
    Site::new()
        .pack("demo", &DEMO_PACK.replace("id = \"svc\"", "id = \"local\""))
        .fails(
            r#"[terminal]
name = "t"
[policy]
packs = ["demo"]
pack_dirs = ["packs"]
"#,
            "packs/demo.toml",
            6,
            6,
            "service id \"local\" is reserved",
            "choose another id",
        );
}

#[test]
fn bad_rule_in_a_pack() {
    Site::new()
        .pack(
            "demo",
            &DEMO_PACK.replace(
                r#"allow = ["www.svc.be"]"#,
                r#"allow = ["www.svc.be", "www.*.svc.be"]"#,
            ),
        )
        .fails(
            r#"[terminal]
name = "t"
[policy]
packs = ["demo"]
pack_dirs = ["packs"]
"#,
            "packs/demo.toml",
            10,
            24,
            "bad rule \"www.*.svc.be\": `*` may only appear as a leading `*.`",
            "[scheme://]host[:port][/path-prefix]",
        );
}

#[test]
fn service_without_rules() {
    Site::new()
        .pack(
            "demo",
            &DEMO_PACK.replace(r#"allow = ["www.svc.be"]"#, "allow = []"),
        )
        .fails(
            r#"[terminal]
name = "t"
[policy]
packs = ["demo"]
pack_dirs = ["packs"]
"#,
            "packs/demo.toml",
            6,
            6,
            "service \"svc\" has no allow rule",
            "add at least the host of its start_url",
        );
}

#[test]
fn service_start_url_outside_its_rules() {
    Site::new()
        .pack(
            "demo",
            &DEMO_PACK.replace("https://www.svc.be/", "https://login.svc.be/"),
        )
        .fails(
            r#"[terminal]
name = "t"
[policy]
packs = ["demo"]
pack_dirs = ["packs"]
"#,
            "packs/demo.toml",
            9,
            13,
            "start_url is not covered by the service's own allow rules over https",
            "add its host to allow",
        );
}

#[test]
fn service_start_url_over_plain_http() {
    Site::new()
        .pack(
            "demo",
            &DEMO_PACK.replace("https://www.svc.be/", "http://www.svc.be/"),
        )
        .fails(
            r#"[terminal]
name = "t"
[policy]
packs = ["demo"]
pack_dirs = ["packs"]
allow_http = ["www.svc.be"]
"#,
            "packs/demo.toml",
            9,
            13,
            "start_url is not covered by the service's own allow rules over https",
            "add its host to allow",
        );
}

#[test]
fn unknown_key_in_a_pack() {
    Site::new()
        .pack(
            "demo",
            &DEMO_PACK.replace("# A fake service.", "url = \"https://www.svc.be/\""),
        )
        .fails(
            r#"[terminal]
name = "t"
[policy]
packs = ["demo"]
pack_dirs = ["packs"]
"#,
            "packs/demo.toml",
            5,
            1,
            "unknown field `url`",
            "start_url",
        );
}

#[test]
fn unknown_category_in_a_pack() {
    Site::new()
        .pack(
            "demo",
            &DEMO_PACK.replace("\"administration\"", "\"shopping\""),
        )
        .fails(
            r#"[terminal]
name = "t"
[policy]
packs = ["demo"]
pack_dirs = ["packs"]
"#,
            "packs/demo.toml",
            8,
            12,
            "unknown variant `shopping`",
            "one of the values",
        );
}

#[test]
fn missing_translation_in_a_pack() {
    Site::new()
        .pack("demo", &DEMO_PACK.replace(", de = \"Demo\"", ""))
        .fails(
            r#"[terminal]
name = "t"
[policy]
packs = ["demo"]
pack_dirs = ["packs"]
"#,
            "packs/demo.toml",
            2,
            9,
            "missing field `de`",
            "add this key",
        );
}

// ---------------------------------------------------------------------------------------------
// [downloads], [network], [control]

#[test]
fn bad_extension() {
    Site::demo().fails(
        r#"[terminal]
name = "t"
[policy]
packs = ["demo"]
pack_dirs = ["packs"]
[downloads]
blocked_extensions = ["exe", "tar.gz"]
"#,
        "guichet.toml",
        7,
        30,
        "\"tar.gz\" is not a file extension",
        "without the dot",
    );
}

#[test]
fn extensions_are_normalised() {
    let config = Site::demo()
        .load(
            r#"[terminal]
name = "t"
[policy]
packs = ["demo"]
pack_dirs = ["packs"]
[downloads]
blocked_extensions = [".EXE", "Sh"]
"#,
        )
        .unwrap();
    assert_eq!(config.downloads.blocked_extensions, ["exe", "sh"]);
}

#[test]
fn zero_max_bytes() {
    Site::demo().fails(
        r#"[terminal]
name = "t"
[policy]
packs = ["demo"]
pack_dirs = ["packs"]
[downloads]
max_bytes = 0
"#,
        "guichet.toml",
        7,
        13,
        "max_bytes must be between 1 and 1073741824",
        "52428800",
    );
}

#[test]
fn proxy_not_a_url() {
    Site::demo().fails(
        r#"[terminal]
name = "t"
[policy]
packs = ["demo"]
pack_dirs = ["packs"]
[network]
proxy = "proxy.example:3128"
"#,
        "guichet.toml",
        7,
        9,
        "proxy",
        "http://host:port",
    );
}

#[test]
fn proxy_with_another_scheme() {
    Site::demo().fails(
        r#"[terminal]
name = "t"
[policy]
packs = ["demo"]
pack_dirs = ["packs"]
[network]
proxy = "ftp://proxy.example:21"
"#,
        "guichet.toml",
        7,
        9,
        "proxy must be an http, https or socks5 URL with a host",
        "http://host:port",
    );
}

#[test]
fn empty_staff_group() {
    Site::demo().fails(
        r#"[terminal]
name = "t"
[policy]
packs = ["demo"]
pack_dirs = ["packs"]
[control]
staff_group = ""
"#,
        "guichet.toml",
        7,
        15,
        "staff_group is empty",
        "Unix group",
    );
}

/// `Located` is public so `guichetctl status` can show it; its fields are what the tests read.
#[test]
fn located_fields_are_one_based() {
    let err = Site::demo().load("x = 1\n").unwrap_err();
    let Located { line, col, .. } = err.located().unwrap().clone();
    assert_eq!((line, col), (1, 1));
}

/// Found in review: a local rule whose host the URL parser accepts but cannot write back as a
/// URL (`1.2.3.4.5..`) made `local_service` panic. It is a located error now.
#[test]
fn local_rule_with_empty_labels_is_an_error_not_a_panic() {
    Site::demo().fails(
        r#"[terminal]
name = "t"
[policy]
packs = ["demo"]
pack_dirs = ["packs"]
extra = ["1.2.3.4.5.."]
"#,
        "guichet.toml",
        6,
        10,
        "is not a valid host",
        "[scheme://]host[:port][/path-prefix]",
    );
}

#[test]
fn pack_id_local_is_reserved() {
    Site::new()
        .pack(
            "local",
            &DEMO_PACK.replace("id = \"demo\"", "id = \"local\""),
        )
        .fails(
            r#"[terminal]
name = "t"
[policy]
packs = ["local"]
pack_dirs = ["packs"]
"#,
            "packs/local.toml",
            1,
            6,
            "pack id \"local\" is reserved",
            "rename the pack",
        );
}

// ---------------------------------------------------------------------------------------------
// [printing]

/// The demo site's config, then `[printing]` with `body` from line 7.
fn with_printing(body: &str) -> String {
    format!(
        "[terminal]\nname = \"t\"\n[policy]\npacks = [\"demo\"]\npack_dirs = [\"packs\"]\n[printing]\n{body}"
    )
}

#[test]
fn printing_is_off_without_the_section_and_on_with_it() {
    let site = Site::demo();
    let off = site
        .load(&with_printing("").replace("[printing]\n", ""))
        .unwrap();
    assert!(off.printing.is_none());
    let on = site
        .load(&with_printing("printer = \"accueil-laser\"\n"))
        .unwrap();
    let p = on.printing.unwrap();
    assert_eq!(p.printer, "accueil-laser");
    assert_eq!(p.server, None, "no server: CUPS's own default");
    for server in [
        "/run/cups/cups.sock",
        "print.commune.local",
        "print.commune.local:631",
        "192.168.1.20:631",
        "[fe80::1]:631",
    ] {
        let c = site
            .load(&with_printing(&format!(
                "printer = \"q\"\nserver = \"{server}\"\n"
            )))
            .unwrap_or_else(|e| panic!("{server}: {e}"));
        assert_eq!(c.printing.unwrap().server.as_deref(), Some(server));
    }
}

#[test]
fn printing_without_a_printer() {
    Site::demo().fails(
        &with_printing("server = \"/run/cups/cups.sock\"\n"),
        "guichet.toml",
        6,
        1,
        "missing field `printer`",
        "add this key",
    );
}

#[test]
fn printing_cannot_turn_the_job_wipe_off() {
    Site::demo().fails(
        &with_printing("printer = \"q\"\nwipe_jobs = false\n"),
        "guichet.toml",
        8,
        1,
        "unknown field `wipe_jobs`",
        "known keys",
    );
}

#[test]
fn printer_names_cups_refuses() {
    let long = "q".repeat(128);
    for bad in [
        "",
        "accueil laser",
        "a\tb",
        "a/b",
        "a#b",
        "a\\\\b",
        "a'b",
        "a\\\"b",
        "a?b",
        "q@host",
        long.as_str(),
    ] {
        Site::demo().fails(
            &with_printing(&format!("printer = \"{bad}\"\n")),
            "guichet.toml",
            7,
            11,
            "is not a CUPS queue name",
            "lpstat -p",
        );
    }
    let longest = "q".repeat(127);
    let c = Site::demo()
        .load(&with_printing(&format!("printer = \"{longest}\"\n")))
        .unwrap();
    assert_eq!(c.printing.unwrap().printer, longest);
}

#[test]
fn cups_servers_that_are_neither_a_socket_nor_a_host() {
    for bad in [
        "",
        "run/cups/cups.sock",
        "ipp://print.local:631",
        "print.local:0",
        "print.local:99999",
        "print.local:",
        "print local",
        "-h",
        "fe80::1",
        "[fe80::zz]:631",
    ] {
        Site::demo().fails(
            &with_printing(&format!("printer = \"q\"\nserver = \"{bad}\"\n")),
            "guichet.toml",
            8,
            10,
            "is not a CUPS server",
            "/run/cups/cups.sock",
        );
    }
}

#[test]
fn the_example_printing_section_passes_once_uncommented() {
    let text = std::fs::read_to_string(example_config()).unwrap();
    let start = text
        .find("# [printing]")
        .expect("commented [printing] example");
    let mut uncommented = text[..start].to_owned();
    for line in text[start..].lines() {
        let l = line.strip_prefix("# ").unwrap_or(line);
        if l.starts_with('[') || l.starts_with("printer") || l.starts_with("server") {
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
}
