//! Watching the config file and the policy pack folders with `notify`.
//!
//! Editors replace files by renaming, so the folders are watched (not the files) and events
//! are filtered: the config file by name, packs by their `.toml` extension. The event loop
//! debounces the resulting [`Input::ConfigChanged`](super::Input) and reloads once.

use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;

use notify::{RecommendedWatcher, RecursiveMode, Watcher};

use crate::config::DEFAULT_PACK_DIRS;

use super::Input;

/// Starts watching; the watcher stops when the returned value is dropped.
pub fn watch(config: &Path, events: Sender<Input>) -> Option<RecommendedWatcher> {
    let config_file = config.file_name().map(|n| n.to_owned());
    let config_dir = config
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_owned();
    let pack_dirs = pack_dirs(config);
    let packs = pack_dirs.clone();
    let cdir = config_dir.clone();
    let handler = move |res: notify::Result<notify::Event>| {
        let Ok(event) = res else { return };
        if event.kind.is_access() {
            return;
        }
        let relevant = event.paths.iter().any(|p| {
            let in_packs = packs.iter().any(|d| p.parent() == Some(d.as_path()))
                && p.extension().is_some_and(|e| e == "toml");
            let is_config =
                p.parent() == Some(cdir.as_path()) && p.file_name() == config_file.as_deref();
            in_packs || is_config
        });
        if relevant {
            let _ = events.send(Input::ConfigChanged);
        }
    };
    let mut watcher = match notify::recommended_watcher(handler) {
        Ok(w) => w,
        Err(e) => {
            tracing::warn!("config: cannot watch for changes ({e}); use guichetctl reload");
            return None;
        }
    };
    for dir in std::iter::once(&config_dir).chain(&pack_dirs) {
        match watcher.watch(dir, RecursiveMode::NonRecursive) {
            Ok(()) => tracing::debug!(dir = %dir.display(), "config: watching"),
            Err(e) => tracing::debug!(dir = %dir.display(), "config: not watched: {e}"),
        }
    }
    Some(watcher)
}

/// The pack folders the config names (resolved like `Config::load` does), or the defaults.
fn pack_dirs(config: &Path) -> Vec<PathBuf> {
    let base = config.parent().unwrap_or(Path::new("."));
    let named: Option<Vec<PathBuf>> = std::fs::read_to_string(config)
        .ok()
        .and_then(|t| t.parse::<toml::Table>().ok())
        .and_then(|t| {
            let dirs = t.get("policy")?.get("pack_dirs")?.as_array()?.clone();
            Some(
                dirs.iter()
                    .filter_map(|d| d.as_str())
                    .map(|d| base.join(d))
                    .collect(),
            )
        });
    let dirs = named.unwrap_or_else(|| DEFAULT_PACK_DIRS.iter().map(PathBuf::from).collect());
    // notify reports canonical-ish paths for the folder it watches; compare on the same form.
    dirs.into_iter()
        .map(|d| std::fs::canonicalize(&d).unwrap_or(d))
        .collect()
}
