//! The take-away's copy onto a USB stick, end to end: the real guichetd and the real view
//! under Xvfb, a real tmpfs "stick" mounted (as root) under a temp mount root.
//!
//! A session downloads a document, the person ends it; the take-away says to plug in a stick;
//! the stick is mounted (it already holds the person's own file and a file with the document's
//! name); guichetd sees it, the view shows it and gives "copy" the keyboard; Return copies.
//! Then: the document is on the stick under a free name, the stick's other files are
//! untouched (content and mtime), the document's bytes are nowhere but in the session and on
//! the stick, the view says it is safe to remove the stick, the printable summary of the visit
//! is in the session directory and nowhere else, and guichetd's logs name neither the file, the
//! stick's label nor its mount point.

mod support;

use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;

use guichet::daemon::machine::State;
use support::canary::files_containing;
use support::stick::{files_on, Stick};
use support::{e2e_lock, eventually, Reply, TestConfig, World};

const HOST: &str = "www.allowed.test";
const FILE: &str = "attestation-Usb5c1e.pdf";
const BODY: &str = "%PDF-1.4 document Usb5c1e body";
const LABEL: &str = "MYSTICK-Q7";
/// The person's own file on the stick, and the one with the document's name.
const THEIRS: &str = "mes-papiers.txt";
/// The focus ring: only the focused control has it (the copy button, once the stick is there).
const FOCUS_YELLOW: &str = "F0B400";
/// "Copied, you may remove the stick" is written in this green.
const COPIED_GREEN: &str = "1E6B34";
const SCREEN: (u32, u32, u32, u32) = (0, 0, 1280, 800);

#[test]
fn the_chosen_document_is_copied_onto_the_stick_and_nothing_else_changes() {
    let _lock = e2e_lock();
    let world = World::new(TestConfig {
        start_url: Some(format!("http://{HOST}/start")),
        allow_http: vec![HOST.into()],
        ..TestConfig::default()
    });
    let media = world.tmp.path().join("media");
    std::fs::create_dir_all(&media).unwrap();
    // `[usb]` on, watching the temp mount root instead of /media and /run/media.
    let mut config = std::fs::read_to_string(&world.config).unwrap();
    config.push_str(&format!(
        "\n[usb]\nenabled = true\nmount_roots = [\"{}\"]\n",
        media.display()
    ));
    std::fs::write(&world.config, config).unwrap();
    world.proxy.route(
        HOST,
        "/start",
        Reply::html(
            r#"<!doctype html><body style="margin:0">
<a href="/document" style="position:fixed;inset:0;display:block;background:#dfe">document</a>"#,
        ),
    );
    world.proxy.route(
        HOST,
        "/document",
        Reply::attachment(FILE, BODY.as_bytes().to_vec()),
    );
    let mut b = world.daemon_builder();
    // The stick's lines are at debug (at info they would mark a visit in the journal).
    b.env
        .push(("RUST_LOG".into(), "info,guichet::daemon::usb=debug".into()));
    let d = b.start();
    d.wait_state(State::Welcome);
    world.proxy.wait_path(HOST, "/start");
    // The person's click on the document link.
    world.xvfb.click(640, 450, 1);
    let downloads = || -> Vec<PathBuf> {
        std::fs::read_dir(d.runtime.join("sessions"))
            .into_iter()
            .flatten()
            .flatten()
            .map(|s| s.path().join("downloads").join(FILE))
            .filter(|p| std::fs::read(p).is_ok_and(|b| b == BODY.as_bytes()))
            .collect()
    };
    eventually("the document landed", || !downloads().is_empty());
    let session = downloads()[0]
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .to_owned();

    // End, yes: the take-away, with no stick yet.
    world.end_session("usb-end");
    d.wait_state(State::Ending);
    world.xvfb.screenshot("usb-takeaway-no-stick");

    // The stick, as an automounter leaves it: the person's own files on it.
    let stick_dir = media.join("guichet").join(LABEL);
    let stick = Stick::mount(&stick_dir);
    std::fs::write(stick.0.join(THEIRS), "theirs").unwrap();
    std::fs::write(stick.0.join(FILE), "an older file of theirs").unwrap();
    let old = |name: &str| std::fs::metadata(stick.0.join(name)).unwrap();
    let before = [THEIRS, FILE].map(|n| (old(n).mtime(), old(n).mtime_nsec(), old(n).ino()));
    // The view shows the stick and gives "copy" the keyboard.
    world
        .xvfb
        .screenshot_showing("usb-takeaway-stick", SCREEN, FOCUS_YELLOW);
    world.xvfb.xdotool(&["key", "Return"]);
    let copied = stick.0.join("attestation-Usb5c1e (2).pdf");
    eventually("the copy on the stick", || {
        std::fs::read(&copied).is_ok_and(|b| b == BODY.as_bytes())
    });
    world
        .xvfb
        .screenshot_showing("usb-takeaway-copied", SCREEN, COPIED_GREEN);

    // Only the copy is new; the person's files are as they were.
    assert_eq!(
        files_on(&stick.0),
        ["attestation-Usb5c1e (2).pdf", FILE, THEIRS]
    );
    assert_eq!(
        std::fs::read_to_string(stick.0.join(THEIRS)).unwrap(),
        "theirs"
    );
    assert_eq!(
        std::fs::read_to_string(stick.0.join(FILE)).unwrap(),
        "an older file of theirs"
    );
    let after = [THEIRS, FILE].map(|n| (old(n).mtime(), old(n).mtime_nsec(), old(n).ino()));
    assert_eq!(before, after, "a file of the person's was touched");
    // The document's bytes are in the session and on the stick, nowhere else.
    let mut roots = vec![
        PathBuf::from("/tmp"),
        PathBuf::from("/run"),
        PathBuf::from("/var/tmp"),
    ];
    roots.push(world.tmp.path().to_owned());
    let found = files_containing(&roots, "Usb5c1e body");
    let stray: Vec<_> = found
        .iter()
        .filter(|p| !p.starts_with(&session) && !p.starts_with(&stick.0))
        .collect();
    assert!(stray.is_empty(), "the document is also in {stray:?}");
    // The printable summary is in the session, and only there.
    let summary = std::fs::read_to_string(session.join("summary.txt")).unwrap();
    assert!(summary.starts_with("Résumé de votre visite"), "{summary}");
    assert!(summary.contains(FILE), "{summary}");
    let found = files_containing(&roots, "Résumé de votre visite");
    assert_eq!(found, [session.join("summary.txt")]);

    d.reset_now_and_wait();
    let logs = d.logs();
    assert!(logs.contains("a USB stick was mounted"), "{logs}");
    for bad in ["Usb5c1e", "attestation", LABEL, "/media", THEIRS] {
        assert!(!logs.contains(bad), "{bad:?} in guichetd's logs:\n{logs}");
    }
    drop(stick);
}
