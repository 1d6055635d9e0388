//! The allowlist, case by case: every rule of DESIGN.md ("Policy") and the classic ways to
//! smuggle a blocked site past an allowlist.
//!
//! The policy is the one of `tests/fixtures/config/policy-table/` (fake services, one per kind
//! of rule), loaded through `Config::load` as guichetd loads it:
//!
//! | service      | rules                                   |
//! |--------------|-----------------------------------------|
//! | `allowed`    | `www.allowed.be`, `allowed.be`          |
//! | `sub`        | `*.sub.allowed.be`                      |
//! | `pathed`     | `www.pathed.be/fr`                      |
//! | `ported`     | `www.ported.be:8443`                    |
//! | `iplit`      | `192.0.2.10`, `[2001:db8::1]`           |
//! | `plain`      | `plain.be`, `http://plain.be`           |
//! | `https-only` | `https-only.be`                         |
//! | `buecher`    | `bücher.be`                             |
//! | `shared`     | `*.shared.be`                           |
//! | `shared-www` | `www.shared.be`                         |
//! | `local`      | `[policy] extra = ["www.commune.be"]`   |
//!
//! `allow_http = ["plain.be", "https-only.be"]`.

use std::path::Path;

use guichet::config::Config;
use guichet::policy::{BlockReason, Decision, Policy};

use BlockReason::{InsecureHttp, IpLiteral, NotListed, Scheme, Unparsable, Userinfo};
use Expect::{Allow, Block, Internal};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// Allowed, by this service.
    Allow(&'static str),
    /// guichet's own page or `about:blank`.
    Internal,
    Block(BlockReason),
}

#[rustfmt::skip]
const CASES: &[(&str, Expect)] = &[
    // Exact hosts.
    ("https://www.allowed.be/", Allow("allowed")),
    ("https://allowed.be/", Allow("allowed")),
    ("https://www.allowed.be", Allow("allowed")),
    ("https://www.allowed.be/a/b?q=1#frag", Allow("allowed")),
    ("https://other.allowed.be/", Block(NotListed)),
    ("https://evil.com/", Block(NotListed)),
    ("www.allowed.be", Block(Unparsable)),
    ("//www.allowed.be/", Block(Unparsable)),
    ("", Block(Unparsable)),
    ("https://", Block(Unparsable)),
    // An allowed name inside a blocked one, or after it.
    ("https://allowed.be.evil.com/", Block(NotListed)),
    ("https://www.allowed.be.evil.com/", Block(NotListed)),
    ("https://evilallowed.be/", Block(NotListed)),
    ("https://wwwallowed.be/", Block(NotListed)),
    ("https://evil.com/?https://www.allowed.be", Block(NotListed)),
    ("https://evil.com/#https://www.allowed.be", Block(NotListed)),
    ("https://evil.com/https://www.allowed.be/", Block(NotListed)),
    ("https://evil.com#@www.allowed.be", Block(NotListed)),
    // User info.
    ("https://allowed.be@evil.com/", Block(Userinfo)),
    ("https://www.allowed.be@evil.com/", Block(Userinfo)),
    ("https://user:pw@www.allowed.be/", Block(Userinfo)),
    ("https://user@www.allowed.be/", Block(Userinfo)),
    ("https://:pw@www.allowed.be/", Block(Userinfo)),
    ("https://www.allowed.be%2f@evil.com/", Block(Userinfo)),
    ("https://www.allowed.be:443@evil.com/", Block(Userinfo)),
    // An empty user info is no user info: the parser drops it.
    ("https://@www.allowed.be/", Allow("allowed")),
    // Backslashes are slashes in http(s) URLs, as in every browser.
    ("https:\\\\evil.com", Block(NotListed)),
    ("https:\\\\evil.com\\www.allowed.be", Block(NotListed)),
    ("https://evil.com\\@www.allowed.be", Block(NotListed)),
    ("https://allowed.be\\@evil.com", Allow("allowed")),
    ("https:\\\\www.allowed.be\\x", Allow("allowed")),
    // Missing or extra slashes.
    ("https:evil.com", Block(NotListed)),
    ("https:www.allowed.be", Allow("allowed")),
    ("https:///www.allowed.be", Allow("allowed")),
    // Case and trailing dot.
    ("HTTPS://WWW.ALLOWED.BE/", Allow("allowed")),
    ("https://WwW.AlLoWeD.Be/", Allow("allowed")),
    ("https://www.allowed.be./", Allow("allowed")),
    ("https://www.allowed.be../", Block(NotListed)),
    ("https://.www.allowed.be/", Block(NotListed)),
    // IDNA: Unicode and punycode meet on the same host; look-alikes do not.
    ("https://bücher.be/", Allow("buecher")),
    ("https://BÜCHER.BE/", Allow("buecher")),
    ("https://xn--bcher-kva.be/", Allow("buecher")),
    ("https://XN--BCHER-KVA.BE./", Allow("buecher")),
    ("https://bucher.be/", Block(NotListed)),
    ("https://www.\u{430}llowed.be/", Block(NotListed)), // Cyrillic а
    ("https://www.xn--llowed-6nf.be/", Block(NotListed)),
    ("https://www\u{3002}allowed\u{3002}be/", Allow("allowed")), // ideographic full stops
    ("https://\u{ff57}\u{ff57}\u{ff57}.allowed.be/", Allow("allowed")), // full-width www
    ("https://www.allowed.be\u{3002}evil.com/", Block(NotListed)),
    ("https://www%2eallowed%2ebe/", Allow("allowed")),
    ("https://www.allowed.be%2eevil.com/", Block(NotListed)),
    ("https://www.allowed.be%00.evil.com/", Block(Unparsable)),
    // `*.` rules: the domain and every subdomain, nothing else.
    ("https://sub.allowed.be/", Allow("sub")),
    ("https://a.sub.allowed.be/", Allow("sub")),
    ("https://a.b.c.sub.allowed.be/x", Allow("sub")),
    ("https://A.SUB.ALLOWED.BE./", Allow("sub")),
    ("https://xsub.allowed.be/", Block(NotListed)),
    ("https://sub.allowed.be.evil.com/", Block(NotListed)),
    ("https://a.sub.allowed.be@evil.com/", Block(Userinfo)),
    // The exact host wins over a `*.` parent; the closest parent wins over a farther one.
    ("https://www.shared.be/", Allow("shared-www")),
    ("https://shared.be/", Allow("shared")),
    ("https://api.shared.be/", Allow("shared")),
    ("https://x.www.shared.be/", Allow("shared")),
    // Path prefixes, on segment boundaries, after the parser resolved dot segments.
    ("https://www.pathed.be/fr", Allow("pathed")),
    ("https://www.pathed.be/fr/", Allow("pathed")),
    ("https://www.pathed.be/fr/impots?x=1#y", Allow("pathed")),
    ("https://www.pathed.be/fr/./x", Allow("pathed")),
    ("https://www.pathed.be/x/../fr/ok", Allow("pathed")),
    ("https://www.pathed.be/fr?../../admin", Allow("pathed")),
    ("https://www.pathed.be/french", Block(NotListed)),
    ("https://www.pathed.be/", Block(NotListed)),
    ("https://www.pathed.be", Block(NotListed)),
    ("https://www.pathed.be/nl/", Block(NotListed)),
    ("https://www.pathed.be/FR/", Block(NotListed)),
    ("https://www.pathed.be//fr", Block(NotListed)),
    ("https://www.pathed.be/fr;x", Block(NotListed)),
    ("https://www.pathed.be/fr/../admin", Block(NotListed)),
    ("https://www.pathed.be/fr/%2e%2e/admin", Block(NotListed)),
    ("https://www.pathed.be/fr/%2E%2E/admin", Block(NotListed)),
    ("https://www.pathed.be/fr/.%2e/admin", Block(NotListed)),
    ("https://www.pathed.be/fr\\..\\admin", Block(NotListed)),
    ("https://www.pathed.be/fr/..%2fadmin", Block(NotListed)),
    ("https://www.pathed.be/fr/..%2Fadmin", Block(NotListed)),
    ("https://www.pathed.be/fr/..%5cadmin", Block(NotListed)),
    ("https://www.pathed.be/fr%2f../admin", Block(NotListed)),
    ("https://x.pathed.be/fr", Block(NotListed)),
    // Ports: no port in a rule means the scheme's default port only.
    ("https://www.allowed.be:443/", Allow("allowed")),
    ("https://www.allowed.be:0443/", Allow("allowed")),
    ("https://www.allowed.be:8443/", Block(NotListed)),
    ("https://www.allowed.be:80/", Block(NotListed)),
    ("https://www.allowed.be:99999/", Block(Unparsable)),
    ("https://www.allowed.be:x/", Block(Unparsable)),
    ("https://www.ported.be:8443/", Allow("ported")),
    ("https://www.ported.be:08443/a", Allow("ported")),
    ("https://www.ported.be/", Block(NotListed)),
    ("https://www.ported.be:443/", Block(NotListed)),
    ("https://www.ported.be:8444/", Block(NotListed)),
    // Plain http: the host must be in allow_http AND have an http:// rule. The reason says
    // "unencrypted" only when the https page is approved.
    ("http://evil.com/", Block(NotListed)),
    ("http://192.0.2.10/", Block(InsecureHttp)),
    ("http://www.pathed.be/fr/x", Block(InsecureHttp)),
    ("http://www.pathed.be/de/x", Block(NotListed)),
    ("http://www.allowed.be/", Block(InsecureHttp)),
    ("http://www.allowed.be:443/", Block(InsecureHttp)),
    ("http://www.ported.be:8443/", Block(InsecureHttp)),
    ("http://plain.be/", Allow("plain")),
    ("http://plain.be:80/x", Allow("plain")),
    ("HTTP://PLAIN.BE./", Allow("plain")),
    ("https://plain.be/", Allow("plain")),
    ("http://plain.be:8080/", Block(NotListed)),
    ("http://sub.plain.be/", Block(NotListed)),
    ("http://https-only.be/", Block(NotListed)),
    ("https://https-only.be/", Allow("https-only")),
    ("http://plain.be@evil.com/", Block(Userinfo)),
    // IP literals: allowed only when a rule lists them, whatever their spelling.
    ("https://192.0.2.10/", Allow("iplit")),
    ("https://3221225994/", Allow("iplit")),
    ("https://0xc0.0.2.10/", Allow("iplit")),
    ("https://0300.0.2.10/", Allow("iplit")),
    ("https://0xc000020a/", Allow("iplit")),
    ("https://192.0.2.11/", Block(IpLiteral)),
    ("https://127.0.0.1/", Block(IpLiteral)),
    ("https://2130706433/", Block(IpLiteral)),
    ("https://0x7f.1/", Block(IpLiteral)),
    ("https://0177.0.0.1/", Block(IpLiteral)),
    ("https://0x7f000001/", Block(IpLiteral)),
    ("https://127.1/", Block(IpLiteral)),
    ("http://2130706433/", Block(IpLiteral)),
    ("http://0x7f.1/", Block(IpLiteral)),
    ("http://0177.0.0.1/", Block(IpLiteral)),
    ("https://1.2.3.4.5/", Block(Unparsable)),
    ("https://192.0.2.10.evil.com/", Block(NotListed)),
    ("https://[2001:db8::1]/", Allow("iplit")),
    ("https://[2001:0DB8:0:0:0:0:0:1]:443/", Allow("iplit")),
    ("https://[2001:db8::2]/", Block(IpLiteral)),
    ("https://[::1]/", Block(IpLiteral)),
    ("https://[::ffff:127.0.0.1]/", Block(IpLiteral)),
    ("https://[::ffff:192.0.2.10]/", Block(IpLiteral)),
    ("http://[::1]/", Block(IpLiteral)),
    ("https://[::1/", Block(Unparsable)),
    // Schemes other than http(s), guichet: and about:blank.
    ("javascript:alert(1)", Block(Scheme)),
    ("JavaScript:alert(1)", Block(Scheme)),
    (" javascript:alert(1)", Block(Scheme)),
    ("java\tscript:alert(1)", Block(Scheme)),
    ("javascript://www.allowed.be/%0aalert(1)", Block(Scheme)),
    ("data:text/html,<script>alert(1)</script>", Block(Scheme)),
    ("data:text/html;base64,PHNjcmlwdD4=", Block(Scheme)),
    ("file:///etc/passwd", Block(Scheme)),
    ("file://www.allowed.be/etc/passwd", Block(Scheme)),
    ("view-source:https://www.allowed.be/", Block(Scheme)),
    ("ftp://www.allowed.be/", Block(Scheme)),
    ("chrome://settings", Block(Scheme)),
    ("mailto:someone@www.allowed.be", Block(Scheme)),
    ("ws://www.allowed.be/", Block(Scheme)),
    ("wss://www.allowed.be/", Block(Scheme)),
    ("webkit-pdfjs-viewer://pdfjs/web/viewer.html", Block(Scheme)),
    // blob: is decided on the origin that made it.
    ("blob:https://www.allowed.be/5f2a0c6e-1b7d-4c7e-9f3a-2b6f7d1e0a11", Allow("allowed")),
    ("blob:https://a.sub.allowed.be/uuid", Allow("sub")),
    ("blob:https://evil.com/uuid", Block(NotListed)),
    // The origin of a blob has no path: a path-prefix service's blobs are its own.
    ("blob:https://www.pathed.be/uuid", Allow("pathed")),
    ("blob:https://www.ported.be:8443/uuid", Allow("ported")),
    ("blob:https://www.ported.be/uuid", Block(NotListed)),
    ("blob:https://192.0.2.10/uuid", Allow("iplit")),
    ("blob:https://127.0.0.1/uuid", Block(IpLiteral)),
    ("blob:http://plain.be/uuid", Allow("plain")),
    ("blob:https://evil.com/x?https://www.allowed.be/", Block(NotListed)),
    ("blob:https://www.allowed.be@evil.com/uuid", Block(Userinfo)),
    ("blob:http://www.allowed.be/uuid", Block(InsecureHttp)),
    ("blob:null/uuid", Block(Scheme)),
    ("blob:blob:https://www.allowed.be/uuid", Block(Scheme)),
    ("blob:guichet://welcome", Block(Scheme)),
    // guichet's own pages and about:blank.
    ("about:blank", Internal),
    ("about:blank#top", Internal),
    ("about:blank?x", Block(Scheme)),
    ("about:config", Block(Scheme)),
    ("about:srcdoc", Block(Scheme)),
    ("guichet://welcome", Internal),
    ("guichet://blocked?reason=not_listed", Internal),
    ("GUICHET://welcome", Internal),
    // Whitespace: the parser strips C0 controls and spaces at both ends and drops tabs and
    // newlines anywhere, as browsers do; spaces inside a host make it unparsable.
    ("  https://www.allowed.be/  ", Allow("allowed")),
    ("\n https://www.allowed.be/\t", Allow("allowed")),
    ("\u{0}\u{1f}https://www.allowed.be/", Allow("allowed")),
    ("https://www.allo\twed.be/", Allow("allowed")),
    ("ht\ntps://www.allowed.be/", Allow("allowed")),
    ("https://www.allowed.be\n.evil.com/", Block(NotListed)),
    ("https://evil\r\n.com/", Block(NotListed)),
    ("https://www.allowed.be\r\n@evil.com/", Block(Userinfo)),
    ("https://www.allowed.be /", Block(Unparsable)),
    ("https://www.allowed.be%20.evil.com/", Block(Unparsable)),
    // Local rules from [policy] extra.
    ("https://www.commune.be/", Allow("local")),
    ("https://commune.be/", Block(NotListed)),
];

fn policy() -> Policy {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/config/policy-table/guichet.toml");
    Config::load(&path)
        .unwrap_or_else(|e| panic!("{e}"))
        .policy
        .policy
}

fn actual(decision: &Decision) -> Expect {
    match decision {
        Decision::Allow(a) => Allow(Box::leak(a.service.clone().into_boxed_str())),
        Decision::Internal => Internal,
        Decision::Block(r) => Block(*r),
    }
}

#[test]
fn every_case_gets_the_expected_decision() {
    let policy = policy();
    let failures: Vec<String> = CASES
        .iter()
        .filter_map(|&(url, expected)| {
            let got = actual(&policy.decide(url));
            (got != expected).then(|| format!("{url:?}: expected {expected:?}, got {got:?}"))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}

#[test]
fn table_is_large_enough_and_has_no_duplicates() {
    assert!(CASES.len() >= 80, "{} cases", CASES.len());
    let mut urls: Vec<&str> = CASES.iter().map(|c| c.0).collect();
    urls.sort_unstable();
    let before = urls.len();
    urls.dedup();
    assert_eq!(before, urls.len(), "a URL is listed twice");
}

#[test]
fn an_allow_names_the_pack_category_and_rule() {
    let policy = policy();
    let Decision::Allow(a) = policy.decide("https://a.sub.allowed.be/x") else {
        panic!("not allowed");
    };
    assert_eq!(
        (a.service.as_str(), a.pack.as_str(), a.category.as_str()),
        ("sub", "fake", "taxes")
    );
    assert_eq!(a.rule, "https://*.sub.allowed.be");
    let Decision::Allow(a) = policy.decide("https://www.commune.be/") else {
        panic!("not allowed");
    };
    assert_eq!((a.service.as_str(), a.pack.as_str()), ("local", "local"));
}

#[test]
fn decisions_print_as_guichetctl_shows_them() {
    let policy = policy();
    assert_eq!(
        policy.decide("https://www.ported.be:8443/").to_string(),
        "allow ported (fake, rule https://www.ported.be:8443)"
    );
    assert_eq!(
        policy.decide("https://www.pathed.be/fr/x").to_string(),
        "allow pathed (fake, rule https://www.pathed.be/fr)"
    );
    assert_eq!(
        policy.decide("https://[2001:db8::1]/").to_string(),
        "allow iplit (fake, rule https://[2001:db8::1])"
    );
    assert_eq!(
        policy.decide("https://allowed.be@evil.com/").to_string(),
        "block: address with a user name or password"
    );
}

/// The decision for a URL and for the URL the parser makes of it are the same: the engine
/// decides on what the browser will load, not on how the link was spelled.
#[test]
fn decision_does_not_depend_on_spelling() {
    let policy = policy();
    for &(text, _) in CASES {
        if let Ok(url) = url::Url::parse(text) {
            assert_eq!(policy.decide(text), policy.decide(url.as_str()), "{text:?}");
        }
    }
}
