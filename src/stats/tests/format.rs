//! The four export formats; OpenMetrics checked by a real parser.

use openmetrics_parser::{
    openmetrics::parse_openmetrics, MetricNumber, OpenMetricsType, OpenMetricsValue,
};

use super::*;

/// Two days of week 2026-W49: `x` is 2 then 5 (lower bound in the week), `rare` 1 then 1
/// (suppressed), `myminfin` 4 then 3 (exact), plus a problem kind seen by 3 sessions.
fn report(grouping: Grouping) -> Report {
    let mut mon = day_with_services(&[("x", 2), ("rare", 1), ("myminfin", 4)]);
    mon.sessions_started = 9;
    mon.sessions_completed = 8;
    mon.problems
        .entry(sid("myminfin"))
        .or_default()
        .insert(ProblemKind::PageBroken, 3);
    let mut tue = day_with_services(&[("x", 5), ("rare", 1), ("myminfin", 3)]);
    tue.sessions_completed = 7;
    tue.printed_pages = 12;
    let loaded = Loaded {
        days: [(date("2026-11-30"), mon), (date("2026-12-01"), tue)]
            .into_iter()
            .collect(),
        skipped: Vec::new(),
    };
    Report::new(loaded, grouping, DEFAULT_MIN_COUNT)
}

#[test]
fn csv_has_one_figure_a_line_with_suppression_marked() {
    let csv = report(Grouping::Week).render(Format::Csv);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "period,figure,key,value,note");
    for want in [
        "2026-W49,sessions_started,,9,",
        "2026-W49,sessions_completed,,15,",
        "2026-W49,sessions_by_duration,under_5_min,0,",
        "2026-W49,sessions_by_service,myminfin,7,",
        "2026-W49,sessions_by_service,rare,< 3,suppressed",
        "2026-W49,sessions_by_service,x,5,lower bound",
        "2026-W49,printed_pages,,12,",
        "2026-W49,sessions_reporting_problem,myminfin/page_broken,3,",
    ] {
        assert!(lines.contains(&want), "missing {want:?} in\n{csv}");
    }
    assert!(
        lines[1..].iter().all(|l| l.split(',').count() == 5),
        "{csv}"
    );
}

#[test]
fn json_nests_keys_and_marks_cells() {
    let text = report(Grouping::Day).render(Format::Json);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["grouping"], "day");
    assert_eq!(v["min_count"], 3);
    let mon = &v["periods"][0];
    assert_eq!(mon["period"], "2026-11-30");
    assert_eq!(mon["sessions_completed"], 8);
    assert_eq!(mon["sessions_by_service"]["myminfin"], 4);
    assert_eq!(mon["sessions_by_service"]["x"], "< 3");
    assert_eq!(
        mon["sessions_reporting_problem"]["myminfin"]["page_broken"],
        3
    );
    let week = report(Grouping::Week).render(Format::Json);
    let v: serde_json::Value = serde_json::from_str(&week).unwrap();
    assert_eq!(v["periods"][0]["sessions_by_service"]["x"]["at_least"], 5);
    assert_eq!(v["periods"][0]["days"], 2);
    assert_eq!(v["skipped"], serde_json::json!([]));
}

#[test]
fn table_reads_for_people() {
    let text = report(Grouping::Week).render(Format::Table);
    assert!(
        text.starts_with("2026-W49  (2026-11-30 to 2026-12-01, 2 days with figures)\n"),
        "{text}"
    );
    for want in [
        "Sessions that used a service: rare",
        "< 3",
        "≥ 5",
        "Sessions that reported a problem with a service: myminfin / page broken",
        "Completed sessions by duration: 60 min or more",
        "< 3: fewer than 3 sessions, not shown.",
    ] {
        assert!(text.contains(want), "missing {want:?} in\n{text}");
    }
    let empty = Report::new(Loaded::default(), Grouping::Day, 3).to_table();
    assert!(empty.starts_with("No figures for these days."), "{empty}");
}

#[test]
fn openmetrics_parses_with_a_real_parser_and_omits_suppressed_series() {
    let text = report(Grouping::Day).render(Format::OpenMetrics);
    assert!(text.ends_with("# EOF\n"), "{text}");
    let exposition = parse_openmetrics(&text).unwrap_or_else(|e| panic!("{e:?}\n{text}"));
    let family = &exposition.families["guichet_sessions_by_service"];
    assert_eq!(family.family_type, OpenMetricsType::Counter);
    assert_eq!(family.help, "Sessions that used a service.");
    let mut series: Vec<(String, String, i64)> = family
        .iter_samples()
        .map(|s| {
            let labels = s.get_labelset().unwrap();
            let n = match &s.value {
                OpenMetricsValue::Counter(c) => match c.value {
                    MetricNumber::Int(n) => n,
                    MetricNumber::Float(f) => f as i64,
                },
                other => panic!("{other:?}"),
            };
            let get = |k| labels.get_label_value(k).unwrap().to_owned();
            (get("period"), get("service"), n)
        })
        .collect();
    series.sort();
    let want = [
        ("2026-11-30", "myminfin", 4),
        ("2026-12-01", "myminfin", 3),
        ("2026-12-01", "x", 5),
    ];
    let want: Vec<_> = want
        .iter()
        .map(|(p, s, n)| (p.to_string(), s.to_string(), *n))
        .collect();
    assert_eq!(series, want, "`rare` and Monday's `x` are absent:\n{text}");
    assert!(
        text.contains("guichet_sessions_started_total{period=\"2026-11-30\"} 9\n"),
        "{text}"
    );
    assert!(exposition
        .families
        .contains_key("guichet_sessions_reporting_problem"));
    for (name, f) in &exposition.families {
        let want = if name.starts_with("guichet_stats_") {
            OpenMetricsType::Gauge
        } else {
            OpenMetricsType::Counter
        };
        assert_eq!(f.family_type, want, "{name}");
    }
}

#[test]
fn openmetrics_of_nothing_is_valid() {
    let text = Report::new(Loaded::default(), Grouping::Month, 3).to_openmetrics();
    let exposition = parse_openmetrics(&text).unwrap_or_else(|e| panic!("{e:?}\n{text}"));
    let names: std::collections::BTreeSet<_> = exposition.families.keys().cloned().collect();
    assert_eq!(
        names,
        [
            "guichet_stats_min_count".to_owned(),
            "guichet_stats_skipped_files".to_owned()
        ]
        .into()
    );
    assert!(
        text.ends_with("guichet_stats_skipped_files 0\n# EOF\n"),
        "{text}"
    );
}

#[test]
fn format_names_parse() {
    for (s, f) in [
        ("table", Format::Table),
        ("csv", Format::Csv),
        ("json", Format::Json),
        ("openmetrics", Format::OpenMetrics),
    ] {
        assert_eq!(s.parse(), Ok(f));
    }
    assert!("xml".parse::<Format>().is_err());
}
