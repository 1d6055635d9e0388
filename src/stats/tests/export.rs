//! Grouping, small-number protection and merging terminals.

use std::collections::BTreeMap;

use super::*;

/// A `Loaded` with these days.
fn loaded(days: &[(&str, DayCounts)]) -> Loaded {
    Loaded {
        days: days
            .iter()
            .map(|(d, c)| (date(d), c.clone()))
            .collect::<BTreeMap<_, _>>(),
        skipped: Vec::new(),
    }
}

fn service(report: &Report, period: usize, id: &str) -> Option<Cell> {
    report.periods[period].get("sessions_by_service", &[id])
}

#[test]
fn per_day_counts_below_min_count_are_suppressed_totals_stay_exact() {
    let mut d = day_with_services(&[("rare", 2), ("common", 3)]);
    d.sessions_completed = 1;
    d.downloads = 1;
    let r = Report::new(
        loaded(&[("2026-12-02", d)]),
        Grouping::Day,
        DEFAULT_MIN_COUNT,
    );
    assert_eq!(service(&r, 0, "rare"), Some(Cell::Suppressed));
    assert_eq!(service(&r, 0, "common"), Some(Cell::Exact(3)));
    assert_eq!(
        r.periods[0].get("sessions_completed", &[]),
        Some(Cell::Exact(1))
    );
    assert_eq!(r.periods[0].get("downloads", &[]), Some(Cell::Exact(1)));
    assert_eq!(
        r.periods[0].get("sessions_by_duration", &["under_5_min"]),
        Some(Cell::Exact(0))
    );
}

#[test]
fn days_are_protected_before_they_are_summed_into_a_period() {
    // Monday and Tuesday of ISO week 2026-W49.
    let table = [
        ((2, 2), Cell::Suppressed), // 4 in the week, but no day may show it
        ((2, 5), Cell::AtLeast(5)), // Monday's 2 left out of the sum
        ((3, 4), Cell::Exact(7)),
        ((0, 2), Cell::Suppressed),
    ];
    for ((mon, tue), want) in table {
        let r = Report::new(
            loaded(&[
                ("2026-11-30", day_with_services(&[("x", mon)])),
                ("2026-12-01", day_with_services(&[("x", tue)])),
            ]),
            Grouping::Week,
            DEFAULT_MIN_COUNT,
        );
        assert_eq!(r.periods.len(), 1);
        assert_eq!(service(&r, 0, "x"), Some(want), "{mon}+{tue}");
    }
}

#[test]
fn every_protected_figure_is_protected() {
    let mut d = DayCounts::default();
    let s = session(MIN, EndReason::Button, |r| {
        r.category_used(crate::policy::Category::Justice);
        r.service_used(&sid("tribunal"));
        r.blocked(Some(&host("www.rare.example")));
        r.problem_reported(&sid("tribunal"), ProblemKind::PageBroken);
    });
    d.add_session(&s);
    let r = Report::new(
        loaded(&[("2026-12-02", d)]),
        Grouping::Day,
        DEFAULT_MIN_COUNT,
    );
    let p = &r.periods[0];
    assert_eq!(
        p.get("sessions_by_category", &["justice"]),
        Some(Cell::Suppressed)
    );
    assert_eq!(
        p.get("sessions_by_service", &["tribunal"]),
        Some(Cell::Suppressed)
    );
    assert_eq!(
        p.get("sessions_blocked_by_domain", &["rare.example"]),
        Some(Cell::Suppressed)
    );
    assert_eq!(
        p.get("sessions_reporting_problem", &["tribunal", "page_broken"]),
        Some(Cell::Suppressed)
    );
    assert_eq!(
        p.get("sessions_by_end_reason", &["button"]),
        Some(Cell::Exact(1))
    );
    assert_eq!(p.get("blocked_navigations", &[]), Some(Cell::Exact(1)));
    assert_eq!(p.get("problem_reports", &[]), Some(Cell::Exact(1)));
}

#[test]
fn grouping_by_day_week_and_month() {
    let mut days = Vec::new();
    for d in ["2026-11-29", "2026-11-30", "2026-12-06", "2026-12-07"] {
        let c = DayCounts {
            sessions_completed: 1,
            ..DayCounts::default()
        };
        days.push((d, c));
    }
    let table = [
        (
            Grouping::Day,
            vec![
                ("2026-11-29", 1),
                ("2026-11-30", 1),
                ("2026-12-06", 1),
                ("2026-12-07", 1),
            ],
        ),
        (
            Grouping::Week,
            vec![("2026-W48", 1), ("2026-W49", 2), ("2026-W50", 1)],
        ),
        (Grouping::Month, vec![("2026-11", 2), ("2026-12", 2)]),
    ];
    for (g, want) in table {
        let r = Report::new(loaded(&days), g, DEFAULT_MIN_COUNT);
        let got: Vec<_> = r
            .periods
            .iter()
            .map(|p| match p.get("sessions_completed", &[]) {
                Some(Cell::Exact(n)) => (p.period.to_string(), n),
                other => panic!("{other:?}"),
            })
            .collect();
        let want: Vec<_> = want.iter().map(|(p, n)| (p.to_string(), *n)).collect();
        assert_eq!(got, want, "{g:?}");
    }
    let week = &Report::new(loaded(&days), Grouping::Week, 3).periods[1];
    assert_eq!(
        (week.first_day, week.last_day, week.days),
        (date("2026-11-30"), date("2026-12-06"), 2)
    );
}

#[test]
fn two_terminals_are_summed_per_day_before_protection() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    for dir in [&a, &b] {
        let mut s = Store::new(dir, Store::DEFAULT_MIN_INTERVAL);
        for _ in 0..2 {
            s.session_started(date("2026-12-02"));
            let one = session(MIN, EndReason::Button, |r| r.service_used(&sid("myminfin")));
            s.session_ended(date("2026-12-02"), one);
        }
        s.session_started(date("2026-12-03"));
        s.flush(Instant::now()).unwrap();
    }
    fs_extra_day(&b, "2026-12-04");
    let loaded = load(&[&a, &b], date("2026-12-01"), date("2026-12-03")).unwrap();
    assert!(loaded.skipped.is_empty());
    assert_eq!(loaded.days.len(), 2, "2026-12-04 is out of range");
    let r = Report::new(loaded, Grouping::Day, DEFAULT_MIN_COUNT);
    assert_eq!(
        service(&r, 0, "myminfin"),
        Some(Cell::Exact(4)),
        "2 + 2 from two terminals"
    );
    assert_eq!(
        r.periods[0].get("sessions_started", &[]),
        Some(Cell::Exact(4))
    );
    assert_eq!(
        r.periods[1].get("sessions_started", &[]),
        Some(Cell::Exact(2))
    );
}

fn fs_extra_day(dir: &std::path::Path, day: &str) {
    let mut s = Store::new(dir, Store::DEFAULT_MIN_INTERVAL);
    s.session_started(date(day));
    s.flush(Instant::now()).unwrap();
}

#[test]
fn a_missing_folder_is_an_error_bad_files_are_not() {
    let tmp = tempfile::tempdir().unwrap();
    let e = load(
        &[&tmp.path().join("nope")],
        date("2026-01-01"),
        date("2026-12-31"),
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("cannot list the statistics folder"),
        "{e}"
    );
}
