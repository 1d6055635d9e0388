//! No popup, no second window: the view's one window is the only thing it puts on screen.
//!
//! The content view is laid out below the toolbar (`layout.rs`), inside an overlay that holds
//! everything guichet draws for it (`optionlist.rs`), so nothing of the content view's own
//! can reach the toolbar. What GTK and WebKit would open *outside* that box is refused:
//!
//! - the colour picker of `<input type=color>` (a GTK dialog, a second window) is cancelled
//!   when the page asks for it: the field keeps its colour;
//! - as a guard for anything not handled at its source, every popover and every other window
//!   of the process (a validation bubble in a document the in-page script could not reach, a
//!   drag image, a menu, a dialog) is hidden as soon as GTK maps it, before it is drawn: GTK
//!   paints on its next frame, and the hide runs first, at a higher priority.

use gtk::glib::{self, Cast};
use gtk::prelude::*;
use webkit2gtk::{ColorChooserRequestExt, WebView, WebViewExt};

/// Refuses the pickers of the content view that WebKit cannot draw in the page.
pub(crate) fn connect(content: &WebView) {
    content.connect_run_color_chooser(|_, request| {
        tracing::debug!("colour picker refused");
        request.cancel();
        true
    });
}

/// Hides, before it is drawn, every popover and every window but `main` that GTK maps.
pub(crate) fn guard(main: &gtk::Window) {
    let main = main.clone();
    super::ffi::on_every_map(move |widget| {
        if !refused(widget, &main) {
            return;
        }
        tracing::debug!(kind = %widget.type_().name(), "popup refused");
        let widget = widget.clone();
        glib::idle_add_local_full(glib::Priority::HIGH, move || {
            widget.hide();
            glib::ControlFlow::Break
        });
    });
}

/// Whether `widget` is a popup or a window other than the view's own.
fn refused(widget: &gtk::Widget, main: &gtk::Window) -> bool {
    if widget.is::<gtk::Popover>() {
        return true;
    }
    match widget.downcast_ref::<gtk::Window>() {
        // An offscreen window is never on screen (WebKit may draw into one).
        Some(w) => w != main && !w.is::<gtk::OffscreenWindow>(),
        None => false,
    }
}
