//! End-to-end harness: the real `guichet-view` under Xvfb, behind a recording proxy.
//!
//! Everything an end-to-end test needs, reusable by any `tests/e2e_*.rs` file
//! (`mod support;` at the top):
//!
//! - [`e2e_lock`]: a process-wide lock; hold it for the whole test. Tests share 2 cores and
//!   each one runs a WebKit view, so they run one at a time.
//! - [`Xvfb::start`]: a private X server on a free display (`Xvfb -displayfd`), 1280×800,
//!   killed on drop; [`Xvfb::screenshot`] (to `target/screenshots/`),
//!   [`Xvfb::screenshot_showing`] (retry until a colour shows in a rectangle: waits for a
//!   screen to be painted), [`Xvfb::visible_windows`] (mapped top-level windows),
//!   [`Xvfb::click`], [`Xvfb::xdotool`].
//! - [`Proxy::start`]: a loopback HTTP proxy that plays any host name. Give it routes
//!   ([`Proxy::route`]: host + path → [`Reply`]); it records every request ([`Seen`]: method,
//!   host, path, headers) and answers `CONNECT` with 403 (recorded with method `CONNECT`).
//!   [`Proxy::wait_for`] blocks until a matching request arrives; [`Proxy::saw_host`] tells
//!   whether a host was ever asked for.
//! - [`TestConfig`]: writes a `guichet.toml` and a test pack in a temp dir; by default it
//!   allows `www.allowed.test`, `login.sso.test` and `cdn.allowed.test` over plain http and
//!   sends all traffic to the proxy.
//! - [`View::spawn`]: starts `guichet-view --session-dir … --config …` with
//!   `SessionDir::confined_env` plus `DISPLAY`, exactly as the supervisor does; [`View::send`]
//!   writes a [`ToView`], [`View::expect`] waits for a [`FromView`] matching a predicate,
//!   [`View::descendants_named`] finds its WebKit processes, [`View::log`] its stderr (also
//!   printed when a test fails; `GUICHET_TEST_LOG=guichet=trace` raises the level).
//! - [`World`]: all of the above for one test (`World::new(TestConfig)`,
//!   `world.started_view()`).
//!
//! Synchronise on events (protocol messages, proxy requests) with the generous [`TIMEOUT`];
//! never assert after a fixed sleep. To prove a request "never reached the proxy", make the
//! view load a sentinel allowed URL afterwards (e.g. an `end_session` logout URL, see
//! [`View::sentinel`]) and only then check [`Proxy::saw_host`].

#![allow(dead_code)]

use std::collections::HashMap;
use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use guichet::protocol::frame;
use guichet::protocol::view::{FromView, ToView};
use guichet::sessiondir::SessionDir;

/// How long any single expected event may take (a debug build on a loaded 2-core machine).
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// Serialises end-to-end tests within this test binary.
pub fn e2e_lock() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// Where screenshots go: `target/screenshots/`.
pub fn screenshot_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).expect("create target/screenshots");
    dir
}

/// What `convert` prints (`report` arguments) about the rectangle `(x, y, width, height)` of
/// the image at `path`.
fn crop_report(path: &Path, (x, y, w, h): (u32, u32, u32, u32), report: &[&str]) -> String {
    let out = Command::new("convert")
        .arg(path)
        .args(["-crop", &format!("{w}x{h}+{x}+{y}"), "+repage"])
        .args(report)
        .output()
        .expect("run convert (imagemagick)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

// ---------------------------------------------------------------------------------------------
// Xvfb

/// A private X server, killed on drop.
pub struct Xvfb {
    child: Child,
    /// `:N`
    pub display: String,
}

impl Xvfb {
    /// Starts `Xvfb -displayfd` on a free display, 1280×800, and waits until it is ready.
    pub fn start() -> Xvfb {
        let (read_end, write_end) = nix::unistd::pipe().expect("pipe for -displayfd");
        let child = Command::new("Xvfb")
            .arg("-displayfd")
            .arg(write_end.as_raw_fd().to_string())
            .args([
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
                "-noreset",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start Xvfb (install it with packaging/dev-deps.sh)");
        drop(write_end);
        // Xvfb writes the display number and a newline once it accepts connections.
        let mut number = String::new();
        let mut file = std::fs::File::from(read_end);
        let mut byte = [0u8; 1];
        while file.read(&mut byte).map(|n| n == 1).unwrap_or(false) && byte[0] != b'\n' {
            number.push(byte[0] as char);
        }
        assert!(!number.is_empty(), "Xvfb did not report a display");
        Xvfb {
            child,
            display: format!(":{}", number.trim()),
        }
    }

    fn command(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.env("DISPLAY", &self.display);
        c
    }

    /// Saves a PNG of the whole screen as `target/screenshots/<name>.png` and returns its path.
    pub fn screenshot(&self, name: &str) -> PathBuf {
        let path = screenshot_dir().join(format!("{name}.png"));
        let status = self
            .command("import")
            .args(["-window", "root", "-display", &self.display])
            .arg(&path)
            .status()
            .expect("run import (imagemagick)");
        assert!(status.success(), "screenshot failed");
        path
    }

    /// Like [`Xvfb::screenshot`], but retries until the screen shows at least `min_colours`
    /// distinct colours (WebKit paints a while after a window maps or a page loads), and
    /// panics after [`TIMEOUT`]. Returns the path of the painted picture.
    pub fn screenshot_painted(&self, name: &str, min_colours: u32) -> PathBuf {
        self.screenshot_painted_in(name, (0, 0, 1280, 800), min_colours)
    }

    /// Like [`Xvfb::screenshot_painted`], counting colours only in the rectangle
    /// `(x, y, width, height)` (e.g. the content view below the toolbar).
    pub fn screenshot_painted_in(
        &self,
        name: &str,
        rect: (u32, u32, u32, u32),
        min_colours: u32,
    ) -> PathBuf {
        self.poll_crop(
            name,
            rect,
            &["-format", "%k", "info:"],
            |out| out.trim().parse::<u32>().unwrap_or(0) >= min_colours,
            |out| format!("the screen never showed more than {} colours", out.trim()),
        )
    }

    /// Takes screenshots until the rectangle `(x, y, width, height)` contains the colour
    /// `hex` (`"FFF4CC"`): a way to wait for a given page or screen to be painted. Panics
    /// after [`TIMEOUT`].
    pub fn screenshot_showing(&self, name: &str, rect: (u32, u32, u32, u32), hex: &str) -> PathBuf {
        let want = format!("#{}", hex.to_ascii_uppercase());
        self.poll_crop(
            name,
            rect,
            &["-unique-colors", "txt:-"],
            |out| out.to_ascii_uppercase().contains(&want),
            |_| format!("{want} never appeared on screen"),
        )
    }

    /// Takes screenshots until `done` holds for what `convert` prints about the rectangle
    /// `(x, y, width, height)` (cropped, then `report` arguments); panics after [`TIMEOUT`]
    /// with `failure` of the last output.
    pub fn poll_crop(
        &self,
        name: &str,
        (x, y, w, h): (u32, u32, u32, u32),
        report: &[&str],
        done: impl Fn(&str) -> bool,
        failure: impl Fn(&str) -> String,
    ) -> PathBuf {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let path = self.screenshot(name);
            let out = crop_report(&path, (x, y, w, h), report);
            if done(&out) {
                return path;
            }
            assert!(Instant::now() < deadline, "{name}: {}", failure(&out));
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// One screenshot, no retry: how many colours the whole screen shows now.
    pub fn colours_now(&self, name: &str) -> u32 {
        let path = self.screenshot(name);
        let out = crop_report(&path, (0, 0, 1280, 800), &["-format", "%k", "info:"]);
        out.trim().parse().unwrap_or(0)
    }

    /// Runs `xdotool ARGS…` on this display.
    pub fn xdotool(&self, args: &[&str]) {
        let status = self
            .command("xdotool")
            .args(args)
            .status()
            .expect("run xdotool");
        assert!(status.success(), "xdotool {args:?} failed");
    }

    /// Clicks at (x, y) on the screen.
    pub fn click(&self, x: u32, y: u32, button: u32) {
        self.xdotool(&[
            "mousemove",
            &x.to_string(),
            &y.to_string(),
            "click",
            &button.to_string(),
        ]);
    }

    /// Top-level windows that are viewable (mapped), as `xwininfo -root -children` lists
    /// them (one line each: id, name, geometry). A GTK dialog, a context menu popup or an
    /// inspector window shows up here.
    pub fn visible_windows(&self) -> Vec<String> {
        let out = self
            .command("xwininfo")
            .args(["-root", "-children", "-display", &self.display])
            .output()
            .expect("run xwininfo");
        let text = String::from_utf8_lossy(&out.stdout);
        let windows: Vec<(String, String)> = text
            .lines()
            .filter_map(|l| {
                let id = l.split_whitespace().next()?;
                id.starts_with("0x")
                    .then(|| (id.to_owned(), l.trim().to_owned()))
            })
            .collect();
        windows
            .into_iter()
            .filter(|(id, _)| {
                let out = self
                    .command("xwininfo")
                    .args(["-id", id, "-display", &self.display])
                    .output()
                    .expect("run xwininfo -id");
                String::from_utf8_lossy(&out.stdout).contains("Map State: IsViewable")
            })
            .map(|(_, line)| line)
            .collect()
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------------------------
// Proxy

/// One request the proxy received.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    /// Lower-case host without port (for CONNECT: the target host).
    pub host: String,
    /// Path and query, as sent.
    pub path: String,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What the proxy answers for a route.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn html(body: impl Into<String>) -> Reply {
        Reply {
            status: 200,
            headers: vec![("Content-Type".into(), "text/html; charset=utf-8".into())],
            body: body.into().into_bytes(),
        }
    }

    /// A 302 to `location`.
    pub fn redirect(location: &str) -> Reply {
        Reply {
            status: 302,
            headers: vec![("Location".into(), location.into())],
            body: Vec::new(),
        }
    }

    /// A file offered as a download (`Content-Disposition: attachment`).
    pub fn attachment(filename: &str, body: Vec<u8>) -> Reply {
        Reply {
            status: 200,
            headers: vec![
                ("Content-Type".into(), "application/octet-stream".into()),
                (
                    "Content-Disposition".into(),
                    format!("attachment; filename=\"{filename}\""),
                ),
            ],
            body,
        }
    }

    /// A small PNG (1×1).
    pub fn png() -> Reply {
        const PNG: &[u8] = &[
            0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48,
            0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00,
            0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78,
            0x9c, 0x63, 0x60, 0x60, 0x60, 0xf8, 0x0f, 0x00, 0x01, 0x04, 0x01, 0x00, 0x5f, 0xe5,
            0xc3, 0x4b, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
        ];
        Reply {
            status: 200,
            headers: vec![("Content-Type".into(), "image/png".into())],
            body: PNG.to_vec(),
        }
    }

    /// Closes the connection without an answer (a network failure for the browser).
    pub fn drop_connection() -> Reply {
        Reply {
            status: 0,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.into(), value.into()));
        self
    }
}

#[derive(Default)]
struct ProxyState {
    seen: Vec<Seen>,
    routes: HashMap<(String, String), Reply>,
}

/// A loopback HTTP proxy that plays any host. Stops accepting when dropped.
pub struct Proxy {
    pub port: u16,
    state: Arc<(Mutex<ProxyState>, Condvar)>,
}

impl Proxy {
    pub fn start() -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let port = listener.local_addr().unwrap().port();
        let state: Arc<(Mutex<ProxyState>, Condvar)> = Arc::default();
        let st = Arc::clone(&state);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let st = Arc::clone(&st);
                std::thread::spawn(move || serve(stream, &st));
            }
        });
        Proxy { port, state }
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Answers `reply` for `GET/POST http://HOST/PATH` (path without query).
    pub fn route(&self, host: &str, path: &str, reply: Reply) {
        self.state
            .0
            .lock()
            .unwrap()
            .routes
            .insert((host.to_owned(), path.to_owned()), reply);
    }

    /// Everything seen so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.state.0.lock().unwrap().seen.clone()
    }

    /// Whether any request (or CONNECT) for `host` ever arrived.
    pub fn saw_host(&self, host: &str) -> bool {
        self.seen().iter().any(|s| s.host == host)
    }

    /// Waits until a request matching `pred` has arrived (possibly before the call).
    pub fn wait_for(&self, what: &str, pred: impl Fn(&Seen) -> bool) -> Seen {
        let deadline = Instant::now() + TIMEOUT;
        let (lock, cv) = &*self.state;
        let mut st = lock.lock().unwrap();
        loop {
            if let Some(s) = st.seen.iter().find(|s| pred(s)) {
                return s.clone();
            }
            let now = Instant::now();
            assert!(
                now < deadline,
                "proxy never saw {what}; it saw: {:?}",
                st.seen
                    .iter()
                    .map(|s| format!("{} {}{}", s.method, s.host, s.path))
                    .collect::<Vec<_>>()
            );
            st = cv.wait_timeout(st, deadline - now).unwrap().0;
        }
    }

    /// Waits until at least `n` requests matching `pred` have arrived.
    pub fn wait_count(&self, what: &str, n: usize, pred: impl Fn(&Seen) -> bool) {
        let deadline = Instant::now() + TIMEOUT;
        let (lock, cv) = &*self.state;
        let mut st = lock.lock().unwrap();
        loop {
            if st.seen.iter().filter(|s| pred(s)).count() >= n {
                return;
            }
            let now = Instant::now();
            assert!(now < deadline, "proxy never saw {what} {n} times");
            st = cv.wait_timeout(st, deadline - now).unwrap().0;
        }
    }

    /// Waits for a request to `host` + `path` (path without query).
    pub fn wait_path(&self, host: &str, path: &str) -> Seen {
        self.wait_for(&format!("{host}{path}"), |s| {
            s.host == host && s.path.split('?').next() == Some(path)
        })
    }
}

fn serve(stream: TcpStream, state: &(Mutex<ProxyState>, Condvar)) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
    let mut writer = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
            return;
        };
        let method = method.to_owned();
        let target = target.to_owned();
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
            }
        }
        let len: usize = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; len];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let (host, path) = if method == "CONNECT" {
            (
                target
                    .rsplit_once(':')
                    .map_or(&*target, |(h, _)| h)
                    .to_owned(),
                String::new(),
            )
        } else {
            split_absolute(&target)
        };
        let seen = Seen {
            method: method.clone(),
            host: host.clone(),
            path: path.clone(),
            headers,
            body,
        };
        let reply = {
            let (lock, cv) = state;
            let mut st = lock.lock().unwrap();
            st.seen.push(seen);
            cv.notify_all();
            let key = (host, path.split('?').next().unwrap_or("").to_owned());
            st.routes.get(&key).cloned()
        };
        if method == "CONNECT" {
            let _ = writer.write_all(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
            return;
        }
        if reply.as_ref().is_some_and(|r| r.status == 0) {
            return;
        }
        let reply = reply.unwrap_or(Reply {
            status: 404,
            headers: vec![("Content-Type".into(), "text/plain".into())],
            body: b"not found".to_vec(),
        });
        let mut out = format!("HTTP/1.1 {} X\r\n", reply.status);
        for (k, v) in &reply.headers {
            out.push_str(&format!("{k}: {v}\r\n"));
        }
        out.push_str(&format!("Content-Length: {}\r\n", reply.body.len()));
        // Replies are not cached unless a route asks for it (the canary test fills the cache).
        if !reply
            .headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("cache-control"))
        {
            out.push_str("Cache-Control: no-store\r\n");
        }
        out.push_str("\r\n");
        if writer.write_all(out.as_bytes()).is_err() || writer.write_all(&reply.body).is_err() {
            return;
        }
    }
}

/// `http://Host:80/p?q` → (`host`, `/p?q`).
fn split_absolute(target: &str) -> (String, String) {
    let rest = target
        .strip_prefix("http://")
        .or_else(|| target.strip_prefix("https://"))
        .unwrap_or(target);
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(end) = host.find(']') {
        &host[..=end]
    } else {
        host.rsplit_once(':').map_or(host, |(h, _)| h)
    };
    (host.to_ascii_lowercase(), path.to_owned())
}

// ---------------------------------------------------------------------------------------------
// Config

/// A test `guichet.toml` and pack, written into a temp dir.
pub struct TestConfig {
    /// Rules of the local service (`[policy] extra`).
    pub extra: Vec<String>,
    /// `[policy] allow_http`.
    pub allow_http: Vec<String>,
    /// `"open"` or `"policy"`.
    pub subresources: &'static str,
    /// `[terminal] start_url` (replaces the welcome screen).
    pub start_url: Option<String>,
    pub downloads_enabled: bool,
    pub max_bytes: u64,
    pub languages: Vec<&'static str>,
}

impl Default for TestConfig {
    fn default() -> Self {
        TestConfig {
            extra: vec![
                "http://www.allowed.test".into(),
                "http://login.sso.test".into(),
                "http://cdn.allowed.test".into(),
            ],
            allow_http: vec![
                "www.allowed.test".into(),
                "login.sso.test".into(),
                "cdn.allowed.test".into(),
            ],
            subresources: "open",
            start_url: None,
            downloads_enabled: true,
            max_bytes: 100_000,
            languages: vec!["fr", "nl", "de", "en"],
        }
    }
}

/// The test pack: two services with every language, over https (unreachable through the
/// proxy, which refuses CONNECT, but listed on the welcome screen and the blocked page).
const TEST_PACK: &str = r#"
id = "test-pack"
title = { fr = "Services de test", nl = "Testdiensten", de = "Testdienste", en = "Test services" }

[[service]]
id = "impots"
names = { fr = "Impôts (test)", nl = "Belastingen (test)", de = "Steuern (test)", en = "Taxes (test)" }
category = "taxes"
start_url = "https://www.allowed.test/"
allow = ["www.allowed.test", "login.sso.test"]
logout_url = "https://login.sso.test/logout"

[[service]]
id = "pension"
names = { fr = "Ma pension (test)", nl = "Mijn pensioen (test)", de = "Meine Rente (test)", en = "My pension (test)" }
category = "pension"
start_url = "https://pension.allowed.test/"
allow = ["pension.allowed.test"]
"#;

impl TestConfig {
    /// Writes `guichet.toml` (+ `packs/test-pack.toml`) into `dir`, pointing at `proxy`.
    pub fn write(&self, dir: &Path, proxy: &Proxy) -> PathBuf {
        std::fs::create_dir_all(dir.join("packs")).unwrap();
        std::fs::write(dir.join("packs/test-pack.toml"), TEST_PACK).unwrap();
        let list = |v: &[String]| {
            v.iter()
                .map(|s| format!("{s:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let langs: Vec<String> = self.languages.iter().map(|s| (*s).to_owned()).collect();
        let start = self
            .start_url
            .as_ref()
            .map(|u| format!("start_url = {u:?}\n"))
            .unwrap_or_default();
        let text = format!(
            r#"[terminal]
name = "e2e"
languages = [{langs}]
{start}
[policy]
packs = ["test-pack"]
pack_dirs = ["packs"]
extra = [{extra}]
subresources = "{sub}"
allow_http = [{http}]

[downloads]
enabled = {dl}
max_bytes = {max}
blocked_extensions = ["sh", "desktop", "exe"]

[network]
proxy = "{proxy}"

[control]
socket = "control.sock"

[stats]
enabled = false
dir = "stats"
"#,
            langs = list(&langs),
            extra = list(&self.extra),
            sub = self.subresources,
            http = list(&self.allow_http),
            dl = self.downloads_enabled,
            max = self.max_bytes,
            proxy = proxy.url(),
        );
        let path = dir.join("guichet.toml");
        std::fs::write(&path, text).unwrap();
        path
    }
}

// ---------------------------------------------------------------------------------------------
// The view process

/// A running `guichet-view`, killed on drop. Its stderr is kept and printed if the test fails.
pub struct View {
    child: Child,
    stdin: Option<ChildStdin>,
    messages: Receiver<FromView>,
    /// Every message received so far, in order.
    pub received: Vec<FromView>,
    stderr: Arc<Mutex<Vec<String>>>,
    pub session: SessionDir,
}

impl View {
    /// Starts the view on `xvfb` with the confined environment of `session`.
    pub fn spawn(xvfb: &Xvfb, config: &Path, session: SessionDir) -> View {
        let display: Vec<(&str, OsString)> = vec![("DISPLAY", xvfb.display.clone().into())];
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_guichet-view"));
        cmd.env_clear()
            .envs(session.confined_env(&display))
            .env(
                "RUST_LOG",
                std::env::var("GUICHET_TEST_LOG").unwrap_or_else(|_| "guichet=debug".into()),
            )
            .arg("--session-dir")
            .arg(session.root())
            .arg("--config")
            .arg(config)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn guichet-view");
        let (rx, stderr) = read_view_pipes(&mut child);
        View {
            stdin: child.stdin.take(),
            child,
            messages: rx,
            received: Vec::new(),
            stderr,
            session,
        }
    }

    pub fn send(&mut self, msg: &ToView) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        frame::write_frame(stdin, msg).expect("write to the view");
    }

    /// Closes the view's stdin (as when the supervisor dies).
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// Waits for a message matching `pred`, skipping (but recording) others.
    pub fn expect(&mut self, what: &str, pred: impl Fn(&FromView) -> bool) -> FromView {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.messages.recv_timeout(left) {
                Ok(msg) => {
                    self.received.push(msg.clone());
                    if pred(&msg) {
                        return msg;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    panic!("no {what} from the view; got {:?}", self.received)
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("the view exited before {what}; got {:?}", self.received)
                }
            }
        }
    }

    /// Waits for `ready`, sends `start` and returns the time to `ready`.
    pub fn start(&mut self) -> Duration {
        let t = Instant::now();
        self.expect("ready", |m| *m == FromView::Ready);
        let elapsed = t.elapsed();
        self.send(&ToView::Start);
        elapsed
    }

    /// Makes the view load `url` in its content view through the end flow (as a logout
    /// URL) and waits for `ended`: a later, allowed request to order events by.
    pub fn sentinel(&mut self, url: &str) {
        self.send(&ToView::EndSession {
            takeaway: false,
            logout_urls: vec![guichet::loggable::Private::new(url.to_owned())],
        });
        self.expect("ended", |m| *m == FromView::Ended);
    }

    /// Waits for the process to exit and returns its status code.
    pub fn wait_exit(&mut self) -> Option<i32> {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(st) = self.child.try_wait().expect("try_wait") {
                return st.code();
            }
            assert!(Instant::now() < deadline, "the view did not exit");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The process id of the view.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Ids of the view's descendants whose command name starts with `name`
    /// (e.g. `WebKitWebProcess`), read from `/proc`.
    pub fn descendants_named(&self, name: &str) -> Vec<u32> {
        let mut found = Vec::new();
        let mut stack = vec![self.child.id()];
        while let Some(pid) = stack.pop() {
            let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
                continue;
            };
            for task in tasks.flatten() {
                let children =
                    std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
                for child in children
                    .split_whitespace()
                    .filter_map(|c| c.parse::<u32>().ok())
                {
                    let comm =
                        std::fs::read_to_string(format!("/proc/{child}/comm")).unwrap_or_default();
                    if comm.trim().starts_with(name) {
                        found.push(child);
                    }
                    stack.push(child);
                }
            }
        }
        found
    }

    /// The view's log lines so far.
    pub fn log(&self) -> Vec<String> {
        self.stderr.lock().unwrap().clone()
    }
}

impl Drop for View {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("---- guichet-view log ----");
            for l in self.stderr.lock().unwrap().iter() {
                eprintln!("{l}");
            }
        }
    }
}

/// One test's world: an X server, a proxy, a temp dir with config and session dir.
pub struct World {
    pub xvfb: Xvfb,
    pub proxy: Proxy,
    pub tmp: tempfile::TempDir,
    pub config: PathBuf,
}

impl World {
    pub fn new(config: TestConfig) -> World {
        let xvfb = Xvfb::start();
        let proxy = Proxy::start();
        let tmp = tempfile::tempdir().expect("temp dir");
        let config = config.write(tmp.path(), &proxy);
        World {
            xvfb,
            proxy,
            tmp,
            config,
        }
    }

    /// A fresh session directory under the temp dir.
    pub fn session(&self) -> SessionDir {
        SessionDir::create(&self.tmp.path().join("run")).expect("session dir")
    }

    /// Starts a view on a fresh session, waits for `ready` and sends `start`.
    pub fn started_view(&self) -> View {
        let mut view = View::spawn(&self.xvfb, &self.config, self.session());
        view.start();
        view
    }
}

/// Reads a started view's pipes in the background: its protocol messages (stdout) into a
/// channel, its log lines (stderr) into a shared list. The child must have been spawned with
/// both piped; whatever wraps the view (cage, setpriv) must pass them through.
pub fn read_view_pipes(child: &mut Child) -> (mpsc::Receiver<FromView>, Arc<Mutex<Vec<String>>>) {
    let stdout = child.stdout.take().expect("stdout piped");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut r = BufReader::new(stdout);
        while let Ok(Some(msg)) = frame::read_frame::<FromView>(&mut r) {
            if tx.send(msg).is_err() {
                return;
            }
        }
    });
    let log = Arc::new(Mutex::new(Vec::new()));
    let lines = Arc::clone(&log);
    let err = child.stderr.take().expect("stderr piped");
    std::thread::spawn(move || {
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            lines.lock().unwrap().push(line);
        }
    });
    (rx, log)
}
