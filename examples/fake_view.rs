//! A fake `guichet-view` for the supervisor's black-box tests: speaks the view protocol,
//! shows nothing, and is steered by the test.
//!
//! `fake_view --session-dir DIR`, as guichetd starts a view: it reads the config guichetd
//! wrote into the session dir (`config.json`, with the production reader) and keeps its test
//! files in `fakeview/` next to the `guichet.toml` that config came from (outside the session
//! dir, so they survive the wipe):
//! - `<session id>.log`: `pid N`, `siblings …` (the other session dirs present at start),
//!   `config-name …`, then `recv <unix nanos> <json>` for every order received;
//! - `<session id>.ctl`: a fifo; each line written there is a command: `activity`,
//!   `end_requested`, `ended`, `crash`, `exit`, `navigated HOST CATEGORY SERVICE`,
//!   `blocked HOST`, `download STATE BYTES`, `print_requested`, `printed PAGES`,
//!   `usb_copied FILES`, `helper_called`, `problem_reported SERVICE KIND`, `raw TEXT` (sent as
//!   is), `grandchild` (starts `sleep` in the group; logs `grandchild N`; when it dies the view
//!   reports `crashed`, as the real view does when WebKit's web process dies),
//!   `canary TEXT` (writes TEXT into files of the session dir). Every command is logged as
//!   `done N` once handled (N counts the commands), so a test can wait for it.
//! - if `hold_ending` exists there, `end_session` is not answered with `ended` automatically.

use std::fs::{self, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

fn main() {
    let args: Vec<String> = std::env::args().collect();
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
        let Ok(f) = fs::File::open(fifo) else { return };
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
                    #[allow(clippy::zombie_processes)]
                    let mut child = std::process::Command::new("sleep")
                        .arg("3600")
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
