use std::path::Path;

use serde_json::{json, Value};

use super::*;

/// The shipped example config, checked from disk.
fn example() -> Config {
    Config::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("kiosk-config/guichet.toml"))
        .expect("the example config loads")
}

/// A config with every optional part: local rules over plain http, a start page, a proxy,
/// printing.
fn full() -> Config {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("kiosk-config");
    let text = r#"
[terminal]
name = "Poste 2"
languages = ["nl", "fr"]
start_url = "http://intranet.commune.test/fr"
[policy]
packs = ["be-federal"]
pack_dirs = ["../policies"]
extra = ["http://intranet.commune.test/fr", "*.commune.test"]
allow_http = ["Intranet.Commune.test."]
[downloads]
max_bytes = 1000
max_session_bytes = 5000
max_files = 3
blocked_extensions = ["exe"]
[network]
proxy = "http://proxy.test:3128"
[printing]
printer = "accueil"
"#;
    Config::from_text(&dir.join("guichet.toml"), text).expect("the full config loads")
}

/// A change to a snapshot, as a JSON value.
type Edit = Box<dyn FnOnce(&mut Value)>;

/// `config`'s snapshot as a JSON value, changed by `edit`, read back.
fn edited(config: &Config, edit: impl FnOnce(&mut Value)) -> Result<Config, SnapshotError> {
    let mut v: Value = serde_json::from_str(&config.to_snapshot()).unwrap();
    edit(&mut v);
    Config::from_snapshot(&v.to_string())
}

#[test]
fn a_checked_config_comes_back_as_it_went() {
    for config in [example(), full()] {
        let back = Config::from_snapshot(&config.to_snapshot()).expect("snapshot reads back");
        assert_eq!(back, config);
        // The policy was compiled again and decides the same.
        for url in [
            "https://eservices.minfin.fgov.be/myminfin-web/",
            "http://intranet.commune.test/fr/x",
            "http://intranet.commune.test/french",
            "https://evil.example/",
        ] {
            assert_eq!(
                back.policy.policy.decide(url),
                config.policy.policy.decide(url),
                "{url}"
            );
        }
    }
    let full = full();
    assert!(matches!(
        full.policy
            .policy
            .decide("http://intranet.commune.test/fr/x"),
        Decision::Allow(_)
    ));
}

#[test]
fn a_broken_snapshot_is_refused_with_a_reason() {
    let c = full();
    let cases: Vec<(&str, Edit)> = vec![
        ("unknown field", Box::new(|v| v["extra"] = json!(1))),
        (
            "unknown field in a section",
            Box::new(|v| v["downloads"]["max"] = json!(1)),
        ),
        (
            "missing field",
            Box::new(|v| {
                v["downloads"].as_object_mut().unwrap().remove("max_files");
            }),
        ),
        (
            "a rule that does not parse",
            Box::new(|v| v["policy"]["policy"]["services"][0]["allow"][0] = json!("*.be")),
        ),
        (
            "a URL that does not parse",
            Box::new(|v| v["terminal"]["start_url"] = json!("not a url")),
        ),
        (
            "an unknown language",
            Box::new(|v| v["terminal"]["languages"] = json!(["xx"])),
        ),
    ];
    for (what, edit) in cases {
        let err = edited(&c, edit).expect_err(what);
        assert!(
            matches!(err, SnapshotError::Parse { kind: "data", .. }),
            "{what}: {err}"
        );
    }
    let invalid: Vec<(&str, Edit)> = vec![
        (
            "no language",
            Box::new(|v| v["terminal"]["languages"] = json!([])),
        ),
        (
            "a language twice",
            Box::new(|v| v["terminal"]["languages"] = json!(["fr", "fr"])),
        ),
        (
            "empty name",
            Box::new(|v| v["terminal"]["name"] = json!(" ")),
        ),
        (
            "no file",
            Box::new(|v| v["downloads"]["max_files"] = json!(0)),
        ),
        (
            "session total under one file",
            Box::new(|v| v["downloads"]["max_session_bytes"] = json!(999)),
        ),
        (
            "a huge file",
            Box::new(|v| v["downloads"]["max_bytes"] = json!(u64::MAX)),
        ),
        (
            "an extension with a dot",
            Box::new(|v| v["downloads"]["blocked_extensions"] = json!([".exe"])),
        ),
        (
            "a start page the policy blocks",
            Box::new(|v| v["terminal"]["start_url"] = json!("https://evil.example/")),
        ),
        (
            "a service whose start page its rules block",
            Box::new(|v| {
                v["policy"]["policy"]["services"][0]["start_url"]["nl"] =
                    json!("https://evil.example/")
            }),
        ),
        (
            "no idle timeout",
            Box::new(|v| v["session"]["idle_timeout"] = json!({"secs": 0, "nanos": 0})),
        ),
        (
            "a file proxy",
            Box::new(|v| v["network"]["proxy"] = json!("file:///etc/passwd")),
        ),
    ];
    for (what, edit) in invalid {
        let err = edited(&c, edit).expect_err(what);
        assert!(matches!(err, SnapshotError::Invalid(_)), "{what}: {err}");
    }
}

#[test]
fn garbage_gives_an_error_never_a_panic_and_quotes_nothing() {
    let good = full().to_snapshot();
    let deep = "[".repeat(100_000);
    let huge = " ".repeat(MAX_SNAPSHOT_BYTES as usize + 1);
    for text in [
        "",
        "not json",
        &good[..good.len() / 2],
        "null",
        "{}",
        &deep,
        "\u{0}\u{1}\u{2}",
        &huge,
    ] {
        assert!(Config::from_snapshot(text).is_err(), "{:.40}", text);
    }
    // A value the snapshot holds (a host, a rule) never appears in the error.
    let err = edited(&full(), |v| {
        v["policy"]["policy"]["services"][0]["allow"][0] = json!("secret-host.example/\\x")
    })
    .unwrap_err();
    assert!(!err.to_string().contains("secret-host"), "{err}");
}
