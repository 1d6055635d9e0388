//! Policy decisions per second: `cargo bench --no-default-features --bench policy`.
//!
//! - `shipped`: the example config's packs on a realistic mix of allowed and blocked URLs
//!   (login redirects, subdomains, a CDN, trackers, `javascript:`, an IP literal…).
//! - `synthetic_10k`: 10 000 rules (exact hosts, `*.` domains, path prefixes) over 1 000
//!   services, built through the public API; the URLs hit exact hosts, deep subdomains, path
//!   prefixes, and miss.
//!
//! Each iteration decides the whole list; criterion's throughput line gives decisions per
//! second, and time / list length gives the cost of one decision. The engine looks rules up by
//! host, so the second figure should stay close to the first (target: < 1 µs per decision).

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use guichet::config::Config;
use guichet::lang::Localized;
use guichet::policy::{Category, Policy, Rule, Service};

const SHIPPED_URLS: &[&str] = &[
    "https://www.belgium.be/fr",
    "https://www.belgium.be/nl/werk/sociale_zekerheid?x=1",
    "https://eservices.minfin.fgov.be/myminfin-web/pages/public/fiscal/taxonweb",
    "https://idp.iamfas.belgium.be/fas/oauth2/authorize?client_id=x&state=y",
    "https://www.csam.be/fr/",
    "https://www.mypension.be/fr/dossier",
    "https://services.socialsecurity.be/portal/fr",
    "https://www.onem.be/fr/documentation/feuille-info/t1",
    "https://fonts.googleapis.com/css2?family=Roboto",
    "https://www.google-analytics.com/collect",
    "https://www.belgium.be@evil.example/",
    "http://www.belgium.be/",
    "https://2130706433/",
    "javascript:alert(1)",
    "about:blank",
    "https://www.youtube.com/watch?v=x",
];

fn shipped(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("kiosk-config/guichet.toml");
    let policy = Config::load(&path).expect("example config").policy.policy;
    let mut g = c.benchmark_group("shipped");
    g.throughput(Throughput::Elements(SHIPPED_URLS.len() as u64));
    g.bench_function(format!("{}_urls", SHIPPED_URLS.len()), |b| {
        b.iter(|| {
            for url in SHIPPED_URLS {
                black_box(policy.decide(black_box(url)));
            }
        })
    });
    g.finish();
}

const SERVICES: usize = 1_000;
const RULES_PER_SERVICE: usize = 10;

/// Rule `j` of service `i`: mostly exact hosts, some `*.` domains, some path prefixes.
fn synthetic_rule(i: usize, j: usize) -> String {
    match j % 5 {
        0 | 1 => format!("www{j}.service{i}.be"),
        2 => format!("*.zone{j}.service{i}.be"),
        3 => format!("portal.service{i}.be/p{j}"),
        _ => format!("api{j}.service{i}.fgov.be:8443"),
    }
}

fn synthetic_policy() -> Policy {
    let services = (0..SERVICES)
        .map(|i| Service {
            id: format!("service{i}"),
            pack: "synthetic".to_owned(),
            names: Localized::same("s"),
            category: Category::Administration,
            start_url: guichet::policy::StartUrls::same(
                url::Url::parse(&format!("https://www0.service{i}.be/")).unwrap(),
            ),
            resources: vec![],
            allow: (0..RULES_PER_SERVICE)
                .map(|j| Rule::parse(&synthetic_rule(i, j)).unwrap())
                .collect(),
            logout_url: None,
            permissions: Vec::new(),
        })
        .collect();
    Policy::new(services, &[])
}

fn synthetic_urls() -> Vec<String> {
    let mut urls = Vec::new();
    for i in (0..SERVICES).step_by(97) {
        urls.extend([
            format!("https://www1.service{i}.be/fr/demarche?id=3"),
            format!("https://a.b.c.zone7.service{i}.be/x"),
            format!("https://portal.service{i}.be/p8/form"),
            format!("https://portal.service{i}.be/p80"),
            format!("https://api9.service{i}.fgov.be:8443/v1"),
            format!("https://www1.service{i}.be.evil.example/"),
            format!("https://deep.sub.domain.of.unknown{i}.example/"),
            format!("http://www1.service{i}.be/"),
        ]);
    }
    urls
}

fn synthetic(c: &mut Criterion) {
    let policy = synthetic_policy();
    assert_eq!(policy.rule_count(), SERVICES * RULES_PER_SERVICE);
    let urls = synthetic_urls();
    let allowed = urls
        .iter()
        .filter(|u| matches!(policy.decide(u), guichet::policy::Decision::Allow(_)))
        .count();
    assert!(allowed > 0 && allowed < urls.len());
    let mut g = c.benchmark_group("synthetic_10k");
    g.throughput(Throughput::Elements(urls.len() as u64));
    g.bench_function(format!("{}_urls_{}_allowed", urls.len(), allowed), |b| {
        b.iter(|| {
            for url in &urls {
                black_box(policy.decide(black_box(url)));
            }
        })
    });
    g.finish();
}

/// The floor under both figures: parsing the same URLs with the `url` crate, nothing else.
fn parse_only(c: &mut Criterion) {
    let urls = synthetic_urls();
    let mut g = c.benchmark_group("url_parse_only");
    g.throughput(Throughput::Elements(urls.len() as u64));
    g.bench_function(format!("{}_synthetic_urls", urls.len()), |b| {
        b.iter(|| {
            for url in &urls {
                let _ = black_box(url::Url::parse(black_box(url)));
            }
        })
    });
    g.finish();
}

criterion_group!(benches, shipped, synthetic, parse_only);
criterion_main!(benches);
