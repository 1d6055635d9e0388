//! The control socket: who may use it, and how it survives bad requests.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::net::UnixStream;
use std::process::Command;

use guichet::daemon::machine::State;
use support::config::policies_dir;
use support::config_text;
use support::daemon::{fake_view, guichetctl, guichetd};
use support::{eventually, Builder, Daemon};

/// `users` (gid 100) exists on Debian-like systems; the member test uses it as staff group.
const STAFF: &str = "users";
const STAFF_GID: u32 = 100;

fn as_nobody(d: &Daemon, groups: Option<u32>, args: &[&str]) -> std::process::Output {
    let mut cmd = Command::new("setpriv");
    cmd.args(["--reuid=65534", "--regid=65534"]);
    match groups {
        Some(g) => cmd.arg(format!("--groups={g}")),
        None => cmd.arg("--clear-groups"),
    };
    cmd.arg(guichetctl())
        .args(args)
        .arg("--socket")
        .arg(&d.socket)
        .output()
        .unwrap()
}

fn raw(d: &Daemon, bytes: &[u8]) -> String {
    let mut s = UnixStream::connect(&d.socket).unwrap();
    let _ = s.write_all(bytes);
    let mut line = String::new();
    BufReader::new(s).read_line(&mut line).unwrap();
    line
}

#[test]
fn the_socket_is_0660_and_belongs_to_the_staff_group() {
    let d = Builder {
        staff: STAFF.into(),
        ..Builder::default()
    }
    .start();
    let meta = std::fs::metadata(&d.socket).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o660);
    assert_eq!(meta.gid(), STAFF_GID);
}

#[test]
fn a_member_of_the_staff_group_is_accepted() {
    let d = Builder {
        staff: STAFF.into(),
        ..Builder::default()
    }
    .start();
    let out = as_nobody(&d, Some(STAFF_GID), &["status"]);
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("state: welcome"));
    let out = as_nobody(&d, Some(STAFF_GID), &["reset", "--now"]);
    assert!(out.status.success(), "{out:?}");
    d.wait_status("reset done", |s| s.sessions_started == 2);
}

#[test]
fn an_unprivileged_user_outside_the_group_is_refused_and_logged() {
    let d = Builder {
        staff: STAFF.into(),
        ..Builder::default()
    }
    .start();
    // The file mode stops them first.
    let out = as_nobody(&d, None, &["reset", "--now"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("permission denied"));
    // With the file mode opened up, the peer credential check refuses them.
    std::fs::set_permissions(&d.socket, std::fs::Permissions::from_mode(0o666)).unwrap();
    let out = as_nobody(&d, None, &["reset", "--now"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("refused"), "{err}");
    // And so does a member of another group.
    let out = as_nobody(&d, Some(50), &["pause"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let s = d.status();
    assert_eq!(s.state, State::Welcome);
    assert_eq!(s.sessions_started, 1, "a refused reset must not reset");
    eventually("refusal logged", || {
        d.logs().contains("control: refused connection: uid 65534")
    });
}

#[test]
fn bad_requests_get_error_replies_and_the_daemon_keeps_running() {
    let d = Daemon::start();
    let r = raw(&d, b"this is not json\n");
    assert!(
        r.contains(r#""type":"error""#) && r.contains("unreadable"),
        "{r}"
    );
    let r = raw(&d, b"{\"type\":\"format_disk\"}\n");
    assert!(r.contains(r#""type":"error""#), "{r}");
    let r = raw(&d, b"{\"type\":\"reset\",\"now\":\"yes\"}\n");
    assert!(r.contains(r#""type":"error""#), "{r}");
    // A field the command does not take is an error, not the command.
    let r = raw(&d, b"{\"type\":\"pause\",\"confirm\":false}\n");
    assert!(
        r.contains(r#""type":"error""#) && r.contains("confirm"),
        "{r}"
    );
    assert!(!d.status().pause_pending && d.status().state != State::Paused);
    let mut big = vec![b'{'; 100_000];
    big.push(b'\n');
    let r = raw(&d, &big);
    assert!(
        r.contains(r#""type":"error""#) && r.contains("longer than"),
        "{r}"
    );
    // A client that connects and says nothing does not block others.
    let _idle = UnixStream::connect(&d.socket).unwrap();
    let s = d.status();
    assert_eq!(s.state, State::Welcome);
    assert_eq!(s.sessions_started, 1);
}

#[test]
fn guichetctl_says_when_guichetd_is_absent() {
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new(guichetctl())
        .args(["status", "--socket"])
        .arg(tmp.path().join("none.sock"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("guichetd is not running"));
}

#[test]
fn a_kiosk_user_outside_the_staff_group_is_told_the_group_and_the_fix() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let runtime = tmp.path().join("run");
    std::fs::create_dir(&runtime).unwrap();
    nix::unistd::chown(&runtime, Some(65534.into()), Some(65534.into())).unwrap();
    let socket = runtime.join("control.sock");
    // `nobody` reads the config and its packs: copies in the temp dir, since the checkout may
    // live where `nobody` cannot go (root's 0700 home).
    let packs = tmp.path().join("policies");
    std::fs::create_dir(&packs).unwrap();
    for pack in ["be-login.toml", "be-federal.toml"] {
        std::fs::copy(policies_dir().join(pack), packs.join(pack)).unwrap();
    }
    let config = tmp.path().join("guichet.toml");
    let text = config_text("Poste test", &socket, STAFF, 300).replace(
        &policies_dir().display().to_string(),
        &packs.display().to_string(),
    );
    std::fs::write(&config, text).unwrap();
    // guichetd as `nobody`, who is not in `users`.
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(guichetd())
        .arg("--config")
        .arg(&config)
        .arg("--runtime-dir")
        .arg(&runtime)
        .arg("--view-binary")
        .arg(fake_view())
        .env("RUST_LOG", "info")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains("\"users\"") && err.contains("adduser nobody users"),
        "{err}"
    );
}
