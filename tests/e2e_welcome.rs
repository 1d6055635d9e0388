//! End-to-end test of the welcome with many services (eight shipped packs, 55 services) with
//! the real WebKitGTK view under Xvfb, on a 1024×768 screen: the services grouped by need,
//! the filter box (case- and accent-insensitive), the row of groups, and a service opened from
//! the welcome and from the services screen inside the session.
//!
//! The high-contrast switch of the services screen turns the trusted screens and the pages
//! to yellow and white on black.
//!
//! Controls are reached by keyboard, in their focus order, and known by their names: the
//! filter is typed into, which leaves only the group and the tile of that name to Tab to; the
//! proxy then sees the service's start page asked for, in Dutch.

mod support;

use guichet::protocol::view::FromView;
use support::xvfb::Shot;
use support::{e2e_lock, PackChoice, Reply, TestConfig, World};

/// The screen: the smallest the kiosk supports.
const SCREEN: (u32, u32, u32, u32) = (0, 0, 1024, 768);
/// The green behind the welcome's privacy promise.
const PROMISE_GREEN: &str = "E6F4EA";
/// The red of End, on the services screen.
const END_RED: &str = "B3261E";
/// The yellow ring around the control that has the keyboard.
const FOCUS_RING: &str = "F0B400";
/// The yellow of headings and chosen buttons in high contrast.
const HC_YELLOW: &str = "FFFF00";
/// The content view under the toolbar, and a part of it the test page leaves empty.
const CONTENT_AREA: (u32, u32, u32, u32) = (0, 100, 1024, 668);
const PAGE_MARGIN: (u32, u32, u32, u32) = (600, 400, 300, 200);
/// The first housing service (be-brussels comes before be-wallonia and be-flanders) and the
/// Walloon one, as the shipped packs played over http start them.
const BRUSSELS_HOUSING: &str = "logement.brussels";
const WALLOON_HOUSING: &str = "logement.wallonie.be";

fn config() -> TestConfig {
    let packs = [
        "be-login",
        "be-federal",
        "be-brussels",
        "be-family",
        "be-health",
        "be-mobility",
        "be-wallonia",
        "be-flanders",
    ];
    TestConfig {
        packs: packs
            .iter()
            .map(|p| PackChoice::Shipped(p.to_string()))
            .collect(),
        extra: Vec::new(),
        allow_http: Vec::new(),
        ..TestConfig::default()
    }
}

fn keys(world: &World, keys: &[&str]) {
    let mut args = vec!["key", "--delay", "80"];
    args.extend_from_slice(keys);
    world.xvfb.xdotool(&args);
}

fn typed(world: &World, text: &str) {
    world.xvfb.xdotool(&["type", "--delay", "60", text]);
}

#[test]
fn a_tile_is_found_by_its_group_and_by_the_filter_and_opens_its_service_in_high_contrast() {
    let _g = e2e_lock();
    let world = World::with_screen(config(), SCREEN_SIZE);
    for host in [BRUSSELS_HOUSING, WALLOON_HOUSING] {
        world
            .proxy
            .route(host, "/", Reply::html("<h1>Huisvesting</h1>"));
    }
    let mut view = world.started_view();
    view.expect("shown", |m| *m == FromView::Shown);
    // The pointer on the margin beside the promise: no control shows as hovered.
    world.xvfb.xdotool(&["mousemove", "1016", "150"]);
    world
        .xvfb
        .screenshot_showing("welcome-many-fr", SCREEN, PROMISE_GREEN);
    // Tab: high contrast, Français, Nederlands; Return: Dutch; the keyboard stays on its
    // button.
    keys(&world, &["Tab", "Tab", "Tab", "Return"]);
    view.expect("language", |m| {
        *m == FromView::Language {
            lang: guichet::lang::Lang::Nl,
        }
    });
    // Deutsch, English, then the filter box. "WONEN" (the housing group's Dutch name, in
    // capitals) leaves one group, so the next stop is its button in the groups' row, which
    // takes the keyboard to the group's first tile.
    keys(&world, &["Tab", "Tab", "Tab"]);
    world
        .xvfb
        .screenshot_showing("welcome-many-nl", SCREEN, FOCUS_RING);
    typed(&world, "WONEN");
    world
        .xvfb
        .screenshot_showing("welcome-many-nl-filtered", SCREEN, FOCUS_RING);
    keys(&world, &["Tab", "Return"]);
    world
        .xvfb
        .screenshot_showing("welcome-many-nl-group", SCREEN, FOCUS_RING);
    keys(&world, &["Return"]);
    let seen = world.proxy.wait_path(BRUSSELS_HOUSING, "/");
    assert!(
        seen.header("accept-language")
            .is_some_and(|l| l.starts_with("nl")),
        "{:?}",
        seen.header("accept-language")
    );
    view.expect("navigated", |m| matches!(m, FromView::Navigated { .. }));
    // F6 then Return: the toolbar's Home, the services inside the session, "back to my page"
    // focused; before it, the four languages and the high-contrast switch (Shift+Tab five
    // times, Return): yellow on black.
    keys(&world, &["F6", "Return"]);
    world
        .xvfb
        .screenshot_showing("services-many-nl", SCREEN, END_RED);
    keys(
        &world,
        &[
            "shift+Tab",
            "shift+Tab",
            "shift+Tab",
            "shift+Tab",
            "shift+Tab",
            "Return",
        ],
    );
    world
        .xvfb
        .screenshot_showing("services-many-nl-high-contrast", SCREEN, HC_YELLOW);
    // The keyboard stays on the switch; after it: the four languages, back to my page, call
    // the helper, End, report a problem, then the filter box.
    keys(&world, &["Tab"; 9]);
    // Without its diaeresis: "Wonen in Wallonië" is the only tile left, after its group's
    // button.
    typed(&world, "wonen in wallonie");
    world
        .xvfb
        .screenshot_showing("services-many-nl-filtered", SCREEN, HC_YELLOW);
    keys(&world, &["Tab", "Tab", "Return"]);
    let seen = world.proxy.wait_path(WALLOON_HOUSING, "/");
    assert!(
        seen.header("accept-language")
            .is_some_and(|l| l.starts_with("nl")),
        "{:?}",
        seen.header("accept-language")
    );
    view.expect("navigated", |m| matches!(m, FromView::Navigated { .. }));
    // The page, white by itself, in high contrast too: black where it has no text.
    let shot = Shot::open(world.xvfb.screenshot_showing(
        "page-high-contrast",
        CONTENT_AREA,
        "000000",
    ));
    assert!(
        !shot.has(PAGE_MARGIN, "FFFFFF"),
        "the page is not in high contrast"
    );
    assert!(!view.received().contains(&FromView::EndRequested));
}

const SCREEN_SIZE: (u32, u32) = (SCREEN.2, SCREEN.3);
