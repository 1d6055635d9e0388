//! axe-core over every trusted screen, in every language, in headless Debian chromium: no
//! violation of the WCAG 2.0/2.1/2.2 A and AA rules, nor of the best practices
//! landmark-one-main, region and page-has-heading-one.
//!
//! The screens come from the view's own code ([`guichet::view::ui_states::write`]: the real
//! screens' state machine driven through each screen, the toolbar page's files as served, the
//! blocked and error pages as rendered); `tests/axe/run.mjs` draws each one as the view does
//! (`window.guichet.render(state)` under the view's CSP, at the size the view gives it) and
//! runs axe. It needs `chromium`, `nodejs` and `npm`, and `npm ci` in `tests/axe`
//! (`packaging/dev-deps.sh` does all of it). `AXE_WINDOWS="1024x768 1280x800 1366x768"` checks
//! each screen at each window size (default: 1024×768). The config is the example's with every
//! shipped pack enabled: the welcome with its most services (and its filter box).

#![cfg(feature = "view")]

use std::path::{Path, PathBuf};
use std::process::Command;

fn fail_setup(what: &str) -> ! {
    panic!("{what}: run packaging/dev-deps.sh (Debian's chromium, nodejs and npm; npm ci in tests/axe)")
}

#[test]
fn every_trusted_screen_passes_axe_in_every_language() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let axe = root.join("tests/axe");
    if !axe.join("node_modules/axe-core").is_dir()
        || !axe.join("node_modules/puppeteer-core").is_dir()
    {
        fail_setup("tests/axe/node_modules is missing");
    }
    if !Path::new("/usr/bin/chromium").exists() {
        fail_setup("/usr/bin/chromium is missing");
    }
    // The example config with every shipped pack: the welcome with the most services.
    let path = root.join("kiosk-config/guichet.toml");
    let text = std::fs::read_to_string(&path).expect("the example config reads");
    let packs = text
        .lines()
        .find(|l| l.starts_with("packs = ["))
        .expect("the example config's packs");
    let mut all: Vec<String> = std::fs::read_dir(root.join("policies"))
        .expect("the shipped packs")
        .filter_map(|e| {
            e.ok()?
                .file_name()
                .to_str()?
                .strip_suffix(".toml")
                .map(|s| format!("{s:?}"))
        })
        .collect();
    all.sort();
    let text = text.replace(packs, &format!("packs = [{}]", all.join(", ")));
    let config =
        guichet::config::Config::from_text(&path, &text).expect("the config with every pack loads");
    let services = config.policy.policy.services().len();
    assert!(services >= 46, "only {services} services");
    let dir: PathBuf = std::env::temp_dir().join(format!("guichet-axe-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    guichet::view::ui_states::write(&config, &dir).expect("the screens are written");

    let out = Command::new("node")
        .arg(axe.join("run.mjs"))
        .arg(&dir)
        .current_dir(&axe)
        .output()
        .unwrap_or_else(|e| fail_setup(&format!("cannot run node: {e}")));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    eprintln!("{stderr}");
    assert!(
        out.status.success(),
        "axe-core found violations (or could not run), screens kept in {}:\n{stdout}\n{stderr}",
        dir.display()
    );
    assert!(stdout.contains("\n0 violations"), "{stdout}");
    std::fs::remove_dir_all(&dir).expect("the screens are removed");
}
