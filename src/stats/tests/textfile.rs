//! The OpenMetrics file: closed days only, written atomically, rewritten only when it changes.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use openmetrics_parser::openmetrics::parse_openmetrics;

use super::*;

#[test]
fn the_file_covers_the_closed_days_of_the_last_week_only() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("stats");
    let mut s = Store::new(&dir, Store::DEFAULT_MIN_INTERVAL);
    for day in ["2026-11-24", "2026-11-25", "2026-12-01", "2026-12-02"] {
        s.session_started(date(day));
    }
    s.flush(Instant::now()).unwrap();
    let text = closed_days_text(&dir, date("2026-12-02"), 3).unwrap();
    parse_openmetrics(&text).unwrap_or_else(|e| panic!("{e:?}\n{text}"));
    assert!(text.contains("period=\"2026-12-01\""), "{text}");
    assert!(
        text.contains("period=\"2026-11-25\""),
        "7 days back: {text}"
    );
    assert!(!text.contains("2026-11-24"), "8 days back: {text}");
    assert!(!text.contains("2026-12-02"), "today is not closed: {text}");
    // No folder yet: a valid exposition all the same.
    let empty = closed_days_text(&tmp.path().join("none"), date("2026-12-02"), 3).unwrap();
    parse_openmetrics(&empty).unwrap_or_else(|e| panic!("{e:?}\n{empty}"));
}

#[test]
fn the_file_is_replaced_whole_and_only_when_its_text_changes() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("guichet.prom");
    assert!(write_textfile(&file, "a 1\n# EOF\n").unwrap());
    let mode = fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o644, "the collector's user reads it");
    let mtime = fs::metadata(&file).unwrap().modified().unwrap();
    assert!(!write_textfile(&file, "a 1\n# EOF\n").unwrap());
    assert_eq!(fs::metadata(&file).unwrap().modified().unwrap(), mtime);
    assert!(write_textfile(&file, "a 2\n# EOF\n").unwrap());
    assert_eq!(fs::read_to_string(&file).unwrap(), "a 2\n# EOF\n");
    let names: Vec<_> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["guichet.prom"], "no temporary file left behind");
    assert!(write_textfile(&tmp.path().join("missing/x.prom"), "a").is_err());
}
