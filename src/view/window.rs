//! The one window: borderless, full screen, sized from the monitor, deaf to close requests.
//!
//! Without a window manager (Xvfb, some kiosks) "full screen" is not honoured, so the window
//! is also given the monitor's size and position explicitly. In demo mode
//! ([`Layout::Windowed`]) it is an ordinary decorated window on the desktop instead. It starts hidden: a spare view
//! loads while the previous session runs, and shows on `start`. Keyboard shortcuts are
//! filtered here, on the top-level window, before any webview sees them.

use gtk::prelude::*;
use tao::dpi::{PhysicalPosition, PhysicalSize};
use tao::event_loop::{EventLoop, EventLoopProxy};
use tao::platform::unix::WindowExtUnix;
use tao::window::{Fullscreen, Window, WindowBuilder};

use super::keys::{self, KeyAction, Mods};
use super::shared::Event;

/// How the window sits on the screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// The terminal: borderless, over the whole monitor.
    Kiosk,
    /// Demo on a desktop: a decorated window of [`WINDOWED_SIZE`], never full screen.
    Windowed,
}

/// The demo window's size, in logical pixels: a small laptop screen.
const WINDOWED_SIZE: (f64, f64) = (1280.0, 800.0);

/// Builds the hidden window.
pub(crate) fn build(event_loop: &EventLoop<Event>, layout: Layout) -> Result<Window, String> {
    let mut builder = WindowBuilder::new()
        .with_title("guichet")
        .with_decorations(layout == Layout::Windowed)
        .with_resizable(false)
        .with_visible(false)
        .with_closable(false)
        .with_minimizable(false)
        .with_maximizable(false);
    match layout {
        Layout::Windowed => {
            builder = builder
                .with_inner_size(tao::dpi::LogicalSize::new(WINDOWED_SIZE.0, WINDOWED_SIZE.1));
        }
        Layout::Kiosk => {
            if let Some(monitor) = event_loop
                .primary_monitor()
                .or_else(|| event_loop.available_monitors().next())
            {
                builder = builder
                    .with_inner_size(monitor.size())
                    .with_position(monitor.position());
            }
        }
    }
    let window = builder
        .build(event_loop)
        .map_err(|e| format!("window: {e}"))?;
    window
        .gtk_window()
        .connect_delete_event(|_, _| gtk::glib::Propagation::Stop);
    Ok(window)
}

/// How many of the window's own paints to wait for after the page drew its frame: the first
/// may still hold the web process's previous frame.
const PAINTS_AFTER_FRAME: u32 = 2;

/// Sends `event` once the top-level window has been painted [`PAINTS_AFTER_FRAME`] times and
/// the display server has processed what was painted, so that "shown" means on screen.
pub(crate) fn after_paints(window: &Window, proxy: EventLoopProxy<Event>, event: Event) {
    let gtk_window = window.gtk_window().clone();
    let Some(clock) = gtk_window.frame_clock() else {
        // Not realized: nothing can be painted, say so rather than wait for ever.
        tracing::warn!("the window has no frame clock");
        let _ = proxy.send_event(event);
        return;
    };
    let left = std::cell::Cell::new(PAINTS_AFTER_FRAME);
    let event = std::cell::Cell::new(Some(event));
    let handler = std::rc::Rc::new(std::cell::Cell::new(None));
    let handler_in = std::rc::Rc::clone(&handler);
    let window_in = gtk_window.clone();
    let id = clock.connect_after_paint(move |clock| {
        let n = left.get().saturating_sub(1);
        left.set(n);
        if n > 0 {
            window_in.queue_draw();
            return;
        }
        window_in.display().sync();
        if let Some(id) = handler_in.take() {
            clock.disconnect(id);
        }
        if let Some(event) = event.take() {
            let _ = proxy.send_event(event);
        }
    });
    handler.set(Some(id));
    gtk_window.queue_draw();
}

/// Shows the window: full screen over the whole monitor, or as it is in demo mode.
pub(crate) fn show(window: &Window, layout: Layout) {
    window.set_visible(true);
    if layout == Layout::Windowed {
        window.gtk_window().present();
        return;
    }
    if let Some(monitor) = window.current_monitor() {
        let size: PhysicalSize<u32> = monitor.size();
        let pos: PhysicalPosition<i32> = monitor.position();
        window.set_outer_position(pos);
        window.set_inner_size(size);
    }
    window.set_fullscreen(Some(Fullscreen::Borderless(None)));
    window.gtk_window().present();
}

/// Filters keys on the window and reports activity from both views.
pub(crate) fn connect_input(
    window: &Window,
    views: &[&webkit2gtk::WebView],
    proxy: &EventLoopProxy<Event>,
) {
    let p = proxy.clone();
    window.gtk_window().connect_key_press_event(move |_, key| {
        let _ = p.send_event(Event::Activity);
        let state = key.state();
        let mods = Mods {
            ctrl: state.contains(gtk::gdk::ModifierType::CONTROL_MASK),
            shift: state.contains(gtk::gdk::ModifierType::SHIFT_MASK),
            alt: state.contains(gtk::gdk::ModifierType::MOD1_MASK),
            logo: state.intersects(
                gtk::gdk::ModifierType::SUPER_MASK
                    | gtk::gdk::ModifierType::META_MASK
                    | gtk::gdk::ModifierType::MOD4_MASK,
            ),
        };
        let name = key
            .keyval()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_default();
        match keys::classify(&name, mods) {
            KeyAction::Pass => gtk::glib::Propagation::Proceed,
            KeyAction::Swallow => {
                tracing::debug!("shortcut swallowed");
                gtk::glib::Propagation::Stop
            }
            KeyAction::ZoomIn => {
                let _ = p.send_event(Event::Zoom(0.25));
                gtk::glib::Propagation::Stop
            }
            KeyAction::ZoomOut => {
                let _ = p.send_event(Event::Zoom(-0.25));
                gtk::glib::Propagation::Stop
            }
            KeyAction::ZoomReset => {
                let _ = p.send_event(Event::ZoomReset);
                gtk::glib::Propagation::Stop
            }
            KeyAction::Toolbar => {
                let _ = p.send_event(Event::Go(super::pages::Go::Toolbar));
                gtk::glib::Propagation::Stop
            }
        }
    });
    for view in views {
        let p = proxy.clone();
        view.connect_button_press_event(move |_, _| {
            let _ = p.send_event(Event::Activity);
            gtk::glib::Propagation::Proceed
        });
        let p = proxy.clone();
        view.connect_motion_notify_event(move |_, _| {
            let _ = p.send_event(Event::Activity);
            gtk::glib::Propagation::Proceed
        });
        let p = proxy.clone();
        view.connect_scroll_event(move |_, _| {
            let _ = p.send_event(Event::Activity);
            gtk::glib::Propagation::Proceed
        });
        let p = proxy.clone();
        view.connect_touch_event(move |_, _| {
            let _ = p.send_event(Event::Activity);
            gtk::glib::Propagation::Proceed
        });
    }
}
