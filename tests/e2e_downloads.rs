//! End-to-end tests of the download bounds: the real WebKitGTK view under Xvfb, behind the
//! recording proxy of `tests/support`. A session keeps at most `max_files` files and
//! `max_session_bytes` bytes, and takes only the downloads the person starts with a click:
//! a hidden frame, a script's timer, a meta refresh or a script's `a.click()` get nothing.
//! Every refusal is told on the toolbar (a screenshot of each is kept in
//! `target/screenshots/`), reported to guichetd as `refused`, and the next session starts
//! with an empty downloads folder and its counters at zero. They run one at a time
//! (`e2e_lock`).

mod support;

use std::path::PathBuf;

use guichet::protocol::view::{DownloadState, FromView};
use support::{e2e_lock, eventually, Reply, TestConfig, View, World};

const HOST: &str = "www.allowed.test";
const START: &str = "http://www.allowed.test/start";

/// Height of the toolbar above the content view, and of a row of the test pages.
const TOOLBAR: u32 = 96;
const ROW: u32 = 80;

/// Where the toolbar shows its notice: between "My documents" and "End", inside the room
/// the buttons leave in every language (no button edge in it; the text starts at its left,
/// after "My documents", which ends before x = 650 in every language).
const NOTICE_AREA: (u32, u32, u32, u32) = (660, 10, 490, 76);
/// The notice's text colour.
const NOTICE_INK: &str = "1D4F91";

fn config(max_files: Option<u64>, max_session_bytes: Option<u64>) -> TestConfig {
    TestConfig {
        start_url: Some(START.into()),
        max_files,
        max_session_bytes,
        ..TestConfig::default()
    }
}

/// A page with `links` as rows of big links (row `i` from `ROW * i`), then `body`; it
/// fetches `/loaded` once its links are in place.
fn page(links: &[&str], head: &str, body: &str) -> Reply {
    let mut rows = String::new();
    for (i, href) in links.iter().enumerate() {
        rows.push_str(&format!(
            "<a href=\"{href}\" style=\"position:fixed;left:0;right:0;top:{top}px;height:{h}px;\
             display:block;background:#{bg};font:28px sans-serif\">link {i}</a>",
            top = ROW * i as u32,
            h = ROW - 10,
            bg = if i % 2 == 0 { "DFEEFF" } else { "EFE4FF" },
        ));
    }
    Reply::html(format!(
        "<!doctype html><html><head><meta charset=utf-8><title>t</title>{head}</head>\
         <body style=\"margin:0;background:#EEF6FF\">{rows}{body}\
         <script>fetch('/loaded')</script></body></html>"
    ))
}

/// Routes `/f/<i>` to an attachment of `size` bytes.
fn route_files(world: &World, n: usize, size: usize) {
    for i in 0..n {
        world.proxy.route(
            HOST,
            &format!("/f/{i}"),
            Reply::attachment(&format!("document-{i}.pdf"), vec![b'%'; size]),
        );
    }
}

/// Starts a view on `world`'s session `start` page and waits until the page is in place.
fn started(world: &World) -> View {
    let mut view = View::spawn(&world.xvfb, &world.config, world.session());
    view.start();
    view.expect("navigated", |m| matches!(m, FromView::Navigated { .. }));
    world.proxy.wait_path(HOST, "/loaded");
    view
}

/// Clicks link row `i` with the real pointer.
fn click_row(world: &World, i: u32) {
    world.xvfb.click(640, TOOLBAR + ROW * i + ROW / 2 - 5, 1);
}

/// The next download result the view reports: finished, refused or failed.
fn result(view: &mut View) -> DownloadState {
    match view.expect("a download result", |m| {
        matches!(
            m,
            FromView::Download {
                state: DownloadState::Finished | DownloadState::Refused | DownloadState::Failed,
                ..
            }
        )
    }) {
        FromView::Download { state, .. } => state,
        _ => unreachable!(),
    }
}

/// Waits until the view has logged `n` refusals, and checks the last one's reason
/// (`why` as the view's debug log writes it).
fn refused_because(view: &View, n: usize, why: &str) {
    let refusals = || -> Vec<String> {
        view.log()
            .into_iter()
            .filter(|l| l.contains("download refused") || l.contains("cancelled while"))
            .collect()
    };
    eventually(&format!("refusal {n} in the view's log"), || {
        refusals().len() >= n
    });
    let last = refusals().pop().unwrap();
    assert!(last.contains(why), "refused for another reason: {last}");
}

/// A screenshot of the toolbar once it shows a notice: kept as `name`, to be looked at.
fn notice_shot(world: &World, name: &str) -> PathBuf {
    world.xvfb.screenshot_showing(name, NOTICE_AREA, NOTICE_INK)
}

/// The files in the view's downloads folder.
fn files(view: &View) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(view.session.downloads())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

/// `max_files` = 2: two clicked downloads land, the third is refused and the person told;
/// the next session's folder is empty and it may download two files again.
#[test]
fn a_session_downloads_at_most_max_files_and_the_next_one_starts_at_zero() {
    let _g = e2e_lock();
    let world = World::new(config(Some(2), None));
    route_files(&world, 3, 1000);
    world
        .proxy
        .route(HOST, "/start", page(&["/f/0", "/f/1", "/f/2"], "", ""));
    for session in 0..2 {
        let mut view = started(&world);
        assert!(
            files(&view).is_empty(),
            "session {session} starts with files"
        );
        for i in 0..2 {
            click_row(&world, i);
            assert_eq!(result(&mut view), DownloadState::Finished, "file {i}");
        }
        click_row(&world, 2);
        assert_eq!(result(&mut view), DownloadState::Refused);
        refused_because(&view, 1, "TooManyFiles");
        notice_shot(&world, &format!("downloads-too-many-files-{session}"));
        assert_eq!(files(&view), vec!["document-0.pdf", "document-1.pdf"]);
    }
}

/// `max_session_bytes` = 150 000: two files of 60 000 bytes land, the third (past the total)
/// is refused and the person told.
#[test]
fn a_session_downloads_at_most_max_session_bytes() {
    let _g = e2e_lock();
    let world = World::new(config(None, Some(150_000)));
    route_files(&world, 3, 60_000);
    world
        .proxy
        .route(HOST, "/start", page(&["/f/0", "/f/1", "/f/2"], "", ""));
    let mut view = started(&world);
    for i in 0..2 {
        click_row(&world, i);
        assert_eq!(result(&mut view), DownloadState::Finished, "file {i}");
    }
    click_row(&world, 2);
    assert_eq!(result(&mut view), DownloadState::Refused);
    refused_because(&view, 1, "SessionFull");
    notice_shot(&world, "downloads-session-full");
    assert_eq!(files(&view), vec!["document-0.pdf", "document-1.pdf"]);
}

/// Downloads a page starts by itself are refused, the person told; a click on a link of the
/// same page still downloads. Each way runs in its own session.
#[test]
fn downloads_a_page_starts_without_a_click_are_refused() {
    let _g = e2e_lock();
    let world = World::new(config(None, None));
    route_files(&world, 2, 1000);
    let attacks: Vec<(&str, &str, String)> = vec![
        (
            "hidden-iframe",
            "",
            "<iframe style=\"display:none\" src=\"/f/1\"></iframe>".into(),
        ),
        (
            "timer",
            "",
            "<script>setTimeout(() => { location = '/f/1'; }, 0)</script>".into(),
        ),
        (
            "meta-refresh",
            "<meta http-equiv=\"refresh\" content=\"0; url=/f/1\">",
            String::new(),
        ),
        (
            "script-click",
            "",
            "<script>setTimeout(() => { const a = document.createElement('a'); \
             a.href = '/f/1'; document.body.appendChild(a); a.click(); }, 0)</script>"
                .into(),
        ),
        (
            "script-click-download-attribute",
            "",
            "<script>setTimeout(() => { const a = document.createElement('a'); \
             a.href = '/f/1'; a.download = 'x.pdf'; document.body.appendChild(a); \
             a.click(); }, 0)</script>"
                .into(),
        ),
    ];
    for (name, head, body) in &attacks {
        world
            .proxy
            .route(HOST, "/start", page(&["/f/0"], head, body));
        let mut view = started(&world);
        assert_eq!(result(&mut view), DownloadState::Refused, "{name}");
        refused_because(&view, 1, "NotByYou");
        notice_shot(&world, &format!("downloads-not-by-you-{name}"));
        assert!(files(&view).is_empty(), "{name}: {:?}", files(&view));
        // The person's own click on the same page downloads.
        click_row(&world, 0);
        assert_eq!(
            result(&mut view),
            DownloadState::Finished,
            "{name}: the click"
        );
        assert_eq!(files(&view), vec!["document-0.pdf"], "{name}");
    }
}

/// Takes screenshots until the toolbar shows a notice (text: many colours) other than the
/// one whose signature is `last`; keeps the picture as `name` and returns the signature.
fn next_notice(world: &World, name: &str, last: &str) -> String {
    let seen = std::cell::RefCell::new(String::new());
    world.xvfb.poll_crop(
        name,
        NOTICE_AREA,
        &["-format", "%# %k", "info:"],
        |out| {
            let (sig, colours) = out.trim().split_once(' ').unwrap_or(("", "0"));
            *seen.borrow_mut() = sig.to_owned();
            sig != last && colours.parse::<u32>().unwrap_or(0) >= 10
        },
        |out| format!("the toolbar's notice never changed ({out})"),
    );
    seen.into_inner()
}

/// Every reason is told in the person's language, on the toolbar, in words that fit: one
/// session per language, each refusal's notice kept as a screenshot
/// (`downloads-<lang>-<reason>.png`).
#[test]
fn every_refusal_is_told_in_the_persons_language() {
    let _g = e2e_lock();
    for lang in ["fr", "nl", "de", "en"] {
        let world = World::new(TestConfig {
            languages: vec![lang],
            max_files: Some(2),
            max_session_bytes: Some(100_000),
            ..config(None, None)
        });
        let offered: [(&str, &str, usize); 6] = [
            ("/f/0", "document-0.pdf", 60_000),
            ("/f/1", "program.exe", 10),
            ("/f/2", "film.pdf", 150_000),
            ("/f/3", "document-3.pdf", 50_000),
            ("/f/4", "document-4.pdf", 1_000),
            ("/f/5", "document-5.pdf", 1_000),
        ];
        for (path, name, size) in offered {
            world
                .proxy
                .route(HOST, path, Reply::attachment(name, vec![b'%'; size]));
        }
        world
            .proxy
            .route(HOST, "/auto", Reply::attachment("auto.pdf", vec![b'%'; 10]));
        let links: Vec<&str> = offered.iter().map(|f| f.0).collect();
        world.proxy.route(
            HOST,
            "/start",
            page(
                &links,
                "",
                "<iframe style=\"display:none\" src=\"/auto\"></iframe>",
            ),
        );
        let mut view = started(&world);
        assert_eq!(
            result(&mut view),
            DownloadState::Refused,
            "{lang}: the frame"
        );
        refused_because(&view, 1, "NotByYou");
        let mut sig = next_notice(&world, &format!("downloads-{lang}-not-by-you"), "");
        // (row, result, reason of the refusal)
        let steps = [
            (0, DownloadState::Finished, None),
            (
                1,
                DownloadState::Refused,
                Some(("BlockedExtension", "blocked-type")),
            ),
            (2, DownloadState::Refused, Some(("TooLarge", "too-big"))),
            (
                3,
                DownloadState::Refused,
                Some(("SessionFull", "session-full")),
            ),
            (4, DownloadState::Finished, None),
            (
                5,
                DownloadState::Refused,
                Some(("TooManyFiles", "too-many-files")),
            ),
        ];
        let mut refusals = 1;
        for (row, want, reason) in steps {
            click_row(&world, row);
            assert_eq!(result(&mut view), want, "{lang}: row {row}");
            let name = match reason {
                Some((why, name)) => {
                    refusals += 1;
                    refused_because(&view, refusals, why);
                    format!("downloads-{lang}-{name}")
                }
                None => format!("downloads-{lang}-saved-{row}"),
            };
            sig = next_notice(&world, &name, &sig);
        }
        assert_eq!(
            files(&view),
            vec!["document-0.pdf", "document-4.pdf"],
            "{lang}"
        );
    }
}

/// A person's click downloads however the page makes its link: plain, with a `download`
/// attribute, opening a new window (loaded in place), or through a redirect.
#[test]
fn a_persons_click_downloads_whatever_the_link() {
    let _g = e2e_lock();
    let world = World::new(config(None, None));
    route_files(&world, 4, 1000);
    world.proxy.route(
        HOST,
        "/to-file",
        Reply::redirect("http://www.allowed.test/f/3"),
    );
    let rows = [
        "<a href=\"/f/0\"",
        "<a href=\"/f/1\" download=\"named-by-the-page.pdf\"",
        "<a href=\"/f/2\" target=\"_blank\"",
        "<a href=\"/to-file\"",
    ];
    let mut body = String::new();
    for (i, a) in rows.iter().enumerate() {
        body.push_str(&format!(
            "{a} style=\"position:fixed;left:0;right:0;top:{top}px;height:{h}px;\
             display:block;background:#DFEEFF;font:28px sans-serif\">link {i}</a>",
            top = ROW * i as u32,
            h = ROW - 10,
        ));
    }
    world.proxy.route(HOST, "/start", page(&[], "", &body));
    let mut view = started(&world);
    for (i, a) in rows.iter().enumerate() {
        click_row(&world, i as u32);
        assert_eq!(result(&mut view), DownloadState::Finished, "{a}");
    }
    assert_eq!(files(&view).len(), rows.len(), "{:?}", files(&view));
}
