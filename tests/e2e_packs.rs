//! The shipped packs, walked with the real view through the recording proxy.
//!
//! The proxy has no TLS, so each shipped pack is played over plain http
//! ([`support::config::shipped_over_http`]): the same hosts and paths, every rule and URL
//! turned from https into http, and those hosts in `[policy] allow_http`.
//!
//! - A procedure walk for every service of every pack that `requires` be-login: its start
//!   page redirects to the login (the federal FAS, or Flanders' own login for be-flanders),
//!   which sends the person back to the service. With be-login enabled every hop is allowed
//!   and the page on the way back is the service's; without it, the redirect to the login is
//!   blocked with guichet's blocked page, and `guichetctl check-config` warns.
//! - Sub-resources under `subresources = "policy"`: a page of each service that lists
//!   `resources` loads from each of them, and an undeclared tracker never leaves the view.
//! - A service with a start page per language opens the Dutch one for a person who chose
//!   Dutch on the welcome screen.
//!
//! One view runs the walks of a test one after the other.

mod support;

use std::process::Command;

use guichet::config::Config;
use guichet::lang::Lang;
use guichet::policy::BlockReason;
use guichet::protocol::view::FromView;
use support::config::{own_pack, policies_dir, service_toml};
use support::{e2e_lock, PackChoice, Reply, TestConfig, View, World};

/// The federal login, and Flanders' own (which hands over to the federal one).
const FAS: &str = "idp.iamfas.belgium.be";
const FLANDERS_LOGIN: &str = "authenticatie.vlaanderen.be";
/// The content view on the 1280×800 screen, below the toolbar, and the blocked page's colour.
const CONTENT_AREA: (u32, u32, u32, u32) = (0, 100, 1280, 700);
const BLOCKED_BG: &str = "FFF4CC";

/// The ids of the shipped packs (`policies/`) for which `pred` holds of the pack's TOML.
fn shipped_packs_where(pred: impl Fn(&toml::Table) -> bool) -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir(policies_dir())
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "toml"))
        .map(|e| toml::from_str(&std::fs::read_to_string(e.path()).unwrap()).unwrap())
        .filter(|pack: &toml::Table| pred(pack))
        .map(|pack| pack["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort_unstable();
    ids
}

/// The shipped packs that declare `requires = ["be-login"]`.
fn packs_requiring_login() -> Vec<String> {
    let ids = shipped_packs_where(|pack| {
        pack.get("requires")
            .and_then(|r| r.as_array())
            .is_some_and(|r| r.iter().any(|r| r.as_str() == Some("be-login")))
    });
    assert!(ids.len() >= 4, "packs requiring be-login: {ids:?}");
    ids
}

/// The shipped packs with a service that lists `resources`.
fn packs_with_resources() -> Vec<String> {
    shipped_packs_where(|pack| {
        pack.get("service")
            .and_then(|s| s.as_array())
            .into_iter()
            .flatten()
            .any(|s| {
                s.get("resources")
                    .and_then(|r| r.as_array())
                    .is_some_and(|r| !r.is_empty())
            })
    })
}

/// One walk: a service's start page, through the login and back.
struct Walk {
    pack: String,
    service: String,
    start: url::Url,
    login: &'static str,
}

impl Walk {
    fn host(&self) -> &str {
        self.start.host_str().unwrap()
    }

    /// Where the login sends the person back: under the start page's path, so a service
    /// defined by a path prefix keeps it.
    fn back(&self) -> String {
        format!(
            "{}/guichet-walk-back",
            self.start.path().trim_end_matches('/')
        )
    }
}

/// The walks of `config`'s packs among `packs`: every service (`all`), or the first of each
/// pack, each start page once (two services may start at the same page).
fn walks(config: &std::path::Path, packs: &[String], all: bool) -> Vec<Walk> {
    let config = Config::load(config).unwrap();
    let mut walks: Vec<Walk> = Vec::new();
    for pack in config.policy.packs.iter().filter(|p| packs.contains(&p.id)) {
        let services = if all {
            &pack.services[..]
        } else {
            &pack.services[..1]
        };
        for s in services {
            let start = s.start_url.get(Lang::Fr).clone();
            if walks
                .iter()
                .any(|w| w.host() == start.host_str().unwrap() && w.start.path() == start.path())
            {
                continue;
            }
            walks.push(Walk {
                pack: pack.id.clone(),
                service: s.id.clone(),
                start,
                login: if pack.id == "be-flanders" {
                    FLANDERS_LOGIN
                } else {
                    FAS
                },
            });
        }
    }
    walks
}

/// Routes walk `i`: its start page redirects to the login, which sends the person back to
/// a page of the service that goes on to `next`.
fn route_walk(world: &World, i: usize, w: &Walk, next: Option<&Walk>) {
    let login = format!("/fas/walk{i}/authorize");
    world.proxy.route(
        w.host(),
        w.start.path(),
        Reply::redirect(&format!("http://{}{login}?client={i}", w.login)),
    );
    world.proxy.route(
        w.login,
        &login,
        Reply::redirect(&format!("http://{}{}?code={i}", w.host(), w.back())),
    );
    let go = next
        .map(|n| format!("<script>location.href = {:?};</script>", n.start.as_str()))
        .unwrap_or_default();
    world.proxy.route(
        w.host(),
        &w.back(),
        Reply::html(format!(
            "<!doctype html><h1>Back at {} after the login</h1>{go}",
            w.service
        )),
    );
}

fn check_config(world: &World) -> (bool, String) {
    let out = Command::new(support::daemon::guichetctl())
        .arg("check-config")
        .arg("--config")
        .arg(&world.config)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn shipped(ids: &[String]) -> Vec<PackChoice> {
    ids.iter().cloned().map(PackChoice::Shipped).collect()
}

#[test]
fn with_be_login_every_procedure_walk_reaches_the_login_and_comes_back() {
    let _g = e2e_lock();
    let t0 = std::time::Instant::now();
    let requiring = packs_requiring_login();
    let mut packs = vec!["be-login".to_owned()];
    packs.extend(requiring.iter().cloned());
    // The start page is set once the walks are known (from the config's own packs).
    let mut config = TestConfig {
        packs: shipped(&packs),
        extra: Vec::new(),
        allow_http: vec![FAS.into(), FLANDERS_LOGIN.into()],
        ..TestConfig::default()
    };
    let world = World::new(config.clone());
    let walks = walks(&world.config, &requiring, true);
    config.start_url = Some(walks[0].start.to_string());
    config.write(world.tmp.path(), &world.proxy);
    let (ok, warnings) = check_config(&world);
    assert!(ok && warnings.is_empty(), "check-config: {warnings}");
    for (i, w) in walks.iter().enumerate() {
        route_walk(&world, i, w, walks.get(i + 1));
    }
    let mut view = world.started_view();
    for (i, w) in walks.iter().enumerate() {
        // The page on the way back is committed, as the service's.
        let what = format!("{} ({}) back from the login", w.service, w.pack);
        let m = view.expect(
            &what,
            |m| matches!(m, FromView::Navigated { host, .. } if host.as_str() == w.host()),
        );
        let FromView::Navigated { service, .. } = m else {
            unreachable!()
        };
        assert_eq!(
            service.as_str(),
            w.service,
            "{what}: the page was reported as {service}"
        );
        world
            .proxy
            .wait_for(&format!("walk {i} at the login"), |s| {
                s.host == w.login && s.path.starts_with(&format!("/fas/walk{i}/"))
            });
        world.proxy.wait_path(w.host(), &w.back());
    }
    assert!(
        !view
            .received()
            .iter()
            .any(|m| matches!(m, FromView::Blocked { .. })),
        "a hop was blocked: {:?}",
        view.received()
    );
    eprintln!(
        "{} walks over {} packs in {:?}",
        walks.len(),
        requiring.len(),
        t0.elapsed()
    );
}

/// The hub: the first service of the config, so the first link of the blocked page.
const HUB: &str = "hub.walk.test";

#[test]
fn without_be_login_the_login_redirect_is_blocked_and_check_config_warns() {
    let _g = e2e_lock();
    let requiring = packs_requiring_login();
    let hub = own_pack(
        "walk-hub",
        &[service_toml(
            "hub",
            &format!("\"http://{HUB}/\""),
            &[&format!("http://{HUB}")],
            None,
        )],
    );
    let mut packs = vec![PackChoice::Own("walk-hub", hub)];
    packs.extend(shipped(&requiring));
    let world = World::new(TestConfig {
        packs,
        extra: Vec::new(),
        allow_http: vec![HUB.into(), FAS.into(), FLANDERS_LOGIN.into()],
        start_url: Some(format!("http://{HUB}/")),
        ..TestConfig::default()
    });
    let (ok, warnings) = check_config(&world);
    assert!(ok, "check-config failed: {warnings}");
    for pack in &requiring {
        assert!(
            warnings.contains(&format!("pack \"{pack}\" requires pack \"be-login\"")),
            "no warning for {pack}: {warnings}"
        );
    }
    let walks = walks(&world.config, &requiring, false);
    assert_eq!(walks.len(), requiring.len());
    let mut view: Option<View> = None;
    for (i, w) in walks.iter().enumerate() {
        route_walk(&world, i, w, None);
        world.proxy.route(
            HUB,
            "/",
            Reply::html(format!(
                "<!doctype html><script>location.href = {:?};</script>",
                w.start.as_str()
            )),
        );
        match view.as_mut() {
            None => view = Some(world.started_view()),
            // On the blocked page of the walk before: its first service is the hub, after the
            // skip link, Back, All services and Call the helper (a click on the page's margin
            // gives it the keyboard; Tab ×5 reaches the link, Enter follows it).
            Some(_) => {
                world.xvfb.click(40, 400, 1);
                world
                    .xvfb
                    .xdotool(&["key", "Tab", "Tab", "Tab", "Tab", "Tab", "Return"]);
            }
        }
        let view = view.as_mut().unwrap();
        world.proxy.wait_path(w.host(), w.start.path());
        let m = view.expect(&format!("{} blocked", w.pack), |m| {
            matches!(m, FromView::Blocked { .. })
        });
        assert_eq!(
            m,
            FromView::Blocked {
                host: guichet::loggable::LoggableHost::of(
                    &url::Url::parse(&format!("http://{}/", w.login)).unwrap()
                ),
                reason: BlockReason::NotListed,
            },
            "{}",
            w.pack
        );
        world.xvfb.screenshot_showing(
            &format!("packs-blocked-{}", w.pack),
            CONTENT_AREA,
            BLOCKED_BG,
        );
    }
    // The later walks' requests came after each block: the login was never asked.
    assert!(!world.proxy.saw_host(FAS) && !world.proxy.saw_host(FLANDERS_LOGIN));
    assert!(
        !world
            .proxy
            .seen()
            .iter()
            .any(|s| s.path.contains("guichet-walk-back")),
        "a walk came back without its login"
    );
}

/// A host nobody declared, as a page's tracker would use.
const TRACKER: &str = "www.googletagmanager.com";

#[test]
fn under_the_policy_pages_load_from_their_declared_resource_hosts_only() {
    let _g = e2e_lock();
    let mut config = TestConfig {
        packs: shipped(&packs_with_resources()),
        extra: Vec::new(),
        subresources: "policy",
        allow_http: vec![TRACKER.into()],
        ..TestConfig::default()
    };
    let world = World::new(config.clone());
    let loaded = Config::load(&world.config).unwrap();
    // (service, start page, resource URL prefixes)
    let pages: Vec<(String, url::Url, Vec<String>)> = loaded
        .policy
        .packs
        .iter()
        .flat_map(|p| &p.services)
        .filter(|s| !s.resources.is_empty())
        .map(|s| {
            let res = s
                .resources
                .iter()
                .map(|r| {
                    // A `*.` rule: a subdomain of it (which `allow_http` must name).
                    let host = if r.subdomains {
                        format!("res.{}", r.host)
                    } else {
                        r.host.clone()
                    };
                    format!("http://{host}{}", r.path.trim_end_matches('/'))
                })
                .collect();
            (s.id.clone(), s.start_url.get(Lang::Fr).clone(), res)
        })
        .collect();
    assert!(
        pages.iter().any(|(id, _, _)| id == "burgerprofiel"),
        "{:?}",
        pages.iter().map(|p| &p.0).collect::<Vec<_>>()
    );
    config.start_url = Some(pages[0].1.to_string());
    for (_, _, res) in &pages {
        for r in res {
            let host = url::Url::parse(r).unwrap().host_str().unwrap().to_owned();
            config.allow_http.push(host);
        }
    }
    config.write(world.tmp.path(), &world.proxy);
    for (i, (_, start, res)) in pages.iter().enumerate() {
        let host = start.host_str().unwrap();
        let imgs: String = res
            .iter()
            .map(|r| format!("<img src=\"{r}/guichet-test/r{i}.png\" onload=\"loaded++\">"))
            .collect();
        let next = pages
            .get(i + 1)
            .map(|p| format!("location.href = {:?};", p.1.as_str()))
            .unwrap_or_default();
        world.proxy.route(
            host,
            start.path(),
            Reply::html(format!(
                "<!doctype html><script>let loaded = 0;</script>{imgs}\
                 <img src=\"http://{TRACKER}/gtm.js?id=GTM-{i}\">\
                 <script>addEventListener('load', () => \
                 fetch('/guichet-rendered-{i}?loaded=' + loaded).then(() => {{ {next} }}));</script>"
            )),
        );
        for r in res {
            let u = url::Url::parse(&format!("{r}/guichet-test/r{i}.png")).unwrap();
            world
                .proxy
                .route(u.host_str().unwrap(), u.path(), Reply::png());
        }
        world
            .proxy
            .route(host, &format!("/guichet-rendered-{i}"), Reply::html("ok"));
    }
    world
        .proxy
        .route(TRACKER, "/gtm.js", Reply::html("tracked"));
    let _view = world.started_view();
    for (i, (id, start, res)) in pages.iter().enumerate() {
        let seen = world
            .proxy
            .wait_path(start.host_str().unwrap(), &format!("/guichet-rendered-{i}"));
        assert!(
            seen.path.ends_with(&format!("loaded={}", res.len())),
            "{id}: not every declared resource rendered ({}): {:?}",
            seen.path,
            res
        );
    }
    // Each page's load event came after its tracker's request was decided: it never left.
    assert!(!world.proxy.saw_host(TRACKER), "the tracker was reached");
}

#[test]
fn a_service_opens_the_start_page_of_the_persons_language() {
    let _g = e2e_lock();
    let host = "www.lang.test";
    let pack = own_pack(
        "lang-pack",
        &[service_toml(
            "langsvc",
            &format!(
                "{{ fr = \"http://{host}/fr/accueil\", nl = \"http://{host}/nl/start\", \
                 de = \"http://{host}/de/start\", en = \"http://{host}/en/home\" }}"
            ),
            &[&format!("http://{host}")],
            None,
        )],
    );
    let world = World::new(TestConfig {
        packs: vec![PackChoice::Own("lang-pack", pack)],
        extra: Vec::new(),
        allow_http: vec![host.into()],
        ..TestConfig::default()
    });
    world
        .proxy
        .route(host, "/nl/start", Reply::html("<h1>Welkom</h1>"));
    let mut view = world.started_view();
    view.expect("shown", |m| *m == FromView::Shown);
    // The person picks Dutch (the language buttons, top right), then the service's button.
    world.xvfb.click(891, 65, 1);
    view.expect("language", |m| *m == FromView::Language { lang: Lang::Nl });
    // The first tile, under its group's heading (1280×800).
    world.xvfb.click(245, 474, 1);
    world.proxy.wait_path(host, "/nl/start");
    view.expect("navigated", |m| matches!(m, FromView::Navigated { .. }));
    assert!(
        world.proxy.seen().iter().all(|s| !s.path.contains("/fr/")),
        "the French start page was asked for"
    );
}
