//! Arbitrary text as a URL, decided by the example config's policy and by the policy of the
//! table-test fixture (paths, ports, IP literals, plain http, IDNA). Besides "never panic",
//! it checks what an allow promises:
//!
//! - the URL parses, with an http(s) scheme (or is a `blob:` of such a URL), a host and no
//!   user info;
//! - deciding the parsed URL's own text gives the same answer (the decision does not depend on
//!   how the URL was spelled);
//! - the matching rule's host is the URL's host or a parent domain of it;
//! - plain http is allowed only for a host of `allow_http`.
#![no_main]

use std::path::Path;
use std::sync::LazyLock;

use guichet::config::Config;
use guichet::policy::{Decision, Policy};
use libfuzzer_sys::fuzz_target;

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../kiosk-config/guichet.toml");
const TABLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/fixtures/config/policy-table/guichet.toml"
);

static POLICIES: LazyLock<Vec<Policy>> = LazyLock::new(|| {
    [EXAMPLE, TABLE]
        .iter()
        .map(|p| {
            Config::load(Path::new(p))
                .unwrap_or_else(|e| panic!("{p}: {e}"))
                .policy
                .policy
        })
        .collect()
});

const ALLOW_HTTP: &[&str] = &["plain.be", "https-only.be"];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for policy in POLICIES.iter() {
        let decision = policy.decide(text);
        let Decision::Allow(allow) = &decision else {
            continue;
        };
        let parsed = url::Url::parse(text).expect("an allowed URL parses");
        let url = if parsed.scheme() == "blob" {
            url::Url::parse(parsed.path()).expect("an allowed blob holds a URL")
        } else {
            parsed.clone()
        };
        assert!(matches!(url.scheme(), "http" | "https"), "{text:?}");
        assert!(
            url.username().is_empty() && url.password().is_none(),
            "{text:?}"
        );
        let host = url.host_str().expect("an allowed URL has a host");
        let host = host.strip_suffix('.').unwrap_or(host);
        assert_eq!(policy.decide(parsed.as_str()), decision, "{text:?}");

        let rule = allow.rule.split_once("://").expect("rule has a scheme").1;
        let (wildcard, rule) = match rule.strip_prefix("*.") {
            Some(r) => (true, r),
            None => (false, rule),
        };
        // IPv6 rules contain ':' inside brackets; compare those up to the bracket.
        let rule_host = match rule.find(']') {
            Some(end) => &rule[..=end],
            None => rule.split(['/', ':']).next().unwrap_or_default(),
        };
        assert!(
            host == rule_host || (wildcard && host.ends_with(&format!(".{rule_host}"))),
            "{text:?} allowed by {}",
            allow.rule
        );
        if url.scheme() == "http" {
            assert!(ALLOW_HTTP.contains(&host), "{text:?}");
        }
    }
});
