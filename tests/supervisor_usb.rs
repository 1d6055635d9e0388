//! guichetd's side of the take-away's USB copy, with the fake view (a hostile view can send
//! any `usb_copy`): a copy is done only during the end flow, only of plain regular files
//! directly in that session's `downloads/`, only onto a stick plugged in during the session
//! (one left from before is never written to), never over a file of the person's; the view
//! hears of the stick and of the copy, the logs name neither.

mod support;

use std::os::unix::fs::{symlink, MetadataExt, PermissionsExt};

use guichet::daemon::machine::State;
use support::stick::{files_on, Stick};
use support::{eventually, Builder};

const LABEL: &str = "STICK-K9";

#[test]
fn only_the_end_flow_copies_and_only_plain_documents_of_the_session() {
    let media = tempfile::tempdir().unwrap();
    std::fs::set_permissions(media.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    // A stick left by someone before this session.
    let left = Stick::mount(&media.path().join("LEFT-BEHIND"));
    std::fs::write(left.0.join("someone-else.txt"), "not yours").unwrap();
    let d = Builder {
        extra_config: format!(
            "\n[usb]\nenabled = true\nmount_roots = [\"{}\"]\n",
            media.path().display()
        ),
        // The stick's lines are at debug (at info they would mark a visit in the journal).
        env: vec![("RUST_LOG".into(), "info,guichet::daemon::usb=debug".into())],
        ..Builder::default()
    }
    .start();
    let v = d.shown();
    // It was there before the session: not offered, "plug yours in again".
    let v = v.wait_got(r#"{"type":"usb","state":"replug"}"#);
    // The person's stick, plugged in during the session.
    let mounted = std::time::SystemTime::now();
    let stick = Stick::mount(&media.path().join(LABEL));
    std::fs::write(stick.0.join("theirs.txt"), "theirs").unwrap();
    let mtime = std::fs::metadata(stick.0.join("theirs.txt"))
        .unwrap()
        .mtime_nsec();
    let present = r#"{"type":"usb","state":"present"}"#;
    let v = v.wait_got(present);
    // How long from the mount to the view's order (the fake view logs when it read it).
    let told_at: u128 = v
        .lines
        .iter()
        .find(|l| l.ends_with(present))
        .and_then(|l| l.split(' ').nth(1)?.parse().ok())
        .expect("the order's time");
    let since = mounted.duration_since(std::time::UNIX_EPOCH).unwrap();
    eprintln!(
        "mount command started -> view told: {:.1} ms",
        (told_at.saturating_sub(since.as_nanos())) as f64 / 1e6
    );
    let told = |what: &str| {
        v.reload()
            .lines
            .iter()
            .filter(|l| l.contains(&format!(r#"{{"type":"usb","state":"{what}"}}"#)))
            .count()
    };
    // The session's document, and what a hostile view could plant next to it.
    let session = d.runtime.join("sessions").join(&v.id);
    let downloads = session.join("downloads");
    std::fs::write(downloads.join("avis.pdf"), "%PDF avis").unwrap();
    let outside = d.tmp.path().join("outside-secret.txt");
    std::fs::write(&outside, "secret").unwrap();
    symlink(&outside, downloads.join("link.pdf")).unwrap();
    std::fs::create_dir(downloads.join("sub")).unwrap();
    std::fs::write(downloads.join("sub/inner.pdf"), "inner").unwrap();

    v.cmd("activity");
    d.wait_state(State::Active);
    // Mid-session: refused (the view is told the stick again, nothing is copied).
    let before = told("present");
    v.cmd(r#"raw {"type":"usb_copy","files":["avis.pdf"]}"#);
    eventually("the refusal", || told("present") > before);
    assert_eq!(files_on(&stick.0), ["theirs.txt"]);

    std::fs::write(d.ctl.join("hold_ending"), "").unwrap();
    v.cmd("end_requested");
    d.wait_state(State::Ending);
    // Hostile names: each fails, nothing is copied.
    for (i, bad) in [
        "link.pdf",
        "../config.json",
        "sub/inner.pdf",
        "sub",
        "..",
        "/etc/passwd",
    ]
    .iter()
    .enumerate()
    {
        v.cmd(&format!(
            r#"raw {{"type":"usb_copy","files":["avis.pdf","{bad}"]}}"#
        ));
        eventually(&format!("{bad}: failed"), || told("failed") > i);
        assert_eq!(files_on(&stick.0), ["theirs.txt"], "{bad}");
    }
    // The document: copied, synced, the view told it may remove the stick.
    v.cmd(r#"raw {"type":"usb_copy","files":["avis.pdf"]}"#);
    eventually("copied", || told("copied") == 1);
    assert!(told("copying") >= 1);
    assert_eq!(files_on(&stick.0), ["avis.pdf", "theirs.txt"]);
    assert_eq!(
        std::fs::read_to_string(stick.0.join("avis.pdf")).unwrap(),
        "%PDF avis"
    );
    assert_eq!(
        std::fs::read_to_string(stick.0.join("theirs.txt")).unwrap(),
        "theirs"
    );
    let after = std::fs::metadata(stick.0.join("theirs.txt"))
        .unwrap()
        .mtime_nsec();
    assert_eq!(mtime, after);
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "secret");
    assert_eq!(files_on(&left.0), ["someone-else.txt"]);

    // The stick goes: the view is told.
    drop(stick);
    eventually("only the old one left", || told("replug") >= 2);
    drop(left);
    eventually("absent", || told("absent") >= 1);
    let logs = d.logs();
    assert!(logs.contains("a USB stick was removed"), "{logs}");
    for bad in ["avis", LABEL, "LEFT-BEHIND", "theirs", "link.pdf", "passwd"] {
        assert!(!logs.contains(bad), "{bad:?} in the logs:\n{logs}");
    }
}
