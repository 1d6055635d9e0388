//! End-to-end tests of the toolbar's reach with the real WebKitGTK view under Xvfb: F6 and
//! the skip link every page gets take the keyboard to the toolbar from inside a page, and the
//! blocked page's Back and "All services" links do what the toolbar's Back and Home do — for
//! the person's own key or click on guichet's page only, never for a site that links or
//! sends a page there.
//!
//! Controls are reached by keyboard: F6 focuses the toolbar's first button (Home), the skip
//! link is the first stop of a page's focus order, the blocked page's links come after it.

mod support;

use guichet::lang::Lang;
use guichet::protocol::view::{FromView, ToView};
use support::xvfb::Shot;
use support::{e2e_lock, eventually, Reply, TestConfig, View, World};

const HOST: &str = "www.allowed.test";
const START: &str = "http://www.allowed.test/start";
const PAGE_BG: &str = "EEF6FF";
/// The colour of the test page's link that covers it.
const LINK_BG: &str = "DDFFEE";
const CONTENT_AREA: (u32, u32, u32, u32) = (0, 100, 1280, 700);
const SCREEN: (u32, u32, u32, u32) = (0, 0, 1280, 800);
const CENTRE: (u32, u32) = (640, 450);
/// The red of End, on the services screen.
const END_RED: &str = "B3261E";
/// The yellow of the blocked page's helper hint.
const HINT_YELLOW: &str = "FFF4CC";
/// The yellow ring around the control that has the keyboard (toolbar, trusted screens, the
/// skip link).
const FOCUS_RING: &str = "F0B400";
const TOOLBAR: (u32, u32, u32, u32) = (0, 0, 1280, 96);

fn config() -> TestConfig {
    TestConfig {
        start_url: Some(START.into()),
        ..TestConfig::default()
    }
}

fn page(body: &str) -> Reply {
    Reply::html(format!(
        "<!doctype html><html><head><meta charset=utf-8><title>t</title>\
         <style>html,body{{margin:0;height:100%;font:28px sans-serif;background:#{PAGE_BG}}}\
         a.all{{position:fixed;top:120px;left:0;right:0;bottom:0;display:block;background:#{LINK_BG}}}\
         </style></head><body>{body}</body></html>"
    ))
}

/// Waits for the services screen: full window (the page gone), its End on screen.
fn services_shown(world: &World, name: &str) {
    let shot = Shot::open(world.xvfb.screenshot_showing(name, SCREEN, END_RED));
    assert!(
        !shot.has(CONTENT_AREA, PAGE_BG),
        "{name}: the page is still on screen"
    );
}

#[test]
fn f6_and_the_skip_link_take_the_keyboard_to_the_toolbar() {
    let _g = e2e_lock();
    let world = World::new(config());
    world.proxy.route(
        HOST,
        "/start",
        page("<input id=f style=\"font:32px sans-serif;margin:20px;width:600px\">"),
    );
    let mut view = View::spawn(&world.xvfb, &world.config, world.session());
    view.start();
    view.expect("navigated", |m| matches!(m, FromView::Navigated { .. }));
    world
        .xvfb
        .screenshot_showing("toolbar-f6-page", CONTENT_AREA, PAGE_BG);
    // The keyboard is in the page's field; F6, then Return: the toolbar's Home.
    world.xvfb.click(300, 140, 1);
    world.xvfb.xdotool(&["type", "--delay", "30", "abc"]);
    world.xvfb.xdotool(&["key", "F6"]);
    world
        .xvfb
        .screenshot_showing("toolbar-f6-focus", TOOLBAR, FOCUS_RING);
    world.xvfb.xdotool(&["key", "Return"]);
    services_shown(&world, "toolbar-f6-services");
    // "Back to my page" (focused), then the skip link: before the field in the focus order
    // (Shift+Tab from it), Return on it, Return on the toolbar's Home.
    world.xvfb.xdotool(&["key", "Return"]);
    world
        .xvfb
        .screenshot_showing("toolbar-skip-page", CONTENT_AREA, PAGE_BG);
    world.xvfb.click(300, 140, 1);
    world.xvfb.xdotool(&["key", "shift+Tab"]);
    world
        .xvfb
        .screenshot_showing("toolbar-skip-link", CONTENT_AREA, FOCUS_RING);
    world.xvfb.xdotool(&["key", "Return"]);
    world
        .xvfb
        .screenshot_showing("toolbar-skip-focus", TOOLBAR, FOCUS_RING);
    world.xvfb.xdotool(&["key", "Return"]);
    services_shown(&world, "toolbar-skip-services");
}

#[test]
fn the_blocked_pages_back_and_all_services_links_act_like_the_toolbar() {
    let _g = e2e_lock();
    let world = World::new(config());
    world.proxy.route(
        HOST,
        "/start",
        page("<a class=all href=\"http://evil-link.test/\">go</a>"),
    );
    let mut view = View::spawn(&world.xvfb, &world.config, world.session());
    view.send(&ToView::Language { lang: Lang::Nl });
    view.start();
    view.expect("navigated", |m| matches!(m, FromView::Navigated { .. }));
    world
        .xvfb
        .screenshot_showing("blocked-go-page", CONTENT_AREA, LINK_BG);
    let blocked = |view: &mut View, name: &str| {
        world.xvfb.click(CENTRE.0, CENTRE.1, 1);
        view.expect("blocked", |m| matches!(m, FromView::Blocked { .. }));
        world
            .xvfb
            .screenshot_showing(name, CONTENT_AREA, HINT_YELLOW);
    };
    blocked(&mut view, "blocked-go-nl");
    // The skip link, then Back: the page before it.
    world.xvfb.xdotool(&["key", "Tab", "Tab", "Return"]);
    let shot = Shot::open(
        world
            .xvfb
            .screenshot_showing("blocked-go-back", CONTENT_AREA, LINK_BG),
    );
    assert!(
        !shot.has(CONTENT_AREA, HINT_YELLOW),
        "still the blocked page"
    );
    // Blocked again; then "All services" (after Back): the services screen, in the session.
    blocked(&mut view, "blocked-go-nl-2");
    world.xvfb.xdotool(&["key", "Tab", "Tab", "Tab", "Return"]);
    services_shown(&world, "blocked-go-services");
    assert!(!view.received().contains(&FromView::EndRequested));
}

/// The view's log records saying a go link was ignored.
fn ignored(view: &View) -> Vec<serde_json::Value> {
    view.log()
        .iter()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .map(|r| r["fields"].clone())
        .filter(|f| {
            f["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("go link ignored"))
        })
        .collect()
}

#[test]
fn a_site_cannot_use_the_go_links() {
    let _g = e2e_lock();
    let world = World::new(config());
    // A script sends the page to "all services" by itself; the person clicks a site's link
    // to "call the helper".
    world.proxy.route(
        HOST,
        "/start",
        page(
            "<a class=all href=\"guichet://go/help\">help</a>\
             <script>setTimeout(()=>{location.href='guichet://go/home'},100)</script>",
        ),
    );
    let mut view = View::spawn(&world.xvfb, &world.config, world.session());
    view.start();
    view.expect("navigated", |m| matches!(m, FromView::Navigated { .. }));
    world
        .xvfb
        .screenshot_showing("go-hostile-page", CONTENT_AREA, LINK_BG);
    eventually("the script's go link ignored", || ignored(&view).len() == 1);
    world.xvfb.click(CENTRE.0, CENTRE.1, 1);
    eventually("the site's go link ignored", || ignored(&view).len() == 2);
    let log = ignored(&view);
    assert_eq!(log[0]["gesture"], false, "{log:?}");
    assert_eq!(log[1]["gesture"], true, "{log:?}");
    assert!(!view.received().contains(&FromView::HelperCalled));
    let shot = Shot::open(world.xvfb.screenshot("go-hostile-after"));
    assert!(shot.has(CONTENT_AREA, LINK_BG), "the page left the screen");
}

/// The language, during a session, from the toolbar: its button (F6, then Tab past Home,
/// Back, Forward, Reload, A−, A+ and My documents) opens the languages with the current one
/// focused; the next one (Tab) chosen with Return goes back to the page, which is not loaded
/// again, and its next requests ask for that language.
#[test]
fn the_toolbars_language_button_changes_the_language_during_the_session() {
    let _g = e2e_lock();
    let world = World::new(config());
    world.proxy.route(
        HOST,
        "/start",
        page("<script>setInterval(()=>fetch('/tick'),250)</script>"),
    );
    world.proxy.route(HOST, "/tick", Reply::bare(204));
    let mut view = View::spawn(&world.xvfb, &world.config, world.session());
    view.start();
    view.expect("navigated", |m| matches!(m, FromView::Navigated { .. }));
    world
        .xvfb
        .screenshot_showing("toolbar-lang-page", CONTENT_AREA, PAGE_BG);
    world.xvfb.click(CENTRE.0, CENTRE.1, 1);
    world.xvfb.xdotool(&["key", "F6"]);
    world
        .xvfb
        .screenshot_showing("toolbar-lang-focus", TOOLBAR, FOCUS_RING);
    for _ in 0..7 {
        world.xvfb.xdotool(&["key", "Tab"]);
    }
    world.xvfb.xdotool(&["key", "Return"]);
    // The languages, over the page, the current one focused.
    world
        .xvfb
        .screenshot_showing("toolbar-lang-screen", CONTENT_AREA, FOCUS_RING);
    world.xvfb.xdotool(&["key", "Tab", "Return"]);
    let lang = view.expect("language", |m| matches!(m, FromView::Language { .. }));
    assert_eq!(lang, FromView::Language { lang: Lang::Nl });
    world
        .xvfb
        .screenshot_showing("toolbar-lang-back", CONTENT_AREA, PAGE_BG);
    world.proxy.wait_for("a request in Dutch", |s| {
        s.path == "/tick"
            && s.header("accept-language")
                .is_some_and(|l| l.starts_with("nl"))
    });
    assert_eq!(
        world.proxy.count(|s| s.path == "/start"),
        1,
        "the page was loaded again"
    );
}
