//! The copy of a session's documents onto a USB stick, the names it gets treated as hostile.
//!
//! The names come from the view, which is untrusted: each must be a plain file name
//! ([`valid_name`]: one component, not `.` or `..`, no `/`, no NUL, not hidden, not a partial
//! download) of a regular file with one link, directly in the session's `downloads/`
//! (opened relative to that folder, which is itself opened without following a link, each
//! file with `O_NOFOLLOW`). Every name is checked and every file opened before the first byte
//! is written: a request with one bad name copies nothing.
//!
//! On the stick, each copy is created with `O_CREAT | O_EXCL | O_NOFOLLOW` at the stick's top
//! level, under the document's name or, if that is taken, `name (2).ext`, `name (3).ext`…:
//! nothing is overwritten, no other file is listed, opened or changed. Each file is synced,
//! then the stick's folder and its whole filesystem (`syncfs`), so that the stick may be
//! removed once [`copy`] returns. Errors never name a file.

use std::fs::File;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::path::Path;

use nix::errno::Errno;
use nix::fcntl::{openat, OFlag, AT_FDCWD};
use nix::sys::stat::{fstat, Mode, SFlag};
use nix::unistd::{syncfs, unlinkat, UnlinkatFlags};

/// Most documents one request may copy.
pub(crate) const MAX_FILES: usize = 1000;

/// How many free names are tried for one document (`name (2).ext` … `name (999).ext`).
const MAX_TRIES: u32 = 999;

/// Why nothing, or not everything, was copied. The text names no file.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CopyError {
    #[error("no document, or more than {MAX_FILES}, was asked for")]
    Count,
    #[error("a name asked for is not a plain file name")]
    BadName,
    #[error("a document asked for is not a regular file directly in the downloads folder")]
    NotRegular,
    #[error("cannot open the session's downloads folder: {0}")]
    Downloads(Errno),
    #[error("cannot open a document: {0}")]
    Open(Errno),
    #[error("cannot open the stick: {0}")]
    Stick(Errno),
    #[error("no free name on the stick for a document")]
    NoFreeName,
    #[error("cannot write on the stick: {0}")]
    Write(#[source] io::Error),
    #[error("cannot sync the stick: {0}")]
    Sync(Errno),
}

/// A plain file name as the view lists downloads: one component, not hidden, not a partial
/// download, no NUL, at most 255 bytes.
pub(crate) fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && !name.contains(['/', '\0'])
        && !name.starts_with('.')
        && !name.ends_with(".wkdownload")
}

/// The `n`th name tried for `name` on the stick: `name`, then `stem (n).ext`.
pub(crate) fn candidate(name: &str, n: u32) -> String {
    if n <= 1 {
        return name.to_owned();
    }
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => format!("{stem} ({n}).{ext}"),
        _ => format!("{name} ({n})"),
    }
}

fn open_dir(path: &Path) -> Result<OwnedFd, Errno> {
    openat(
        AT_FDCWD,
        path,
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
}

/// Opens `name` in `dir` for reading, if it is a regular file with one link (a link, a
/// folder, a fifo, a device or a hard link to something else are refused).
pub(crate) fn open_document(dir: &OwnedFd, name: &str) -> Result<File, CopyError> {
    if !valid_name(name) {
        return Err(CopyError::BadName);
    }
    let fd = openat(
        dir.as_fd(),
        name,
        OFlag::O_RDONLY
            | OFlag::O_NOFOLLOW
            | OFlag::O_NONBLOCK
            | OFlag::O_NOCTTY
            | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| match e {
        Errno::ELOOP => CopyError::NotRegular,
        e => CopyError::Open(e),
    })?;
    let st = fstat(fd.as_fd()).map_err(CopyError::Open)?;
    if SFlag::from_bits_truncate(st.st_mode) & SFlag::S_IFMT != SFlag::S_IFREG || st.st_nlink != 1 {
        return Err(CopyError::NotRegular);
    }
    Ok(File::from(fd))
}

/// Copies the documents `names` of `downloads` onto the top level of `stick`; returns how
/// many were copied (all of them, or an error).
pub(crate) fn copy(downloads: &Path, stick: &Path, names: &[String]) -> Result<u32, CopyError> {
    if names.is_empty() || names.len() > MAX_FILES {
        return Err(CopyError::Count);
    }
    let dir = open_dir(downloads).map_err(CopyError::Downloads)?;
    let sources = names
        .iter()
        .map(|n| open_document(&dir, n).map(|f| (n, f)))
        .collect::<Result<Vec<_>, _>>()?;
    let target = open_dir(stick).map_err(CopyError::Stick)?;
    for (name, mut source) in sources {
        copy_one(&target, name, &mut source)?;
    }
    nix::unistd::fsync(target.as_fd()).map_err(CopyError::Sync)?;
    syncfs(target.as_fd()).map_err(CopyError::Sync)?;
    Ok(names.len() as u32)
}

/// One document onto the stick under the first free name, synced; a copy that fails half-way
/// is removed (it is the file this call created, nothing else).
fn copy_one(target: &OwnedFd, name: &str, source: &mut File) -> Result<(), CopyError> {
    for n in 1..=MAX_TRIES {
        let tried = candidate(name, n);
        let created = openat(
            target.as_fd(),
            tried.as_str(),
            OFlag::O_WRONLY
                | OFlag::O_CREAT
                | OFlag::O_EXCL
                | OFlag::O_NOFOLLOW
                | OFlag::O_NOCTTY
                | OFlag::O_CLOEXEC,
            Mode::from_bits_truncate(0o644),
        );
        let fd = match created {
            Ok(fd) => fd,
            Err(Errno::EEXIST) => continue,
            Err(e) => return Err(CopyError::Write(e.into())),
        };
        let mut file = File::from(fd);
        let written = io::copy(source, &mut file).and_then(|_| file.sync_all());
        if let Err(e) = written {
            drop(file);
            let _ = unlinkat(target.as_fd(), tried.as_str(), UnlinkatFlags::NoRemoveDir);
            return Err(CopyError::Write(e));
        }
        return Ok(());
    }
    Err(CopyError::NoFreeName)
}

#[cfg(test)]
mod tests;
