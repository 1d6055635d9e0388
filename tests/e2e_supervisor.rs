//! guichetd with the real `guichet-view` under Xvfb, behind the recording proxy: the canary
//! residue test over 20 sessions, and kill -9 of the view and of a WebKit process.
//!
//! Uses the harness (`tests/support`) for Xvfb, the proxy, the config and guichetd.

mod support;

use std::path::PathBuf;

use guichet::daemon::machine::State;
use support::canary::files_containing;
use support::procs::{is_alive, processes_inside};
use support::{e2e_lock, Daemon, Reply, Seen, TestConfig, World, EVENTUALLY};

/// The canary site. `localhost` is a secure context for WebKit even over plain http (the
/// proxy refuses CONNECT, so no https here), which the Cache API and service workers need;
/// WebKit still sends its requests to the configured proxy (no loopback bypass: seen), so
/// the proxy plays it like any other host.
const HOST: &str = "localhost";
const SESSIONS: usize = 20;

fn world() -> World {
    World::new(TestConfig {
        start_url: Some(format!("http://{HOST}/session")),
        extra: vec![format!("http://{HOST}")],
        allow_http: vec![HOST.into()],
        ..TestConfig::default()
    })
}

/// guichetd on `world`, with the real view, `HOME` in the temp dir.
fn daemon(world: &World) -> Daemon {
    world.daemon_builder().start()
}

/// The page of session `i`: first reports what it can see of earlier sessions, then stores
/// `canary` everywhere a browser keeps data; once the test has typed, copied and pasted the
/// canary in its field (`ui`), or clicked the link the page then shows, it downloads a file.
fn session_page(i: usize, canary: &str, ui: bool) -> String {
    format!(
        r#"<!doctype html><html><body style="margin:0">
<input id="f" name="nom" autocomplete="on"
  style="position:fixed;left:0;top:0;width:100%;height:100%;font-size:40px">
<script>
const C = "{canary}", I = {i}, UI = {ui};
document.getElementById("f").addEventListener("input", e => {{
  fetch("/typed?i=" + I + "&v=" + encodeURIComponent(e.target.value));
  // Copied and pasted: now the download (last, it changes the view's screen).
  if (e.target.value === C + C) location.href = "/dl";
}});
function idb(write) {{
  return new Promise(res => {{
    const r = indexedDB.open("db", 1);
    r.onupgradeneeded = () => r.result.createObjectStore("s");
    r.onerror = () => res("open-error");
    r.onsuccess = () => {{
      try {{
        const tx = r.result.transaction("s", write ? "readwrite" : "readonly");
        const st = tx.objectStore("s");
        if (write) {{ st.put(C, "k"); tx.oncomplete = () => res("ok"); }}
        else {{ const g = st.get("k"); g.onsuccess = () => res(String(g.result)); }}
        tx.onerror = () => res("tx-error");
      }} catch (e) {{ res("none"); }}
    }};
  }});
}}
// Cache API and service workers need a secure context: `http://localhost` is one.
async function cacheApi() {{
  if (!window.caches) return "unavailable";
  try {{ return JSON.stringify(await caches.keys()); }} catch (e) {{ return "error " + e; }}
}}
async function workers() {{
  if (!navigator.serviceWorker) return "unavailable";
  try {{ return String((await navigator.serviceWorker.getRegistrations()).length); }} catch (e) {{ return "error " + e; }}
}}
async function run() {{
  const seen = {{
    cookie: document.cookie,
    ls: JSON.stringify(Object.assign({{}}, localStorage)),
    ss: JSON.stringify(Object.assign({{}}, sessionStorage)),
    idb: await idb(false),
    caches: await cacheApi(),
    sw: await workers(),
    secure: String(window.isSecureContext),
  }};
  await fetch("/report?i=" + I + "&d=" + encodeURIComponent(JSON.stringify(seen)));
  await fetch("/probe?i=" + I);
  document.cookie = "pc=" + C + "; max-age=86400; path=/";
  document.cookie = "sc=" + C + "; path=/";
  localStorage.setItem("ls", C);
  sessionStorage.setItem("ss", C);
  await idb(true);
  await new Promise(res => {{
    const sc = document.createElement("script");
    sc.src = "/cached.js?c=" + C;
    sc.onload = sc.onerror = res;
    document.head.appendChild(sc);
  }});
  // HTTP auth: credentials in an Authorization header. (A 401 challenge would make WebKit
  // ask the person in its own dialog, which the proxy's fixed replies cannot get past.)
  await new Promise(res => {{
    const x = new XMLHttpRequest();
    x.open("GET", "/auth?i=" + I, true);
    x.setRequestHeader("Authorization", "Basic " + btoa("user:" + C));
    x.onloadend = res; x.send();
  }});
  if (window.caches) {{ try {{ await (await caches.open("c")).put("/cacheapi", new Response(C)); }} catch (e) {{}} }}
  if (navigator.serviceWorker) {{ try {{ await navigator.serviceWorker.register("/sw.js"); }} catch (e) {{}} }}
  // The worker's install handler fills its cache "sw" before the worker becomes active
  // (bounded wait: a failed registration never gets ready, the test then reports it).
  if (navigator.serviceWorker) {{
    await Promise.race([navigator.serviceWorker.ready, new Promise(r => setTimeout(r, 10000))]);
  }}
  const stored = {{ caches: await cacheApi(), sw: await workers(), secure: String(window.isSecureContext) }};
  if (!UI) {{
    // The download: a link over the page, which the test clicks (a page cannot start a
    // download by itself).
    const a = document.createElement("a");
    a.href = "/dl";
    a.textContent = "download";
    a.style = "position:fixed;inset:0;display:block;background:#dfe";
    document.body.appendChild(a);
  }}
  await fetch("/stored?i=" + I + "&d=" + encodeURIComponent(JSON.stringify(stored)));
}}
run();
</script></body></html>"#
    )
}

fn route_session(world: &World, i: usize, canary: &str, ui: bool) {
    let p = &world.proxy;
    p.route(HOST, "/session", Reply::html(session_page(i, canary, ui)));
    p.route(HOST, "/report", Reply::html("ok"));
    p.route(HOST, "/probe", Reply::html("ok"));
    p.route(HOST, "/stored", Reply::html("ok"));
    p.route(HOST, "/typed", Reply::html("ok"));
    p.route(
        HOST,
        "/cached.js",
        Reply {
            status: 200,
            headers: vec![
                ("Content-Type".into(), "text/javascript".into()),
                ("Cache-Control".into(), "public, max-age=86400".into()),
            ],
            body: format!("var cached = '{canary}';").into_bytes(),
        },
    );
    p.route(HOST, "/auth", Reply::html("welcome"));
    p.route(
        HOST,
        "/sw.js",
        Reply {
            status: 200,
            headers: vec![("Content-Type".into(), "application/javascript".into())],
            body: format!(
                "self.addEventListener('install', e => e.waitUntil(\
                 caches.open('sw').then(c => c.put('/swcanary', new Response('{canary}')))));\n\
                 self.addEventListener('fetch', () => {{}});"
            )
            .into_bytes(),
        },
    );
    p.route(
        HOST,
        "/dl",
        Reply::attachment("releve.txt", format!("download {canary}").into_bytes()),
    );
}

/// The field value of the latest `/typed` request of session `i` that satisfies `pred`.
fn typed(world: &World, i: usize, pred: impl Fn(&str) -> bool) -> String {
    let s = world
        .proxy
        .wait_for(&format!("typed text in session {i}"), |s| {
            s.host == HOST && typed_value(s, i).is_some_and(|v| pred(&v))
        });
    typed_value(&s, i).unwrap()
}

/// The field value a `/typed` request of session `i` reports.
fn typed_value(s: &Seen, i: usize) -> Option<String> {
    let q = s.path.strip_prefix(&format!("/typed?i={i}&"))?;
    url::form_urlencoded::parse(q.as_bytes())
        .find(|(k, _)| k == "v")
        .map(|(_, v)| v.into_owned())
}

/// Types `c` in the focused field, copies it and pastes it after itself, until the page
/// reports `cc`. This is set-up, not the behaviour under test: keystrokes synthesised by
/// xdotool were seen to arrive garbled on a loaded machine, so the step is tried 3 times.
fn type_and_copy(world: &World, i: usize, c: &str) {
    let x = &world.xvfb;
    let want = format!("{c}{c}");
    for attempt in 1..=3 {
        x.xdotool(&["key", "ctrl+a"]);
        x.xdotool(&["type", "--delay", "5", c]);
        x.xdotool(&["key", "ctrl+a", "ctrl+c", "End", "ctrl+v"]);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while std::time::Instant::now() < deadline {
            let latest = world
                .proxy
                .seen()
                .iter()
                .rev()
                .find_map(|s| typed_value(s, i).filter(|_| s.host == HOST));
            if latest.as_deref() == Some(want.as_str()) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        eprintln!("session {i}: typing attempt {attempt} did not give the copied canary");
    }
    panic!("session {i}: the field never held the canary typed and pasted after itself");
}

/// `Basic base64(user:password)`, decoded (no base64 crate for one test).
mod base64_free {
    pub fn decode_basic(header: &str) -> String {
        let b64 = header.trim().strip_prefix("Basic ").unwrap_or("");
        let val = |c: u8| -> Option<u32> {
            Some(match c {
                b'A'..=b'Z' => c - b'A',
                b'a'..=b'z' => c - b'a' + 26,
                b'0'..=b'9' => c - b'0' + 52,
                b'+' => 62,
                b'/' => 63,
                _ => return None,
            } as u32)
        };
        let mut out = Vec::new();
        for chunk in b64.as_bytes().chunks(4) {
            let v: Vec<u32> = chunk.iter().filter_map(|c| val(*c)).collect();
            let n = v.iter().fold(0u32, |acc, x| (acc << 6) | x) << (6 * (4 - v.len() as u32));
            let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
            out.extend_from_slice(&bytes[..v.len().saturating_sub(1)]);
        }
        String::from_utf8_lossy(&out).into_owned()
    }
}

fn report_of(world: &World, i: usize) -> Seen {
    world
        .proxy
        .wait_for(&format!("report of session {i}"), |s| {
            s.host == HOST && s.path.starts_with(&format!("/report?i={i}&"))
        })
}

fn decode(q: &str) -> String {
    url::form_urlencoded::parse(q.as_bytes())
        .find(|(k, _)| k == "d")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

#[test]
fn twenty_sessions_leave_no_canary_on_disk_and_none_reaches_the_next_session() {
    canary_sessions(SESSIONS, false);
}

#[test]
fn typed_text_and_the_clipboard_do_not_survive_a_reset() {
    canary_sessions(3, true);
}

/// Where a canary must not be found after a wipe: the shared temp dirs, the daemon's runtime
/// dir and its home.
fn scan_roots(world: &World, d: &Daemon) -> Vec<PathBuf> {
    ["/tmp", "/var/tmp", "/dev/shm"]
        .iter()
        .map(PathBuf::from)
        .chain([d.runtime.clone(), world.tmp.path().join("daemon-home")])
        .collect()
}

/// `sessions` sessions with canaries, each ended by `reset --now`; with `ui`, the test also
/// types the canary in a form field and copies it to the clipboard through the real window.
fn canary_sessions(sessions: usize, ui: bool) {
    let _g = e2e_lock();
    let world = world();
    let run_id = std::process::id();
    let canary = |i: usize| format!("GuichetCanary{run_id}x{i}y");
    route_session(&world, 0, &canary(0), ui);
    let d = daemon(&world);
    let scan_roots = scan_roots(&world, &d);

    for i in 0..=sessions {
        // The view loads start_url on `start`: this session's page.
        let seen = report_of(&world, i);
        let report = decode(seen.path.split_once('?').unwrap().1);
        if i > 0 {
            // (c) the new session sees nothing of the previous one.
            assert!(
                !report.contains("GuichetCanary"),
                "session {i} saw: {report}"
            );
            assert!(report.contains(r#""cookie":"""#), "{report}");
            assert!(report.contains(r#""ls":"{}""#), "{report}");
            assert!(report.contains(r#""ss":"{}""#), "{report}");
            assert!(report.contains(r#""idb":"undefined""#), "{report}");
            assert!(report.contains(r#""caches":"[]""#), "{report}");
            assert!(report.contains(r#""sw":"0""#), "{report}");
            assert!(report.contains(r#""secure":"true""#), "{report}");
            // (b) no cookie and no credentials reach the site.
            for s in world.proxy.seen().iter().filter(|s| {
                s.host == HOST
                    && (s.path.starts_with(&format!("/probe?i={i}"))
                        || s.path.starts_with(&format!("/report?i={i}&")))
            }) {
                assert_eq!(s.header("cookie"), None, "cookie in session {i}: {s:?}");
                assert_eq!(
                    s.header("authorization"),
                    None,
                    "auth in session {i}: {s:?}"
                );
            }
        }
        if i == sessions {
            eprintln!("session {i} report: {report}");
            break;
        }
        let c = canary(i);
        let stored = world.proxy.wait_for(&format!("stored {i}"), |s| {
            s.path.starts_with(&format!("/stored?i={i}&"))
        });
        // The Cache API canary (cache "c") and the service worker (registered, its cache "sw"
        // filled at install) are really stored: the checks after the reset can fail.
        let stored = decode(stored.path.split_once('?').unwrap().1);
        assert_eq!(
            stored, r#"{"caches":"[\"c\",\"sw\"]","sw":"1","secure":"true"}"#,
            "session {i}: Cache API / service worker canary not stored"
        );
        if !ui {
            // The person clicks the download link (it covers the page).
            world.xvfb.click(640, 450, 1);
        }
        if ui {
            let x = &world.xvfb;
            // The clipboard is empty: pasting then typing a marker gives only the marker.
            x.click(640, 700, 1);
            x.xdotool(&["key", "ctrl+v"]);
            let marker = format!("Z{i}");
            x.xdotool(&["type", &marker]);
            if std::env::var_os("SHOT").is_some() {
                x.screenshot(&format!("super-typing-{i}"));
            }
            let v = typed(&world, i, |v| v.ends_with(&marker));
            assert_eq!(v, marker, "session {i}: the paste brought something in");
            // Typed text and the clipboard: type the canary, copy it, paste it after itself.
            type_and_copy(&world, i, &c);
        }
        // Everything is really stored, on disk where it can be: the scan would see it.
        let runtime = d.runtime.clone();
        let kinds = [
            "/cookies",
            "/localstorage/",
            "/indexeddb/",
            "/WebKitCache/",
            "/downloads/releve",
            "/CacheStorage/",
            // The worker's script (it holds the canary) in the registration store.
            "/serviceworkers/",
        ];
        let t0 = std::time::Instant::now();
        loop {
            let on_disk = files_containing(std::slice::from_ref(&runtime), &c);
            let missing: Vec<&&str> = kinds
                .iter()
                .filter(|k| !on_disk.iter().any(|p| p.to_string_lossy().contains(**k)))
                .collect();
            // Both caches ("c" by the page, "sw" by the worker) hold the canary.
            let caches = on_disk
                .iter()
                .filter(|p| p.to_string_lossy().contains("/CacheStorage/"))
                .count();
            if missing.is_empty() && caches >= 2 {
                break;
            }
            assert!(
                t0.elapsed() < EVENTUALLY,
                "session {i}: canary never on disk in {missing:?} (or in fewer than 2 caches); \
                 found in {on_disk:?}"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let auth = world.proxy.seen().into_iter().any(|s| {
            s.path.starts_with(&format!("/auth?i={i}"))
                && s.header("authorization").is_some_and(|a| {
                    use base64_free::decode_basic;
                    decode_basic(a).contains(&c)
                })
        });
        assert!(auth, "session {i}: the basic auth canary was never sent");
        route_session(&world, i + 1, &canary(i + 1), ui);
        d.reset_now_and_wait();
        // (a) nothing on disk holds this session's canary.
        let left = files_containing(&scan_roots, &c);
        assert!(left.is_empty(), "canary of session {i} left in {left:?}");
    }
    // The logs (guichetd's and the views') carry no canary, path or query.
    let logs = d.logs();
    for bad in ["GuichetCanary", "/report", "/session", "?i="] {
        assert!(!logs.contains(bad), "{bad:?} in the logs");
    }
}

fn shown_session(d: &Daemon, world: &World, i: usize) -> PathBuf {
    report_of(world, i);
    // The shown session is the one whose view has WebKit children loading pages.
    let sessions = d.runtime.join("sessions");
    let mut with_web: Vec<PathBuf> = std::fs::read_dir(&sessions)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            !files_containing(&[p.join("downloads"), p.join("profile")], "GuichetKill").is_empty()
        })
        .collect();
    assert_eq!(with_web.len(), 1, "{with_web:?}");
    with_web.pop().unwrap()
}

fn kill_test(victim: impl Fn(&[(i32, String)]) -> i32) {
    let _g = e2e_lock();
    let world = world();
    route_session(&world, 0, "GuichetKill0", false);
    let d = daemon(&world);
    d.wait_status("spare ready", |s| s.spare_ready);
    world
        .proxy
        .wait_for("stored", |s| s.path.starts_with("/stored?i=0&"));
    let dir = shown_session(&d, &world, 0);
    let procs = processes_inside(&dir);
    assert!(procs.len() >= 2, "view and WebKit children: {procs:?}");
    let pid = victim(&procs);
    route_session(&world, 1, "GuichetKill1", false);
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    d.wait_status("fresh session after the kill", |s| {
        s.state == State::Welcome && s.sessions_started == 2
    });
    report_of(&world, 1);
    assert!(!dir.exists(), "session dir survived");
    let left = processes_inside(&dir);
    assert!(left.is_empty(), "orphans: {left:?}");
    for (p, _) in procs {
        assert!(!is_alive(p), "{p} survived");
    }
}

#[test]
fn kill_9_of_the_real_view_wipes_and_leaves_no_webkit_orphan() {
    kill_test(|procs| {
        procs
            .iter()
            .find(|(_, c)| c.starts_with("guichet-view"))
            .expect("the view process")
            .0
    });
}

/// The WebKit web processes of a session, oldest first (the toolbar's, then the content's).
fn web_processes(procs: &[(i32, String)]) -> Vec<i32> {
    let start_time = |pid: i32| -> u64 {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        stat.rsplit_once(')')
            .and_then(|(_, r)| r.split_whitespace().nth(19)?.parse().ok())
            .unwrap_or(0)
    };
    let mut web: Vec<i32> = procs
        .iter()
        .filter(|(_, c)| c.starts_with("WebKitWebProces"))
        .map(|(p, _)| *p)
        .collect();
    web.sort_by_key(|p| (start_time(*p), *p));
    assert!(!web.is_empty(), "no WebKitWebProcess in {procs:?}");
    web
}

#[test]
fn kill_9_of_the_content_web_process_wipes_the_session() {
    kill_test(|procs| *web_processes(procs).last().unwrap());
}

#[test]
fn kill_9_of_the_toolbar_web_process_wipes_the_session() {
    kill_test(|procs| web_processes(procs)[0]);
}

/// A real `401` + `WWW-Authenticate: Basic` challenge: WebKit draws its own
/// "Authentication Required" box in the content view, the test types a user name and a
/// password in it through the real window, WebKit retries with `Authorization: Basic …`.
/// After `reset --now`, the next session's request to the same URL carries no credentials
/// (WebKit shows the box again, empty) and no file holds the user name or the password.
#[test]
fn a_real_basic_auth_challenge_leaves_no_credentials_for_the_next_session() {
    let _g = e2e_lock();
    let world = world();
    let run_id = std::process::id();
    let user = format!("GuichetUser{run_id}u");
    let password = format!("GuichetPass{run_id}p");
    // The start page itself asks for credentials, always (so the box comes back after each
    // try: the proxy cannot check them, the test only reads what was sent).
    world.proxy.route(
        HOST,
        "/session",
        Reply {
            status: 401,
            headers: vec![
                (
                    "WWW-Authenticate".into(),
                    r#"Basic realm="guichet-test""#.into(),
                ),
                ("Content-Type".into(), "text/html; charset=utf-8".into()),
            ],
            body: b"<!doctype html><p>refused</p>".to_vec(),
        },
    );
    let d = daemon(&world);
    let scan_roots = scan_roots(&world, &d);
    let session_requests = || -> Vec<Seen> {
        world
            .proxy
            .seen()
            .into_iter()
            .filter(|s| s.host == HOST && s.path.split('?').next() == Some("/session"))
            .collect()
    };
    let x = &world.xvfb;
    // WebKit's box: its light grey body in the middle of the content view (the page behind
    // it is dimmed).
    let shows_the_box = |name: &str| {
        x.screenshot_showing(name, (520, 352, 240, 16), "F6F5F4");
        x.screenshot_showing(name, (100, 200, 100, 100), "7F7F7F");
    };

    world.proxy.wait_path(HOST, "/session");
    shows_the_box("super-basic-auth-box");
    // Into the user name field (focused already; the click gives the window the keyboard).
    x.click(676, 446, 1);
    x.xdotool(&["type", "--delay", "20", &user]);
    x.xdotool(&["key", "Tab"]);
    x.xdotool(&["type", "--delay", "20", &password]);
    if std::env::var_os("SHOT").is_some() {
        x.screenshot("super-basic-auth-typed");
    }
    x.xdotool(&["key", "Return"]);
    // WebKit retried with the credentials typed in its box: the checks below can fail.
    let sent = world.proxy.wait_for("the retry with credentials", |s| {
        s.host == HOST && s.path == "/session" && s.header("authorization").is_some()
    });
    let header = sent.header("authorization").unwrap();
    assert!(header.starts_with("Basic "), "{header}");
    assert_eq!(
        base64_free::decode_basic(header),
        format!("{user}:{password}"),
        "not the typed credentials"
    );
    let before_reset = session_requests().len();

    d.reset_now_and_wait();

    // The next session asks for the same page and gets the box again, empty: had WebKit kept
    // the credentials, it would have sent them before (or instead of) showing it.
    world
        .proxy
        .wait_count("the next session's request", before_reset + 1, |s| {
            s.host == HOST && s.path.split('?').next() == Some("/session")
        });
    shows_the_box("super-basic-auth-next-session");
    let next: Vec<Seen> = session_requests().split_off(before_reset);
    assert!(!next.is_empty());
    for s in &next {
        assert_eq!(s.header("authorization"), None, "credentials sent: {s:?}");
        assert_eq!(s.header("cookie"), None, "cookie sent: {s:?}");
    }
    // Nothing on disk holds the user name or the password.
    for canary in [&user, &password] {
        let left = files_containing(&scan_roots, canary);
        assert!(left.is_empty(), "a typed credential left in {left:?}");
    }
    let logs = d.logs();
    assert!(!logs.contains("GuichetUser") && !logs.contains("GuichetPass"));
}

/// Waits for session `n` (1-based) of a config test: its view loaded `start_url` (from the
/// config it was given), reported its first frame on screen, and the terminal shows a
/// session, not out of order.
fn session_is_up(world: &World, d: &Daemon, n: usize) {
    world
        .proxy
        .wait_count(&format!("start page of session {n}"), n, |s| {
            s.host == HOST && s.path == "/session"
        });
    let s = d.wait_status(&format!("session {n}"), |s| {
        s.state == State::Welcome && s.sessions_started == n as u64
    });
    assert!(s.out_of_order.is_none(), "{s:?}");
    assert_eq!(s.terminal, "e2e", "{s:?}");
    assert!(!s.config.pending, "{s:?}");
    support::eventually(&format!("view of session {n} on screen"), || {
        d.logs().matches("view on screen").count() >= n
    });
}

/// What every session directory's `config.json` names as the terminal.
fn snapshot_names(d: &Daemon) -> Vec<String> {
    std::fs::read_dir(d.runtime.join("sessions"))
        .unwrap()
        .flatten()
        .map(|e| {
            let text = std::fs::read_to_string(e.path().join("config.json")).unwrap();
            let v: serde_json::Value = serde_json::from_str(&text).unwrap();
            v["terminal"]["name"].as_str().unwrap().to_owned()
        })
        .collect()
}

/// A view gets the config guichetd validated, by value: with `guichet.toml` broken on disk
/// (invalid TOML), then deleted, guichetd rejects it (as `guichetctl status` says) and every
/// new session still starts, its view on screen with the checked config. A view that read
/// the file itself could not start, and the terminal would go out of order.
#[test]
fn sessions_start_with_the_checked_config_when_the_file_is_broken_or_deleted() {
    let _g = e2e_lock();
    let world = world();
    world.proxy.route(
        HOST,
        "/session",
        Reply::html("<!doctype html><body style='margin:0;background:#EEF6FF'>session</body>"),
    );
    let d = daemon(&world);
    session_is_up(&world, &d, 1);
    let mut n = 1;

    std::fs::write(&world.config, "[terminal\nname = \"broken\"\n").unwrap();
    let s = d.wait_status("the broken file rejected", |s| s.config.rejected.is_some());
    let rejected = s.config.rejected.unwrap();
    assert!(rejected.contains("guichet.toml:1:"), "{rejected}");
    for _ in 0..3 {
        d.reset_now_and_wait();
        n += 1;
        session_is_up(&world, &d, n);
    }

    std::fs::remove_file(&world.config).unwrap();
    d.wait_status("the missing file rejected", |s| {
        s.config
            .rejected
            .as_deref()
            .is_some_and(|r| r.contains("cannot read"))
    });
    for _ in 0..3 {
        d.reset_now_and_wait();
        n += 1;
        session_is_up(&world, &d, n);
    }
    let names = snapshot_names(&d);
    assert!(!names.is_empty());
    assert!(names.iter().all(|name| name == "e2e"), "{names:?}");
    let s = d.status();
    assert!(
        s.config
            .rejected
            .as_deref()
            .is_some_and(|r| r.contains("cannot read")),
        "{s:?}"
    );
}
