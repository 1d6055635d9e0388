//! The recording proxy: a loopback HTTP proxy that plays any host name.
//!
//! The view's config sends all traffic to it ([`super::config::TestConfig`]). Give it routes
//! ([`Proxy::route`]: host + path → [`Reply`]); it records every request ([`Seen`]: method,
//! host, path, headers, body) and answers `CONNECT` with 403 (recorded with method
//! `CONNECT`), so https is unreachable. [`Proxy::wait_for`] blocks until a matching request
//! arrives: the event tests order themselves on; [`Proxy::saw_host`] tells whether a host was
//! ever asked for (check it after a later sentinel request, never after a sleep).
//!
//! Network failures: [`Proxy::fail`] makes a route fail instead of answering ([`Fault`]: the
//! connection closed, reset, or left hanging), [`Proxy::tunnel`] sets the status `CONNECT`
//! gets for a host (502: a refused tunnel); [`Proxy::heal`] lifts a route's fault.
//!
//! Holding: [`Proxy::hold`] makes the requests of a route wait (recorded at once, answered
//! only after [`Proxy::release`]), so a test can look at the world while a request is in flight.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Instant;

use super::TIMEOUT;

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

    /// An error status with no body at all (a bare `502` from a gateway, an empty `500`).
    pub fn bare(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Vec::new(),
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

/// How a route fails instead of answering (see [`Proxy::fail`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Close the connection without an answer (FIN).
    Close,
    /// Reset the connection (RST) without an answer.
    Reset,
    /// Keep the connection open and never answer (until the browser gives up).
    Hang,
}

#[derive(Default)]
struct ProxyState {
    seen: Vec<Seen>,
    routes: HashMap<(String, String), Reply>,
    faults: HashMap<(String, String), Fault>,
    /// Status of the answer to `CONNECT host` (403 when absent).
    tunnels: HashMap<String, u16>,
    /// Routes whose answers wait for [`Proxy::release`].
    held: std::collections::HashSet<(String, String)>,
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

    /// Makes `host` + `path` fail with `fault` (before any route) until [`Proxy::heal`].
    pub fn fail(&self, host: &str, path: &str, fault: Fault) {
        self.state
            .0
            .lock()
            .unwrap()
            .faults
            .insert((host.to_owned(), path.to_owned()), fault);
    }

    /// Lifts the fault of `host` + `path`: its route answers again.
    pub fn heal(&self, host: &str, path: &str) {
        self.state
            .0
            .lock()
            .unwrap()
            .faults
            .remove(&(host.to_owned(), path.to_owned()));
    }

    /// Holds the answers of `host` + `path` (path without query): their requests are recorded
    /// when they arrive, and answered (or failed) only after [`Proxy::release`].
    pub fn hold(&self, host: &str, path: &str) {
        self.state
            .0
            .lock()
            .unwrap()
            .held
            .insert((host.to_owned(), path.to_owned()));
    }

    /// Lets the held requests of `host` + `path` be answered, and later ones at once.
    pub fn release(&self, host: &str, path: &str) {
        let (lock, cv) = &*self.state;
        lock.lock()
            .unwrap()
            .held
            .remove(&(host.to_owned(), path.to_owned()));
        cv.notify_all();
    }

    /// Answers `CONNECT host:port` with `status` (and no body) from now on.
    pub fn tunnel(&self, host: &str, status: u16) {
        self.state
            .0
            .lock()
            .unwrap()
            .tunnels
            .insert(host.to_owned(), status);
    }

    /// How many requests matching `pred` arrived so far.
    pub fn count(&self, pred: impl Fn(&Seen) -> bool) -> usize {
        self.seen().iter().filter(|s| pred(s)).count()
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
        let (reply, fault, tunnel) = {
            let (lock, cv) = state;
            let mut st = lock.lock().unwrap();
            st.seen.push(seen);
            cv.notify_all();
            let tunnel = st.tunnels.get(&host).copied().unwrap_or(403);
            let key = (host, path.split('?').next().unwrap_or("").to_owned());
            while st.held.contains(&key) {
                st = cv.wait(st).unwrap();
            }
            (
                st.routes.get(&key).cloned(),
                st.faults.get(&key).copied(),
                tunnel,
            )
        };
        if method == "CONNECT" {
            let _ = writer
                .write_all(format!("HTTP/1.1 {tunnel} X\r\nContent-Length: 0\r\n\r\n").as_bytes());
            return;
        }
        match fault {
            Some(Fault::Close) => return,
            Some(Fault::Reset) => {
                // SO_LINGER with a zero timeout: close() sends RST instead of FIN.
                let linger = libc::linger {
                    l_onoff: 1,
                    l_linger: 0,
                };
                let _ = nix::sys::socket::setsockopt(
                    &writer,
                    nix::sys::socket::sockopt::Linger,
                    &linger,
                );
                return;
            }
            Some(Fault::Hang) => {
                // Never answer; return when the browser closes its end.
                let mut sink = [0u8; 512];
                while matches!(reader.read(&mut sink), Ok(n) if n > 0) {}
                return;
            }
            None => {}
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
