//! The last-resort notice: "out of order" drawn with GTK alone, without WebKit.
//!
//! When views keep failing to start (WebKit crashes at start, a broken GPU stack, no memory),
//! guichetd still owes the person a drawn screen that tells the truth. It starts
//! `guichet-view --notice out-of-order`: a borderless full-screen GTK window with the notice in
//! the four languages and nothing else — no web engine, no input that does anything. It lives
//! until guichetd ends it (when a real view is shown) or its stdin closes.

use std::io::Read;

use gtk::prelude::*;

use crate::lang::Lang;

/// The notice, one line per language.
fn lines() -> Vec<(Lang, &'static str, &'static str)> {
    vec![
        (
            Lang::Fr,
            "Ce poste est hors service",
            "Demandez de l'aide à la personne qui vous accompagne.",
        ),
        (
            Lang::Nl,
            "Deze computer is buiten gebruik",
            "Vraag hulp aan de persoon die u begeleidt.",
        ),
        (
            Lang::De,
            "Dieser Computer ist außer Betrieb",
            "Bitten Sie die Person, die Sie begleitet, um Hilfe.",
        ),
        (
            Lang::En,
            "This computer is out of order",
            "Please ask the person helping you.",
        ),
    ]
}

/// Shows the notice full screen until stdin closes; never returns.
pub fn run_out_of_order() -> Result<std::convert::Infallible, String> {
    gtk::init().map_err(|e| format!("cannot initialise GTK (is DISPLAY set?): {e}"))?;
    let window = gtk::Window::new(gtk::WindowType::Toplevel);
    window.set_title("guichet");
    window.set_decorated(false);
    window.set_deletable(false);
    window.connect_delete_event(|_, _| gtk::glib::Propagation::Stop);
    if let Some(monitor) = gtk::gdk::Display::default().and_then(|d| d.monitor(0)) {
        let g = monitor.geometry();
        window.set_default_size(g.width(), g.height());
        window.move_(g.x(), g.y());
    }
    let column = gtk::Box::new(gtk::Orientation::Vertical, 28);
    column.set_valign(gtk::Align::Center);
    column.set_halign(gtk::Align::Center);
    for (lang, title, body) in lines() {
        let label = gtk::Label::new(None);
        label.set_markup(&format!(
            "<span size='32768' weight='bold' foreground='#1F4E8C'>{}</span>\n<span size='22528' foreground='#1B1B1B'>{}</span>",
            gtk::glib::markup_escape_text(title),
            gtk::glib::markup_escape_text(body)
        ));
        label.set_justify(gtk::Justification::Center);
        label.set_widget_name(lang.code());
        column.pack_start(&label, false, false, 0);
    }
    window.add(&column);
    window.fullscreen();
    window.show_all();
    // guichetd ends the notice by closing stdin (or killing it).
    std::thread::spawn(|| {
        let mut sink = [0u8; 256];
        while matches!(std::io::stdin().read(&mut sink), Ok(n) if n > 0) {}
        std::process::exit(0);
    });
    gtk::main();
    std::process::exit(0)
}
