//! Writes every trusted screen of the view, in every language, as the view draws it:
//! `cargo run --example ui_states -- OUTDIR [CONFIG]` (CONFIG: `kiosk-config/guichet.toml`).
//! `tests/axe/run.mjs OUTDIR` then checks them with axe-core; `tests/axe.rs` runs both.

use std::path::PathBuf;

fn main() {
    let mut args = std::env::args_os().skip(1);
    let Some(out) = args.next().map(PathBuf::from) else {
        eprintln!("usage: ui_states OUTDIR [CONFIG]");
        std::process::exit(2);
    };
    let config = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("kiosk-config/guichet.toml"));
    let config = match guichet::config::Config::load(&config) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    if let Err(e) = guichet::view::ui_states::write(&config, &out) {
        eprintln!("cannot write the screens: {e}");
        std::process::exit(1);
    }
}
