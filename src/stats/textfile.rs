//! The OpenMetrics file guichetd keeps for a node-exporter textfile collector
//! (`[stats] openmetrics_file`).
//!
//! A scraper reads that file every few seconds, keeps each value with the time it read it, and
//! node-exporter also exports the file's modification time. A file that changed at each
//! session end would therefore tell the whole network *when* each session ended, and, by
//! differencing, what it did. So the file covers **closed days only** (the
//! [`TEXTFILE_DAYS`] days before today, grouped by day, small counts suppressed as in every
//! export), and it is rewritten only when its text changes: in practice once a day, just after
//! local midnight, when the day that ended joins it. Today's figures are for `guichetctl
//! stats`, on the terminal itself.
//!
//! The file is replaced atomically (a temporary file in the same folder, `fsync`, `rename`),
//! mode 0644 so that the collector, which runs as another user, can read it. The collector
//! reads `*.prom` files only, so the temporary file (`.tmp-…`) is never read half-written.

use std::fs::{self, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use chrono::NaiveDate;

use super::calendar::{days_before, Grouping};
use super::export::Report;
use super::files::{load, Loaded, TEMP_PREFIX};
use super::format::Format;
use super::StoreError;

/// How many closed days the OpenMetrics file holds: a week, so a scraper that was down for a
/// few days still gets every day, and the file stays small.
pub const TEXTFILE_DAYS: u32 = 7;
/// Mode of the OpenMetrics file: read by the collector's user.
const TEXTFILE_MODE: u32 = 0o644;

/// The OpenMetrics text of the [`TEXTFILE_DAYS`] closed days before `today` in `dir`.
/// A folder that does not exist yet has no figures (the text still has its gauges).
pub fn closed_days_text(
    dir: &Path,
    today: NaiveDate,
    min_count: u64,
) -> Result<String, StoreError> {
    let yesterday = days_before(today, 1);
    let first = days_before(today, TEXTFILE_DAYS);
    let loaded = match load(&[dir], first, yesterday) {
        Err(StoreError::List { source, .. }) if source.kind() == io::ErrorKind::NotFound => {
            Loaded::default()
        }
        other => other?,
    };
    Ok(Report::new(loaded, Grouping::Day, min_count).render(Format::OpenMetrics))
}

/// Replaces the file at `path` with `text`, atomically, unless it already holds exactly that
/// text (then it is left alone, modification time included). Returns whether it was written.
pub fn write_textfile(path: &Path, text: &str) -> io::Result<bool> {
    if fs::read(path).is_ok_and(|old| old == text.as_bytes()) {
        return Ok(false);
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .permissions(Permissions::from_mode(TEXTFILE_MODE))
        .tempfile_in(dir)?;
    tmp.as_file()
        .set_permissions(Permissions::from_mode(TEXTFILE_MODE))?;
    tmp.write_all(text.as_bytes())?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    fs::File::open(dir)?.sync_all()?;
    Ok(true)
}
