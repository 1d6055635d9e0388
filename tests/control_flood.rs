//! A flood of slow control clients delays staff replies but never breaks wipes or spares.
//!
//! guichetd (with the fake view) runs under a descriptor limit of 512 (soft and hard): 500
//! clients of an allowed staff user (root) each hold a connection and send one byte of a
//! request every 1.5 s, reconnecting whenever guichetd closes them. (Before the connection cap
//! and the descriptor reserve, guichetd ran out of descriptors under this flood and went out
//! of order; with a limit of 1024 it held 500 connections with a handful of descriptors to
//! spare.) Meanwhile sessions end (the person presses "end session"), each one wiped
//! while the spare takes over and a new spare starts; the terminal never goes out of order.
//! Once the flood stops, `status` answers within the request deadline.

mod support;

use std::io::Write;
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use guichet::daemon::machine::State;
use guichet::protocol::client;
use guichet::protocol::control::{Request, Response};
use support::{eventually, Builder};

const CLIENTS: usize = 500;
const BYTE_EVERY: Duration = Duration::from_millis(1500);
/// Sessions ended during the flood: at least this many, and for at least [`FLOOD_FOR`]
/// (several request deadlines: guichetd drops the slow clients, they come back).
const SESSIONS: usize = 3;
const FLOOD_FOR: Duration = Duration::from_secs(12);
/// At most this many sessions (the bound on the test).
const MAX_SESSIONS: usize = 30;
/// guichetd's whole-request deadline (`daemon::control::REQUEST_DEADLINE`).
const DEADLINE: Duration = Duration::from_secs(3);

/// What the flood saw.
#[derive(Default)]
struct Counts {
    /// Rounds of one byte per connection done.
    rounds: AtomicUsize,
    connected: AtomicUsize,
    closed_by_guichetd: AtomicUsize,
}

/// Runs the flood until `stop`: every 1.5 s, one more byte of `{"type":"status"}` on each of
/// the 500 connections; a connection guichetd closed is opened again.
fn flood(socket: std::path::PathBuf, stop: Arc<AtomicBool>, counts: Arc<Counts>) {
    let request = b"{\"type\":\"status\"}\n";
    let mut conns: Vec<Option<(UnixStream, usize)>> = (0..CLIENTS).map(|_| None).collect();
    while !stop.load(Ordering::Relaxed) {
        let tick = Instant::now() + BYTE_EVERY;
        for slot in conns.iter_mut() {
            if stop.load(Ordering::Relaxed) {
                break;
            }
            if slot.is_none() {
                if let Ok(s) = UnixStream::connect(&socket) {
                    counts.connected.fetch_add(1, Ordering::Relaxed);
                    *slot = Some((s, 0));
                }
            }
            if let Some((s, sent)) = slot.as_mut() {
                // Never the last byte: the request is never complete.
                let byte = [request[*sent % (request.len() - 1)]];
                if s.write_all(&byte).is_err() {
                    counts.closed_by_guichetd.fetch_add(1, Ordering::Relaxed);
                    *slot = None;
                } else {
                    *sent += 1;
                }
            }
        }
        counts.rounds.fetch_add(1, Ordering::Relaxed);
        while Instant::now() < tick && !stop.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

#[test]
fn five_hundred_slow_clients_never_break_wipes_or_spares() {
    let d = Builder {
        nofile: Some(512),
        ..Builder::default()
    }
    .start();
    d.wait_status("spare ready", |s| s.spare_ready);
    let stop = Arc::new(AtomicBool::new(false));
    let counts = Arc::new(Counts::default());
    let flooder = {
        let (socket, stop, counts) = (d.socket.clone(), stop.clone(), counts.clone());
        std::thread::spawn(move || flood(socket, stop, counts))
    };
    eventually("the flood is on", || {
        counts.connected.load(Ordering::Relaxed) >= CLIENTS
    });

    // Sessions end and are wiped; the spare takes over, a new spare starts. Watched through
    // the fake views' logs: the control socket is the thing being flooded.
    let mut seen = Vec::new();
    let (flood_start, mut answered) = (Instant::now(), 0);
    while seen.len() < SESSIONS || flood_start.elapsed() < FLOOD_FOR {
        assert!(seen.len() < MAX_SESSIONS);
        // One session per round of the flood.
        let round = counts.rounds.load(Ordering::Relaxed);
        eventually("a round of the flood", || {
            counts.rounds.load(Ordering::Relaxed) > round
        });
        let v = d.shown();
        assert!(!seen.contains(&v.id), "the same view again");
        seen.push(v.id.clone());
        v.cmd("activity");
        v.wait_got("\"type\":\"start\"");
        v.cmd("end_requested");
        v.wait_got("\"end_session\"");
        let dir = d.runtime.join("sessions").join(&v.id);
        eventually("the session wiped", || !dir.exists());
        eventually("the next view shown", || {
            d.views()
                .iter()
                .any(|n| !seen.contains(&n.id) && n.got("\"start\""))
        });
        // A staff request during the flood gets an answer (maybe "busy"), never a hang.
        let t0 = Instant::now();
        let r = client::request(&d.socket, &Request::Status);
        assert!(
            t0.elapsed() < DEADLINE * 2,
            "staff waited {:?}",
            t0.elapsed()
        );
        match r {
            Ok(Response::Status(_)) => answered += 1,
            Ok(Response::Error { message }) if message.starts_with("busy") => {}
            other => panic!("status during the flood: {other:?}"),
        }
    }
    let logs = d.logs();
    assert!(
        logs.contains("too many connections"),
        "the cap never engaged"
    );

    stop.store(true, Ordering::Relaxed);
    flooder.join().unwrap();
    let t0 = Instant::now();
    let status = match client::request(&d.socket, &Request::Status) {
        Ok(Response::Status(s)) => s,
        other => panic!("status after the flood: {other:?}"),
    };
    let took = t0.elapsed();
    eprintln!(
        "flood of {:?}: {} sessions wiped, {} connections opened, {} closed by guichetd; \
         {answered} of {} staff requests answered during it (the others: busy); status after \
         it in {took:?}",
        flood_start.elapsed(),
        seen.len(),
        counts.connected.load(Ordering::Relaxed),
        counts.closed_by_guichetd.load(Ordering::Relaxed),
        seen.len()
    );
    assert!(took < DEADLINE, "status took {took:?}");
    assert!(status.out_of_order.is_none(), "{status:?}");
    assert!(
        status.last_wipe.as_ref().is_some_and(|w| w.ok),
        "{status:?}"
    );
    assert!(status.sessions_started > SESSIONS as u64, "{status:?}");
    let logs = d.logs();
    for bad in [
        "OUT OF ORDER",
        "out_of_order",
        "wipe FAILED",
        "cannot start a view",
    ] {
        assert!(!logs.contains(bad), "{bad} in the logs:\n{logs}");
    }
    d.wait_status("a fresh welcome with a spare", |s| {
        s.state == State::Welcome && s.spare_ready
    });
}
