//! Arbitrary bytes as `guichet.toml`: `Config::from_text` must answer Ok or a located error,
//! never panic. The text is checked as if it were the example config, so `pack_dirs =
//! ["../policies"]` finds the shipped packs and pack loading is exercised too.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../kiosk-config/guichet.toml");

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match guichet::config::Config::from_text(Path::new(EXAMPLE), text) {
        Ok(config) => {
            // A config that loads has a usable policy and a default language.
            let _ = config.default_lang();
            if let Some(url) = &config.terminal.start_url {
                assert!(matches!(
                    config.policy.policy.decide_url(url),
                    guichet::policy::Decision::Allow(_)
                ));
            }
        }
        Err(e) => {
            // Every error renders; a located one names a line and column from 1.
            let _ = e.to_string();
            if let Some(l) = e.located() {
                assert!(l.line >= 1 && l.col >= 1);
                assert!(!l.hint.is_empty());
            }
        }
    }
});
