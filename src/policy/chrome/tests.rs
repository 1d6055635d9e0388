use super::*;

fn allow_only(entries: &[&str]) -> Import {
    convert(&Lists {
        allow: entries.iter().map(|s| s.to_string()).collect(),
        block: None,
    })
}

/// Every form of the format that guichet can express: the rule it becomes.
#[test]
fn exact_forms() {
    for (entry, rule) in [
        ("example.be", "https://*.example.be"),
        ("Example.BE", "https://*.example.be"),
        (".www.example.be", "https://www.example.be"),
        ("https://example.be", "https://*.example.be"),
        ("http://.plain.example.be", "http://plain.example.be"),
        ("example.be:8443", "https://*.example.be:8443"),
        (
            "https://.www.example.be:8443/fr/",
            "https://www.example.be:8443/fr",
        ),
        ("example.be/fr", "https://*.example.be/fr"),
        (
            ".www.example.be/démarches",
            "https://www.example.be/d%C3%A9marches",
        ),
        ("10.0.0.1", "https://10.0.0.1"),
        ("10.0.0.1:8080/app", "https://10.0.0.1:8080/app"),
        ("[2001:db8::1]:8443", "https://[2001:db8::1]:8443"),
        ("bücher.be", "https://*.xn--bcher-kva.be"),
    ] {
        let import = allow_only(&[entry]);
        assert_eq!(import.unconverted, [], "{entry}");
        assert_eq!(import.rules.len(), 1, "{entry}");
        assert_eq!(import.rules[0].1.to_string(), rule, "{entry}");
    }
}

/// Every form guichet cannot express: reported with its reason, no rule written.
#[test]
fn inexact_forms_are_reported_never_widened() {
    for (entry, reason) in [
        ("*", "every site"),
        ("https://*", "every site"),
        ("file:///home/user/", "scheme `file`"),
        ("ftp://ftp.example.be", "scheme `ftp`"),
        ("chrome://settings", "scheme `chrome`"),
        ("myapp://open", "scheme `myapp`"),
        ("example.be/search?q=x", "query"),
        ("*.example.be", "wildcard inside a host"),
        ("*.example.*", "wildcard inside a host"),
        ("example.*", "wildcard inside a host"),
        ("10.0.0.*", "IP range"),
        ("10.0.0.0/8", "IP range"),
        ("192.168.1.0/24", "IP range"),
        ("be", "public suffix"),
        ("brussels", "public suffix"),
        ("example.be:0", "bad port"),
        ("example.be:http", "bad port"),
        ("example.be/a/../b", "`.` or `..`"),
        ("", "no host"),
    ] {
        let import = allow_only(&[entry]);
        assert_eq!(import.rules, [], "{entry}");
        assert_eq!(import.unconverted.len(), 1, "{entry}");
        let u = &import.unconverted[0];
        assert_eq!((u.list, u.entry.as_str()), (List::Allow, entry));
        assert!(u.reason.contains(reason), "{entry}: {}", u.reason);
    }
}

fn with_block(allow: &[&str], block: &[&str]) -> Import {
    convert(&Lists {
        allow: allow.iter().map(|s| s.to_string()).collect(),
        block: Some(block.iter().map(|s| s.to_string()).collect()),
    })
}

fn kept(import: &Import) -> Vec<&str> {
    import.rules.iter().map(|(e, _)| e.as_str()).collect()
}

fn reported(import: &Import) -> Vec<(List, &str)> {
    import
        .unconverted
        .iter()
        .map(|u| (u.list, u.entry.as_str()))
        .collect()
}

/// (allow, block, entries kept, entries reported)
type BlockCase<'a> = (
    &'a [&'a str],
    &'a [&'a str],
    &'a [&'a str],
    &'a [(List, &'a str)],
);

#[test]
fn blocklist_entries() {
    use List::{Allow, Block};
    let cases: &[BlockCase] = &[
        // The usual kiosk setup: block everything, allow a few: exactly guichet's.
        (&["a.be", ".www.b.be"], &["*"], &["a.be", ".www.b.be"], &[]),
        // A blocked site nothing allows: guichet blocks it anyway.
        (&["a.be"], &["*", "evil.example"], &["a.be"], &[]),
        // A less specific block loses to the allow entry.
        (&[".www.a.be"], &["*", "a.be"], &[".www.a.be"], &[]),
        (&["a.be/fr"], &["*", "a.be"], &["a.be/fr"], &[]),
        // Holes: a subdomain, an exact host, a path, a port, a scheme of the allowed entry.
        (
            &["a.be"],
            &["*", "admin.a.be"],
            &[],
            &[(Block, "admin.a.be"), (Allow, "a.be")],
        ),
        (
            &["a.be"],
            &["*", ".a.be"],
            &[],
            &[(Block, ".a.be"), (Allow, "a.be")],
        ),
        (
            &["a.be"],
            &["*", "a.be/admin"],
            &[],
            &[(Block, "a.be/admin"), (Allow, "a.be")],
        ),
        (
            &["a.be"],
            &["*", "https://a.be:443/x"],
            &[],
            &[(Block, "https://a.be:443/x"), (Allow, "a.be")],
        ),
        // Another scheme or port than the rule's: no hole in it.
        (
            &["a.be"],
            &["*", "http://a.be/admin", "a.be:8443/admin"],
            &["a.be"],
            &[],
        ),
        // The same filter in both lists: the allow entry wins in Chrome.
        (&["a.be"], &["*", "a.be"], &["a.be"], &[]),
        // Only the entry with a hole is left out.
        (
            &["a.be", "b.be"],
            &["*", "b.be/x"],
            &["a.be"],
            &[(Block, "b.be/x"), (Allow, "b.be")],
        ),
        // No `*`: Chrome allows everything else.
        (&["a.be"], &["evil.example"], &["a.be"], &[(Block, "*")]),
        // A blocklist entry guichet cannot read is reported.
        (
            &["a.be"],
            &["*", "a.be:99999"],
            &["a.be"],
            &[(Block, "a.be:99999")],
        ),
    ];
    for (allow, block, want_kept, want_reported) in cases {
        let import = with_block(allow, block);
        assert_eq!(kept(&import), *want_kept, "{allow:?} {block:?}");
        assert_eq!(reported(&import), *want_reported, "{allow:?} {block:?}");
    }
}

#[test]
fn reads_bare_lists_and_policy_files() {
    assert_eq!(
        parse_lists(r#"["a.be", ".b.be"]"#),
        Ok(Lists {
            allow: vec!["a.be".into(), ".b.be".into()],
            block: None
        })
    );
    assert_eq!(
        parse_lists(
            r#"{"URLBlocklist": ["*"], "URLAllowlist": ["a.be"], "HomepageLocation": "x"}"#
        ),
        Ok(Lists {
            allow: vec!["a.be".into()],
            block: Some(vec!["*".into()])
        })
    );
    assert_eq!(
        parse_lists(r#"{"URLWhitelist": ["a.be"], "URLBlacklist": ["*"]}"#).map(|l| l.allow),
        Ok(vec!["a.be".to_string()])
    );
    assert_eq!(parse_lists(r#"{"Other": 1}"#), Err(ImportError::Shape));
    assert_eq!(parse_lists("3"), Err(ImportError::Shape));
    assert_eq!(
        parse_lists(r#"{"URLAllowlist": [1]}"#),
        Err(ImportError::NotStrings("URLAllowlist"))
    );
    assert!(matches!(parse_lists("[a.be"), Err(ImportError::Json(_))));
}

#[test]
fn pack_groups_by_registrable_domain() {
    let import = allow_only(&[".www.a.be", "login.a.be", "http://.b.be", "10.0.0.1", "*"]);
    let toml = to_pack_toml("site", "allow.json", &import);
    let pack: toml::Table = toml.parse().unwrap();
    let services = pack["service"].as_array().unwrap();
    let ids: Vec<&str> = services.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["site-10-0-0-1", "site-a-be", "site-b-be"]);
    assert_eq!(services[1]["start_url"].as_str(), Some("https://www.a.be/"));
    assert_eq!(services[1]["allow"].as_array().unwrap().len(), 2, "{toml}");
    assert!(
        toml.contains("# not converted: URLAllowlist \"*\": "),
        "{toml}"
    );
}
