//! Downloads: whether a file may land, where and under which name.
//!
//! A download goes only into the session's `downloads/` folder, under a name that cannot
//! escape it or hide (no separators, no leading dot, no control characters, capped length,
//! de-duplicated). It is refused ([`Refusal`], each told to the person in their language)
//! when downloads are disabled, when the person did not start it (a page's hidden frame,
//! timer or redirect: see `gestures`), when its extension is blocked, when it is larger than
//! `max_bytes`, when the session already has `max_files` files, or when it would take the
//! session past `max_session_bytes` (announced sizes are checked before it starts, received
//! bytes while it runs: [`check`], [`check_received`]; the session's [`Tally`] counts what it
//! accepted). File names stay on screen only: the protocol and the logs get sizes.

use std::path::{Path, PathBuf};

use crate::config::Downloads;

/// Longest file name kept, in bytes (the extension is kept when cutting).
pub(crate) const MAX_NAME_BYTES: usize = 120;

/// Why a download is refused; the person is told which.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    Disabled,
    /// Not started by the person's own click or key (or not known to be: fail closed).
    NotByYou,
    BlockedExtension,
    /// Larger than `max_bytes`.
    TooLarge,
    /// The session has `max_files` files already.
    TooManyFiles,
    /// It would take the session past `max_session_bytes`.
    SessionFull,
}

/// What the session has accepted so far: downloads finished or under way (refused and failed
/// ones are taken off) and the bytes they received.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Tally {
    pub(crate) files: u64,
    pub(crate) bytes: u64,
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

/// Decides whether a download may start: its sanitized name, announced size, whether the
/// person started it, and what the session has already.
pub(crate) fn check(
    rules: &Downloads,
    tally: &Tally,
    name: &str,
    announced: Option<u64>,
    by_person: bool,
) -> Result<(), Refusal> {
    if !rules.enabled {
        return Err(Refusal::Disabled);
    }
    if !by_person {
        return Err(Refusal::NotByYou);
    }
    let ext = extension(name);
    if !ext.is_empty() && rules.blocked_extensions.contains(&ext) {
        return Err(Refusal::BlockedExtension);
    }
    if announced.is_some_and(|n| n > rules.max_bytes) {
        return Err(Refusal::TooLarge);
    }
    if tally.files >= rules.max_files {
        return Err(Refusal::TooManyFiles);
    }
    let after = tally.bytes.saturating_add(announced.unwrap_or(0));
    if tally.bytes >= rules.max_session_bytes || after > rules.max_session_bytes {
        return Err(Refusal::SessionFull);
    }
    Ok(())
}

/// Checks a running download: `received` bytes of its own, `session_bytes` for the whole
/// session with them.
pub(crate) fn check_received(
    rules: &Downloads,
    received: u64,
    session_bytes: u64,
) -> Result<(), Refusal> {
    if received > rules.max_bytes {
        return Err(Refusal::TooLarge);
    }
    if session_bytes > rules.max_session_bytes {
        return Err(Refusal::SessionFull);
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
        let none = Tally::default();
        let ok = |name: &str, size| check(&r, &none, name, size, true);
        assert_eq!(ok("avis.pdf", Some(10)), Ok(()));
        assert_eq!(ok("avis.pdf", None), Ok(()));
        assert_eq!(ok("x.SH", None), Err(Refusal::BlockedExtension));
        assert_eq!(ok("app.desktop", None), Err(Refusal::BlockedExtension));
        assert_eq!(ok("setup.exe", None), Err(Refusal::BlockedExtension));
        assert_eq!(ok("big.pdf", Some(1001)), Err(Refusal::TooLarge));
        let off = Downloads {
            enabled: false,
            ..rules()
        };
        assert_eq!(
            check(&off, &none, "avis.pdf", Some(1), true),
            Err(Refusal::Disabled)
        );
    }

    /// One table: (what, tally before, name, announced, by the person) → decision.
    #[test]
    fn a_session_is_bounded_in_files_and_bytes_and_takes_only_what_the_person_asked() {
        let r = rules(); // 1000 a file, 2500 a session, 3 files
        let t = |files, bytes| Tally { files, bytes };
        let cases = [
            ("a click", t(0, 0), "a.pdf", Some(10), true, Ok(())),
            (
                "a page",
                t(0, 0),
                "a.pdf",
                Some(10),
                false,
                Err(Refusal::NotByYou),
            ),
            (
                "a page, blocked type too",
                t(0, 0),
                "a.exe",
                None,
                false,
                Err(Refusal::NotByYou),
            ),
            ("third file", t(2, 100), "c.pdf", None, true, Ok(())),
            (
                "fourth file",
                t(3, 100),
                "d.pdf",
                Some(1),
                true,
                Err(Refusal::TooManyFiles),
            ),
            (
                "fits exactly",
                t(2, 1500),
                "c.pdf",
                Some(1000),
                true,
                Ok(()),
            ),
            (
                "one byte over",
                t(2, 1501),
                "c.pdf",
                Some(1000),
                true,
                Err(Refusal::SessionFull),
            ),
            (
                "full, size unknown",
                t(1, 2500),
                "c.pdf",
                None,
                true,
                Err(Refusal::SessionFull),
            ),
            (
                "room, size unknown",
                t(1, 2499),
                "c.pdf",
                None,
                true,
                Ok(()),
            ),
        ];
        for (what, tally, name, size, by_person, want) in cases {
            assert_eq!(check(&r, &tally, name, size, by_person), want, "{what}");
        }
        assert_eq!(check_received(&r, 1000, 2500), Ok(()));
        assert_eq!(check_received(&r, 1001, 1001), Err(Refusal::TooLarge));
        assert_eq!(check_received(&r, 900, 2501), Err(Refusal::SessionFull));
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
