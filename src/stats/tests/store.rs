//! Store and files: modes, flush pacing, crash safety, bad files, retention.

use std::fs;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::Path;

use super::*;
use crate::stats::store::write_temp;

const DAY: &str = "2026-12-02";

/// A store in a fresh temporary folder's `stats` subfolder.
fn store() -> (tempfile::TempDir, Store) {
    let tmp = tempfile::tempdir().unwrap();
    let s = Store::new(tmp.path().join("stats"), Store::DEFAULT_MIN_INTERVAL);
    (tmp, s)
}

fn load_all(dir: &Path) -> Loaded {
    load(&[dir], date("2000-01-01"), date("2100-01-01")).unwrap()
}

fn mode(p: &Path) -> u32 {
    fs::metadata(p).unwrap().permissions().mode() & 0o7777
}

fn one_session_on(store: &mut Store, day: &str) {
    store.session_started(date(day));
    store.session_ended(date(day), session(MIN, EndReason::Button, |_| {}));
}

#[test]
fn a_flush_creates_the_folder_and_the_day_file_with_their_modes() {
    let (_tmp, mut s) = store();
    one_session_on(&mut s, DAY);
    assert!(s.is_dirty());
    let f = s.flush(Instant::now()).unwrap();
    assert_eq!(f.days, 1);
    assert!(!s.is_dirty());
    assert_eq!(mode(s.dir()), 0o750);
    assert_eq!(mode(&s.dir().join("2026-12-02.json")), 0o640);
    let names: Vec<_> = fs::read_dir(s.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["2026-12-02.json"], "no temporary file left behind");
}

#[test]
fn flushes_add_to_the_file_and_never_count_twice() {
    let (_tmp, mut s) = store();
    let t0 = Instant::now();
    for i in 0..3 {
        one_session_on(&mut s, DAY);
        s.flush(t0 + i * MIN).unwrap();
        s.flush(t0 + i * MIN + MIN / 2).unwrap();
    }
    let day = &load_all(s.dir()).days[&date(DAY)];
    assert_eq!((day.sessions_started(), day.sessions_completed()), (3, 3));
}

#[test]
fn flush_if_due_writes_at_most_once_per_interval() {
    let (_tmp, mut s) = store();
    let t0 = Instant::now();
    assert!(s.flush_if_due(t0).unwrap().is_none(), "nothing pending");
    s.session_started(date(DAY));
    assert!(
        s.flush_if_due(t0).unwrap().is_some(),
        "first flush is due at once"
    );
    s.session_started(date(DAY));
    assert!(s
        .flush_if_due(t0 + Duration::from_secs(4))
        .unwrap()
        .is_none());
    assert!(s.is_dirty());
    assert!(s
        .flush_if_due(t0 + Duration::from_secs(5))
        .unwrap()
        .is_some());
    assert!(!s.is_dirty());
}

#[test]
fn an_unwritable_folder_is_an_error_and_the_counts_wait() {
    let tmp = tempfile::tempdir().unwrap();
    let blocker = tmp.path().join("not-a-dir");
    fs::write(&blocker, b"").unwrap();
    for dir in [blocker.join("stats"), blocker.clone()] {
        let mut s = Store::new(&dir, Store::DEFAULT_MIN_INTERVAL);
        one_session_on(&mut s, DAY);
        let e = s.flush(Instant::now()).unwrap_err();
        assert!(matches!(e, StoreError::CreateDir { .. }), "{e}");
        assert!(
            e.to_string()
                .starts_with("cannot create the statistics folder"),
            "{e}"
        );
        assert!(s.is_dirty(), "counts kept for the next flush");
    }
    let mut s = Store::new(blocker.join("stats"), Store::DEFAULT_MIN_INTERVAL);
    one_session_on(&mut s, DAY);
    assert!(s.flush(Instant::now()).is_err());
    fs::remove_file(&blocker).unwrap();
    s.flush(Instant::now()).unwrap();
    assert_eq!(load_all(s.dir()).days[&date(DAY)].sessions_completed(), 1);
}

#[test]
fn a_crash_before_the_rename_leaves_the_old_file_and_a_reported_leftover() {
    let (_tmp, mut s) = store();
    one_session_on(&mut s, DAY);
    s.flush(Instant::now()).unwrap();
    let before = fs::read(s.dir().join("2026-12-02.json")).unwrap();
    // The first half of the atomic write of new counts, then the process dies.
    let leftover = write_temp(s.dir(), b"{\"format\":1,\"day\":\"2026-12-02\",\"cou").unwrap();
    leftover.into_temp_path().keep().unwrap();

    assert_eq!(fs::read(s.dir().join("2026-12-02.json")).unwrap(), before);
    let loaded = load_all(s.dir());
    assert_eq!(loaded.days[&date(DAY)].sessions_completed(), 1);
    assert_eq!(loaded.skipped.len(), 1);
    assert!(matches!(loaded.skipped[0].reason, SkipReason::Leftover));

    // Later writes go on; retention clears the leftover.
    one_session_on(&mut s, DAY);
    s.flush(Instant::now()).unwrap();
    assert_eq!(load_all(s.dir()).days[&date(DAY)].sessions_completed(), 2);
    let pruned = prune(s.dir(), date(DAY), DEFAULT_KEEP_DAYS).unwrap();
    assert_eq!(
        pruned,
        Pruned {
            old_days: 0,
            leftovers: 1
        }
    );
    assert!(load_all(s.dir()).skipped.is_empty());
}

#[test]
fn a_truncated_day_file_is_skipped_and_named_the_others_count() {
    let (_tmp, mut s) = store();
    one_session_on(&mut s, "2026-12-01");
    one_session_on(&mut s, DAY);
    s.flush(Instant::now()).unwrap();
    let path = s.dir().join("2026-12-02.json");
    let text = fs::read(&path).unwrap();
    fs::write(&path, &text[..text.len() / 3]).unwrap();

    let loaded = load_all(s.dir());
    assert_eq!(
        loaded.days.keys().copied().collect::<Vec<_>>(),
        [date("2026-12-01")]
    );
    assert_eq!(loaded.skipped.len(), 1);
    let report = loaded.skipped[0].to_string();
    assert!(
        report.contains("2026-12-02.json") && report.contains("truncated"),
        "{report}"
    );
}

#[test]
fn a_flush_over_a_corrupt_day_file_sets_it_aside() {
    let (_tmp, mut s) = store();
    fs::create_dir_all(s.dir()).unwrap();
    fs::write(s.dir().join("2026-12-02.json"), b"garbage").unwrap();
    one_session_on(&mut s, DAY);
    let f = s.flush(Instant::now()).unwrap();
    assert_eq!(f.set_aside.len(), 1);
    assert!(s.dir().join("2026-12-02.json.corrupt").exists());
    let loaded = load_all(s.dir());
    assert_eq!(loaded.days[&date(DAY)].sessions_completed(), 1);
    assert!(matches!(loaded.skipped[0].reason, SkipReason::SetAside));
}

#[test]
fn loading_never_follows_a_symlink() {
    let (tmp, mut s) = store();
    one_session_on(&mut s, "2026-12-01");
    s.flush(Instant::now()).unwrap();
    let target = tmp.path().join("elsewhere.json");
    fs::copy(s.dir().join("2026-12-01.json"), &target).unwrap();
    fs::rename(
        s.dir().join("2026-12-01.json"),
        s.dir().join("2026-12-01.json.bak"),
    )
    .unwrap();
    symlink(&target, s.dir().join("2026-12-01.json")).unwrap();
    let loaded = load_all(s.dir());
    assert!(loaded.days.is_empty());
    let reasons: Vec<_> = loaded
        .skipped
        .iter()
        .map(|s| s.reason.to_string())
        .collect();
    assert_eq!(reasons, ["a symbolic link", "not the name of a day file"]);
}

#[test]
fn retention_deletes_old_days_only_and_never_follows_links() {
    let (tmp, _) = store();
    let dir = tmp.path().join("stats");
    fs::create_dir(&dir).unwrap();
    let today = date("2026-12-02");
    let outside = tmp.path().join("precious.json");
    fs::write(&outside, b"keep me").unwrap();
    let write = |name: &str| fs::write(dir.join(name), b"{}").unwrap();
    write("2026-12-02.json"); // today
    write("2025-10-28.json"); // 400 days ago: kept
    write("2025-10-27.json"); // 401 days ago: deleted
    write("2025-10-27.json.corrupt");
    write("2020-01-01.json");
    write("notes.txt");
    write(".tmp-abc123");
    symlink(&outside, dir.join("2019-05-05.json")).unwrap();
    fs::create_dir(dir.join("2018-01-01.json")).unwrap();

    let pruned = prune(&dir, today, DEFAULT_KEEP_DAYS).unwrap();
    assert_eq!(
        pruned,
        Pruned {
            old_days: 4,
            leftovers: 1
        }
    );
    let mut left: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    left.sort();
    assert_eq!(
        left,
        [
            "2018-01-01.json",
            "2025-10-28.json",
            "2026-12-02.json",
            "notes.txt"
        ]
    );
    assert_eq!(fs::read(&outside).unwrap(), b"keep me");
    assert_eq!(
        prune(&tmp.path().join("missing"), today, 400).unwrap(),
        Pruned::default()
    );
}

#[test]
fn keep_days_zero_keeps_today_only() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("2026-12-02.json"), b"{}").unwrap();
    fs::write(tmp.path().join("2026-12-01.json"), b"{}").unwrap();
    assert_eq!(prune(tmp.path(), date(DAY), 0).unwrap().old_days, 1);
    assert!(tmp.path().join("2026-12-02.json").exists());
}

#[test]
fn next_flush_says_when_the_timer_has_work() {
    let (_tmp, mut s) = store();
    assert_eq!(s.next_flush(), None, "nothing pending: no timer");
    s.session_started(date(DAY));
    let first = s.next_flush().unwrap();
    assert!(first <= Instant::now(), "the first flush is due at once");
    let t0 = Instant::now();
    s.flush(t0).unwrap();
    assert_eq!(s.next_flush(), None);
    s.session_started(date(DAY));
    assert_eq!(s.next_flush(), Some(t0 + Store::DEFAULT_MIN_INTERVAL));
    let pending: Vec<_> = s
        .pending()
        .map(|(d, c)| (d, c.sessions_started()))
        .collect();
    assert_eq!(pending, [(date(DAY), 1)]);
}
