//! Deleting a session directory: fd-relative, never following a symlink, verified.
//!
//! The directory is walked by file descriptors (`openat` with `O_NOFOLLOW`, `unlinkat`),
//! never following a symlink and never crossing into another mount: a symlink to `/etc` is
//! removed as a link, a fifo is unlinked without being opened, read-only directories are made
//! writable first (they are the session's own), a mount point inside the session is an error
//! rather than something to empty. Then the directory must be gone.

use std::ffi::{CStr, CString, OsStr};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use nix::dir::Dir;
use nix::errno::Errno;
use nix::fcntl::{openat, OFlag, AT_FDCWD};
use nix::sys::stat::{fchmod, fchmodat, fstat, fstatat, FchmodatFlags, Mode, SFlag};
use nix::unistd::{unlinkat, UnlinkatFlags};

use super::WipeError;

/// Deletes `root` and everything below it without following symlinks or crossing mounts,
/// then checks it is gone. Returns the number of entries deleted.
pub fn delete_tree(root: &Path) -> Result<u64, WipeError> {
    let session = session_name(root);
    let err = |what, errno| sys_err(&session, what, errno);
    let meta = match std::fs::symlink_metadata(root) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(err("inspect", io_errno(&e))),
    };
    let name = c_name(root.file_name().unwrap_or_default());
    let parent = root.parent().unwrap_or(Path::new("/"));
    let parent_fd = openat(
        AT_FDCWD,
        parent,
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| err("open the sessions folder", e))?;
    let mut entries = 0;
    if meta.file_type().is_symlink() {
        return Err(WipeError::RootIsSymlink { session });
    }
    if meta.is_dir() {
        if mounts_under(root) {
            return Err(WipeError::MountInside { session });
        }
        let fd = open_dir(&parent_fd, &name).map_err(|e| err("open the session directory", e))?;
        let dev = fstat(&fd).map_err(|e| err("inspect", e))?.st_dev;
        let mut walk = Walk {
            session: &session,
            dev,
            entries: 0,
        };
        walk.empty(fd)?;
        entries = walk.entries;
        unlinkat(&parent_fd, name.as_c_str(), UnlinkatFlags::RemoveDir)
            .map_err(|e| err("remove the session directory", e))?;
    } else {
        unlinkat(&parent_fd, name.as_c_str(), UnlinkatFlags::NoRemoveDir)
            .map_err(|e| err("remove a leftover file", e))?;
    }
    match std::fs::symlink_metadata(root) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(entries + 1),
        _ => Err(WipeError::StillThere { session }),
    }
}

struct Walk<'a> {
    session: &'a str,
    dev: u64,
    entries: u64,
}

/// A directory the walk went down from: its inode (checked when the walk comes back up
/// through `..`) and the name of the child it went into.
struct Up {
    ino: u64,
    child: CString,
}

impl Walk<'_> {
    fn err(&self, what: &'static str, errno: Errno) -> WipeError {
        sys_err(self.session, what, errno)
    }

    fn mount_inside(&self) -> WipeError {
        WipeError::MountInside {
            session: self.session.to_owned(),
        }
    }

    /// Deletes everything inside the directory `root`, however deep, with two descriptors
    /// at a time: down into the first subdirectory left, back up through `..` (checked to be
    /// the directory it came from) once a directory is empty, then remove it. No recursion,
    /// so no depth a session can create is too deep.
    fn empty(&mut self, root: OwnedFd) -> Result<(), WipeError> {
        let mut above: Vec<Up> = Vec::new();
        let mut dir = root;
        loop {
            let st = fstat(&dir).map_err(|e| self.err("inspect a directory", e))?;
            if st.st_dev != self.dev {
                return Err(self.mount_inside());
            }
            // A read-only directory of the session: make it ours to empty.
            if st.st_mode & 0o700 != 0o700 {
                fchmod(&dir, Mode::S_IRWXU)
                    .map_err(|e| self.err("make a directory writable", e))?;
            }
            match self.unlink_all_but_one_subdir(&dir)? {
                Some(child) => {
                    let sub = self.open_subdir(&dir, &child)?;
                    above.push(Up {
                        ino: st.st_ino,
                        child,
                    });
                    dir = sub;
                }
                None => {
                    let Some(up) = above.pop() else {
                        return Ok(());
                    };
                    let parent = openat(
                        &dir,
                        c"..",
                        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
                        Mode::empty(),
                    )
                    .map_err(|e| self.err("go back up a directory", e))?;
                    let pst = fstat(&parent).map_err(|e| self.err("inspect a directory", e))?;
                    if pst.st_ino != up.ino || pst.st_dev != self.dev {
                        // The tree moved under the walk (nothing of the session runs now).
                        return Err(self.err("go back up a directory", Errno::ESTALE));
                    }
                    unlinkat(&parent, up.child.as_c_str(), UnlinkatFlags::RemoveDir)
                        .map_err(|e| self.err("remove a directory", e))?;
                    self.entries += 1;
                    dir = parent;
                }
            }
        }
    }

    /// Unlinks every entry of `dir` that is not a directory (files, symlinks, fifos, sockets,
    /// devices: never opened) and returns the name of one subdirectory, if any is left.
    fn unlink_all_but_one_subdir(&mut self, dir: &OwnedFd) -> Result<Option<CString>, WipeError> {
        // A description of its own, so listing never shares an offset with `dir`.
        let listing = open_dir(dir, c".").map_err(|e| self.err("read a directory", e))?;
        let mut list = Dir::from_fd(listing).map_err(|e| self.err("read a directory", e))?;
        let mut names: Vec<CString> = Vec::new();
        for entry in list.iter() {
            let entry = entry.map_err(|e| self.err("read a directory", e))?;
            let n = entry.file_name();
            if n != c"." && n != c".." {
                names.push(n.to_owned());
            }
        }
        let mut subdir = None;
        for name in names {
            let st = fstatat(
                dir,
                name.as_c_str(),
                nix::fcntl::AtFlags::AT_SYMLINK_NOFOLLOW,
            )
            .map_err(|e| self.err("inspect an entry", e))?;
            if SFlag::from_bits_truncate(st.st_mode) & SFlag::S_IFMT == SFlag::S_IFDIR {
                if st.st_dev != self.dev {
                    return Err(self.mount_inside());
                }
                if subdir.is_none() {
                    subdir = Some(name);
                }
            } else {
                unlinkat(dir, name.as_c_str(), UnlinkatFlags::NoRemoveDir)
                    .map_err(|e| self.err("delete a file", e))?;
                self.entries += 1;
            }
        }
        Ok(subdir)
    }

    /// Opens subdirectory `name` of `dir`, making it readable first if it is not (mode 000).
    fn open_subdir(&self, dir: &OwnedFd, name: &CStr) -> Result<OwnedFd, WipeError> {
        match open_dir(dir, name) {
            Err(Errno::EACCES) => {
                // Checked to be a directory, not a symlink, of this session.
                fchmodat(dir, name, Mode::S_IRWXU, FchmodatFlags::FollowSymlink)
                    .map_err(|e| self.err("make a directory readable", e))?;
                open_dir(dir, name)
            }
            other => other,
        }
        .map_err(|e| self.err("open a directory", e))
    }
}

fn open_dir(dir: &impl AsFd, name: &CStr) -> nix::Result<OwnedFd> {
    openat(
        dir,
        name,
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
}

pub(super) fn sys_err(session: &str, what: &'static str, errno: Errno) -> WipeError {
    WipeError::Sys {
        session: session.to_owned(),
        what,
        errno,
    }
}

fn io_errno(e: &std::io::Error) -> Errno {
    Errno::from_raw(e.raw_os_error().unwrap_or(libc::EIO))
}

fn c_name(name: &OsStr) -> CString {
    CString::new(name.as_bytes()).unwrap_or_default()
}

/// The session id (the directory's name), safe to log.
fn session_name(root: &Path) -> String {
    root.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Whether anything is mounted at or below `root` (bind mounts share the device number, so
/// `st_dev` alone does not see them).
fn mounts_under(root: &Path) -> bool {
    let Ok(info) = std::fs::read_to_string("/proc/self/mountinfo") else {
        return true;
    };
    let root = root.as_os_str().as_bytes();
    info.lines().any(|line| {
        let Some(mp) = line.split(' ').nth(4) else {
            return false;
        };
        let mp = unescape_mount(mp);
        mp == root || (mp.starts_with(root) && mp.get(root.len()) == Some(&b'/'))
    })
}

/// Undoes the octal escapes (`\040`) of `/proc/self/mountinfo`.
fn unescape_mount(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 4 <= b.len() {
            if let Some(v) = s
                .get(i + 1..i + 4)
                .and_then(|o| u8::from_str_radix(o, 8).ok())
            {
                out.push(v);
                i += 4;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mountinfo_escapes_are_undone() {
        assert_eq!(unescape_mount(r"/a\040b"), b"/a b");
        assert_eq!(unescape_mount("/plain"), b"/plain");
        assert_eq!(unescape_mount(r"/end\"), b"/end\\");
    }
}
