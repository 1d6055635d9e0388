//! The document a view asks guichetd to print, read as hostile input.
//!
//! The view is untrusted: the name it sends may be `../../etc/shadow`, a symlink it planted,
//! a fifo, a folder, a 10 GB file or a PDF built to hang a parser. [`read`] opens the session
//! directory, then its `downloads/` (or `prints/`) and then the file, each with `openat` and
//! `O_NOFOLLOW` (so neither the folder nor the file may be a link), accepts one plain name
//! only (no `/`, no `.` or `..`, no NUL, no hidden file), checks with `fstat` that it is a
//! regular file no larger than [`MAX_BYTES`], and reads it once: what is checked, counted and
//! printed is those bytes, whatever the view does to the file meanwhile.
//!
//! [`inspect`] then tells the type from the content, never from the name (PDF, PNG, JPEG,
//! plain UTF-8 text; anything else is refused), and counts the pages: a PDF by its page tree,
//! parsed by `lopdf` (pure Rust, no unsafe code) on another thread with a panic caught; a PDF
//! whose pages cannot be counted is refused, never guessed. An image is one page; a text counts
//! conservatively (80 columns, 60 lines a page, a form feed starts a page).
//!
//! Errors never carry the name or the content.

use std::ffi::CString;
use std::io::Read;
use std::os::fd::{AsFd, OwnedFd};
use std::path::Path;

use nix::fcntl::{openat, OFlag, AT_FDCWD};
use nix::sys::stat::{fstat, Mode, SFlag};

use crate::protocol::view::{PrintDoc, PrintState};
use crate::sessiondir::{print_page_name, PRINTS};

/// The largest document guichetd reads to print.
pub(crate) const MAX_BYTES: u64 = 32 * 1024 * 1024;
/// Columns and lines of a printed text page (conservative: a page holds at least this).
const TEXT_COLUMNS: usize = 80;
const TEXT_LINES: usize = 60;

/// What a document is, told from its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Pdf,
    Png,
    Jpeg,
    Text,
}

/// A document read and counted, ready to print.
#[derive(Debug)]
pub(crate) struct Document {
    pub kind: Kind,
    pub pages: u32,
    pub bytes: Vec<u8>,
}

/// Why a document is not printed; each maps to what the person is told.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum Refusal {
    #[error("not a document of this session")]
    NotHere,
    #[error("not a regular file")]
    NotAFile,
    #[error("larger than {} MiB", MAX_BYTES >> 20)]
    TooLarge,
    #[error("cannot read it")]
    Unreadable,
    #[error("not a PDF, PNG, JPEG or plain text")]
    Unsupported,
    #[error("a PDF whose pages cannot be counted")]
    Uncountable,
}

impl Refusal {
    pub(crate) fn state(self) -> PrintState {
        match self {
            Refusal::Unsupported => PrintState::Unsupported,
            _ => PrintState::Unreadable,
        }
    }
}

/// The folder and file name `doc` names inside the session dir, if the name is one plain name.
fn location(doc: &PrintDoc) -> Result<(&'static str, String), Refusal> {
    match doc {
        PrintDoc::Download(name) => {
            let name = name.expose();
            let plain = !name.is_empty()
                && name.len() <= 255
                && !name.starts_with('.')
                && !name.contains(['/', '\0'])
                && !name.ends_with(".wkdownload");
            if plain {
                Ok(("downloads", name.clone()))
            } else {
                Err(Refusal::NotHere)
            }
        }
        PrintDoc::Page(n) => Ok((PRINTS, print_page_name(*n))),
    }
}

fn open_nofollow(dir: &impl AsFd, name: &str, flags: OFlag) -> Result<OwnedFd, Refusal> {
    let name = CString::new(name).map_err(|_| Refusal::NotHere)?;
    openat(
        dir,
        name.as_c_str(),
        flags | OFlag::O_RDONLY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC | OFlag::O_NONBLOCK,
        Mode::empty(),
    )
    .map_err(|e| match e {
        nix::errno::Errno::ELOOP | nix::errno::Errno::ENOTDIR => Refusal::NotAFile,
        _ => Refusal::NotHere,
    })
}

/// Reads the document `doc` of the session whose directory is `session` (see the module doc).
pub(crate) fn read(session: &Path, doc: &PrintDoc) -> Result<Vec<u8>, Refusal> {
    let (folder, name) = location(doc)?;
    let root = openat(
        AT_FDCWD,
        session,
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map_err(|_| Refusal::NotHere)?;
    let dir = open_nofollow(&root, folder, OFlag::O_DIRECTORY)?;
    let fd = open_nofollow(&dir, &name, OFlag::empty())?;
    let st = fstat(&fd).map_err(|_| Refusal::Unreadable)?;
    if SFlag::from_bits_truncate(st.st_mode) & SFlag::S_IFMT != SFlag::S_IFREG {
        return Err(Refusal::NotAFile);
    }
    if st.st_size as u64 > MAX_BYTES {
        return Err(Refusal::TooLarge);
    }
    let mut bytes = Vec::with_capacity(st.st_size as usize);
    // One byte more than allowed: a file that grew since `fstat` is refused, not cut.
    std::fs::File::from(fd)
        .take(MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|_| Refusal::Unreadable)?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(Refusal::TooLarge);
    }
    Ok(bytes)
}

/// The type of `bytes`, from their content.
pub(crate) fn kind(bytes: &[u8]) -> Option<Kind> {
    if bytes.starts_with(b"%PDF-") {
        Some(Kind::Pdf)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(Kind::Png)
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some(Kind::Jpeg)
    } else if is_text(bytes) {
        Some(Kind::Text)
    } else {
        None
    }
}

/// Plain text: non-empty UTF-8 with no control character but tab, line feed, carriage return
/// and form feed.
fn is_text(bytes: &[u8]) -> bool {
    !bytes.is_empty()
        && std::str::from_utf8(bytes).is_ok_and(|s| {
            s.chars()
                .all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r' | '\x0c'))
        })
}

/// Pages of a text printed at [`TEXT_COLUMNS`] × [`TEXT_LINES`], long lines wrapped.
fn text_pages(text: &str) -> u32 {
    let mut pages = 0usize;
    for page in text.split('\x0c') {
        let lines: usize = page
            .lines()
            .map(|l| l.chars().count().div_ceil(TEXT_COLUMNS).max(1))
            .sum();
        pages += lines.div_ceil(TEXT_LINES).max(1);
    }
    u32::try_from(pages).unwrap_or(u32::MAX)
}

/// Pages of a PDF, from its page tree; `None` if it cannot be parsed or has none.
fn pdf_pages(bytes: Vec<u8>) -> (Option<u32>, Vec<u8>) {
    // Parsed on its own thread: a panic in the parser is caught there, and the bytes come back.
    let parsed = std::thread::Builder::new()
        .name("pdf-pages".into())
        .spawn(move || {
            let n = lopdf::Document::load_mem(&bytes)
                .ok()
                .map(|d| d.get_pages().len());
            (n, bytes)
        })
        .ok()
        .and_then(|t| t.join().ok());
    match parsed {
        Some((Some(n), bytes)) if n > 0 => (u32::try_from(n).ok(), bytes),
        Some((_, bytes)) => (None, bytes),
        None => (None, Vec::new()),
    }
}

/// Tells the type of `bytes` and counts its pages.
pub(crate) fn inspect(bytes: Vec<u8>) -> Result<Document, Refusal> {
    let kind = kind(&bytes).ok_or(Refusal::Unsupported)?;
    let (pages, bytes) = match kind {
        Kind::Pdf => pdf_pages(bytes),
        Kind::Png | Kind::Jpeg => (Some(1), bytes),
        Kind::Text => {
            let pages = std::str::from_utf8(&bytes).map(text_pages).ok();
            (pages, bytes)
        }
    };
    let pages = pages.ok_or(Refusal::Uncountable)?;
    Ok(Document { kind, pages, bytes })
}

#[cfg(test)]
mod tests;
