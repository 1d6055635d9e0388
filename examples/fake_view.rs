//! A fake `guichet-view` for the supervisor's black-box tests: speaks the view protocol,
//! shows nothing, and is steered by the test.
//!
//! `fake_view --session-dir DIR`, as guichetd starts a view: it reads the config guichetd
//! wrote into the session dir (`config.json`, with the production reader) and keeps its test
//! files in `fakeview/` next to the `guichet.toml` that config came from (outside the session
//! dir, so they survive the wipe; guichetd binds it into the units with `--test-writable`):
//! - `<session id>.log`: `pid N` (its pid inside its unit), `siblings …` (the other session
//!   dirs it can see at start), `config-name …`, then `recv <unix nanos> <json>` for every
//!   order received;
//! - `<session id>.ctl`: a fifo; each line written there is a command: `activity`,
//!   `end_requested`, `ended`, `crash`, `exit`, `navigated HOST CATEGORY SERVICE`,
//!   `blocked HOST`, `download STATE BYTES`, `print_requested`, `printed PAGES`,
//!   `usb_copied FILES`, `helper_called`, `problem_reported SERVICE KIND`, `raw TEXT` (sent as
//!   is), `grandchild` (starts `fake_view idle grandchild-<session id>` in the group; logs
//!   `grandchild N`; when it dies the view reports `crashed`, as the real view does when
//!   WebKit's web process dies), `canary TEXT` (writes TEXT into files of the session dir),
//!   `escape SHAPE TOKEN` (starts a hostile process, see below), and probes of what the
//!   session can reach, each logging one line: `probe_write PATH` (`probe_write PATH ok|err
//!   CODE`), `probe_exists PATH` (`… yes|no`), `probe_list DIR` (`… a,b` or `… err CODE`),
//!   `connect SOCKET` (sends a `status` request: `… ok REPLY` or `… err CODE`). Every command
//!   is logged as `done N` once handled (N counts the commands), so a test can wait for it.
//! - if `hold_ending` exists there, `end_session` is not answered with `ended` automatically.
//!
//! `fake_view hostile SHAPE TOKEN` is what a session's hostile code could do to outlive its
//! wipe (TOKEN, in its command line, lets a test find it). It clears its environment, so no
//! variable names the session, and holds none of the view's pipes. SHAPE:
//! - `detach`: double fork and `setsid`, then sleeps forever;
//! - `stubborn`: ignores SIGTERM and SIGHUP (blocked; a thread takes them) and, on each one,
//!   starts a detached copy of itself (double fork and `setsid`): what a wipe that signals
//!   first and kills after a grace lets through;
//! - `both`: double fork and `setsid`, ignores SIGTERM and SIGHUP, and every 100 ms starts a
//!   detached copy of itself and exits (its pid keeps changing).

use std::fs::{self, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("hostile") => hostile(&args[2..]),
        // A plain child that sleeps (`grandchild`).
        Some("idle") => loop {
            std::thread::sleep(std::time::Duration::from_secs(3600));
        },
        _ => {}
    }
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                eprintln!("fake_view: missing {name}");
                std::process::exit(2)
            })
    };
    let session = arg("--session-dir");
    let config = match guichet::sessiondir::SessionDir::open(&session)
        .map_err(|e| e.to_string())
        .and_then(|s| s.read_config().map_err(|e| e.to_string()))
    {
        Ok(config) => config,
        Err(e) => {
            eprintln!("fake_view: {e}");
            std::process::exit(1)
        }
    };
    let ctl_dir = config.source.parent().unwrap().join("fakeview");
    fs::create_dir_all(&ctl_dir).unwrap();
    let id = session.file_name().unwrap().to_string_lossy().into_owned();
    let log = Arc::new(Mutex::new(
        OpenOptions::new()
            .create(true)
            .append(true)
            .open(ctl_dir.join(format!("{id}.log")))
            .unwrap(),
    ));
    let note = {
        let log = Arc::clone(&log);
        move |line: &str| {
            let mut f = log.lock().unwrap();
            let _ = writeln!(f, "{line}");
        }
    };
    note(&format!("pid {}", std::process::id()));
    let siblings: Vec<String> = fs::read_dir(session.parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| *n != id)
        .collect();
    note(&format!("siblings {}", siblings.join(" ")));
    note(&format!("config-name {}", config.terminal.name));

    let out = Arc::new(Mutex::new(std::io::stdout()));
    let send = {
        let out = Arc::clone(&out);
        move |line: &str| {
            let mut o = out.lock().unwrap();
            let _ = writeln!(o, "{line}");
            let _ = o.flush();
        }
    };

    let fifo = ctl_dir.join(format!("{id}.ctl"));
    let _ = nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU);
    {
        let send = send.clone();
        let note = note.clone();
        let session = session.clone();
        std::thread::spawn(move || commands(&fifo, &session, &send, &note));
    }
    send(r#"{"type":"ready"}"#);

    let stdin = std::io::stdin();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        note(&format!("recv {nanos} {line}"));
        if line.contains(r#""type":"quit""#) {
            std::process::exit(0);
        }
        if line.contains(r#""type":"start""#) {
            send(r#"{"type":"shown"}"#);
        }
        if line.contains(r#""type":"end_session""#) && !ctl_dir.join("hold_ending").exists() {
            send(r#"{"type":"ended"}"#);
        }
    }
}

fn commands(
    fifo: &Path,
    session: &Path,
    send: &(impl Fn(&str) + Clone + Send + 'static),
    note: &dyn Fn(&str),
) {
    let mut done = 0u64;
    loop {
        // Read-write: the view holds a writer of its own, so the fifo never reaches EOF between
        // two test commands. (Opened read-only, it closed at each EOF, and a command written
        // right then failed with EPIPE: seen once in a fresh-root run of supervisor_stats.)
        let Ok(f) = fs::OpenOptions::new().read(true).write(true).open(fifo) else {
            return;
        };
        for line in BufReader::new(f).lines() {
            let Ok(line) = line else { break };
            let (cmd, rest) = line.split_once(' ').unwrap_or((line.as_str(), ""));
            let args: Vec<&str> = rest.split(' ').collect();
            let arg = |i: usize| args.get(i).copied().unwrap_or("");
            match cmd {
                "activity" | "end_requested" | "ended" | "print_requested" | "helper_called" => {
                    send(&format!(r#"{{"type":"{cmd}"}}"#))
                }
                "crash" => send(r#"{"type":"crashed","what":"web_process_terminated"}"#),
                "exit" => std::process::exit(3),
                "navigated" => send(&format!(
                    r#"{{"type":"navigated","host":"{}","category":"{}","service":"{}"}}"#,
                    arg(0),
                    arg(1),
                    arg(2)
                )),
                "blocked" => send(&format!(
                    r#"{{"type":"blocked","host":"{rest}","reason":"not_listed"}}"#
                )),
                "download" => send(&format!(
                    r#"{{"type":"download","state":"{}","bytes":{}}}"#,
                    arg(0),
                    arg(1)
                )),
                "printed" => send(&format!(r#"{{"type":"printed","pages":{rest}}}"#)),
                "usb_copied" => send(&format!(r#"{{"type":"usb_copied","files":{rest}}}"#)),
                "problem_reported" => send(&format!(
                    r#"{{"type":"problem_reported","service":"{}","kind":"{}"}}"#,
                    arg(0),
                    arg(1)
                )),
                "raw" => send(rest),
                "grandchild" => {
                    // Left running on purpose: the supervisor's wipe must kill and reap it.
                    // `grandchild-<session id>` in its arguments lets a test find it.
                    let id = session.file_name().unwrap().to_string_lossy().into_owned();
                    #[allow(clippy::zombie_processes)]
                    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
                        .args(["idle", &format!("grandchild-{id}")])
                        .spawn()
                        .unwrap();
                    note(&format!("grandchild {}", child.id()));
                    // Like WebKit's web process: its death is a crash of the view.
                    let send = send.clone();
                    std::thread::spawn(move || {
                        let _ = child.wait();
                        send(r#"{"type":"crashed","what":"web_process_terminated"}"#);
                    });
                }
                "escape" => {
                    let (shape, token) = rest.split_once(' ').unwrap_or((rest, "escapee"));
                    match spawn_hostile(shape, token, "start") {
                        Ok(()) => note(&format!("escape {shape} started")),
                        Err(e) => note(&format!("escape {shape} failed {e}")),
                    }
                }
                "probe_write" => {
                    let r = fs::write(rest, "written from inside a session");
                    note(&format!(
                        "probe_write {rest} {}",
                        outcome(r.map(|_| String::new()))
                    ));
                }
                "probe_exists" => {
                    let yes = fs::symlink_metadata(rest).is_ok();
                    note(&format!(
                        "probe_exists {rest} {}",
                        if yes { "yes" } else { "no" }
                    ));
                }
                "probe_read" => {
                    // `probe_read $XAUTHORITY` reads the file the variable names.
                    let path = match rest.strip_prefix('$') {
                        Some(var) => std::env::var_os(var).unwrap_or_default().into(),
                        None => std::path::PathBuf::from(rest),
                    };
                    let r = fs::read(&path).map(|b| format!("{} {}", path.display(), b.len()));
                    note(&format!("probe_read {rest} {}", outcome(r)));
                }
                "probe_list" => {
                    let r = fs::read_dir(rest).map(|d| {
                        d.filter_map(|e| e.ok())
                            .map(|e| e.file_name().to_string_lossy().into_owned())
                            .collect::<Vec<_>>()
                            .join(",")
                    });
                    note(&format!("probe_list {rest} {}", outcome(r)));
                }
                "connect" => {
                    let r = std::os::unix::net::UnixStream::connect(rest).and_then(|mut s| {
                        s.write_all(b"{\"type\":\"status\"}\n")?;
                        let mut reply = String::new();
                        BufReader::new(s).read_line(&mut reply)?;
                        Ok(reply.trim().to_owned())
                    });
                    note(&format!("connect {rest} {}", outcome(r)));
                }
                "canary" => {
                    for (dir, file) in [
                        ("profile", "cookies"),
                        ("downloads", "doc.pdf"),
                        ("home", "typed"),
                    ] {
                        let _ = fs::write(session.join(dir).join(file), rest);
                    }
                    note("canary written");
                }
                _ => note(&format!("unknown command {cmd}")),
            }
            done += 1;
            note(&format!("done {done}"));
        }
    }
}

/// `ok VALUE` or `err CODE` (the OS error number, or the error's kind).
fn outcome(r: std::io::Result<String>) -> String {
    match r {
        Ok(v) => format!("ok {v}").trim_end().to_owned(),
        Err(e) => match e.raw_os_error() {
            Some(code) => format!("err {code}"),
            None => format!("err {:?}", e.kind()),
        },
    }
}

/// Starts `fake_view hostile SHAPE TOKEN STAGE` with no environment and no pipes.
fn spawn_hostile(shape: &str, token: &str, stage: &str) -> std::io::Result<()> {
    use std::process::{Command, Stdio};
    let exe = std::env::current_exe()?;
    // Left running on purpose: outliving the wipe is what it tries.
    #[allow(clippy::zombie_processes)]
    Command::new(exe)
        .args(["hostile", shape, token, stage])
        .env_clear()
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    Ok(())
}

/// `hostile SHAPE TOKEN STAGE`: see the module docs. Stages: `start` (first fork: starts
/// `detached` and exits, so that one is orphaned), `detached` (`setsid`, then the shape's life).
fn hostile(args: &[String]) -> ! {
    use nix::sys::signal::{SigSet, Signal};
    use std::time::Duration;
    let shape = args.first().map(String::as_str).unwrap_or("detach");
    let token = args.get(1).map(String::as_str).unwrap_or("escapee");
    let stage = args.get(2).map(String::as_str).unwrap_or("start");
    let mut signals = SigSet::empty();
    signals.add(Signal::SIGTERM);
    signals.add(Signal::SIGHUP);
    if shape != "detach" {
        // Before any thread: every thread inherits the mask, and the signals stay pending.
        let _ = signals.thread_block();
    }
    if stage == "start" && shape != "stubborn" {
        let _ = spawn_hostile(shape, token, "detached");
        std::process::exit(0);
    }
    if stage == "detached" {
        let _ = nix::unistd::setsid();
    }
    match shape {
        "stubborn" => {
            let (shape, token) = (shape.to_owned(), token.to_owned());
            std::thread::spawn(move || loop {
                if signals.wait().is_ok() {
                    // Asked to end: leave a detached copy behind first.
                    let _ = spawn_hostile(&shape, &token, "start-detach");
                }
            });
        }
        "both" => loop {
            std::thread::sleep(Duration::from_millis(100));
            if spawn_hostile(shape, token, "detached").is_ok() {
                std::process::exit(0);
            }
        },
        _ => {}
    }
    if stage == "start-detach" {
        let _ = spawn_hostile(shape, token, "detached");
        std::process::exit(0);
    }
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}
