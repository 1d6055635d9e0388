//! Downloads: where a file may land and under which name.
//!
//! A download goes only into the session's `downloads/` folder, under a name that cannot
//! escape it or hide (no separators, no leading dot, no control characters, capped length,
//! de-duplicated), and is refused when downloads are disabled, when its extension is blocked
//! or when it is larger than `max_bytes` (announced or actually received). File names stay
//! on screen only: the protocol and the logs get sizes.

use std::path::{Path, PathBuf};

use crate::config::Downloads;

/// Longest file name kept, in bytes (the extension is kept when cutting).
pub(crate) const MAX_NAME_BYTES: usize = 120;

/// Why a download is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    Disabled,
    BlockedExtension,
    TooLarge,
}

/// Turns a name suggested by a web site into a safe file name.
pub(crate) fn sanitize(suggested: &str) -> String {
    // Keep only the last path component, whatever the separator.
    let base = suggested.rsplit(['/', '\\']).next().unwrap_or("");
    let mut name: String = base
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '_'
            } else {
                c
            }
        })
        .collect();
    name = name.trim().trim_start_matches(['.', ' ', '-']).to_owned();
    // Trailing dots and spaces hide the real extension.
    name = name.trim_end_matches(['.', ' ']).to_owned();
    if name.is_empty() {
        name = "document".to_owned();
    }
    cap_length(&name)
}

fn cap_length(name: &str) -> String {
    if name.len() <= MAX_NAME_BYTES {
        return name.to_owned();
    }
    let (stem, ext) = split_ext(name);
    let ext = if ext.len() <= 16 { ext } else { "" };
    let budget = MAX_NAME_BYTES - ext.len() - usize::from(!ext.is_empty());
    let mut stem_cut = String::new();
    for c in stem.chars() {
        if stem_cut.len() + c.len_utf8() > budget {
            break;
        }
        stem_cut.push(c);
    }
    if ext.is_empty() {
        stem_cut
    } else {
        format!("{stem_cut}.{ext}")
    }
}

/// `name.tar.gz` → (`name.tar`, `gz`); no dot → (`name`, ``).
fn split_ext(name: &str) -> (&str, &str) {
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem, ext),
        _ => (name, ""),
    }
}

/// The lower-case extension of a (sanitized) name.
pub(crate) fn extension(name: &str) -> String {
    split_ext(name).1.to_ascii_lowercase()
}

/// Decides whether a download may start, given its sanitized name and announced size.
pub(crate) fn check(rules: &Downloads, name: &str, announced: Option<u64>) -> Result<(), Refusal> {
    if !rules.enabled {
        return Err(Refusal::Disabled);
    }
    let ext = extension(name);
    if !ext.is_empty() && rules.blocked_extensions.contains(&ext) {
        return Err(Refusal::BlockedExtension);
    }
    if announced.is_some_and(|n| n > rules.max_bytes) {
        return Err(Refusal::TooLarge);
    }
    Ok(())
}

/// A path in `dir` for `name` that does not exist yet: `name`, `name (2)`, `name (3)`…
pub(crate) fn unique_path(dir: &Path, name: &str) -> PathBuf {
    let candidate = dir.join(name);
    if std::fs::symlink_metadata(&candidate).is_err() {
        return candidate;
    }
    let (stem, ext) = split_ext(name);
    for n in 2.. {
        let next = if ext.is_empty() {
            format!("{stem} ({n})")
        } else {
            format!("{stem} ({n}).{ext}")
        };
        let p = dir.join(cap_length(&next));
        if std::fs::symlink_metadata(&p).is_err() {
            return p;
        }
    }
    unreachable!("some number is free")
}

/// The files in `dir` (names only, sorted), as the picker and the take-away screen show them.
pub(crate) fn list(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_type().map(|t| t.is_file()).unwrap_or(false))
        .filter_map(|e| e.file_name().into_string().ok())
        // WebKit's partial files are not documents yet.
        .filter(|n| !n.ends_with(".wkdownload") && !n.starts_with('.'))
        .collect();
    names.sort();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> Downloads {
        Downloads {
            enabled: true,
            max_bytes: 1000,
            max_session_bytes: 2500,
            max_files: 3,
            blocked_extensions: vec!["sh".into(), "desktop".into(), "exe".into()],
        }
    }

    #[test]
    fn names_cannot_escape_or_hide() {
        let cases = [
            ("avis.pdf", "avis.pdf"),
            ("../../etc/passwd", "passwd"),
            ("..\\..\\boot.ini", "boot.ini"),
            ("/abs/path/x.pdf", "x.pdf"),
            (".bashrc", "bashrc"),
            ("...", "document"),
            ("", "document"),
            ("-rf.pdf", "rf.pdf"),
            ("a\nb\u{0}c.pdf", "a_b_c.pdf"),
            ("run.sh. . ", "run.sh"),
            ("C:evil.txt", "C_evil.txt"),
            ("Attestation été.pdf", "Attestation été.pdf"),
        ];
        for (input, want) in cases {
            assert_eq!(sanitize(input), want, "{input:?}");
        }
    }

    #[test]
    fn long_names_are_capped_and_keep_their_extension() {
        let long = format!("{}.pdf", "é".repeat(200));
        let s = sanitize(&long);
        assert!(s.len() <= MAX_NAME_BYTES, "{}", s.len());
        assert!(s.ends_with(".pdf"));
        assert!(!s.contains('/'));
    }

    #[test]
    fn refuses_blocked_extensions_big_files_and_disabled() {
        let r = rules();
        assert_eq!(check(&r, "avis.pdf", Some(10)), Ok(()));
        assert_eq!(check(&r, "avis.pdf", None), Ok(()));
        assert_eq!(check(&r, "x.SH", None), Err(Refusal::BlockedExtension));
        assert_eq!(
            check(&r, "app.desktop", None),
            Err(Refusal::BlockedExtension)
        );
        assert_eq!(check(&r, "setup.exe", None), Err(Refusal::BlockedExtension));
        assert_eq!(check(&r, "big.pdf", Some(1001)), Err(Refusal::TooLarge));
        let off = Downloads {
            enabled: false,
            ..rules()
        };
        assert_eq!(check(&off, "avis.pdf", Some(1)), Err(Refusal::Disabled));
    }

    #[test]
    fn duplicate_names_get_a_number() {
        let tmp = tempfile::tempdir().unwrap();
        let first = unique_path(tmp.path(), "avis.pdf");
        assert_eq!(first, tmp.path().join("avis.pdf"));
        std::fs::write(&first, b"1").unwrap();
        let second = unique_path(tmp.path(), "avis.pdf");
        assert_eq!(second, tmp.path().join("avis (2).pdf"));
        std::fs::write(&second, b"2").unwrap();
        assert_eq!(
            unique_path(tmp.path(), "avis.pdf"),
            tmp.path().join("avis (3).pdf")
        );
        // A dangling symlink counts as taken.
        std::os::unix::fs::symlink("/nonexistent", tmp.path().join("x")).unwrap();
        assert_eq!(unique_path(tmp.path(), "x"), tmp.path().join("x (2)"));
        assert_eq!(list(tmp.path()), vec!["avis (2).pdf", "avis.pdf"]);
    }
}
