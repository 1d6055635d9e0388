use std::os::unix::fs::symlink;

use super::*;
use crate::loggable::Private;

/// A valid PDF of `n` blank pages, with a correct cross-reference table.
pub(crate) fn pdf_with_pages(n: usize) -> Vec<u8> {
    let mut objects = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        format!(
            "<< /Type /Pages /Kids [{}] /Count {n} >>",
            (0..n)
                .map(|i| format!("{} 0 R", i + 3))
                .collect::<Vec<_>>()
                .join(" ")
        ),
    ];
    for _ in 0..n {
        objects.push("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>".to_owned());
    }
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn download(name: &str) -> PrintDoc {
    PrintDoc::Download(Private::new(name.to_owned()))
}

/// A session dir with `downloads/` and `prints/`, and a secret file beside it.
fn session() -> (tempfile::TempDir, std::path::PathBuf) {
    let top = tempfile::tempdir().unwrap();
    let root = top.path().join("session");
    for d in ["", "downloads", "prints", "home"] {
        std::fs::create_dir_all(root.join(d)).unwrap();
    }
    std::fs::write(top.path().join("secret.txt"), "the neighbour's letter\n").unwrap();
    std::fs::write(root.join("home/other.txt"), "another folder\n").unwrap();
    (top, root)
}

#[test]
fn a_document_of_the_downloads_is_read() {
    let (_top, root) = session();
    std::fs::write(root.join("downloads/attestation.pdf"), pdf_with_pages(2)).unwrap();
    let bytes = read(&root, &download("attestation.pdf")).unwrap();
    let doc = inspect(bytes).unwrap();
    assert_eq!((doc.kind, doc.pages), (Kind::Pdf, 2));
    std::fs::write(root.join("prints/page-3.pdf"), pdf_with_pages(1)).unwrap();
    let doc = inspect(read(&root, &PrintDoc::Page(3)).unwrap()).unwrap();
    assert_eq!(doc.pages, 1);
}

#[test]
fn a_name_that_leaves_the_downloads_is_refused() {
    let (_top, root) = session();
    for name in [
        "../secret.txt",
        "../../secret.txt",
        "..",
        ".",
        "",
        "../home/other.txt",
        "sub/file.txt",
        "/etc/passwd",
        ".hidden",
        "a\0b",
        "x.pdf.wkdownload",
    ] {
        assert_eq!(
            read(&root, &download(name)).unwrap_err(),
            Refusal::NotHere,
            "{name:?}"
        );
    }
    assert_eq!(
        read(&root, &download("absent.pdf")).unwrap_err(),
        Refusal::NotHere
    );
}

#[test]
fn a_symlink_a_folder_or_a_fifo_is_refused() {
    let (top, root) = session();
    let d = root.join("downloads");
    symlink(top.path().join("secret.txt"), d.join("link.txt")).unwrap();
    symlink("/etc/passwd", d.join("passwd.txt")).unwrap();
    std::fs::create_dir(d.join("folder.pdf")).unwrap();
    nix::unistd::mkfifo(&d.join("fifo.txt"), Mode::S_IRWXU).unwrap();
    for name in ["link.txt", "passwd.txt", "folder.pdf", "fifo.txt"] {
        assert_eq!(
            read(&root, &download(name)).unwrap_err(),
            Refusal::NotAFile,
            "{name}"
        );
    }
}

#[test]
fn downloads_replaced_by_a_symlink_is_refused() {
    let (top, root) = session();
    std::fs::remove_dir(root.join("downloads")).unwrap();
    symlink(top.path(), root.join("downloads")).unwrap();
    assert_eq!(
        read(&root, &download("secret.txt")).unwrap_err(),
        Refusal::NotAFile
    );
    // The session dir itself a link: refused too.
    let link = top.path().join("session-link");
    symlink(&root, &link).unwrap();
    assert_eq!(
        read(&link, &PrintDoc::Page(1)).unwrap_err(),
        Refusal::NotHere
    );
}

#[test]
fn a_file_too_large_is_refused_without_reading_it() {
    let (_top, root) = session();
    let f = std::fs::File::create(root.join("downloads/big.txt")).unwrap();
    f.set_len(MAX_BYTES + 1).unwrap();
    assert_eq!(
        read(&root, &download("big.txt")).unwrap_err(),
        Refusal::TooLarge
    );
}

#[test]
fn the_type_comes_from_the_content_not_the_name() {
    assert_eq!(kind(b"%PDF-1.7\n..."), Some(Kind::Pdf));
    assert_eq!(kind(b"\x89PNG\r\n\x1a\n\0\0"), Some(Kind::Png));
    assert_eq!(kind(&[0xff, 0xd8, 0xff, 0xe0]), Some(Kind::Jpeg));
    assert_eq!(
        kind("Attestation — Namur\r\n\tpage 2\x0c".as_bytes()),
        Some(Kind::Text)
    );
    for other in [
        &b"MZ\x90\0 an exe"[..],
        b"PK\x03\x04 a zip",
        b"#!/bin/sh\nrm -rf /\x1b[0m",
        b"",
        b"\xff\xfe latin",
        b"<html>\0</html>",
    ] {
        assert_eq!(kind(other), None, "{other:?}");
    }
    assert_eq!(
        inspect(b"PK\x03\x04".to_vec()).unwrap_err(),
        Refusal::Unsupported
    );
}

#[test]
fn pages_are_counted() {
    assert_eq!(inspect(pdf_with_pages(7)).unwrap().pages, 7);
    assert_eq!(inspect(b"\x89PNG\r\n\x1a\nxx".to_vec()).unwrap().pages, 1);
    assert_eq!(text_pages("one line\n"), 1);
    assert_eq!(text_pages(&"line\n".repeat(61)), 2);
    // A long line wraps: 200 characters are 3 lines.
    assert_eq!(text_pages(&format!("{}\n", "x".repeat(200)).repeat(21)), 2);
    assert_eq!(text_pages("a\x0cb\x0cc"), 3);
}

#[test]
fn a_pdf_whose_pages_cannot_be_counted_is_refused() {
    for broken in [
        b"%PDF-1.4\ngarbage".to_vec(),
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 1 0 R >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF"
            .to_vec(),
        pdf_with_pages(0),
        pdf_with_pages(3)[..200].to_vec(),
    ] {
        assert_eq!(
            inspect(broken).unwrap_err(),
            Refusal::Uncountable
        );
    }
}
