//! The names the view sends are hostile: a link, `..`, a path into another folder, a fifo, a
//! folder, a hard link, a hidden or partial file are refused, and a request with one bad name
//! copies nothing; on the stick nothing is overwritten and no other file changes.

use std::os::unix::fs::{symlink, MetadataExt};
use std::path::Path;

use super::*;

struct Fixture {
    _tmp: tempfile::TempDir,
    downloads: std::path::PathBuf,
    stick: std::path::PathBuf,
    outside: std::path::PathBuf,
}

fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let downloads = tmp.path().join("session/downloads");
    let stick = tmp.path().join("stick");
    let outside = tmp.path().join("session/config.json");
    std::fs::create_dir_all(&downloads).unwrap();
    std::fs::create_dir_all(&stick).unwrap();
    std::fs::write(&outside, "secret").unwrap();
    std::fs::write(downloads.join("avis.pdf"), "%PDF avis").unwrap();
    std::fs::write(downloads.join("releve"), "releve").unwrap();
    Fixture {
        _tmp: tmp,
        downloads,
        stick,
        outside,
    }
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn stick_files(stick: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(stick)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    v.sort();
    v
}

#[test]
fn plain_names_of_regular_files_are_copied_without_overwriting() {
    let f = fixture();
    std::fs::write(f.stick.join("avis.pdf"), "the person's own file").unwrap();
    std::fs::write(f.stick.join("avis (2).pdf"), "another of theirs").unwrap();
    let mtime = std::fs::metadata(f.stick.join("avis.pdf"))
        .unwrap()
        .mtime_nsec();
    assert_eq!(
        copy(&f.downloads, &f.stick, &names(&["avis.pdf", "releve"])).unwrap(),
        2
    );
    assert_eq!(
        stick_files(&f.stick),
        ["avis (2).pdf", "avis (3).pdf", "avis.pdf", "releve"]
    );
    let read = |n: &str| std::fs::read_to_string(f.stick.join(n)).unwrap();
    assert_eq!(read("avis.pdf"), "the person's own file");
    assert_eq!(read("avis (2).pdf"), "another of theirs");
    assert_eq!(read("avis (3).pdf"), "%PDF avis");
    assert_eq!(read("releve"), "releve");
    let after = std::fs::metadata(f.stick.join("avis.pdf"))
        .unwrap()
        .mtime_nsec();
    assert_eq!(mtime, after);
    // Again: the next free names.
    copy(&f.downloads, &f.stick, &names(&["releve"])).unwrap();
    assert!(stick_files(&f.stick).contains(&"releve (2)".to_owned()));
}

#[test]
fn hostile_names_are_refused_and_nothing_is_copied() {
    let f = fixture();
    symlink(&f.outside, f.downloads.join("link.pdf")).unwrap();
    symlink("/etc/passwd", f.downloads.join("passwd")).unwrap();
    std::fs::create_dir(f.downloads.join("folder")).unwrap();
    nix::unistd::mkfifo(&f.downloads.join("fifo"), Mode::from_bits_truncate(0o600)).unwrap();
    std::fs::hard_link(f.downloads.join("releve"), f.downloads.join("hardlink")).unwrap();
    std::fs::write(f.downloads.join(".hidden"), "x").unwrap();
    std::fs::write(f.downloads.join("part.pdf.wkdownload"), "x").unwrap();
    for bad in [
        "link.pdf",
        "passwd",
        "..",
        ".",
        "../config.json",
        "../downloads/avis.pdf",
        "/etc/passwd",
        "folder",
        "fifo",
        "hardlink",
        ".hidden",
        "part.pdf.wkdownload",
        "",
        "missing.pdf",
        "a\0b",
    ] {
        // The good one first: still nothing is copied.
        let r = copy(&f.downloads, &f.stick, &names(&["avis.pdf", bad]));
        assert!(r.is_err(), "{bad:?} was accepted");
        // No error names the file.
        let text = r.unwrap_err().to_string();
        let named = bad.len() > 2 && bad != "folder" && text.contains(bad);
        assert!(!text.contains("avis") && !named, "{text}");
        assert!(
            stick_files(&f.stick).is_empty(),
            "{bad:?}: something was copied"
        );
    }
    assert!(copy(&f.downloads, &f.stick, &[]).is_err());
    assert_eq!(std::fs::read_to_string(&f.outside).unwrap(), "secret");
}

/// A downloads folder that is itself a link (to another folder) is not opened.
#[test]
fn a_downloads_folder_replaced_by_a_link_is_refused() {
    let f = fixture();
    let real = f.downloads.with_file_name("real");
    std::fs::rename(&f.downloads, &real).unwrap();
    symlink(&real, &f.downloads).unwrap();
    let r = copy(&f.downloads, &f.stick, &names(&["avis.pdf"]));
    assert!(matches!(r, Err(CopyError::Downloads(_))), "{r:?}");
    assert!(stick_files(&f.stick).is_empty());
}

#[test]
fn names_and_candidates() {
    for good in ["avis.pdf", "a b (1).pdf", "relevé", "x..y"] {
        assert!(valid_name(good), "{good}");
    }
    assert_eq!(candidate("avis.pdf", 1), "avis.pdf");
    assert_eq!(candidate("avis.pdf", 2), "avis (2).pdf");
    assert_eq!(candidate("a.b.pdf", 3), "a.b (3).pdf");
    assert_eq!(candidate("releve", 2), "releve (2)");
}
