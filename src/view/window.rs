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
