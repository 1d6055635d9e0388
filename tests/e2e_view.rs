//! End-to-end tests of `guichet-view`: the real WebKitGTK view under Xvfb, behind the
//! recording proxy of `tests/support`. Each test names the behaviour a person (or the
//! helper) relies on and fails if it breaks. They run one at a time (`e2e_lock`).

mod support;

use std::time::Instant;

use guichet::policy::BlockReason;
use guichet::protocol::view::{DownloadState, FromView, ToView};
use support::canary::find_named;
use support::{e2e_lock, Reply, TestConfig, View, World, Xvfb};

const START: &str = "http://www.allowed.test/start";
const SENTINEL: &str = "http://www.allowed.test/sentinel";

fn config_with_start() -> TestConfig {
    TestConfig {
        start_url: Some(START.into()),
        ..TestConfig::default()
    }
}

fn page(body: &str) -> Reply {
    Reply::html(format!(
        "<!doctype html><html><head><meta charset=utf-8><title>t</title>\
         <style>html,body{{margin:0;height:100%;font:28px sans-serif;background:#{PAGE_BG}}}\
         a.all{{position:fixed;inset:0;display:block;background:#dfe}}</style></head>\
         <body>{body}</body></html>"
    ))
}

/// Background of every test page, to see when one is painted.
const PAGE_BG: &str = "EEF6FF";

/// The content view on the 1280×800 screen, below the toolbar.
const CONTENT_AREA: (u32, u32, u32, u32) = (0, 100, 1280, 700);

/// Centre of the content view on the 1280×800 screen (below the 96 px toolbar).
const CENTRE: (u32, u32) = (640, 450);

fn is_blocked(m: &FromView) -> bool {
    matches!(m, FromView::Blocked { .. })
}

#[test]
fn allowed_page_loads_and_blocked_top_level_navigations_never_leave() {
    let _g = e2e_lock();
    let world = World::new(config_with_start());
    world
        .proxy
        .route("www.allowed.test", "/sentinel", page("sentinel"));

    // (name, page body, blocked host, needs a click)
    let attacks: Vec<(&str, String, &str, bool)> = vec![
        (
            "link",
            r#"<a class=all href="http://evil-link.test/">go</a>"#.into(),
            "evil-link.test",
            true,
        ),
        (
            "location",
            r#"<script>setTimeout(()=>{location.href="http://evil-loc.test/"},100)</script>"#
                .into(),
            "evil-loc.test",
            false,
        ),
        (
            "meta-refresh",
            r#"<meta http-equiv="refresh" content="0;url=http://evil-meta.test/">"#.into(),
            "evil-meta.test",
            false,
        ),
        (
            "form-post",
            r#"<form method=post action="http://evil-form.test/x"><input name=a value=b></form>
               <script>setTimeout(()=>document.forms[0].submit(),100)</script>"#
                .into(),
            "evil-form.test",
            false,
        ),
        (
            "target-blank",
            r#"<a class=all target=_blank href="http://evil-blank.test/">go</a>"#.into(),
            "evil-blank.test",
            true,
        ),
        (
            "window-open",
            r##"<a class=all href="#" onclick="window.open('http://evil-open.test/');return false">go</a>"##
                .into(),
            "evil-open.test",
            true,
        ),
        (
            "javascript-url",
            r#"<a class=all href="javascript:location='http://evil-js.test/'">go</a>"#.into(),
            "evil-js.test",
            true,
        ),
        (
            "userinfo",
            r#"<script>setTimeout(()=>{location.href="http://www.allowed.test@evil-user.test/"},100)</script>"#
                .into(),
            "evil-user.test",
            false,
        ),
        (
            "ip-literal",
            r#"<script>setTimeout(()=>{location.href="https://10.1.2.3/"},100)</script>"#.into(),
            "10.1.2.3",
            false,
        ),
        (
            "view-source",
            r#"<script>setTimeout(()=>{location.href="view-source:http://evil-vs.test/"},100)</script>"#
                .into(),
            "evil-vs.test",
            false,
        ),
    ];

    for (name, body, evil, click) in attacks {
        world.proxy.route("www.allowed.test", "/start", page(&body));
        let mut view = View::spawn(&world.xvfb, &world.config, world.session());
        view.start();
        world.proxy.wait_path("www.allowed.test", "/start");
        view.expect("navigated", |m| matches!(m, FromView::Navigated { .. }));
        if click {
            world.xvfb.click(CENTRE.0, CENTRE.1, 1);
        }
        let blocked = view.expect(&format!("blocked ({name})"), is_blocked);
        if name == "link" {
            world
                .xvfb
                .screenshot_showing("blocked-page", CONTENT_AREA, "FFF4CC");
        }
        view.sentinel(SENTINEL);
        world.proxy.wait_path("www.allowed.test", "/sentinel");
        assert!(
            !world.proxy.saw_host(evil),
            "{name}: {evil} reached the proxy"
        );
        match blocked {
            FromView::Blocked { host, reason } => {
                if name == "userinfo" {
                    assert_eq!(reason, BlockReason::Userinfo);
                }
                if name == "view-source" {
                    assert_eq!(reason, BlockReason::Scheme);
                }
                if let Some(h) = host {
                    assert!(!h.as_str().contains('/'));
                }
            }
            _ => unreachable!(),
        }
        assert_eq!(world.xvfb.visible_windows().len(), 1, "{name}: one window");
        // Hosts may be logged, never a URL.
        let log = view.log().join("\n");
        assert!(
            !log.contains("http://") && !log.contains("https://") && !log.contains("view-source:"),
            "{name}: a URL reached the log"
        );
    }
}

/// Waits until the view has no pending event left to show: a sentinel visit orders it.
fn assert_never_reached(world: &World, view: &mut View, host: &str) {
    view.sentinel(SENTINEL);
    world.proxy.wait_path("www.allowed.test", "/sentinel");
    assert!(!world.proxy.saw_host(host), "{host} reached the proxy");
}

#[test]
fn welcome_screen_is_shown_on_start_only() {
    let _g = e2e_lock();
    let world = World::new(TestConfig::default());
    let mut view = View::spawn(&world.xvfb, &world.config, world.session());
    let t = Instant::now();
    view.expect("ready", |m| *m == FromView::Ready);
    eprintln!("time to ready: {:?}", t.elapsed());
    // A spare view is hidden until `start`.
    assert_eq!(world.xvfb.visible_windows().len(), 0, "hidden before start");
    view.send(&ToView::Start { goodbye: false });
    // `shown` means drawn: one screenshot taken right after it (no retry) shows the welcome.
    view.expect("shown", |m| *m == FromView::Shown);
    let colours = world.xvfb.colours_now("welcome-at-shown");
    assert!(
        colours >= 50,
        "blank screen when the view said shown ({colours} colours)"
    );
    assert_eq!(world.xvfb.visible_windows().len(), 1);
    // The language buttons (top right) switch the language and report it.
    world.xvfb.click(891, 65, 1);
    view.expect("activity", |m| *m == FromView::Activity);
    view.expect("language", |m| {
        *m == FromView::Language {
            lang: guichet::lang::Lang::Nl,
        }
    });
    // A service button opens the service's start page in the content view (https here, so
    // the proxy sees a CONNECT it refuses).
    // The first tile, under its group's heading.
    world.xvfb.click(245, 474, 1);
    world.proxy.wait_for("CONNECT www.allowed.test", |s| {
        s.method == "CONNECT" && s.host == "www.allowed.test"
    });
    // The layout switched from the full-window welcome to the toolbar above the content.
    world
        .xvfb
        .screenshot_showing("service-opened", (0, 0, 1280, 96), "B3261E");
    // Staff pause: a full-window notice.
    view.send(&ToView::Screen {
        screen: guichet::protocol::view::Screen::Paused,
    });
    world
        .xvfb
        .screenshot_showing("paused", (0, 0, 1280, 800), "FFF4CC");
    view.send(&ToView::Quit);
    assert_eq!(view.wait_exit(), Some(0));
}

#[test]
fn iframes_and_redirects_to_blocked_hosts_never_leave() {
    let _g = e2e_lock();
    let world = World::new(config_with_start());
    world
        .proxy
        .route("www.allowed.test", "/sentinel", page("sentinel"));
    world.proxy.route(
        "www.allowed.test",
        "/start",
        page(
            r#"<h1>Page autorisée</h1><p>Un service public de test.</p>
               <iframe src="http://evil-frame.test/"></iframe>
               <iframe src="http://www.allowed.test/inner"></iframe>
               <iframe src="http://login.sso.test/widget"></iframe>"#,
        ),
    );
    world
        .proxy
        .route("www.allowed.test", "/inner", page("inner frame"));
    // A cross-origin widget that embeds a tracker from an unlisted host.
    world.proxy.route(
        "login.sso.test",
        "/widget",
        page(r#"widget<iframe src="http://evil-nested.test/t"></iframe>"#),
    );
    let mut view = View::spawn(&world.xvfb, &world.config, world.session());
    view.start();
    view.expect("navigated", |m| matches!(m, FromView::Navigated { .. }));
    world.proxy.wait_path("www.allowed.test", "/inner");
    world
        .xvfb
        .screenshot_showing("loaded-page", CONTENT_AREA, PAGE_BG);
    world.proxy.wait_path("login.sso.test", "/widget");
    assert_never_reached(&world, &mut view, "evil-frame.test");
    assert!(!world.proxy.saw_host("evil-nested.test"));
    // A blocked iframe leaves the page in place: no blocked page, no `blocked` report.
    assert!(
        !view.received().iter().any(is_blocked),
        "an iframe must not replace the page: {:?}",
        view.received()
    );

    // A 302 from an allowed page to a blocked host: the hop is refused, the blocked page shown.
    world.proxy.route(
        "www.allowed.test",
        "/start",
        Reply::redirect("http://evil-302.test/landing"),
    );
    let mut view = View::spawn(&world.xvfb, &world.config, world.session());
    view.start();
    view.expect("blocked (302)", is_blocked);
    assert_never_reached(&world, &mut view, "evil-302.test");
}

#[test]
fn local_and_data_urls_are_never_shown() {
    let _g = e2e_lock();
    let world = World::new(config_with_start());
    world
        .proxy
        .route("www.allowed.test", "/sentinel", page("sentinel"));
    // A link to file: from a web page is refused by WebKit itself before any policy
    // decision, so the file: case goes through a popup, which reaches the policy.
    for (name, body) in [
        (
            "file",
            r##"<a class=all href="#" onclick="window.open('file:///etc/passwd');return false">go</a>"##
                .to_owned(),
        ),
        (
            "data",
            r#"<a class=all href="data:text/html,<h1>data-page</h1><img src='http://www.allowed.test/data-beacon'>">go</a>"#
                .to_owned(),
        ),
    ] {
        world.proxy.route("www.allowed.test", "/start", page(&body));
        let mut view = View::spawn(&world.xvfb, &world.config, world.session());
        view.start();
        view.expect("navigated", |m| matches!(m, FromView::Navigated { .. }));
        world.xvfb.click(CENTRE.0, CENTRE.1, 1);
        view.expect(&format!("blocked ({name})"), is_blocked);
        view.sentinel(SENTINEL);
        world.proxy.wait_path("www.allowed.test", "/sentinel");
        // Had the data: page been shown, its image would have been fetched.
        assert!(
            !world.proxy.seen().iter().any(|s| s.path == "/data-beacon"),
            "{name}: the data: page was displayed"
        );
        let log = view.log().join("\n");
        assert!(
            !log.contains("passwd") && !log.contains("data-page"),
            "{name}: the URL leaked into the log"
        );
        // Only the allowed host was ever shown; a refusal by the policy says "scheme".
        for m in view.received() {
            match m {
                FromView::Navigated { host, .. } => {
                    assert_eq!(host.as_str(), "www.allowed.test", "{name}")
                }
                FromView::Blocked { host, reason } => {
                    assert_eq!((host, *reason), (&None, BlockReason::Scheme), "{name}")
                }
                _ => {}
            }
        }
    }
}

#[test]
fn allowed_popup_loads_in_the_same_window() {
    let _g = e2e_lock();
    let world = World::new(config_with_start());
    world.proxy.route(
        "www.allowed.test",
        "/start",
        page(r#"<a class=all target=_blank href="http://login.sso.test/popup">go</a>"#),
    );
    world
        .proxy
        .route("login.sso.test", "/popup", page("<h1>popup</h1>"));
    let mut view = View::spawn(&world.xvfb, &world.config, world.session());
    view.start();
    view.expect("navigated", |m| matches!(m, FromView::Navigated { .. }));
    world.xvfb.click(CENTRE.0, CENTRE.1, 1);
    world.proxy.wait_path("login.sso.test", "/popup");
    view.expect(
        "navigated to the popup's page",
        |m| matches!(m, FromView::Navigated { host, .. } if host.as_str() == "login.sso.test"),
    );
    assert_eq!(world.xvfb.visible_windows().len(), 1, "still one window");
}

#[test]
fn downloads_land_in_the_session_with_safe_names_and_limits() {
    let _g = e2e_lock();
    let world = World::new(config_with_start());
    let marker = format!("guichet-e2e-{}", std::process::id());
    let files: Vec<(String, Vec<u8>)> = vec![
        (format!("../../{marker}.pdf"), b"%PDF-1.4 ok".to_vec()),
        (format!("{marker}.sh"), b"#!/bin/sh\necho pwned".to_vec()),
        (format!("{marker}.desktop"), b"[Desktop Entry]".to_vec()),
        (format!("{marker}.exe"), b"MZ".to_vec()),
        (format!("{marker}-big.pdf"), vec![b'x'; 200_000]),
    ];
    // One big link a row: the person clicks each (a download a page starts by itself is
    // refused whatever the file: see tests/e2e_downloads.rs).
    let mut links = String::new();
    for (i, (name, body)) in files.iter().enumerate() {
        let path = format!("/dl/{i}");
        world.proxy.route(
            "www.allowed.test",
            &path,
            Reply::attachment(name, body.clone()),
        );
        links.push_str(&format!(
            "<a href=\"{path}\" style=\"position:fixed;left:0;right:0;top:{}px;height:70px;\
             display:block;background:#dfe\">file {i}</a>",
            80 * i
        ));
    }
    world.proxy.route(
        "www.allowed.test",
        "/start",
        page(&format!("{links}<script>fetch('/loaded')</script>")),
    );
    let mut view = View::spawn(&world.xvfb, &world.config, world.session());
    view.start();
    world.proxy.wait_path("www.allowed.test", "/loaded");
    let mut finished = 0;
    let mut refused = 0;
    for i in 0..files.len() as u32 {
        // Row i of the content view, below the 96 px toolbar.
        world.xvfb.click(640, 96 + 80 * i + 35, 1);
        match view.expect("download result", |m| {
            matches!(
                m,
                FromView::Download {
                    state: DownloadState::Finished | DownloadState::Refused | DownloadState::Failed,
                    ..
                }
            )
        }) {
            FromView::Download {
                state: DownloadState::Finished,
                ..
            } => finished += 1,
            FromView::Download {
                state: DownloadState::Refused,
                ..
            } => refused += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((finished, refused), (1, 4));
    let downloads = view.session.downloads();
    let names: Vec<String> = std::fs::read_dir(&downloads)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(
        names,
        vec![format!("{marker}.pdf")],
        "only the safe file, safely named"
    );
    assert_eq!(
        std::fs::read(downloads.join(format!("{marker}.pdf"))).unwrap(),
        b"%PDF-1.4 ok"
    );
    // Nothing with the marker anywhere else a download could go.
    let session_root = view.session.root().to_owned();
    for dir in [
        std::path::PathBuf::from("/tmp"),
        std::path::PathBuf::from("/root"),
    ] {
        let found = find_named(&dir, &marker, &session_root);
        assert!(found.is_empty(), "written outside the session: {found:?}");
    }
    // The protocol never carries a file name.
    let log = view.log().join("\n");
    assert!(!log.contains(&marker), "a file name reached the log");
}

#[test]
fn file_upload_offers_only_session_files_and_no_gtk_dialog() {
    let _g = e2e_lock();
    let world = World::new(config_with_start());
    world.proxy.route(
        "www.allowed.test",
        "/start",
        page(
            r#"<input type=file id=f style="position:fixed;inset:0;width:100%;height:100%;opacity:0.5">
               <script>document.getElementById('f').addEventListener('change',e=>{
                 const f=e.target.files[0];
                 fetch('/chosen?name='+encodeURIComponent(f.name)+'&size='+f.size);});</script>"#,
        ),
    );
    let session = world.session();
    std::fs::write(
        session.downloads().join("attestation.pdf"),
        b"%PDF session file",
    )
    .unwrap();
    let mut view = View::spawn(&world.xvfb, &world.config, session);
    view.start();
    view.expect("navigated", |m| matches!(m, FromView::Navigated { .. }));
    world.xvfb.click(CENTRE.0, CENTRE.1, 1);
    // The trusted picker takes the whole window; no GTK dialog appears.
    // The picker's first entry (a white button with a blue border) where the page was.
    world
        .xvfb
        .screenshot_showing("file-picker", (200, 220, 880, 80), "1D4F91");
    let windows = world.xvfb.visible_windows();
    assert_eq!(windows.len(), 1, "no GTK file chooser: {windows:?}");
    // The picker lists the session's one file first: click it.
    world.xvfb.click(640, 257, 1);
    let chosen = world.proxy.wait_path("www.allowed.test", "/chosen");
    assert!(
        chosen.path.contains("name=attestation.pdf"),
        "{}",
        chosen.path
    );
    assert!(chosen.path.contains("size=17"), "{}", chosen.path);
}

/// Only one window is mapped. Checked once the view has handled whatever could have opened
/// another: see [`handled`].
fn assert_one_window(xvfb: &Xvfb, when: &str) {
    assert_eq!(xvfb.visible_windows().len(), 1, "a second window {when}");
}

/// Waits until the view has handled right-click number `n` and every input before it. The
/// test page answers each right-click, after WebKit's default action (asking the view's
/// process for a context menu), by loading a frame at `/handled?n`: the view's process
/// decides that navigation after the menu request and after the input events that came
/// before the click, so once the proxy sees the frame's request, a menu, inspector or window
/// they opened is mapped.
fn handled(world: &World, n: u32) {
    let path = format!("/handled?{n}");
    world
        .proxy
        .wait_for(&format!("right-click {n} handled"), |s| {
            s.host == "www.allowed.test" && s.path == path
        });
}

#[test]
fn no_context_menu_devtools_or_dialog_and_print_is_reported() {
    let _g = e2e_lock();
    let world = World::new(config_with_start());
    world
        .proxy
        .route("www.allowed.test", "/sentinel", page("sentinel"));
    world.proxy.route(
        "www.allowed.test",
        "/start",
        page(
            r#"<h1>page</h1><button style="position:fixed;inset:0" onclick="window.print()">print</button>
               <script>document.addEventListener('contextmenu',()=>fetch('/ctx'))</script>
               <script>let clicks=0;document.addEventListener('contextmenu',()=>{const n=++clicks;
                 setTimeout(()=>{const f=document.createElement('iframe');
                   f.src='/handled?'+n;document.body.appendChild(f);});})</script>
               <script>setTimeout(()=>window.close(),200)</script>"#,
        ),
    );
    world
        .proxy
        .route("www.allowed.test", "/handled", page("handled"));
    let mut view = View::spawn(&world.xvfb, &world.config, world.session());
    view.start();
    view.expect("navigated", |m| matches!(m, FromView::Navigated { .. }));
    world.xvfb.click(CENTRE.0, CENTRE.1, 3);
    // The page saw the right-click, and the view has answered its menu request.
    world.proxy.wait_path("www.allowed.test", "/ctx");
    handled(&world, 1);
    assert_one_window(&world.xvfb, "after a right-click");
    for key in [
        "F12",
        "ctrl+shift+i",
        "ctrl+shift+j",
        "ctrl+shift+c",
        "ctrl+n",
        "ctrl+o",
        "ctrl+p",
        "ctrl+u",
        "ctrl+s",
        "F11",
        "alt+F4",
        "ctrl+q",
        "ctrl+w",
    ] {
        world.xvfb.xdotool(&["key", key]);
    }
    // A second right-click, handled after the keys.
    world.xvfb.click(CENTRE.0, CENTRE.1, 3);
    handled(&world, 2);
    assert_one_window(&world.xvfb, "after devtools and window shortcuts");
    world.xvfb.click(CENTRE.0, CENTRE.1, 1);
    view.expect("print_requested", |m| *m == FromView::PrintRequested);
    assert_eq!(
        world.xvfb.visible_windows().len(),
        1,
        "no context menu, inspector, print dialog or new window"
    );
    // window.close() did not take the content view away: it still loads pages.
    view.sentinel(SENTINEL);
    world.proxy.wait_path("www.allowed.test", "/sentinel");
}

#[test]
fn subresource_filter_blocks_images_of_unlisted_hosts() {
    let _g = e2e_lock();
    let body =
        r#"<img src="http://evil-img.test/x.png"><img src="http://cdn.allowed.test/ok.png">"#;
    for (mode, evil_expected) in [("open", true), ("policy", false)] {
        let world = World::new(TestConfig {
            subresources: mode,
            ..config_with_start()
        });
        world
            .proxy
            .route("www.allowed.test", "/sentinel", page("sentinel"));
        world.proxy.route("www.allowed.test", "/start", page(body));
        world
            .proxy
            .route("cdn.allowed.test", "/ok.png", Reply::png());
        world.proxy.route("evil-img.test", "/x.png", Reply::png());
        let mut view = View::spawn(&world.xvfb, &world.config, world.session());
        view.start();
        world.proxy.wait_path("cdn.allowed.test", "/ok.png");
        if evil_expected {
            // Control: without the filter the image is fetched, so the check below can fail.
            world.proxy.wait_path("evil-img.test", "/x.png");
        } else {
            assert_never_reached(&world, &mut view, "evil-img.test");
        }
    }
}

/// With `subresources = "policy"`, a page loads its images and scripts from a host its service
/// declares in `resources` (fetched through the proxy), and a request to a host no service
/// lists never leaves the view.
#[test]
fn declared_resource_hosts_load_and_undeclared_hosts_are_blocked() {
    let _g = e2e_lock();
    let body = r#"<img src="http://res.cdn.test/r.png"><script src="http://res.cdn.test/r.js"></script><img src="http://undeclared.test/x.png">"#;
    let mut config = TestConfig {
        subresources: "policy",
        resources: vec!["http://res.cdn.test".into()],
        ..config_with_start()
    };
    config.allow_http.push("res.cdn.test".into());
    let world = World::new(config);
    world
        .proxy
        .route("www.allowed.test", "/sentinel", page("sentinel"));
    world.proxy.route("www.allowed.test", "/start", page(body));
    world.proxy.route("res.cdn.test", "/r.png", Reply::png());
    let script = Reply {
        status: 200,
        headers: vec![("Content-Type".into(), "text/javascript".into())],
        body: b"1;".to_vec(),
    };
    world.proxy.route("res.cdn.test", "/r.js", script);
    world.proxy.route("undeclared.test", "/x.png", Reply::png());
    let mut view = View::spawn(&world.xvfb, &world.config, world.session());
    view.start();
    world.proxy.wait_path("res.cdn.test", "/r.png");
    world.proxy.wait_path("res.cdn.test", "/r.js");
    assert_never_reached(&world, &mut view, "undeclared.test");
    // A resource host is not a place to go: navigating there is blocked.
    let decision = guichet::config::Config::load(&world.config)
        .unwrap()
        .policy
        .policy
        .decide("http://res.cdn.test/r.png");
    assert!(
        matches!(decision, guichet::policy::Decision::Block(_)),
        "{decision}"
    );
}

#[test]
fn stdin_closing_ends_the_view() {
    let _g = e2e_lock();
    let world = World::new(TestConfig::default());
    let mut view = View::spawn(&world.xvfb, &world.config, world.session());
    view.expect("ready", |m| *m == FromView::Ready);
    view.close_stdin();
    assert_eq!(view.wait_exit(), Some(0));
}

/// The view reads its config only from the snapshot guichetd wrote (`config.json`), and
/// checks it: a missing, corrupt, hostile or linked snapshot stops it at once with a clear
/// error (exit status 1, no panic), before it opens a window, and the error quotes nothing
/// from the file. (These snapshots are made by hand on purpose: the production spawn only
/// ever writes a checked one.)
#[test]
fn a_missing_or_corrupt_config_snapshot_stops_the_view_with_a_clear_error() {
    let _g = e2e_lock();
    let world = World::new(config_with_start());
    let good = guichet::config::Config::load(&world.config).unwrap();
    let hostile = {
        let mut v: serde_json::Value = serde_json::from_str(&good.to_snapshot()).unwrap();
        v["terminal"]["start_url"] = "https://secret-host.example/".into();
        v.to_string()
    };
    let cases: Vec<(&str, Option<String>, &str)> = vec![
        ("missing", None, "cannot read the config snapshot"),
        (
            "not json",
            Some("[terminal]\nname = \"x\"".into()),
            "not a valid config",
        ),
        (
            "cut short",
            Some(good.to_snapshot()[..200].to_owned()),
            "not a valid config",
        ),
        ("start page not allowed", Some(hostile), "breaks a rule"),
        (
            "a link",
            Some(String::new()),
            "cannot read the config snapshot",
        ),
    ];
    for (what, content, expected) in cases {
        let session = world.session();
        match (what, content) {
            ("a link", _) => {
                let real = world.tmp.path().join("real-config.json");
                std::fs::write(&real, good.to_snapshot()).unwrap();
                std::os::unix::fs::symlink(&real, session.config_file()).unwrap();
            }
            (_, Some(text)) => std::fs::write(session.config_file(), text).unwrap(),
            (_, None) => {}
        }
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_guichet-view"))
            .arg("--session-dir")
            .arg(session.root())
            .env_clear()
            .env("DISPLAY", &world.xvfb.display)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{what}: {err}");
        assert!(err.contains(expected), "{what}: {err}");
        assert!(!err.contains("panicked"), "{what}: {err}");
        assert!(!err.contains("secret-host"), "{what}: {err}");
        assert!(out.stdout.is_empty(), "{what}: it spoke the protocol");
    }
}

#[test]
fn end_session_shows_takeaway_then_logs_out_and_reports_ended() {
    let _g = e2e_lock();
    let world = World::new(config_with_start());
    world
        .proxy
        .route("www.allowed.test", "/start", page("<h1>start</h1>"));
    world.proxy.route("login.sso.test", "/logout", page("bye"));
    let session = world.session();
    std::fs::write(session.downloads().join("avis.pdf"), b"%PDF").unwrap();
    let mut view = View::spawn(&world.xvfb, &world.config, session);
    view.start();
    view.expect("navigated", |m| matches!(m, FromView::Navigated { .. }));
    view.send(&ToView::Countdown {
        reason: guichet::protocol::view::CountdownReason::Idle,
        seconds: 30,
    });
    world.xvfb.screenshot_painted("countdown", 50);
    view.send(&ToView::CancelCountdown);
    view.send(&ToView::EndSession {
        takeaway: true,
        logouts: vec![guichet::protocol::view::Logout {
            service: "sso".to_owned(),
            url: guichet::loggable::Private::new("http://login.sso.test/logout".to_owned()),
        }],
    });
    // The red "end the session" button under the list (and the summary of the visit) on the
    // full-window screen.
    let below_the_bar = (0, 120, 1280, 680);
    let shot = support::xvfb::Shot::open(world.xvfb.screenshot_showing(
        "takeaway",
        below_the_bar,
        "B3261E",
    ));
    // The take-away screen waits for the person; nothing is visited yet.
    assert!(!world.proxy.saw_host("login.sso.test"));
    let (x, y) = shot.find(below_the_bar, "B3261E").expect("the red button");
    world.xvfb.click(x, y, 1);
    world.proxy.wait_path("login.sso.test", "/logout");
    view.expect("ended", |m| *m == FromView::Ended);
    world.xvfb.screenshot_painted("goodbye", 50);
    view.send(&ToView::Quit);
    assert_eq!(view.wait_exit(), Some(0));
}

#[test]
fn permissions_are_denied_and_a_web_process_crash_is_reported() {
    let _g = e2e_lock();
    let world = World::new(config_with_start());
    world.proxy.route(
        "www.allowed.test",
        "/start",
        page(
            "<script>navigator.geolocation.getCurrentPosition(\
               p=>fetch('/geo?r=granted'),e=>fetch('/geo?r=denied&code='+e.code));</script>",
        ),
    );
    let mut view = View::spawn(&world.xvfb, &world.config, world.session());
    view.start();
    let geo = world.proxy.wait_path("www.allowed.test", "/geo");
    assert!(geo.path.contains("r=denied&code=1"), "{}", geo.path);

    // The web process dies: the supervisor hears about it.
    let web = view.descendants_named("WebKitWebProc");
    assert!(!web.is_empty(), "no web process found");
    for pid in web {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(pid),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
    view.expect("crashed", |m| {
        *m == FromView::Crashed {
            what: guichet::protocol::view::CrashKind::WebProcessTerminated,
        }
    });
}

#[test]
fn a_network_failure_shows_the_error_page() {
    let _g = e2e_lock();
    let world = World::new(config_with_start());
    world
        .proxy
        .route("www.allowed.test", "/start", Reply::drop_connection());
    let mut view = View::spawn(&world.xvfb, &world.config, world.session());
    view.start();
    world.proxy.wait_path("www.allowed.test", "/start");
    // guichet's own error page, with its "ask the helper" box, not WebKit's.
    world
        .xvfb
        .screenshot_showing("error-page", CONTENT_AREA, "FFF4CC");
}

#[test]
fn zoom_goes_through_the_trusted_control_and_stays_bounded() {
    let _g = e2e_lock();
    let world = World::new(config_with_start());
    world.proxy.route(
        "www.allowed.test",
        "/start",
        page(
            "<script>addEventListener('resize',()=>fetch('/w?'+innerWidth));\
             fetch('/w?'+innerWidth)</script>",
        ),
    );
    let mut view = View::spawn(&world.xvfb, &world.config, world.session());
    view.start();
    world
        .proxy
        .wait_for("width at 100 %", |s| s.path == "/w?1280");
    // "A+" of the toolbar's text size: 125 % makes the page 1024 CSS pixels wide.
    world.xvfb.click(515, 34, 1);
    world
        .proxy
        .wait_for("width at 125 %", |s| s.path == "/w?1024");
    // Ctrl+plus many times: the zoom stops at 300 % (1280 / 3 = 426 CSS pixels).
    world.xvfb.click(CENTRE.0, CENTRE.1, 1);
    for _ in 0..12 {
        world.xvfb.xdotool(&["key", "ctrl+plus"]);
    }
    world
        .proxy
        .wait_for("width at 300 %", |s| s.path == "/w?426");
    assert!(
        !world
            .proxy
            .seen()
            .iter()
            .any(|s| s.path.starts_with("/w?") && s.path[3..].parse::<u32>().unwrap_or(999) < 426),
        "zoomed beyond the bound"
    );
    // Ctrl+0 resets.
    world.xvfb.xdotool(&["key", "ctrl+0"]);
    world
        .proxy
        .wait_count("width back at 100 %", 2, |s| s.path == "/w?1280");
}

#[test]
fn the_max_duration_countdown_says_the_session_ends_and_back_returns_to_the_page() {
    let _g = e2e_lock();
    for lang in ["fr", "nl", "de", "en"] {
        let world = World::new(TestConfig {
            languages: vec![lang],
            ..config_with_start()
        });
        world
            .proxy
            .route("www.allowed.test", "/start", page("<h1>start</h1>"));
        let mut view = View::spawn(&world.xvfb, &world.config, world.session());
        view.start();
        view.expect("navigated", |m| matches!(m, FromView::Navigated { .. }));
        view.send(&ToView::Countdown {
            reason: guichet::protocol::view::CountdownReason::MaxDuration,
            seconds: 90,
        });
        // The full-window countdown replaces the toolbar (its red End button goes).
        let end_button = (1120, 10, 150, 70);
        world.xvfb.poll_crop(
            &format!("countdown-max-{lang}"),
            end_button,
            &["-unique-colors", "txt:-"],
            |out| !out.to_ascii_uppercase().contains("#B3261E"),
            |_| "the countdown never covered the toolbar".into(),
        );
        world
            .xvfb
            .screenshot_painted(&format!("countdown-max-{lang}"), 50);
        // Its one button, "back to my page", under the text, returns to the page.
        world.xvfb.click(640, 597, 1);
        world
            .xvfb
            .screenshot_showing(&format!("countdown-max-back-{lang}"), end_button, "B3261E");
        view.send(&ToView::Quit);
        assert_eq!(view.wait_exit(), Some(0));
    }
}
