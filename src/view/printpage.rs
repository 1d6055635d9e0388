//! A page's `window.print()` (the PDF viewer's print button too), rendered without a dialog to
//! a PDF in the session's `prints/` ("Print to File"), for guichetd to print (`printing.rs`).

use std::cell::Cell;
use std::rc::Rc;

use webkit2gtk::PrintOperationExt;

use crate::sessiondir::print_page_name;

use super::shared::{Event, Shared};

thread_local! {
    /// Pages printed so far by this view (the GTK thread's only).
    static PAGES: Cell<u32> = const { Cell::new(0) };
    /// A page is being rendered: a page's next `print()` meanwhile is ignored (a page that
    /// calls it in a loop prints once at a time, within `max_pages`).
    static RENDERING: Cell<bool> = const { Cell::new(false) };
}

/// A page asked to print (`window.print()`, the PDF viewer's button): its print operation is
/// run to a PDF file in the session's `prints/`, no dialog; [`Event::PageRendered`] follows
/// (`None` if it failed).
pub(crate) fn print_page(shared: &Rc<Shared>, op: &webkit2gtk::PrintOperation) {
    if shared.config.printing.is_none() {
        shared.send(Event::PageRendered(None));
        return;
    }
    if RENDERING.with(|r| r.replace(true)) {
        tracing::debug!("print while a page is being rendered: ignored");
        return;
    }
    let n = PAGES.with(|p| {
        p.set(p.get() + 1);
        p.get()
    });
    let dir = shared.session.prints();
    let file = dir.join(print_page_name(n));
    let uri = std::fs::create_dir_all(&dir)
        .ok()
        .and_then(|()| gtk::glib::filename_to_uri(&file, None).ok());
    let Some(uri) = uri else {
        RENDERING.with(|r| r.set(false));
        shared.send(Event::PageRendered(None));
        return;
    };
    let settings = gtk::PrintSettings::new();
    settings.set_printer("Print to File");
    settings.set(gtk::PRINT_SETTINGS_OUTPUT_FILE_FORMAT, Some("pdf"));
    settings.set(gtk::PRINT_SETTINGS_OUTPUT_URI, Some(uri.as_str()));
    op.set_print_settings(&settings);
    let sh = Rc::clone(shared);
    // `failed` is followed by `finished`: the page goes to guichetd only if it rendered.
    let failed = Rc::new(Cell::new(false));
    let f = Rc::clone(&failed);
    op.connect_failed(move |_, _| {
        tracing::warn!("the page could not be rendered");
        f.set(true);
    });
    op.connect_finished(move |_| {
        RENDERING.with(|r| r.set(false));
        sh.send(Event::PageRendered((!failed.get()).then_some(n)));
    });
    op.print();
}
