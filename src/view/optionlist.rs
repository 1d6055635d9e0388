//! The options of a `<select>`, drawn by guichet inside the content area.
//!
//! WebKitGTK shows a `<select>`'s options in a GTK menu: a popup window of its own, placed
//! over whatever is there — the toolbar included — with the page's words in it. A select is
//! essential to forms, so it is kept but re-routed: every way a select opens (a click, the
//! keyboard, `showPicker()`) goes through WebKit's `show-option-menu`, which guichet answers by
//! drawing the options as a list in the overlay that holds the content view. The list is
//! placed under the select (or above it when there is more room there) and sized to fit inside
//! the overlay ([`place`]), so it can never leave the content area. A row pressed (or Enter)
//! picks that option, as WebKit's menu would; Escape, a click elsewhere in the page, the
//! content view being put away (a full-window screen), or WebKit closing the menu close it,
//! and a select cannot open while the content view is put away.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gtk::gdk;
use gtk::glib::{self, ToValue};
use gtk::prelude::*;
use webkit2gtk::{OptionMenu, OptionMenuExt, WebView};

/// The list's narrowest width and its rows' height, in pixels.
const MIN_WIDTH: i32 = 240;
const ROW_HEIGHT: i32 = 44;

const CSS: &str = ".guichet-options { background: #ffffff; border: 3px solid #1d4f91; }
.guichet-options row { padding: 6px 14px; font-size: 20px; }
.guichet-options row:selected { background: #1d4f91; color: #ffffff; }";

/// Where the list goes inside an area of `area` = (width, height): `(x, y, width, height)`,
/// for a select at `anchor` = (x, y, width, height) and a list `wanted` pixels high. Under the
/// select when it fits or when there is more room there than above, else above; always inside
/// the area.
fn place(anchor: (i32, i32, i32, i32), wanted: i32, area: (i32, i32)) -> (i32, i32, i32, i32) {
    let (ax, ay, aw, ah) = anchor;
    let (area_w, area_h) = (area.0.max(1), area.1.max(1));
    let width = aw.max(MIN_WIDTH).min(area_w);
    let x = ax.clamp(0, area_w - width);
    let below = (area_h - (ay + ah)).max(0);
    let above = ay.clamp(0, area_h);
    let (y, height) = if wanted <= below || below >= above {
        let h = wanted.min(below);
        (ay + ah, h)
    } else {
        let h = wanted.min(above);
        (ay - h, h)
    };
    // Too little room either way: over the select, as much as the area holds.
    let height = if height < ROW_HEIGHT.min(wanted) {
        wanted.min(area_h)
    } else {
        height
    };
    let y = y.clamp(0, area_h - height);
    (x, y, width, height)
}

struct OptionList {
    overlay: gtk::Overlay,
    frame: gtk::ScrolledWindow,
    list: gtk::ListBox,
    menu: RefCell<Option<OptionMenu>>,
    at: Cell<(i32, i32, i32, i32)>,
}

/// Draws the content view's option menus in `overlay` (which holds the content view).
pub(crate) fn connect(content: &WebView, overlay: &gtk::Overlay) {
    let provider = gtk::CssProvider::new();
    if provider.load_from_data(CSS.as_bytes()).is_ok() {
        if let Some(screen) = gdk::Screen::default() {
            gtk::StyleContext::add_provider_for_screen(
                &screen,
                &provider,
                gtk::STYLE_PROVIDER_PRIORITY_APPLICATION,
            );
        }
    }
    let list = gtk::ListBox::new();
    list.set_selection_mode(gtk::SelectionMode::Single);
    list.set_activate_on_single_click(true);
    let frame = gtk::ScrolledWindow::new(None::<&gtk::Adjustment>, None::<&gtk::Adjustment>);
    frame.set_policy(gtk::PolicyType::Never, gtk::PolicyType::Automatic);
    frame.style_context().add_class("guichet-options");
    frame.add(&list);
    frame.set_no_show_all(true);
    overlay.add_overlay(&frame);
    let this = Rc::new(OptionList {
        overlay: overlay.clone(),
        frame,
        list,
        menu: RefCell::new(None),
        at: Cell::new((0, 0, 0, 0)),
    });

    let me = Rc::clone(&this);
    overlay.connect_get_child_position(move |_, child| {
        (child == me.frame.upcast_ref::<gtk::Widget>()).then(|| {
            let (x, y, w, h) = me.at.get();
            gdk::Rectangle::new(x, y, w, h)
        })
    });
    let me = Rc::clone(&this);
    this.list.connect_row_activated(move |_, row| {
        if let (Ok(index), Some(menu)) = (u32::try_from(row.index()), me.menu.take()) {
            menu.activate_item(index);
        }
        me.close();
    });
    let me = Rc::clone(&this);
    this.list.connect_key_press_event(move |_, key| {
        if key.keyval() == gdk::keys::constants::Escape {
            me.close();
            return glib::Propagation::Stop;
        }
        glib::Propagation::Proceed
    });
    // A press anywhere in the page closes the list, as a menu would, and goes no further.
    let me = Rc::clone(&this);
    content.connect_button_press_event(move |_, _| {
        if me.frame.is_visible() {
            me.close();
            return glib::Propagation::Stop;
        }
        glib::Propagation::Proceed
    });
    let me = Rc::clone(&this);
    content.connect_sensitive_notify(move |view| {
        if !view.is_sensitive() {
            me.close();
        }
    });
    // Not the typed connect_show_option_menu: its event argument may be NULL (a select opened
    // by script or keyboard), which the generated wrapper does not allow.
    let me = Rc::clone(&this);
    let view = content.clone();
    content.connect_local("show-option-menu", false, move |values| {
        let menu = values.get(1).and_then(|v| v.get::<OptionMenu>().ok());
        let rect = values.get(3).and_then(|v| v.get::<gdk::Rectangle>().ok());
        match (menu, rect) {
            // Under a full-window screen the content view is put away: nothing opens.
            (Some(menu), _) if !view.is_sensitive() => menu.close(),
            (Some(menu), Some(rect)) => me.open(menu, rect),
            (Some(menu), None) => menu.close(),
            _ => {}
        }
        Some(true.to_value())
    });
}

impl OptionList {
    fn open(self: &Rc<Self>, menu: OptionMenu, anchor: gdk::Rectangle) {
        self.close();
        for row in self.list.children() {
            self.list.remove(&row);
        }
        let mut selected = None;
        for i in 0..menu.n_items() {
            let Some(mut item) = menu.item(i) else {
                continue;
            };
            let text = item.label().map(|l| l.to_string()).unwrap_or_default();
            let label = gtk::Label::new(None);
            if item.is_group_label() {
                label.set_markup(&format!("<b>{}</b>", glib::markup_escape_text(&text)));
            } else {
                label.set_text(&text);
            }
            label.set_xalign(0.0);
            let row = gtk::ListBoxRow::new();
            row.add(&label);
            if item.is_group_child() {
                label.set_margin_start(24);
            }
            let usable = item.is_enabled() && !item.is_group_label();
            row.set_sensitive(usable);
            row.set_selectable(usable);
            row.set_activatable(usable);
            row.set_size_request(-1, ROW_HEIGHT);
            self.list.add(&row);
            if item.is_selected() {
                selected = Some(row);
            }
        }
        let me = Rc::clone(self);
        menu.connect_close(move |_| me.hide());
        tracing::debug!(items = menu.n_items(), "option list shown");
        let wanted = ROW_HEIGHT * menu.n_items() as i32 + 8;
        let area = (
            self.overlay.allocated_width(),
            self.overlay.allocated_height(),
        );
        let at = place(
            (anchor.x(), anchor.y(), anchor.width(), anchor.height()),
            wanted,
            area,
        );
        self.at.set(at);
        self.frame.set_size_request(at.2, at.3);
        self.menu.replace(Some(menu));
        self.list.show_all();
        self.frame.show();
        self.frame.queue_resize();
        match selected {
            Some(row) => {
                self.list.select_row(Some(&row));
                row.grab_focus();
            }
            None => self.list.grab_focus(),
        }
    }

    /// Closes the list and tells WebKit no option was picked.
    fn close(&self) {
        if let Some(menu) = self.menu.take() {
            menu.close();
        }
        self.hide();
    }

    fn hide(&self) {
        self.menu.replace(None);
        self.frame.hide();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AREA: (i32, i32) = (1280, 704);

    #[test]
    fn the_list_stays_inside_the_content_area() {
        for (anchor, wanted, expected) in [
            // Room below: under the select, as wide as it (or the narrowest width).
            ((100, 100, 300, 40), 200, (100, 140, 300, 200)),
            ((100, 100, 50, 40), 200, (100, 140, MIN_WIDTH, 200)),
            // Near the bottom: above it.
            ((100, 600, 300, 40), 300, (100, 300, 300, 300)),
            // At the very top, a long list: under it, cut to the room there (it scrolls).
            ((0, 0, 300, 40), 5000, (0, 40, 300, 664)),
            // A select wider than the area, past its right edge.
            ((1200, 10, 2000, 40), 100, (0, 50, 1280, 100)),
            // Partly above the area (scrolled): still inside.
            ((10, -30, 300, 40), 100, (10, 10, 300, 100)),
            // Little room either way: as much as there is above.
            ((10, 300, 300, 704), 500, (10, 0, 300, 300)),
            // Almost none either way: over the select.
            ((10, 20, 300, 680), 200, (10, 0, 300, 200)),
        ] {
            let (x, y, w, h) = place(anchor, wanted, AREA);
            assert_eq!((x, y, w, h), expected, "{anchor:?} {wanted}");
            assert!(x >= 0 && y >= 0 && x + w <= AREA.0 && y + h <= AREA.1);
        }
    }
}
