//! GTK sizing of the two views in the window's box: the toolbar's bar above the content, or
//! the toolbar over the whole window.
//!
//! A WebKit view's natural height is its page's height, so packing alone lets whichever page
//! is taller keep the space: each view gets an explicit minimum height instead (the toolbar
//! its bar, the content the rest; or the toolbar everything). The content view is never
//! hidden (re-showing a mapped WebKit view stalled under Xvfb); on full-window screens it has
//! no height and takes no input. It sits in an overlay (`content_box`) packed below the
//! toolbar: the two never overlap, and what guichet draws for the content view stays in it.

use gtk::prelude::*;

use super::toolbar::UiScreen;

/// Height of the toolbar during a session, in pixels.
pub(crate) const BAR_HEIGHT: i32 = 96;

/// Sizes the two views in `vbox` for `screen` (`content_box` holds the content view there).
pub(crate) fn size(
    window: &tao::window::Window,
    vbox: &gtk::Box,
    toolbar: &webkit2gtk::WebView,
    content: &webkit2gtk::WebView,
    content_box: &gtk::Overlay,
    screen: UiScreen,
) {
    let height = match vbox.allocated_height() {
        h if h > BAR_HEIGHT => h,
        _ => window
            .current_monitor()
            .map(|m| m.size().height as i32)
            .unwrap_or(BAR_HEIGHT * 8),
    };
    if screen.is_full_window() {
        content.set_sensitive(false);
        content.set_size_request(-1, 0);
        toolbar.set_size_request(-1, height);
        vbox.set_child_packing(content_box, false, true, 0, gtk::PackType::Start);
        vbox.set_child_packing(toolbar, true, true, 0, gtk::PackType::Start);
        // The keyboard reaches the trusted screen's buttons (its first action has focus).
        toolbar.grab_focus();
    } else {
        toolbar.set_size_request(-1, BAR_HEIGHT);
        content.set_size_request(-1, (height - BAR_HEIGHT).max(1));
        vbox.set_child_packing(toolbar, false, true, 0, gtk::PackType::Start);
        vbox.set_child_packing(content_box, true, true, 0, gtk::PackType::Start);
        content.set_sensitive(true);
        content.grab_focus();
    }
}
