//! End-to-end escape suite: nothing a page controls is ever drawn over the trusted toolbar,
//! and no second window opens, whatever WebKit would draw for the page — a form's validation
//! message, a drag image, a `<select>` list, a colour or date picker, `<datalist>`
//! suggestions, a script dialog, full screen, pointer lock. After each, End still works.
//!
//! Each attack runs in a fresh real view under Xvfb, behind the recording proxy. The toolbar
//! (the top 96 pixels) is photographed before the attack and four times in a row after the
//! view has handled it; the pictures must be identical, pixel for pixel. Exact equality
//! rather than "the same colours": a page can write in the toolbar's own colours (white, its
//! blue, black text), which a colour set would not tell apart, and nothing else changes the
//! toolbar while the test holds it still (no notice, no zoom, the pointer parked over empty
//! bar). The windows mapped on the display must stay one.
//!
//! Ordering without sleeps: attacks that need no gesture wait for the test's go-ahead (the page
//! polls `/go`, routed only once the "before" picture is taken); every attack page then loads
//! a frame at `/handled?NAME` after the step WebKit would draw for. The view decides that
//! frame's navigation after the request it got before it, so once the proxy sees it, whatever
//! the attack made the view open has been opened. A page's own script dialog blocks the page,
//! so that case waits for the dialog on screen instead.

mod support;

use guichet::protocol::view::{FromView, Screen, ToView};
use support::xvfb::Shot;
use support::{e2e_lock, Reply, TestConfig, View, World};

const HOST: &str = "www.allowed.test";
const PAGE_BG: &str = "EEF6FF";
/// The toolbar, at the top of the 1280×800 screen.
const TOOLBAR: (u32, u32, u32, u32) = (0, 0, 1280, 96);
const CONTENT_AREA: (u32, u32, u32, u32) = (0, 100, 1280, 700);
/// Over the toolbar, between its buttons: hovering there changes nothing.
const PARK: (u32, u32) = (1000, 48);
/// The End button's colour (the only red of the toolbar).
const END_RED: &str = "B3261E";

/// What every attack page has: `done(name)` loads `/handled?name` once the current task is
/// over (after an event's default action, which is what opens a picker or a menu);
/// `doneNow(name)` at once; `go(f)` runs `f` once the test says so.
const HELPERS: &str = r#"<script>
function doneNow(n){const f=document.createElement('iframe');f.style.display='none';
  f.src='/handled?'+n;(document.body||document.documentElement).appendChild(f);}
function done(n){setTimeout(()=>doneNow(n),0);}
function go(f){const t=setInterval(()=>fetch('/go').then(r=>{if(r.ok){clearInterval(t);f();}}),100);}
</script>"#;

fn page(body: &str) -> Reply {
    Reply::html(format!(
        "<!doctype html><html><head><meta charset=utf-8><title>t</title>\
         <style>html,body{{margin:0;height:100%;font:28px sans-serif;background:#{PAGE_BG}}}\
         </style>{HELPERS}</head><body>{body}</body></html>"
    ))
}

/// One attack: its page, what the person (xdotool) does, if anything, and the start of the
/// name the page gives `done` once the attack is carried out.
struct Attack {
    name: &'static str,
    body: String,
    gesture: fn(&World),
    handled: &'static str,
}

fn no_gesture(_: &World) {}

fn click_centre(world: &World) {
    world.xvfb.click(640, 450, 1);
}

/// What [`run`] leaves: the world, the view, the toolbar before the attack, the last picture
/// after it.
struct Ran {
    world: World,
    view: View,
    before: Shot,
    last: Shot,
}

/// Runs `attack` in a fresh view and checks the toolbar after it.
fn run(attack: &Attack) -> Ran {
    let world = World::new(TestConfig {
        start_url: Some(format!("http://{HOST}/start")),
        ..TestConfig::default()
    });
    world.proxy.route(HOST, "/start", page(&attack.body));
    world.proxy.route(HOST, "/handled", page("handled"));
    world.proxy.route(HOST, "/img.png", Reply::png());
    let mut view = View::spawn(&world.xvfb, &world.config, world.session());
    view.start();
    view.expect("navigated", |m| matches!(m, FromView::Navigated { .. }));
    world.xvfb.screenshot_showing(
        &format!("escape-{}-page", attack.name),
        CONTENT_AREA,
        PAGE_BG,
    );
    world
        .xvfb
        .xdotool(&["mousemove", &PARK.0.to_string(), &PARK.1.to_string()]);
    let before = Shot::open(
        world
            .xvfb
            .screenshot(&format!("escape-{}-before", attack.name)),
    );
    assert!(before.has(TOOLBAR, END_RED), "no toolbar before the attack");
    world.proxy.route(HOST, "/go", page("go"));
    (attack.gesture)(&world);
    let handled = format!("/handled?{}", attack.handled);
    world
        .proxy
        .wait_for(&format!("{} handled", attack.name), |s| {
            s.host == HOST && s.path.starts_with(&handled)
        });
    let last = toolbar_untouched(&world, attack.name, &before);
    Ran {
        world,
        view,
        before,
        last,
    }
}

/// Four pictures in a row: the toolbar as in `before`, and one window.
fn toolbar_untouched(world: &World, name: &str, before: &Shot) -> Shot {
    let mut last = None;
    for i in 0..4 {
        let shot = Shot::open(world.xvfb.screenshot(&format!("escape-{name}-after{i}")));
        let diff = shot.differing_pixels(before, TOOLBAR);
        assert_eq!(diff, 0, "{name}: {diff} pixels of the toolbar changed");
        let windows = world.xvfb.visible_windows();
        assert_eq!(windows.len(), 1, "{name}: another window: {windows:?}");
        last = Some(shot);
    }
    last.unwrap()
}

/// The toolbar's End button still ends the session (End, then "yes" on the question).
fn end_still_works(world: &World, view: &mut View, name: &str) {
    world.end_session(&format!("escape-{name}-end"));
    view.expect(&format!("end requested after {name}"), |m| {
        *m == FromView::EndRequested
    });
}

fn check(attacks: Vec<Attack>) {
    let _g = e2e_lock();
    for attack in attacks {
        let mut ran = run(&attack);
        if matches!(attack.name, "drag-element" | "drag-link-image") {
            assert!(
                !ran.world
                    .proxy
                    .seen()
                    .iter()
                    .any(|s| s.path == "/handled?dragstart"),
                "{}: a drag started",
                attack.name
            );
        }
        end_still_works(&ran.world, &mut ran.view, attack.name);
    }
}

/// A field at the very top of the page, where WebKit's bubble would point up over the toolbar.
const TOP_FIELD: &str = r#"<form id=form action="/sent"><input id=f name=f required
  style="position:absolute;top:4px;left:300px;width:600px;height:40px;font-size:24px"></form>"#;

#[test]
fn validation_messages_stay_inside_the_page() {
    let lie = "Session terminée, vous pouvez partir. Appelez le 0900 00 000.";
    check(vec![
        Attack {
            name: "validation-report",
            body: format!(
                "{TOP_FIELD}<script>go(()=>{{f.setCustomValidity('{lie}');\
                 f.reportValidity();done('report');}})</script>"
            ),
            gesture: no_gesture,
            handled: "report",
        },
        Attack {
            name: "validation-submit",
            body: format!(
                "{TOP_FIELD}<script>go(()=>{{f.setCustomValidity('{lie}');\
                 form.requestSubmit();done('submit');}})</script>"
            ),
            gesture: no_gesture,
            handled: "submit",
        },
        // In a frame the page writes itself, and after document.open(), which removes every
        // listener of the document, guichet's included.
        Attack {
            name: "validation-blank-frame",
            body: format!(
                "<iframe id=fr style='position:absolute;top:0;left:0;width:1200px;height:300px;border:0'>\
                 </iframe><script>go(()=>{{const d=fr.contentDocument;d.open();\
                 d.write(`{TOP_FIELD}`);d.close();const i=d.getElementById('f');\
                 i.setCustomValidity('{lie}');i.reportValidity();done('frame');}})</script>"
            ),
            gesture: no_gesture,
            handled: "frame",
        },
        Attack {
            name: "validation-document-open",
            body: format!(
                "<script>go(()=>{{document.open();document.write(`{TOP_FIELD}`);\
                 document.close();const i=document.getElementById('f');\
                 i.setCustomValidity('{lie}');i.reportValidity();done('open');}})</script>"
            ),
            gesture: no_gesture,
            handled: "open",
        },
    ]);
}

#[test]
fn the_validation_message_is_drawn_in_the_page() {
    let _g = e2e_lock();
    let attack = Attack {
        name: "validation-in-page",
        body: format!(
            "{TOP_FIELD}<script>go(()=>{{form.requestSubmit();done('in-page');}})</script>"
        ),
        gesture: no_gesture,
        handled: "in-page",
    };
    let Ran {
        world, view: _view, ..
    } = run(&attack);
    // guichet's message box (its red border) under the field, inside the content area; the
    // form was not sent.
    world
        .xvfb
        .screenshot_showing("validation-in-page", CONTENT_AREA, END_RED);
    assert!(!world
        .proxy
        .seen()
        .iter()
        .any(|s| s.path.starts_with("/sent")));
}

/// A drag from the middle of the page to the toolbar, the button held while the pictures
/// are taken (released by [`end_still_works`]).
fn drag_to_toolbar(world: &World) {
    let x = &world.xvfb;
    x.xdotool(&["mousemove", "640", "450", "mousedown", "1"]);
    for (px, py) in [(650, 440), (700, 400), (800, 250), (900, 120), PARK] {
        x.xdotool(&["mousemove", &px.to_string(), &py.to_string()]);
    }
}

/// Reports the drag's start, and the pointer reaching the toolbar with the button down.
const DRAG_SIGNAL: &str = r#"<script>
addEventListener('dragstart',()=>done('dragstart'),true);
addEventListener('drag',e=>{if(e.clientY<0||e.screenY<100)done('drag')},true);
addEventListener('mousemove',e=>{if((e.buttons&1)&&e.clientY<0)done('dragmoved')},true);
</script>"#;

/// Without guichet's guards, a linked image and selected text dragged from the page draw
/// their drag image over the toolbar (its End button covered by the page's text); an element
/// made draggable with its own drag image started no GTK drag under Xvfb even then, so that
/// case also checks that no drag starts at all: no `dragstart` reaches the page.
#[test]
fn nothing_is_dragged_over_the_toolbar() {
    let canvas = r#"<script>const c=document.createElement('canvas');c.width=900;c.height=200;
      const g=c.getContext('2d');g.fillStyle='#b3261e';g.fillRect(0,0,900,200);
      g.fillStyle='#fff';g.font='60px sans-serif';g.fillText('Session terminée',40,120);</script>"#;
    check(vec![
        Attack {
            name: "drag-element",
            body: format!(
                "{canvas}{DRAG_SIGNAL}<div draggable=true id=d \
                 style='position:fixed;inset:0;background:#{PAGE_BG}'>drag me</div>\
                 <script>d.addEventListener('dragstart',e=>e.dataTransfer.setDragImage(c,450,100))</script>"
            ),
            gesture: drag_to_toolbar,
            handled: "drag",
        },
        Attack {
            name: "drag-link-image",
            body: format!(
                "{DRAG_SIGNAL}<a href='/x'><img src='/img.png' \
                 style='position:fixed;left:440px;top:200px;width:400px;height:300px'></a>"
            ),
            gesture: drag_to_toolbar,
            handled: "drag",
        },
        // Selected text, in a document whose listeners document.open() removed.
        Attack {
            name: "drag-selection-document-open",
            body: format!(
                "<script>go(()=>{{document.open();document.write(`{helpers}{signal}\
                 <p id=p style='font:120px sans-serif;margin:300px 0 0 0'>Session terminée \
                 Session terminée</p>`);document.close();\
                 getSelection().selectAllChildren(document.getElementById('p'));done('ready')}})</script>",
                // Written from inside a script: its own end tags must not end it.
                helpers = HELPERS.replace("</script>", "<\\/script>"),
                signal = DRAG_SIGNAL.replace("</script>", "<\\/script>"),
            ),
            gesture: |w| {
                w.proxy.wait_for("ready", |s| s.path == "/handled?ready");
                drag_to_toolbar(w)
            },
            handled: "drag",
        },
    ]);
}

#[test]
fn pickers_and_suggestions_open_no_window() {
    let full = "position:fixed;left:0;width:100%;height:110px;font-size:40px";
    let fields: String = ["date", "time", "datetime-local", "month", "week"]
        .iter()
        .enumerate()
        .map(|(i, t)| {
            format!(
                "<input type={t} style='{full};top:{}px' onclick=\"done('{t}')\">",
                20 + 130 * i
            )
        })
        .collect();
    check(vec![
        Attack {
            name: "color",
            body: "<input type=color style='position:fixed;inset:0;width:100%;height:100%' \
                   onclick=\"done('color')\">"
                .into(),
            gesture: click_centre,
            handled: "color",
        },
        Attack {
            name: "date-time",
            body: fields,
            gesture: |w| {
                for i in 0..5 {
                    w.xvfb.click(200, 100 + 75 + 130 * i, 1);
                }
            },
            handled: "week",
        },
        Attack {
            name: "datalist",
            body: format!(
                "<input list=l id=i style='{full};top:560px' oninput=\"done('typed')\">\
                 <datalist id=l>{}</datalist>",
                (0..40)
                    .map(|n| format!("<option value='Session terminée {n}'>"))
                    .collect::<String>()
            ),
            gesture: |w| {
                w.xvfb.click(640, 100 + 615, 1);
                w.xvfb.xdotool(&["type", "S"]);
            },
            handled: "typed",
        },
    ]);
}

/// A select low on the page with many options: WebKit's menu would grow up over the toolbar.
fn select_page(extra: &str) -> String {
    let options: String = (0..40)
        .map(|n| format!("<option value=v{n}>Session terminée, partez {n}</option>"))
        .collect();
    format!(
        "<select id=s style='position:fixed;left:300px;top:600px;width:600px;height:60px;\
         font-size:28px' onmousedown=\"done('mouse')\" onkeydown=\"done('key')\"\
         onchange=\"fetch('/chosen?'+this.value)\">{options}</select>{extra}"
    )
}

#[test]
fn select_lists_are_drawn_inside_the_content_area_and_work() {
    let _g = e2e_lock();
    for attack in [
        Attack {
            name: "select-mouse",
            body: select_page(""),
            gesture: |w| w.xvfb.click(600, 100 + 630, 1),
            handled: "mouse",
        },
        Attack {
            name: "select-keyboard",
            body: select_page("<script>go(()=>{s.focus();done('focused')})</script>"),
            gesture: |w| {
                w.proxy
                    .wait_for("focused", |s| s.path == "/handled?focused");
                w.xvfb.xdotool(&["key", "space"]);
            },
            handled: "key",
        },
    ] {
        let mut ran = run(&attack);
        // The list was opened (and drawn by guichet, inside the content area).
        assert!(
            ran.view
                .log()
                .iter()
                .any(|l| l.contains("option list shown")),
            "{}: no list",
            attack.name
        );
        assert!(
            ran.last.has(CONTENT_AREA, "1D4F91"),
            "{}: guichet's list is not on screen",
            attack.name
        );
        end_still_works(&ran.world, &mut ran.view, attack.name);
    }
    // The list works: a row picks its option, as the page expects.
    let ran = run(&Attack {
        name: "select-pick",
        body: select_page(""),
        gesture: |w| w.xvfb.click(600, 100 + 630, 1),
        handled: "mouse",
    });
    // The keys go to guichet's list only once it is open and focused: a Down that reaches the
    // page's closed select first picks the next option there (seen under load in CI).
    support::eventually("the list is open", || {
        ran.view
            .log()
            .iter()
            .any(|l| l.contains("option list shown"))
    });
    ran.world.xvfb.xdotool(&["key", "Down", "Down", "Return"]);
    let chosen = ran.world.proxy.wait_path(HOST, "/chosen");
    assert_eq!(chosen.path, "/chosen?v2");
}

#[test]
fn full_screen_and_pointer_lock_are_refused() {
    let _g = e2e_lock();
    for (name, script, granted) in [
        (
            "fullscreen",
            "const e=document.documentElement;\
             if(!e.requestFullscreen&&!e.webkitRequestFullscreen){done('absent');return;}\
             document.addEventListener('fullscreenerror',()=>done('error'));\
             (e.requestFullscreen||e.webkitRequestFullscreen).call(e);\
             setTimeout(()=>done(document.fullscreenElement?'granted':'none'),300);",
            "/handled?granted",
        ),
        (
            "pointer-lock",
            "document.addEventListener('pointerlockerror',()=>done('error'));\
             document.addEventListener('pointerlockchange',()=>done('locked'));\
             document.body.requestPointerLock();",
            "/handled?locked",
        ),
    ] {
        let mut ran = run(&Attack {
            name,
            body: format!(
                "<button style='position:fixed;inset:0;width:100%' \
                 onclick=\"(()=>{{{script}}})()\">go</button>"
            ),
            gesture: click_centre,
            handled: "",
        });
        assert!(
            !ran.world.proxy.seen().iter().any(|s| s.path == granted),
            "{name} was granted"
        );
        end_still_works(&ran.world, &mut ran.view, name);
    }
}

#[test]
fn script_dialogs_stay_inside_the_content_area() {
    let _g = e2e_lock();
    for (name, call) in [
        (
            "alert",
            "alert('Session terminée. Appelez le 0900 00 000.')",
        ),
        ("prompt", "prompt('Votre code secret pour continuer :','')"),
    ] {
        let mut ran = run(&Attack {
            name,
            // The dialog blocks the page: it opens once `/handled` has loaded.
            body: format!(
                "<script>go(()=>{{const f=document.createElement('iframe');\
                 f.onload=()=>setTimeout(()=>{call},0);f.src='/handled?{name}';\
                 document.body.appendChild(f);}})</script>"
            ),
            gesture: no_gesture,
            handled: name,
        });
        // Wait for the dialog on screen (the content area shows more than the page's one
        // colour), then look at the toolbar again.
        ran.world.xvfb.poll_crop(
            &format!("escape-{name}-dialog"),
            CONTENT_AREA,
            &["-unique-colors", "txt:-"],
            |out| out.lines().count() > 3,
            |_| format!("{name}: no dialog appeared"),
        );
        toolbar_untouched(&ran.world, name, &ran.before);
        end_still_works(&ran.world, &mut ran.view, name);
    }
}

#[test]
fn nothing_is_drawn_over_a_trusted_screen() {
    let _g = e2e_lock();
    let world = World::new(TestConfig {
        start_url: Some(format!("http://{HOST}/start")),
        ..TestConfig::default()
    });
    // Without a click, once the trusted screen covers the window: a validation message, a
    // select opened by script, a dialog.
    world.proxy.route(
        HOST,
        "/start",
        page(&format!(
            "{TOP_FIELD}{}<script>go(()=>{{f.setCustomValidity('Appelez le 0900 00 000');\
             f.reportValidity();try{{s.showPicker()}}catch(e){{}}done('report');\
             setTimeout(()=>alert('Appelez le 0900 00 000'),500)}})</script>",
            select_page("")
        )),
    );
    world.proxy.route(HOST, "/handled", page("handled"));
    let mut view = View::spawn(&world.xvfb, &world.config, world.session());
    view.start();
    view.expect("navigated", |m| matches!(m, FromView::Navigated { .. }));
    world
        .xvfb
        .screenshot_showing("trusted-page", CONTENT_AREA, PAGE_BG);
    view.send(&ToView::Screen {
        screen: Screen::Paused,
    });
    let whole = (0, 0, 1280, 800);
    world
        .xvfb
        .xdotool(&["mousemove", &PARK.0.to_string(), &PARK.1.to_string()]);
    let before = Shot::open(world.xvfb.screenshot_showing(
        "trusted-before",
        (0, 300, 1280, 200),
        "FFF4CC",
    ));
    world.proxy.route(HOST, "/go", page("go"));
    world.proxy.wait_path(HOST, "/handled");
    for i in 0..6 {
        let shot = Shot::open(world.xvfb.screenshot(&format!("trusted-after{i}")));
        let diff = shot.differing_pixels(&before, whole);
        assert_eq!(
            diff, 0,
            "shot {i}: {diff} pixels of the paused screen changed"
        );
        assert_eq!(world.xvfb.visible_windows().len(), 1, "another window");
    }
}
