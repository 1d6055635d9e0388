//! End-to-end tests: every failure reaches a screen that says something. A network failure of
//! any kind, or a site's error with no page of its own, shows guichet's error page within a few
//! seconds, with Retry and an automatic retry that loads the page once the network is back; a
//! blocked hop inside a frame leaves the page where it is.
//!
//! The real view under Xvfb, behind the recording proxy (`tests/support`), which plays the
//! failures: a refused tunnel (`CONNECT` answered 502), a reset or closed connection, a
//! connection that never answers, a gateway's 504 for a host it cannot resolve, a bare 502.
//! The times to the error page are printed (run with `--nocapture`), never asserted.

mod support;

use std::time::{Duration, Instant};

use guichet::protocol::view::FromView;
use support::proxy::Fault;
use support::xvfb::Shot;
use support::{e2e_lock, Proxy, Reply, TestConfig, View, World};

const HOST: &str = "www.allowed.test";
const START: &str = "http://www.allowed.test/start";

/// Background of the test pages, to see when one is painted.
const PAGE_BG: &str = "EEF6FF";
/// The error page's mark (its round icon): only guichet's error page shows it.
const ERROR_MARK: &str = "B35C00";
/// The content view on the 1280×800 screen, below the toolbar.
const CONTENT_AREA: (u32, u32, u32, u32) = (0, 100, 1280, 700);

fn page(body: &str) -> Reply {
    Reply::html(format!(
        "<!doctype html><html><head><meta charset=utf-8><title>t</title>\
         <style>html,body{{margin:0;height:100%;font:28px sans-serif;background:#{PAGE_BG}}}\
         </style></head><body>{body}</body></html>"
    ))
}

fn config(start: &str) -> TestConfig {
    TestConfig {
        start_url: Some(start.into()),
        ..TestConfig::default()
    }
}

/// Waits until guichet's error page is on screen; returns how long that took from `since`.
fn error_page_shown(world: &World, name: &str, since: Instant) -> Duration {
    world
        .xvfb
        .screenshot_showing(&format!("error-{name}"), CONTENT_AREA, ERROR_MARK);
    since.elapsed()
}

/// Waits until the test page (not the error page) is on screen.
fn page_shown(world: &World, name: &str) {
    let path = world
        .xvfb
        .screenshot_showing(&format!("recovered-{name}"), CONTENT_AREA, PAGE_BG);
    assert!(
        !Shot::open(path).has(CONTENT_AREA, ERROR_MARK),
        "{name}: the error page is still there"
    );
}

fn is_start(s: &support::Seen) -> bool {
    s.host == HOST && s.path.split('?').next() == Some("/start")
}

/// One way the network fails for the start page, and how it comes back.
struct Case {
    name: &'static str,
    url: &'static str,
    break_it: fn(&Proxy),
    heal: fn(&Proxy),
    /// Whether the retry can load a page (https cannot: the proxy has no TLS).
    loads: bool,
}

fn heal_start(p: &Proxy) {
    p.heal(HOST, "/start");
    p.route(HOST, "/start", page("<h1>back</h1>"));
}

const CASES: &[Case] = &[
    Case {
        name: "refused-tunnel",
        url: "https://www.allowed.test/",
        break_it: |p| p.tunnel(HOST, 502),
        heal: |p| p.tunnel(HOST, 403),
        loads: false,
    },
    Case {
        name: "reset",
        url: START,
        break_it: |p| p.fail(HOST, "/start", Fault::Reset),
        heal: heal_start,
        loads: true,
    },
    Case {
        name: "closed",
        url: START,
        break_it: |p| p.fail(HOST, "/start", Fault::Close),
        heal: heal_start,
        loads: true,
    },
    Case {
        name: "timeout",
        url: START,
        break_it: |p| p.fail(HOST, "/start", Fault::Hang),
        heal: heal_start,
        loads: true,
    },
    Case {
        name: "gateway-unknown-host",
        url: START,
        break_it: |p| {
            p.route(
                HOST,
                "/start",
                Reply {
                    status: 504,
                    headers: vec![("Content-Type".into(), "text/html".into())],
                    body: b"<html><body><h1>Gateway Timeout</h1>unknown host</body></html>"
                        .to_vec(),
                },
            )
        },
        heal: heal_start,
        loads: true,
    },
    Case {
        name: "bare-502",
        url: START,
        break_it: |p| p.route(HOST, "/start", Reply::bare(502)),
        heal: heal_start,
        loads: true,
    },
];

#[test]
fn every_network_failure_shows_the_error_page_and_the_page_comes_back() {
    let _g = e2e_lock();
    let mut times = Vec::new();
    for case in CASES {
        let world = World::new(config(case.url));
        (case.break_it)(&world.proxy);
        let mut view = View::spawn(&world.xvfb, &world.config, world.session());
        view.start();
        let asked = |s: &support::Seen| {
            s.host == HOST && (s.method == "CONNECT" || s.path.split('?').next() == Some("/start"))
        };
        world.proxy.wait_for(case.name, asked);
        let t0 = Instant::now();
        let took = error_page_shown(&world, case.name, t0);
        eprintln!("{}: error page {:?} after the request", case.name, took);
        times.push((case.name, took));
        let before = world.proxy.count(asked);
        (case.heal)(&world.proxy);
        // The automatic retry asks again, without anyone touching the screen.
        world
            .proxy
            .wait_count(&format!("{}: a retry", case.name), before + 1, asked);
        if case.loads {
            page_shown(&world, case.name);
            view.expect(
                "navigated after the retry",
                |m| matches!(m, FromView::Navigated { host, .. } if host.as_str() == HOST),
            );
        }
        assert_eq!(world.xvfb.visible_windows().len(), 1, "{}", case.name);
    }
    eprintln!("times to the error page: {times:?}");
}

/// Waits until the view has shown its error page `n` times (its debug log says so).
fn error_pages(view: &View, n: usize) {
    support::eventually(&format!("{n} error pages"), || {
        view.log()
            .iter()
            .filter(|l| l.contains("\"error page\""))
            .count()
            >= n
    });
}

#[test]
fn retry_on_the_error_page_loads_the_failed_page_again() {
    let _g = e2e_lock();
    // In Dutch: the error page speaks the person's language.
    let world = World::new(TestConfig {
        languages: vec!["nl", "fr"],
        ..config(START)
    });
    world.proxy.fail(HOST, "/start", Fault::Reset);
    let mut view = View::spawn(&world.xvfb, &world.config, world.session());
    view.start();
    world.proxy.wait_for("/start", is_start);
    error_page_shown(&world, "retry-button", Instant::now());
    // The automatic retry fails too: the second error page waits 10 s before its own retry,
    // so the next request is the person's.
    world.proxy.wait_count("the automatic retry", 2, is_start);
    error_pages(&view, 2);
    heal_start(&world.proxy);
    // Retry is the page's first control after the skip link every page has: Tab Tab reaches
    // it, Enter presses it (a click on the page's margin first, where nothing is, gives the
    // page the keyboard).
    world.xvfb.click(40, 400, 1);
    world.xvfb.xdotool(&["key", "Tab", "Tab", "Return"]);
    world.proxy.wait_count("/start again", 3, is_start);
    page_shown(&world, "retry-button");
    // The retry was an ordinary navigation, decided and reported like any other, and it was
    // the person's: a hop with a user gesture.
    view.expect("navigated", |m| matches!(m, FromView::Navigated { .. }));
    let log = view.log();
    assert!(
        log.iter().any(|l| l.contains("navigation hop allowed")
            && l.contains("\"gesture\":true")
            && l.contains(HOST)),
        "Retry was not pressed: {log:#?}"
    );
}

#[test]
fn a_host_that_does_not_resolve_shows_the_error_page_without_a_proxy() {
    let _g = e2e_lock();
    let world = World::new(TestConfig {
        proxy: false,
        languages: vec!["de", "fr"],
        ..config("http://www.allowed.test/start")
    });
    let mut view = View::spawn(&world.xvfb, &world.config, world.session());
    view.expect("ready", |m| *m == FromView::Ready);
    let t0 = Instant::now();
    view.send(&guichet::protocol::view::ToView::Start { goodbye: false });
    let took = error_page_shown(&world, "no-proxy-dns", t0);
    eprintln!("no-proxy-dns: error page {took:?} after start");
}

#[test]
fn a_site_error_with_its_own_page_is_shown_as_the_site_wrote_it() {
    let _g = e2e_lock();
    let world = World::new(config(START));
    world.proxy.route(
        HOST,
        "/start",
        Reply {
            status: 404,
            ..page("<h1>Page introuvable</h1><a href=/>accueil</a>")
        },
    );
    let mut view = View::spawn(&world.xvfb, &world.config, world.session());
    view.start();
    world.proxy.wait_for("/start", is_start);
    let path = world
        .xvfb
        .screenshot_showing("site-404", CONTENT_AREA, PAGE_BG);
    assert!(!Shot::open(path).has(CONTENT_AREA, ERROR_MARK));
}

fn is_blocked(m: &FromView) -> bool {
    matches!(m, FromView::Blocked { .. })
}

#[test]
fn frames_are_decided_as_frames_srcdoc_and_redirecting_iframes_keep_the_page() {
    let _g = e2e_lock();
    let world = World::new(config(START));
    world.proxy.route(
        HOST,
        "/start",
        page(
            r#"<h1>Page autorisée</h1>
               <iframe srcdoc="<p>inline frame</p><img src='http://www.allowed.test/srcdoc-img'>"></iframe>
               <iframe src="http://www.allowed.test/hop"></iframe>
               <iframe src="http://www.allowed.test/hop-ok"></iframe>
               <iframe id=late></iframe>
               <script>onload=()=>{
                 const d=document.getElementById('late').contentDocument;
                 d.open();d.write("<iframe src='http://www.allowed.test/hop'></iframe>");d.close();
                 setTimeout(()=>{const f=document.createElement('iframe');
                   f.src='/sentinel';document.body.appendChild(f);},500);
               }</script>"#,
        ),
    );
    // An allowed address that redirects to a blocked one, and one that redirects to an allowed one.
    world.proxy.route(
        HOST,
        "/hop",
        Reply::redirect("http://evil-hop.test/tracker"),
    );
    world.proxy.route(
        HOST,
        "/hop-ok",
        Reply::redirect("http://login.sso.test/widget"),
    );
    world
        .proxy
        .route("login.sso.test", "/widget", page("widget"));
    world.proxy.route(HOST, "/srcdoc-img", Reply::png());
    world.proxy.route(HOST, "/sentinel", page("sentinel"));
    let mut view = View::spawn(&world.xvfb, &world.config, world.session());
    view.start();
    view.expect("navigated", |m| matches!(m, FromView::Navigated { .. }));
    // The srcdoc frame was shown: its image was fetched.
    world.proxy.wait_path(HOST, "/srcdoc-img");
    world.proxy.wait_path("login.sso.test", "/widget");
    world.proxy.wait_count("both redirecting frames", 2, |s| {
        s.host == HOST && s.path == "/hop"
    });
    world.proxy.wait_path(HOST, "/sentinel");
    let path = world
        .xvfb
        .screenshot_showing("frames-kept", CONTENT_AREA, PAGE_BG);
    let shot = Shot::open(path);
    // Neither the blocked page nor the error page replaced the page.
    assert!(!shot.has(CONTENT_AREA, "FFF4CC"), "the page was replaced");
    assert!(
        !view.received().iter().any(is_blocked),
        "a frame's hop replaced the page: {:?}",
        view.received()
    );
    assert!(!world.proxy.saw_host("evil-hop.test"));
    // The page is still the one loaded: a main-frame navigation would show here.
    view.sentinel("http://www.allowed.test/sentinel");
}

#[test]
fn back_from_the_error_page_returns_to_the_page_before_it() {
    let _g = e2e_lock();
    let world = World::new(config(START));
    world.proxy.route(
        HOST,
        "/start",
        Reply::html(
            "<!doctype html><body style='margin:0;background:#ddffdd'>\
             <a href='/broken' style='position:fixed;inset:0'>go</a></body>",
        ),
    );
    world.proxy.fail(HOST, "/broken", Fault::Reset);
    let mut view = View::spawn(&world.xvfb, &world.config, world.session());
    view.start();
    world
        .xvfb
        .screenshot_showing("back-start", CONTENT_AREA, "DDFFDD");
    world.xvfb.click(640, 450, 1);
    error_page_shown(&world, "back", Instant::now());
    // The automatic retry fails again: a second error page in the history.
    world
        .proxy
        .wait_count("the retry", 2, |s| s.path == "/broken");
    error_pages(&view, 2);
    // The toolbar's Back ("← Retour", second button) skips both error pages.
    let shot = Shot::open(world.xvfb.screenshot("back-error"));
    assert!(shot.has(CONTENT_AREA, ERROR_MARK));
    world.xvfb.click(143, 46, 1);
    let path = world
        .xvfb
        .screenshot_showing("back-returned", CONTENT_AREA, "DDFFDD");
    assert!(!Shot::open(path).has(CONTENT_AREA, ERROR_MARK));
}
