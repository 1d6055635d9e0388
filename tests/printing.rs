//! The trusted print flow, end to end: guichetd with the real WebKitGTK view under Xvfb and a
//! private real `cupsd` (`support::cups`).
//!
//! The person presses Print next to a document on the take-away screen (reached by keyboard:
//! Tab from the top reaches the first document's Print button, named "Imprimer, <document>"),
//! or a page calls `window.print()`; guichetd checks the document, counts its pages and
//! submits it to the private queue; the job reaches the queue with the document's content
//! and never its name; `[printing] max_pages` refuses what would go past it, a document of
//! another type is refused; the next wipe purges the jobs. No file name reaches a log.

mod support;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use guichet::daemon::machine::State;
use support::cups::{me, Cups};
use support::stats::{only_period, today_json, Clock};
use support::{e2e_lock, Daemon, Reply, TestConfig, World};

const HOST: &str = "www.allowed.test";
const PAGE_BG: &str = "EEF6FF";
const CONTENT_AREA: (u32, u32, u32, u32) = (0, 100, 1280, 700);
const SCREEN: (u32, u32, u32, u32) = (0, 0, 1280, 800);
/// The red of the take-away's Finish button.
const END_RED: &str = "B3261E";
/// How long a step may take on a loaded machine.
const PATIENCE: Duration = Duration::from_secs(90);

#[track_caller]
fn wait_until(d: &Daemon, what: &str, f: impl Fn() -> bool) {
    let t0 = Instant::now();
    while !f() {
        assert!(
            t0.elapsed() < PATIENCE,
            "never happened: {what}\n{}",
            d.logs()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A PDF of `n` blank pages with `text` in a comment (so it can be found in the spool).
fn pdf(n: usize, text: &str) -> Vec<u8> {
    let mut objects = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        format!(
            "<< /Type /Pages /Kids [{}] /Count {n} >>",
            (0..n)
                .map(|i| format!("{} 0 R", i + 3))
                .collect::<Vec<_>>()
                .join(" ")
        ),
    ];
    for _ in 0..n {
        objects.push("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>".to_owned());
    }
    let mut out = format!("%PDF-1.4\n% {text}\n").into_bytes();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn canary(what: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("CANARY{what}{}x{nanos}", std::process::id())
}

/// A world whose session opens on `page`, printing to `cups` with `max_pages`, and guichetd
/// (debug logs, no spare: one session dir) on the real view.
fn world_and_daemon(cups: &Cups, page: Reply, max_pages: u32) -> (World, Daemon, Clock) {
    let world = World::new(TestConfig {
        start_url: Some(format!("http://{HOST}/start")),
        ..TestConfig::default()
    });
    world.proxy.route(HOST, "/start", page);
    let mut text = std::fs::read_to_string(&world.config).unwrap();
    text.push_str(&format!(
        "{}max_pages = {max_pages}\n",
        cups.printing_config()
    ));
    // Statistics on, every count shown.
    let off = "[stats]\nenabled = false\n";
    assert!(text.contains(off), "the test config changed its [stats]");
    let text = text.replace(off, "[stats]\nenabled = true\nmin_count = 1\n");
    std::fs::write(&world.config, text).unwrap();
    let clock = Clock::noon();
    let mut b = world.daemon_builder();
    b.no_spare = true;
    b.env.push(("TZ".into(), clock.tz.clone().into()));
    b.env.push((
        "RUST_LOG".into(),
        "info,guichet=debug,guichet_view=debug".into(),
    ));
    let d = b.start();
    world.proxy.wait_path(HOST, "/start");
    (world, d, clock)
}

/// The one session dir (no spare).
fn session_dir(d: &Daemon) -> PathBuf {
    let sessions = d.sessions();
    assert_eq!(sessions.len(), 1, "{sessions:?}");
    d.runtime.join("sessions").join(&sessions[0])
}

/// Waits until guichetd has logged `n` print answers `state`.
#[track_caller]
fn wait_print_state(d: &Daemon, state: &str, n: usize) {
    let t0 = Instant::now();
    while print_states(d, state) < n {
        if t0.elapsed() > PATIENCE {
            let lines: Vec<String> = d
                .logs()
                .lines()
                .filter(|l| l.contains("print"))
                .map(str::to_owned)
                .collect();
            panic!("no {n} print {state}:\n{}", lines.join("\n"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(print_states(d, state), n, "{}", d.logs());
}

fn print_states(d: &Daemon, state: &str) -> usize {
    d.logs()
        .lines()
        .filter(|l| l.contains(&format!("daemon::printing: print state={state}")))
        .count()
}

#[test]
fn the_takeaway_print_button_sends_the_document_to_the_queue_within_max_pages() {
    let _g = e2e_lock();
    let cups = Cups::start();
    let page = Reply::html(format!(
        "<!doctype html><body style=\"margin:0;background:#{PAGE_BG}\"><h1>page</h1></body>"
    ));
    let (world, d, clock) = world_and_daemon(&cups, page, 3);
    world
        .xvfb
        .screenshot_showing("print-page", CONTENT_AREA, PAGE_BG);
    world.xvfb.click(640, 500, 1);
    d.wait_state(State::Active);

    // Two documents of the session: a PDF of 2 pages, and a file of no printable type.
    let name = canary("NAME");
    let content = canary("CONTENT");
    let downloads = session_dir(&d).join("downloads");
    std::fs::write(downloads.join(format!("{name}.pdf")), pdf(2, &content)).unwrap();
    std::fs::write(downloads.join("zz-program.bin"), b"MZ\x90\0\x03\0binary").unwrap();

    world.end_session("print-end");
    world
        .xvfb
        .screenshot_showing("print-takeaway", SCREEN, END_RED);
    // Tab from the top: the first document's Print button.
    world.xvfb.xdotool(&["key", "Tab", "Return"]);
    wait_until(&d, "the job reaches the queue", || {
        cups.jobs(&me()).len() == 1
    });
    wait_print_state(&d, "Printed", 1);
    assert_eq!(print_states(&d, "Queued"), 1, "{}", d.logs());
    // What reached CUPS is the document, under a fixed title: its content, never its name.
    assert!(!cups.spool_files_with(&content).is_empty());
    assert_eq!(cups.spool_files_with(&name), Vec::<PathBuf>::new());
    world
        .xvfb
        .screenshot_showing("print-takeaway-printed", SCREEN, END_RED);

    // Again (the keyboard stays on the button): 2 + 2 pages is past max_pages = 3.
    world.xvfb.xdotool(&["key", "Return"]);
    wait_print_state(&d, "OverLimit", 1);
    // The next document: refused for its type.
    world.xvfb.xdotool(&["key", "Tab", "Return"]);
    wait_print_state(&d, "Unsupported", 1);
    world
        .xvfb
        .screenshot_showing("print-takeaway-refused", SCREEN, END_RED);
    assert_eq!(cups.jobs(&me()).len(), 1, "a refused document was printed");

    // The wipe purges the job and its document.
    let s = d.reset_now_and_wait();
    assert!(s.last_wipe.as_ref().is_some_and(|w| w.ok), "{s:?}");
    assert_eq!(cups.jobs(&me()), Vec::<String>::new());
    assert_eq!(cups.spool_files_with(&content), Vec::<PathBuf>::new());
    // The statistics count what guichetd printed: one print of 2 pages, not the refusals.
    let got = only_period(&today_json(&d, &clock));
    assert_eq!(
        (got["prints"].clone(), got["printed_pages"].clone()),
        (serde_json::json!(1), serde_json::json!(2)),
        "{got:#}"
    );
    let logs = d.logs();
    assert!(!logs.contains(&name), "the file name reached the logs");
    assert!(!logs.contains(&content), "the content reached the logs");
}

#[test]
fn window_print_renders_the_page_in_the_session_and_prints_it() {
    let _g = e2e_lock();
    let cups = Cups::start();
    let title = canary("TITLE");
    let page = Reply::html(format!(
        "<!doctype html><title>{title}</title>\
         <body style=\"margin:0;background:#{PAGE_BG}\"><h1>Attestation</h1>\
         <script>addEventListener('click', () => window.print());</script></body>"
    ));
    let (world, d, _) = world_and_daemon(&cups, page, 5);
    world
        .xvfb
        .screenshot_showing("print-window-page", CONTENT_AREA, PAGE_BG);
    world.xvfb.click(640, 500, 1);
    wait_until(&d, "the page's print reaches the queue", || {
        cups.jobs(&me()).len() == 1
    });
    wait_print_state(&d, "Printed", 1);
    // Rendered inside the session dir, where the view may write.
    let rendered = session_dir(&d).join("prints/page-1.pdf");
    let bytes = std::fs::read(&rendered).expect("the rendered page");
    assert!(bytes.starts_with(b"%PDF-"), "not a PDF");
    world
        .xvfb
        .screenshot_showing("print-window-notice", CONTENT_AREA, PAGE_BG);
    // Nothing of it anywhere else the view could see: the test's temp dir and /tmp hold no
    // file named after or containing the page's title, outside the session dir.
    let session = session_dir(&d);
    let found: Vec<PathBuf> = support::canary::files_containing(
        &[world.tmp.path().to_owned(), d.tmp.path().to_owned()],
        &title,
    )
    .into_iter()
    .filter(|p| !p.starts_with(&session))
    .collect();
    assert_eq!(found, Vec::<PathBuf>::new());
    let s = d.reset_now_and_wait();
    assert!(s.last_wipe.as_ref().is_some_and(|w| w.ok), "{s:?}");
    assert_eq!(cups.jobs(&me()), Vec::<String>::new());
    assert!(!session.exists(), "the session dir survived the wipe");
    assert!(!d.logs().contains(&title), "the title reached the logs");
}
