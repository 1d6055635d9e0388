//! The shipped packs (`policies/*.toml`), held to what a site relies on: each parses and
//! checks; service ids are unique across packs; every service has its four names and a known
//! category; every start URL (each language) and logout URL is reachable through the
//! service's own rules, and with every pack on still counts as that service; no URL is claimed
//! by services of two packs with rules of equal weight (the order of `[policy] packs` never
//! picks the service); no rule or resource covers a whole public suffix (the Public Suffix
//! List, through `psl`); there are enough of them; and the example config, which enables the
//! packs a Brussels EPN uses, allows every start URL of the packs it enables.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use guichet::config::Config;
use guichet::policy::{is_public_suffix, Decision, Pack, Policy, Service};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every pack file shipped in `policies/`, by id.
fn shipped_ids() -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir(root().join("policies"))
        .unwrap()
        .filter_map(|e| {
            let p: PathBuf = e.unwrap().path();
            (p.extension()? == "toml").then(|| p.file_stem()?.to_str().map(str::to_owned))?
        })
        .collect();
    ids.sort();
    ids
}

/// Loads every shipped pack at once, as a site enabling all of them would.
fn all_packs() -> Vec<Pack> {
    let ids: Vec<String> = shipped_ids().iter().map(|id| format!("{id:?}")).collect();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("guichet.toml");
    let text = format!(
        "[terminal]\nname = \"t\"\n[policy]\npacks = [{}]\npack_dirs = [{:?}]\n[stats]\nenabled = false\n",
        ids.join(", "),
        root().join("policies").display().to_string()
    );
    match Config::from_text(&path, &text) {
        Ok(c) => c.policy.packs,
        Err(e) => panic!("the shipped packs do not load together:\n{e}"),
    }
}

#[test]
fn every_shipped_pack_parses_and_ids_are_unique_across_packs() {
    let packs = all_packs();
    assert_eq!(packs.len(), shipped_ids().len());
    let mut owner: HashMap<&str, &str> = HashMap::new();
    for p in &packs {
        for s in &p.services {
            if let Some(other) = owner.insert(&s.id, &p.id) {
                panic!("service {} is in {} and {}", s.id, other, p.id);
            }
        }
    }
}

#[test]
fn there_are_enough_packs_and_services() {
    let packs = all_packs();
    let services: usize = packs.iter().map(|p| p.services.len()).sum();
    assert!(packs.len() >= 7, "{} packs", packs.len());
    assert!(services >= 45, "{services} services");
}

#[test]
fn every_service_has_four_names_and_a_known_category() {
    for p in all_packs() {
        for s in &p.services {
            for (lang, name) in [
                ("fr", &s.names.fr),
                ("nl", &s.names.nl),
                ("de", &s.names.de),
                ("en", &s.names.en),
            ] {
                assert!(!name.trim().is_empty(), "{}: no {lang} name", s.id);
                assert!(name.chars().count() <= 45, "{}: {lang} name too long", s.id);
            }
            // The category is typed: a pack with an unknown one does not load. Name it anyway
            // so a new variant shows up here.
            assert!(!s.category.as_str().is_empty());
        }
    }
}

/// A service's own URLs: its start URL in each language (named by the language's code) and its
/// logout URL (named "logout").
fn own_urls(s: &Service) -> impl Iterator<Item = (&'static str, &url::Url)> {
    s.start_url
        .all()
        .into_iter()
        .map(|(l, u)| (l.code(), u))
        .chain(s.logout_url.iter().map(|u| ("logout", u)))
}

#[test]
fn every_start_and_logout_url_is_allowed_by_its_own_service() {
    for p in all_packs() {
        for s in &p.services {
            let own = Policy::new(vec![s.clone()], &[]);
            for (what, url) in own_urls(s) {
                let d = own.decide_url(url);
                assert!(
                    matches!(&d, Decision::Allow(a) if a.service == s.id),
                    "{} ({what}) {url}: {d}",
                    s.id
                );
                assert_eq!(url.scheme(), "https", "{} ({what})", s.id);
            }
        }
    }
}

/// With every pack on, each start URL (every language) and logout URL counts as its own
/// service: the page is counted, and logged out at the end, as the service the person chose.
#[test]
fn with_every_pack_enabled_each_start_and_logout_url_counts_as_its_own_service() {
    let services: Vec<_> = all_packs().into_iter().flat_map(|p| p.services).collect();
    let policy = Policy::new(services, &[]);
    let mut wrong = Vec::new();
    for s in policy.services() {
        for (what, url) in own_urls(s) {
            let d = policy.decide_url(url);
            if !matches!(&d, Decision::Allow(a) if a.service == s.id) {
                wrong.push(format!("{} ({what}) {url}: {d}", s.id));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// No URL is claimed by services of two packs with rules of equal weight, where only the order
/// of the packs in `[policy] packs` would pick the service (and so the logout URL visited at
/// the end and the service counted). The engine picks the rule of the closest host, then the
/// longest path prefix: a path-prefix rule wins over a whole-host rule of the same host, so a
/// service may own a part of another's host. A tie is two rules of the same host and path (one
/// may be `*.`): it shows at that rule's own URL, where no other rule can be closer or longer,
/// so deciding each rule's URL (and each start and logout URL) with the packs in both orders
/// finds every tie between packs. Within one pack, its own order picks (a pack lists a shared
/// host in several services on purpose: the login hosts, `www.socialsecurity.be`), and the
/// test above holds each service's own pages to it.
#[test]
fn no_url_is_claimed_by_two_packs_whatever_their_order() {
    let packs = all_packs();
    let services: Vec<_> = packs.iter().flat_map(|p| p.services.clone()).collect();
    let forward = Policy::new(services.clone(), &[]);
    let backward = Policy::new(
        packs
            .iter()
            .rev()
            .flat_map(|p| p.services.clone())
            .collect(),
        &[],
    );
    let mut probes: Vec<(String, url::Url)> = Vec::new();
    for s in &services {
        for (what, u) in own_urls(s) {
            probes.push((format!("{} {what}", s.id), u.clone()));
        }
        for r in &s.allow {
            let at = |host: &str| {
                let text = format!("{}://{host}:{}{}/", r.scheme.as_str(), r.port, r.path);
                (
                    format!("{} rule {r}", s.id),
                    url::Url::parse(&text).unwrap(),
                )
            };
            probes.push(at(&r.host));
            if r.subdomains {
                probes.push(at(&format!("guichet-probe.{}", r.host)));
            }
        }
    }
    let mut ties = Vec::new();
    for (what, url) in &probes {
        let (a, b) = (forward.decide_url(url), backward.decide_url(url));
        if a != b {
            ties.push(format!("{what}: {url} is {a}, or {b} in the other order"));
        }
    }
    assert!(probes.len() > 100, "{} probes", probes.len());
    assert!(ties.is_empty(), "{}", ties.join("\n"));
}

#[test]
fn no_rule_covers_a_whole_public_suffix_or_a_government_domain() {
    // The check itself, against the list: these are public suffixes.
    for suffix in ["be", "brussels", "gent", "co.uk", "cloudfront.net"] {
        assert!(is_public_suffix(suffix), "{suffix}");
    }
    for registrable in ["belgium.be", "itsme.services", "prd.itsme.services"] {
        assert!(!is_public_suffix(registrable), "{registrable}");
    }
    for p in all_packs() {
        for s in &p.services {
            for r in s.allow.iter().chain(&s.resources) {
                assert!(
                    !(r.subdomains && is_public_suffix(&r.host)),
                    "{}: {r} covers a public suffix",
                    s.id
                );
                assert!(
                    !is_public_suffix(&r.host),
                    "{}: {r} is a public suffix",
                    s.id
                );
                // Not public suffixes (one government registers everything below them), but
                // as wide: a shipped pack names the hosts of a service, never a whole
                // government's domain.
                assert!(
                    !(r.subdomains && UMBRELLA_DOMAINS.contains(&r.host.as_str())),
                    "{}: {r} covers a whole government domain",
                    s.id
                );
            }
        }
    }
}

const UMBRELLA_DOMAINS: &[&str] = &[
    "belgium.be",
    "belgie.be",
    "belgique.be",
    "fgov.be",
    "vlaanderen.be",
    "wallonie.be",
    "irisnet.be",
    "ostbelgien.be",
];

#[test]
fn no_test_or_acceptance_host_is_shipped() {
    for p in all_packs() {
        for s in &p.services {
            for r in s.allow.iter().chain(&s.resources) {
                let h = r.host.as_str();
                assert!(
                    !h.ends_with(".int.belgium.be")
                        && !h.contains("-acc.")
                        && !h.contains(".e2e.")
                        && !h.contains(".uat."),
                    "{}: {r}",
                    s.id
                );
            }
        }
    }
}

#[test]
fn the_example_config_enables_the_packs_of_a_brussels_epn_and_allows_every_start_url() {
    let config = Config::load(&root().join("kiosk-config/guichet.toml")).unwrap();
    let ids: Vec<&str> = config.policy.packs.iter().map(|p| p.id.as_str()).collect();
    for id in [
        "be-login",
        "be-federal",
        "be-brussels",
        "be-health",
        "be-mobility",
    ] {
        assert!(ids.contains(&id), "{id} is not enabled: {ids:?}");
    }
    assert!(!ids.contains(&"be-essentials"), "be-essentials is off");
    assert!(config.policy.missing_packs().is_empty());
    let policy = &config.policy.policy;
    let mut wrong = Vec::new();
    for s in policy.services() {
        for (lang, url) in s.start_url.all() {
            let d = policy.decide_url(url);
            // Allowed, and counted (and logged out) as this service, not a neighbour.
            if !matches!(&d, Decision::Allow(a) if a.service == s.id) {
                wrong.push(format!("{} ({}) {url}: {d}", s.id, lang.code()));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
