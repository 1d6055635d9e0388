//! Writing the day files: counts pending in memory, flushed atomically and not too often.
//!
//! The [`Store`] keeps what happened since the last flush as a pending [`DayCounts`] per day.
//! A flush reads the day file, adds the pending counts and replaces the file atomically: a
//! temporary file in the same folder (mode 0640), `fsync`, `rename` over the day file, `fsync`
//! of the folder. A crash at any point leaves the old file or the new one, never a part of one;
//! at worst a leftover temporary file, which [`super::prune`] deletes and
//! [`super::load`] reports. The folder is created on the first flush, mode 0750.
//!
//! The caller drives time: [`Store::flush_if_due`] writes at most once per `min_interval`
//! (so a busy day does not rewrite the file on every event), [`Store::flush`] writes now (at
//! session end). A failed flush keeps the pending counts for the next one and returns an
//! error for the caller to log as a warning; nothing here panics on a bad folder.
//!
//! A day file found unreadable when it is to be updated is renamed `<day>.json.corrupt` and
//! the day starts again from the pending counts; the flush reports it.

use std::collections::BTreeMap;
use std::fs::{self, DirBuilder, File, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use tempfile::NamedTempFile;

use super::calendar::file_name;
use super::day::{encode, DayCounts};
use super::files::{read_day, SkipReason, Skipped, SET_ASIDE_SUFFIX, TEMP_PREFIX};
use super::recorder::SessionSummary;

/// Mode of the stats folder: the admin group may read the figures.
const DIR_MODE: u32 = 0o750;
/// Mode of day files.
const FILE_MODE: u32 = 0o640;

/// A statistics file operation that failed. Names a day or the stats folder, nothing else.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the statistics folder {}: {source}", dir.display())]
    CreateDir {
        dir: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot list the statistics folder {}: {source}", dir.display())]
    List {
        dir: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot read the statistics of {day}: {source}")]
    Read {
        day: NaiveDate,
        #[source]
        source: io::Error,
    },
    #[error("cannot set aside the unreadable statistics of {day}: {source}")]
    SetAside {
        day: NaiveDate,
        #[source]
        source: io::Error,
    },
    #[error("cannot write the statistics of {day}: {source}")]
    Write {
        day: NaiveDate,
        #[source]
        source: io::Error,
    },
    /// The new day file is in place but may not survive a power loss.
    #[error("cannot sync the statistics folder after writing {day}: {source}")]
    SyncDir {
        day: NaiveDate,
        #[source]
        source: io::Error,
    },
    #[error("cannot delete the old statistics file {name}: {source}")]
    Delete {
        name: String,
        #[source]
        source: io::Error,
    },
}

/// What a flush did.
#[derive(Debug, Default)]
pub struct Flushed {
    /// Day files written.
    pub days: usize,
    /// Day files that could not be read and were renamed `*.corrupt` before being rewritten.
    pub set_aside: Vec<Skipped>,
}

/// The day files of one terminal, and the counts not yet written to them.
#[derive(Debug)]
pub struct Store {
    dir: PathBuf,
    min_interval: Duration,
    pending: BTreeMap<NaiveDate, DayCounts>,
    last_flush: Option<Instant>,
}

impl Store {
    /// A few seconds: day files change at most this often.
    pub const DEFAULT_MIN_INTERVAL: Duration = Duration::from_secs(5);

    /// A store writing to `dir`. Touches nothing until the first flush.
    pub fn new(dir: impl Into<PathBuf>, min_interval: Duration) -> Self {
        Self {
            dir: dir.into(),
            min_interval,
            pending: BTreeMap::new(),
            last_flush: None,
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A session started on the local day `day`.
    pub fn session_started(&mut self, day: NaiveDate) {
        self.pending.entry(day).or_default().add_start();
    }

    /// A session ended on the local day `day`. Takes the summary, so it counts once.
    pub fn session_ended(&mut self, day: NaiveDate, summary: SessionSummary) {
        self.pending.entry(day).or_default().add_session(&summary);
    }

    /// Whether counts wait to be written.
    pub fn is_dirty(&self) -> bool {
        !self.pending.is_empty()
    }

    /// When [`Store::flush_if_due`] will have something to do: `None` while nothing is
    /// pending (the caller's timer can sleep until the next event).
    pub fn next_flush(&self) -> Option<Instant> {
        if !self.is_dirty() {
            return None;
        }
        Some(match self.last_flush {
            Some(t) => t + self.min_interval,
            None => Instant::now(),
        })
    }

    /// The counts not written yet, per day (a report adds them to the files' figures).
    pub fn pending(&self) -> impl Iterator<Item = (NaiveDate, &DayCounts)> {
        self.pending.iter().map(|(day, counts)| (*day, counts))
    }

    /// Flushes if counts are pending and the last flush (tried) is `min_interval` old;
    /// `Ok(None)` when there was nothing to do yet.
    pub fn flush_if_due(&mut self, now: Instant) -> Result<Option<Flushed>, StoreError> {
        let due = self
            .last_flush
            .is_none_or(|t| now.saturating_duration_since(t) >= self.min_interval);
        if self.is_dirty() && due {
            self.flush(now).map(Some)
        } else {
            Ok(None)
        }
    }

    /// Writes every pending day now. On error the days not written stay pending.
    pub fn flush(&mut self, now: Instant) -> Result<Flushed, StoreError> {
        self.last_flush = Some(now);
        let mut flushed = Flushed::default();
        if !self.is_dirty() {
            return Ok(flushed);
        }
        ensure_dir(&self.dir)?;
        while let Some((&day, delta)) = self.pending.first_key_value() {
            match write_day(&self.dir, day, delta) {
                Ok(skipped) => flushed.set_aside.extend(skipped),
                // Written: keeping the counts pending would count them twice.
                Err(e @ StoreError::SyncDir { .. }) => {
                    self.pending.remove(&day);
                    return Err(e);
                }
                Err(e) => return Err(e),
            }
            self.pending.remove(&day);
            flushed.days += 1;
        }
        Ok(flushed)
    }
}

/// Creates `dir` (and its parents) if missing, the folder itself with [`DIR_MODE`].
fn ensure_dir(dir: &Path) -> Result<(), StoreError> {
    let failed = |source| StoreError::CreateDir {
        dir: dir.to_path_buf(),
        source,
    };
    match fs::symlink_metadata(dir) {
        Ok(m) if m.is_dir() => return Ok(()),
        Ok(_) => return Err(failed(io::Error::from(io::ErrorKind::NotADirectory))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(failed(e)),
    }
    DirBuilder::new()
        .recursive(true)
        .mode(DIR_MODE)
        .create(dir)
        .map_err(failed)?;
    // The umask may have taken bits away; the mode is part of the promise.
    fs::set_permissions(dir, Permissions::from_mode(DIR_MODE)).map_err(failed)
}

/// Adds `delta` to the day file of `day` in `dir`, atomically. Returns the old file if it was
/// unreadable and set aside.
fn write_day(dir: &Path, day: NaiveDate, delta: &DayCounts) -> Result<Option<Skipped>, StoreError> {
    let path = dir.join(file_name(day));
    let (mut counts, set_aside) = match read_day(&path, day) {
        Ok(counts) => (counts.unwrap_or_default(), None),
        Err(SkipReason::Read(source)) => return Err(StoreError::Read { day, source }),
        Err(reason) => {
            let mut aside = path.clone().into_os_string();
            aside.push(SET_ASIDE_SUFFIX);
            let aside = PathBuf::from(aside);
            fs::rename(&path, &aside).map_err(|source| StoreError::SetAside { day, source })?;
            let skipped = Skipped {
                file: aside,
                reason,
            };
            (DayCounts::default(), Some(skipped))
        }
    };
    counts.merge(delta);
    let write_failed = |source| StoreError::Write { day, source };
    let text = encode(day, &counts).map_err(|e| write_failed(io::Error::other(e)))?;
    let tmp = write_temp(dir, &text).map_err(write_failed)?;
    tmp.persist(&path).map_err(|e| write_failed(e.error))?;
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|source| StoreError::SyncDir { day, source })?;
    Ok(set_aside)
}

/// A synced temporary file in `dir` holding `text`; renaming it over the day file commits.
pub(crate) fn write_temp(dir: &Path, text: &[u8]) -> io::Result<NamedTempFile> {
    let mut tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .permissions(Permissions::from_mode(FILE_MODE))
        .tempfile_in(dir)?;
    tmp.as_file()
        .set_permissions(Permissions::from_mode(FILE_MODE))?;
    tmp.write_all(text)?;
    tmp.as_file().sync_all()?;
    Ok(tmp)
}
