//! Reading day files back, from one stats folder or several, and deleting old ones.
//!
//! A stats folder holds one `YYYY-MM-DD.json` per local day (see [`super::store`] for how they
//! are written). Reading never fails on one bad file: a truncated or corrupt day file, a
//! leftover temporary file of an interrupted write, a symbolic link or anything else that is
//! not a day file is reported in [`Loaded::skipped`] with its name and the reason, and the
//! figures come from the good files. Several folders (one per terminal) are merged by summing
//! the same day.
//!
//! Nothing here follows a symbolic link: a day file is opened with `O_NOFOLLOW`, and
//! retention unlinks names (which removes a link, never its target) and leaves directories
//! alone.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::calendar::{day_of_file_name, days_before};
use super::day::{decode, DayCounts, DecodeError};
use super::StoreError;

/// Names of temporary files start with this; a leftover one is an interrupted write.
pub(crate) const TEMP_PREFIX: &str = ".tmp-";
/// A day file found unreadable when it was to be updated is renamed with this suffix.
pub(crate) const SET_ASIDE_SUFFIX: &str = ".corrupt";
/// A day file is a few kilobytes; anything much larger is not one.
const MAX_FILE_LEN: u64 = 1 << 20;
/// Retention by default: a bit more than a year, so a year can be compared with the last.
pub const DEFAULT_KEEP_DAYS: u32 = 400;

/// A file that was not counted, and why.
#[derive(Debug, thiserror::Error)]
#[error("{}: {reason}", file.display())]
pub struct Skipped {
    pub file: PathBuf,
    #[source]
    pub reason: SkipReason,
}

/// Why a file was not counted.
#[derive(Debug, thiserror::Error)]
pub enum SkipReason {
    #[error("leftover temporary file of an interrupted write")]
    Leftover,
    #[error("set aside earlier because it could not be read")]
    SetAside,
    #[error("not the name of a day file")]
    NotADayFile,
    #[error("a symbolic link")]
    Symlink,
    #[error("not a regular file")]
    NotAFile,
    #[error("larger than {MAX_FILE_LEN} bytes")]
    TooLarge,
    #[error("cannot read: {0}")]
    Read(#[source] io::Error),
    #[error("{0}")]
    Decode(#[source] DecodeError),
}

/// Day counts read from stats folders, and the files that were left out.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Each day in the range that has at least one good file, summed over the folders.
    pub days: BTreeMap<NaiveDate, DayCounts>,
    pub skipped: Vec<Skipped>,
}

/// Reads the day files of `from..=to` in each of `dirs` and sums them per day.
///
/// Fails only when a folder cannot be listed; bad files are in [`Loaded::skipped`]. Leftover
/// temporary files and unexpected names are reported whatever the range.
pub fn load(dirs: &[&Path], from: NaiveDate, to: NaiveDate) -> Result<Loaded, StoreError> {
    let mut out = Loaded::default();
    for dir in dirs {
        for (name, path, kind) in list(dir)? {
            let skip = |reason| Skipped {
                file: path.clone(),
                reason,
            };
            let Some(day) = day_of_file_name(&name) else {
                out.skipped.push(skip(classify_other(&name)));
                continue;
            };
            if day < from || day > to {
                continue;
            }
            let read = match kind {
                Some(t) if t.is_symlink() => Err(SkipReason::Symlink),
                Some(t) if !t.is_file() => Err(SkipReason::NotAFile),
                _ => read_day(&path, day),
            };
            match read {
                Ok(Some(counts)) => out.days.entry(day).or_default().merge(&counts),
                Ok(None) => {} // deleted while we listed: nothing to count
                Err(reason) => out.skipped.push(skip(reason)),
            }
        }
    }
    Ok(out)
}

fn classify_other(name: &str) -> SkipReason {
    if name.starts_with(TEMP_PREFIX) {
        SkipReason::Leftover
    } else if name
        .strip_suffix(SET_ASIDE_SUFFIX)
        .and_then(day_of_file_name)
        .is_some()
    {
        SkipReason::SetAside
    } else {
        SkipReason::NotADayFile
    }
}

/// The entries of `dir`: name, path and type (not following links), in name order.
fn list(dir: &Path) -> Result<Vec<(String, PathBuf, Option<fs::FileType>)>, StoreError> {
    let listing = |source| StoreError::List {
        dir: dir.to_path_buf(),
        source,
    };
    let mut entries = Vec::new();
    for entry in fs::read_dir(dir).map_err(listing)? {
        let entry = entry.map_err(listing)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        entries.push((name, entry.path(), entry.file_type().ok()));
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(entries)
}

/// The counts in the day file at `path`, `None` if there is no such file.
pub(crate) fn read_day(path: &Path, day: NaiveDate) -> Result<Option<DayCounts>, SkipReason> {
    let file = match OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => return Err(SkipReason::Symlink),
        Err(e) => return Err(SkipReason::Read(e)),
    };
    let text = read_bounded(file)?;
    decode(day, &text).map(Some).map_err(SkipReason::Decode)
}

fn read_bounded(file: File) -> Result<Vec<u8>, SkipReason> {
    let meta = file.metadata().map_err(SkipReason::Read)?;
    if !meta.is_file() {
        return Err(SkipReason::NotAFile);
    }
    if meta.len() > MAX_FILE_LEN {
        return Err(SkipReason::TooLarge);
    }
    let mut text = Vec::new();
    file.take(MAX_FILE_LEN + 1)
        .read_to_end(&mut text)
        .map_err(SkipReason::Read)?;
    if text.len() as u64 > MAX_FILE_LEN {
        return Err(SkipReason::TooLarge);
    }
    Ok(text)
}

/// What [`prune`] deleted.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Pruned {
    /// Day files (and set-aside copies) older than the retention.
    pub old_days: usize,
    /// Leftover temporary files of interrupted writes.
    pub leftovers: usize,
}

/// Deletes, in `dir`, the day files of days more than `keep_days` days before `today`
/// (with `keep_days = 400`, the file of 400 days ago stays and the one of 401 days ago goes),
/// their set-aside copies, and leftover temporary files.
///
/// Only the [`super::Store`]'s owner should call this, between flushes: a temporary file is
/// a leftover only when no write is under way. A directory is never deleted; a symbolic link
/// is unlinked, its target untouched. A folder that does not exist has nothing to prune.
pub fn prune(dir: &Path, today: NaiveDate, keep_days: u32) -> Result<Pruned, StoreError> {
    let oldest_kept = days_before(today, keep_days);
    let mut pruned = Pruned::default();
    let entries = match list(dir) {
        Err(StoreError::List { source, .. }) if source.kind() == io::ErrorKind::NotFound => {
            return Ok(pruned)
        }
        other => other?,
    };
    for (name, path, kind) in entries {
        if kind.is_none_or(|t| t.is_dir()) {
            continue;
        }
        let day = day_of_file_name(&name).or_else(|| {
            name.strip_suffix(SET_ASIDE_SUFFIX)
                .and_then(day_of_file_name)
        });
        let counter = match day {
            Some(d) if d < oldest_kept => &mut pruned.old_days,
            None if name.starts_with(TEMP_PREFIX) => &mut pruned.leftovers,
            _ => continue,
        };
        match fs::remove_file(&path) {
            Ok(()) => *counter += 1,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(source) => return Err(StoreError::Delete { name, source }),
        }
    }
    Ok(pruned)
}
