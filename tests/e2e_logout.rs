//! Logout that really happens, with the real view and guichetd: at the end of a session the
//! view visits the logout URL of every service used, and only those, with the session's
//! cookies, before the wipe; a logout URL that never answers does not hold the wipe back.
//!
//! Three services of a test pack, over plain http through the recording proxy: `alpha` (a
//! host rule) and `beta` and `gamma` (path-prefix rules on one shared host). The person uses
//! `alpha` and `beta`, never `gamma`, and presses the toolbar's End. The proxy holds each
//! logout request while the test checks that the session is still there (guichetd in
//! Ending, the session's folder on disk), then lets it through.

mod support;

use std::time::{Duration, Instant};

use guichet::daemon::machine::State;
use support::config::{own_pack, service_toml};
use support::proxy::Fault;
use support::{e2e_lock, Daemon, PackChoice, Reply, Seen, TestConfig, World};

const ALPHA: &str = "www.alpha.test";
const SHARED: &str = "portal.shared.test";
/// Background of `beta`'s page, to see when it is on screen.
const BETA_BG: &str = "E0F0D8";

fn world() -> World {
    let pack = own_pack(
        "logout-pack",
        &[
            service_toml(
                "alpha",
                &format!("\"http://{ALPHA}/start\""),
                &[&format!("http://{ALPHA}")],
                Some(&format!("http://{ALPHA}/logout")),
            ),
            service_toml(
                "beta",
                &format!("\"http://{SHARED}/b/start\""),
                &[&format!("http://{SHARED}/b")],
                Some(&format!("http://{SHARED}/b/logout")),
            ),
            service_toml(
                "gamma",
                &format!("\"http://{SHARED}/c/start\""),
                &[&format!("http://{SHARED}/c")],
                Some(&format!("http://{SHARED}/c/logout")),
            ),
        ],
    );
    World::new(TestConfig {
        packs: vec![PackChoice::Own("logout-pack", pack)],
        extra: Vec::new(),
        allow_http: vec![ALPHA.into(), SHARED.into()],
        start_url: Some(format!("http://{ALPHA}/start")),
        ..TestConfig::default()
    })
}

/// A page that sets `cookie` and fills the content area with a link to `next`.
fn page(cookie: &str, path: &str, bg: &str, next: &str) -> Reply {
    Reply::html(format!(
        "<!doctype html><body style=\"margin:0;background:#{bg}\">\
         <a href=\"{next}\" style=\"position:fixed;inset:0;display:block\">next</a>"
    ))
    .with_header("Set-Cookie", &format!("{cookie}; Path={path}"))
}

fn routes(world: &World) {
    let p = &world.proxy;
    p.route(
        ALPHA,
        "/start",
        page(
            "alpha=cookie-A",
            "/",
            "FFFFFF",
            &format!("http://{SHARED}/b/start"),
        ),
    );
    p.route(
        SHARED,
        "/b/start",
        page("beta=cookie-B", "/b", BETA_BG, "#"),
    );
    p.route(
        SHARED,
        "/c/start",
        page("gamma=cookie-C", "/c", "FFFFFF", "#"),
    );
    for (host, path) in [
        (ALPHA, "/logout"),
        (SHARED, "/b/logout"),
        (SHARED, "/c/logout"),
    ] {
        p.route(host, path, Reply::html("logged out"));
    }
}

/// guichetd's log (the view's records included), without the checkout's own path (in its
/// warning about the test view), which may hold any word.
fn logs(d: &Daemon) -> String {
    d.logs()
        .replace(env!("CARGO_BIN_EXE_guichet-view"), "<view>")
}

fn daemon(world: &World) -> Daemon {
    let mut b = world.daemon_builder();
    b.env.push(("RUST_LOG".into(), "guichet=debug".into()));
    b.start()
}

fn is_logout(s: &Seen) -> bool {
    s.path.ends_with("/logout")
}

/// Waits (generously) for the next session's welcome after the end of the first, and checks
/// that the wipe succeeded.
fn wait_next_welcome(d: &Daemon, within: Duration) {
    let t0 = Instant::now();
    loop {
        let s = d.status();
        if s.state == State::Welcome && s.sessions_started == 2 {
            assert!(s.last_wipe.as_ref().is_some_and(|w| w.ok), "{s:?}");
            return;
        }
        assert!(
            t0.elapsed() < within,
            "no fresh welcome after {within:?}: {s:?}\n{}",
            d.logs()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn end_visits_the_logout_of_each_service_used_with_its_cookie_before_the_wipe() {
    let _g = e2e_lock();
    let t0 = Instant::now();
    let world = world();
    routes(&world);
    for (host, path) in [
        (ALPHA, "/logout"),
        (SHARED, "/b/logout"),
        (SHARED, "/c/logout"),
    ] {
        world.proxy.hold(host, path);
    }
    let d = daemon(&world);
    world.proxy.wait_path(ALPHA, "/start");
    // The person uses `alpha`, then follows its link to `beta` (a path under the shared host).
    world
        .xvfb
        .screenshot_showing("logout-alpha", (0, 100, 1280, 700), "FFFFFF");
    world.xvfb.click(640, 450, 1);
    world.proxy.wait_path(SHARED, "/b/start");
    world
        .xvfb
        .screenshot_showing("logout-beta", (0, 100, 1280, 700), BETA_BG);
    d.wait_state(State::Active);
    let sessions = d.sessions();
    world.end_session("logout-end");

    // Each logout arrives while the session is still there; the test lets it through.
    let mut visited = Vec::new();
    for i in 0..2 {
        world.proxy.wait_count("a logout", i + 1, is_logout);
        let seen: Vec<Seen> = world.proxy.seen().into_iter().filter(is_logout).collect();
        let s = &seen[i];
        let status = d.status();
        assert_eq!(
            status.state,
            State::Ending,
            "{}{}: {status:?}",
            s.host,
            s.path
        );
        let now = d.sessions();
        assert!(
            sessions.iter().all(|s| now.contains(s)),
            "a session folder was wiped while its logout was in flight: {sessions:?} → {now:?}"
        );
        world.proxy.release(&s.host, &s.path);
        visited.push(s.clone());
    }
    wait_next_welcome(&d, Duration::from_secs(60));
    let now = d.sessions();
    assert!(
        sessions.iter().any(|s| !now.contains(s)),
        "the used session's folder is still there: {now:?}"
    );

    let cookie = |host: &str, path: &str| {
        let s = visited
            .iter()
            .find(|s| s.host == host && s.path == path)
            .unwrap_or_else(|| panic!("no logout of {host}{path}: {visited:?}"));
        s.header("cookie").unwrap_or_default().to_owned()
    };
    let a = cookie(ALPHA, "/logout");
    assert!(a.contains("alpha=cookie-A"), "alpha's logout carried {a:?}");
    let b = cookie(SHARED, "/b/logout");
    assert!(b.contains("beta=cookie-B"), "beta's logout carried {b:?}");
    assert!(!b.contains("gamma"), "beta's logout carried {b:?}");
    // `gamma` was never used: the proxy never saw its start page nor its logout.
    assert_eq!(
        world
            .proxy
            .count(|s| s.host == SHARED && s.path.starts_with("/c/")),
        0,
        "gamma was visited"
    );
    let logs = logs(&d);
    for service in ["alpha", "beta"] {
        assert!(
            logs.lines()
                .any(|l| l.contains("logout visit") && l.contains(service) && l.contains("ok")),
            "no logout line for {service}:\n{logs}"
        );
    }
    assert!(
        !logs.contains("/logout") && !logs.contains("http://"),
        "{logs}"
    );
    eprintln!("logout test: {:?}", t0.elapsed());
}

#[test]
fn a_logout_that_never_answers_does_not_hold_the_wipe_back() {
    let _g = e2e_lock();
    let t0 = Instant::now();
    let world = world();
    routes(&world);
    // `alpha` alone is used: its page links nowhere.
    world
        .proxy
        .route(ALPHA, "/start", page("alpha=cookie-A", "/", "FFFFFF", "#"));
    world.proxy.fail(ALPHA, "/logout", Fault::Hang);
    let d = daemon(&world);
    world.proxy.wait_path(ALPHA, "/start");
    world
        .xvfb
        .screenshot_showing("logout-hang-alpha", (0, 100, 1280, 700), "FFFFFF");
    // A click on the page: the person is there (and stays on `alpha`).
    world.xvfb.click(640, 450, 1);
    d.wait_state(State::Active);
    world.end_session("logout-hang-end");
    world.proxy.wait_path(ALPHA, "/logout");
    let asked = Instant::now();
    wait_next_welcome(&d, Duration::from_secs(60));
    eprintln!(
        "hanging logout: next welcome {:?} after the logout request",
        asked.elapsed()
    );
    let logs = logs(&d);
    assert!(
        logs.lines()
            .any(|l| l.contains("logout visit") && l.contains("alpha") && l.contains("timeout")),
        "no timeout line for alpha:\n{logs}"
    );
    assert!(
        !logs.contains("/logout") && !logs.contains("http://"),
        "{logs}"
    );
    eprintln!("hanging logout test: {:?}", t0.elapsed());
}
