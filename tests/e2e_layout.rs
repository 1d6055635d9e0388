//! The session's toolbar fits: at 1024×768, 1280×800 and 1366×768, in the four languages,
//! with each download notice showing, no control of the toolbar has a word on two lines,
//! sticks out of the bar or covers its neighbour.
//!
//! Measured in the page, not in pixels: after drawing the session's toolbar, the page
//! measures its controls' rectangles and line boxes and reports them, which the view logs
//! (`toolbar layout … wrapped=N overflowing=N notice=…`). Each notice is the real one of a
//! download the person clicks: saved, session full, too many files, blocked type, too big, and
//! started by a script's timer 1.5 s after the click (WebKit keeps a click's gesture for 1 s).
//! The one left out, "downloads are turned off", is shorter than the longest of these in every
//! language, and the notice only wraps (up to three lines). The page belongs to a service
//! with a long name in every language (over 45 characters), which the toolbar cuts with an
//! ellipsis (one line over a notice, two without); the page does not count it as cut.

mod support;

use guichet::lang::Lang;
use guichet::protocol::view::{FromView, ToView};
use support::{e2e_lock, eventually, PackChoice, Reply, TestConfig, View, World};

const HOST: &str = "www.allowed.test";
const TOOLBAR: u32 = 96;
const ROW: u32 = 80;

/// The rows of the page: (link, the notice its download gets, as the view logs it).
const ROWS: [(&str, &str); 7] = [
    ("/f/a.pdf", "Saved"),
    ("/f/b.pdf", "Refused(SessionFull)"),
    ("/f/c.pdf", "Saved"),
    ("/f/d.pdf", "Refused(TooManyFiles)"),
    ("/f/e.sh", "Refused(BlockedExtension)"),
    ("/f/big.pdf", "Refused(TooLarge)"),
    ("#timer", "Refused(NotByYou)"),
];

fn page() -> Reply {
    let mut rows = String::new();
    for (i, (href, _)) in ROWS.iter().enumerate() {
        let onclick = if *href == "#timer" {
            " onclick=\"setTimeout(()=>{location.href='/f/t.pdf'},1500);return false\""
        } else {
            ""
        };
        rows.push_str(&format!(
            "<a href=\"{href}\"{onclick} style=\"position:fixed;left:0;right:0;top:{top}px;\
             height:{h}px;display:block;background:#DFEEFF;font:28px sans-serif\">row {i}</a>",
            top = ROW * i as u32,
            h = ROW - 10,
        ));
    }
    Reply::html(format!(
        "<!doctype html><html><head><meta charset=utf-8><title>t</title></head>\
         <body style=\"margin:0;background:#EEF6FF\">{rows}<script>fetch('/loaded')</script>\
         </body></html>"
    ))
}

/// A pack of one service, the page's, with a long name in every language.
fn long_name_pack() -> String {
    format!(
        r#"id = "long-pack"
title = {{ fr = "t", nl = "t", de = "t", en = "t" }}

[[service]]
id = "long-name"
names = {{ fr = "Service public de Wallonie — Allocations familiales", nl = "Waalse Overheidsdienst — Gezinsbijslag en kinderbijslag", de = "Öffentlicher Dienst der Wallonie — Familienbeihilfen", en = "Public Service of Wallonia — Family allowances" }}
category = "family"
start_url = "http://{HOST}/start"
allow = ["http://{HOST}"]
"#
    )
}

fn config() -> TestConfig {
    TestConfig {
        packs: vec![PackChoice::Own("long-pack", long_name_pack())],
        extra: Vec::new(),
        start_url: Some(format!("http://{HOST}/start")),
        max_files: Some(2),
        max_bytes: 1000,
        max_session_bytes: Some(1000),
        ..TestConfig::default()
    }
}

/// The fields of the view's `toolbar layout` log records with a notice, in order.
fn measured(view: &View) -> Vec<serde_json::Value> {
    view.log()
        .iter()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .map(|r| r["fields"].clone())
        .filter(|f| f["message"] == "toolbar layout" && f["notice"] != "")
        .collect()
}

#[test]
fn the_toolbar_fits_every_screen_in_every_language_with_every_notice() {
    let _g = e2e_lock();
    for screen in [(1024, 768), (1280, 800), (1366, 768)] {
        let world = World::with_screen(config(), screen);
        world.proxy.route(HOST, "/start", page());
        for (name, size) in [
            ("a.pdf", 800),
            ("b.pdf", 500),
            ("c.pdf", 100),
            ("d.pdf", 100),
            ("e.sh", 10),
            ("big.pdf", 200_000),
            ("t.pdf", 10),
        ] {
            world.proxy.route(
                HOST,
                &format!("/f/{name}"),
                Reply::attachment(name, vec![b'%'; size]),
            );
        }
        for lang in Lang::ALL {
            let mut view = View::spawn(&world.xvfb, &world.config, world.session());
            view.expect("ready", |m| *m == FromView::Ready);
            view.send(&ToView::Language { lang });
            view.send(&ToView::Start { goodbye: false });
            view.expect("navigated", |m| matches!(m, FromView::Navigated { .. }));
            let loaded = world.proxy.count(|s| s.path == "/loaded");
            world
                .proxy
                .wait_count("the page", loaded.max(1), |s| s.path == "/loaded");
            let tag = format!("{}x{}-{}", screen.0, screen.1, lang.code());
            for (i, (_, notice)) in ROWS.iter().enumerate() {
                let before = measured(&view).len();
                world
                    .xvfb
                    .click(screen.0 / 2, TOOLBAR + ROW * i as u32 + ROW / 2 - 5, 1);
                eventually(
                    &format!("{tag}: the toolbar measured with {notice}"),
                    || {
                        measured(&view)[before..]
                            .iter()
                            .any(|f| f["notice"] == *notice)
                    },
                );
                world.xvfb.screenshot(&format!("layout-{tag}-{i}"));
            }
            let lines = measured(&view);
            for f in &lines {
                assert_eq!(f["width"], screen.0, "{tag}: {f}");
                assert_eq!(f["lang"], lang.code(), "{tag}: {f}");
                // Home, Back, Forward, Reload, the text size (smaller, the zoom, bigger), My
                // documents, the service's name over the notice, the language, Help, End.
                assert_eq!(f["controls"], 10, "{tag}: {f}");
                assert_eq!(f["wrapped"], 0, "{tag}: {f}");
                assert_eq!(f["overflowing"], 0, "{tag}: {f}");
            }
            assert!(lines.len() >= ROWS.len(), "{tag}: {lines:?}");
            view.send(&ToView::Quit);
            view.wait_exit();
        }
    }
}
