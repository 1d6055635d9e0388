//! Watching the config file and the policy pack folders with `notify`.
//!
//! Editors replace files by renaming, so the folders are watched (not the files) and events
//! are filtered: the config file by name, packs by their `.toml` extension. The event loop
//! debounces the resulting [`Input::ConfigChanged`](super::Input) and reloads once.

use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;

use notify::{RecommendedWatcher, RecursiveMode, Watcher};

use super::Input;

/// Starts watching the config file's folder and `pack_dirs` (the checked config's folders);
/// the watcher stops when the returned value is dropped. Call again after a reload that
/// changed the pack folders.
pub fn watch(
    config: &Path,
    pack_dirs: &[PathBuf],
    events: Sender<Input>,
) -> Option<RecommendedWatcher> {
    let config_file = config.file_name().map(|n| n.to_owned());
    let config_dir = config
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_owned();
    // notify reports canonical-ish paths for the folder it watches; compare on the same form.
    let pack_dirs: Vec<PathBuf> = pack_dirs
        .iter()
        .map(|d| std::fs::canonicalize(d).unwrap_or_else(|_| d.clone()))
        .collect();
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
