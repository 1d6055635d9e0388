//! Scans of whole folders: for a string in file contents (the canary tests: after a wipe, no
//! file anywhere writable holds a session's canary) or in file names (downloads written
//! outside the session). Symlinks are never followed.

use std::path::{Path, PathBuf};

/// Files under `roots` (not following symlinks) whose bytes contain `needle` in UTF-8 or
/// UTF-16LE (WebKit's local storage). Cargo's target dir is skipped: it holds this build's
/// output, never session data, and can be gigabytes when the checkout lives under /tmp.
pub fn files_containing(roots: &[PathBuf], needle: &str) -> Vec<PathBuf> {
    let utf8 = memchr::memmem::Finder::new(needle.as_bytes()).into_owned();
    let utf16_bytes: Vec<u8> = needle
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    let utf16 = memchr::memmem::Finder::new(&utf16_bytes).into_owned();
    let target_dir = cargo_target_dir();
    let mut found = Vec::new();
    let mut stack: Vec<PathBuf> = roots.to_vec();
    while let Some(p) = stack.pop() {
        let Ok(meta) = std::fs::symlink_metadata(&p) else {
            continue;
        };
        if meta.is_dir() {
            if p == target_dir {
                continue;
            }
            if let Ok(rd) = std::fs::read_dir(&p) {
                stack.extend(rd.filter_map(|e| e.ok().map(|e| e.path())));
            }
        } else if meta.is_file() && meta.len() < 64 << 20 {
            if let Ok(bytes) = std::fs::read(&p) {
                if utf8.find(&bytes).is_some() || utf16.find(&bytes).is_some() {
                    found.push(p);
                }
            }
        }
    }
    found
}

/// `<target>` from this test binary's path, `<target>/<profile>/deps/<test>`.
pub fn cargo_target_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.ancestors()
        .nth(3)
        .expect("the test binary lives in <target>/<profile>/deps")
        .to_owned()
}

/// Files whose name contains `needle` under `dir`, not following symlinks, skipping `skip`.
pub fn find_named(dir: &Path, needle: &str, skip: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        if d.starts_with(skip)
            || d.starts_with("/root/.cargo")
            || d.starts_with("/root/.rustup")
            || d.ends_with("target")
        {
            continue;
        }
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if e.file_name().to_string_lossy().contains(needle) {
                out.push(p.clone());
            }
            if e.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                stack.push(p);
            }
        }
    }
    out
}
