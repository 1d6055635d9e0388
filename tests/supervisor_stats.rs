//! Statistics end to end with the fake view: what guichetd counts from the view's reports,
//! what `guichetctl stats` shows (small counts suppressed), what the day files hold (a sum,
//! nothing of a person), reads while sessions end, the OpenMetrics exports, and a statistics
//! folder that cannot be written (a warning, never out of order).

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;

use guichet::daemon::machine::State;
use serde_json::{json, Map, Value};
use support::stats::{
    ctl, day_files, handled, next_welcome, only_period, stats_builder, today_json, Clock,
};
use support::{eventually, Builder, Daemon};

/// Services of the `be-federal` pack the sessions use: id, a host it allows, its category.
const SERVICES: [(&str, &str, &str); 6] = [
    ("myminfin", "eservices.minfin.fgov.be", "taxes"),
    ("mypension", "www.mypension.be", "pension"),
    ("onem-rva", "www.onem.be", "unemployment"),
    ("csam", "www.csam.be", "identity"),
    ("belgium-be", "www.belgium.be", "administration"),
    (
        "mysocialsecurity",
        "www.socialsecurity.be",
        "administration",
    ),
];

/// Text that must never reach a statistics file.
const CANARY: &str = "canary-7f3a9c";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum End {
    Button,
    Idle,
    StaffReset,
    StaffResetNow,
    Pause,
    ViewExits,
    ViewCrashes,
    Shutdown,
}

/// What session `i` (of 30) does.
struct Plan {
    services: Vec<&'static str>,
    blocked: Vec<&'static str>,
    problems: Vec<(&'static str, &'static str)>,
    helper_calls: u64,
    downloads: u64,
    printed_pages: Option<u64>,
    usb_files: Option<u64>,
    end: End,
}

fn plan(i: usize) -> Plan {
    let mut services = Vec::new();
    for (id, every, rest) in [
        ("myminfin", 2, 0),
        ("mypension", 3, 0),
        ("onem-rva", 10, 0),
        ("belgium-be", 5, 1),
        ("mysocialsecurity", 7, 2),
    ] {
        if i % every == rest {
            services.push(id);
        }
    }
    if i == 7 {
        services.push("csam"); // one session: suppressed
    }
    let mut blocked = Vec::new();
    if i % 4 == 0 {
        blocked.extend(["ads.tracker.example", "cdn.tracker.example"]);
    }
    if i == 20 {
        blocked.extend(["x.tracker.example"; 3]);
    }
    if i % 6 == 3 {
        blocked.push("www.evil.co.uk");
    }
    if i == 11 {
        blocked.push("phish.example.org"); // one session: suppressed
    }
    if i == 13 || i == 14 {
        blocked.push("10.1.2.3"); // two sessions: suppressed
    }
    let problems = match i {
        0 => vec![("myminfin", "login_fails"); 2],
        2 | 4 => vec![("myminfin", "login_fails")],
        3 => vec![("mypension", "page_broken")],
        10 | 20 => vec![("onem-rva", "other")],
        _ => vec![],
    };
    let end = match i {
        5 | 15 | 25 => End::Idle,
        6 | 16 => End::StaffReset,
        26 => End::StaffResetNow,
        19 => End::Pause,
        7 | 17 => End::ViewExits,
        27 => End::ViewCrashes,
        29 => End::Shutdown,
        _ => End::Button,
    };
    Plan {
        services,
        blocked,
        problems,
        helper_calls: match i {
            5 => 2,
            i if i % 5 == 0 => 1,
            _ => 0,
        },
        downloads: u64::from(i % 3 == 1),
        printed_pages: (i % 8 == 1).then_some(2),
        usb_files: (i == 12).then_some(3),
        end,
    }
}

/// The figures the sessions should give, before suppression.
#[derive(Default)]
struct Model {
    sessions: u64,
    reasons: BTreeMap<&'static str, u64>,
    categories: BTreeMap<String, u64>,
    services: BTreeMap<String, u64>,
    blocked_navigations: u64,
    domains: BTreeMap<String, u64>,
    downloads: u64,
    prints: u64,
    printed_pages: u64,
    usb_copies: u64,
    helper_calls: u64,
    problem_reports: u64,
    problems: BTreeMap<(String, String), u64>,
}

fn bump<K: Ord>(m: &mut BTreeMap<K, u64>, k: K) {
    *m.entry(k).or_default() += 1;
}

impl Model {
    fn add(&mut self, p: &Plan) {
        self.sessions += 1;
        let reason = match p.end {
            End::Button => "button",
            End::Idle => "idle",
            End::StaffReset | End::StaffResetNow | End::Pause => "staff",
            End::ViewExits | End::ViewCrashes => "crash",
            End::Shutdown => "out_of_order",
        };
        bump(&mut self.reasons, reason);
        let mut categories: Vec<&str> = p
            .services
            .iter()
            .map(|s| SERVICES.iter().find(|(id, _, _)| id == s).unwrap().2)
            .collect();
        categories.sort();
        categories.dedup();
        for c in categories {
            bump(&mut self.categories, c.to_owned());
        }
        for s in &p.services {
            bump(&mut self.services, (*s).to_owned());
        }
        self.blocked_navigations += p.blocked.len() as u64;
        let mut domains: Vec<&str> = p
            .blocked
            .iter()
            .map(|h| match *h {
                "10.1.2.3" => "(ip)",
                "www.evil.co.uk" => "evil.co.uk",
                "phish.example.org" => "example.org",
                _ => "tracker.example",
            })
            .collect();
        domains.sort();
        domains.dedup();
        for d in domains {
            bump(&mut self.domains, d.to_owned());
        }
        self.downloads += p.downloads;
        if let Some(pages) = p.printed_pages {
            self.prints += 1;
            self.printed_pages += pages;
        }
        self.usb_copies += p.usb_files.unwrap_or(0);
        self.helper_calls += p.helper_calls;
        self.problem_reports += p.problems.len() as u64;
        let mut problems = p.problems.clone();
        problems.dedup();
        for (s, k) in problems {
            bump(&mut self.problems, (s.to_owned(), k.to_owned()));
        }
    }

    /// The period of `day` as `guichetctl stats --format json` shows it, with min_count 3.
    fn period(&self, day: &str) -> Value {
        let cell = |n: u64| if n >= 3 { json!(n) } else { json!("< 3") };
        let keyed = |m: &BTreeMap<String, u64>| -> Value {
            Value::Object(m.iter().map(|(k, n)| (k.clone(), cell(*n))).collect())
        };
        let mut problems = Map::new();
        for ((s, k), n) in &self.problems {
            let by_kind = problems.entry(s.clone()).or_insert_with(|| json!({}));
            by_kind[k] = cell(*n);
        }
        let reasons: Map<String, Value> = [
            "button",
            "idle",
            "max_duration",
            "staff",
            "crash",
            "out_of_order",
        ]
        .iter()
        .map(|r| {
            (
                (*r).to_owned(),
                json!(self.reasons.get(r).copied().unwrap_or(0)),
            )
        })
        .collect();
        json!({
            "period": day, "first_day": day, "last_day": day, "days": 1,
            "sessions_started": self.sessions,
            "sessions_completed": self.sessions,
            "sessions_by_duration": {
                "under_5_min": self.sessions, "5_to_15_min": 0, "15_to_30_min": 0,
                "30_to_60_min": 0, "60_min_or_more": 0,
            },
            "sessions_by_end_reason": reasons,
            "sessions_by_category": keyed(&self.categories),
            "sessions_by_service": keyed(&self.services),
            "blocked_navigations": self.blocked_navigations,
            "sessions_blocked_by_domain": keyed(&self.domains),
            "downloads": self.downloads,
            "prints": self.prints,
            "printed_pages": self.printed_pages,
            "usb_copies": self.usb_copies,
            "helper_calls": self.helper_calls,
            "problem_reports": self.problem_reports,
            "sessions_reporting_problem": problems,
        })
    }
}

/// Runs session `i` on the shown view and ends it as planned; returns when the next welcome
/// is on screen (guichetd restarted after `Shutdown`).
fn run_session(d: &mut Daemon, b: &Builder, i: usize, p: &Plan) {
    let before = d.status().sessions_started;
    let shown = d.shown();
    // Input before each report keeps the session from idling out on a loaded machine.
    let v = |line: &str| {
        shown.cmd("activity");
        shown.cmd(line);
    };
    shown.cmd("activity");
    for id in &p.services {
        let (_, host, category) = SERVICES.iter().find(|(s, _, _)| s == id).unwrap();
        v(&format!("navigated {host} {category} {id}"));
        if *id == "myminfin" {
            v(&format!("navigated {host} {category} {id}")); // twice: one session
        }
    }
    if i == 9 {
        // A service the config does not have counts nothing, not even its category.
        v(&format!(
            "navigated eservices.minfin.fgov.be taxes {CANARY}"
        ));
        v(&format!("canary {CANARY}"));
        v(&format!("raw {{\"type\":\"typed\",\"text\":\"{CANARY}\"}}"));
    }
    for host in &p.blocked {
        v(&format!("blocked {host}"));
    }
    for (service, kind) in &p.problems {
        v(&format!("problem_reported {service} {kind}"));
    }
    if i == 12 {
        v(&format!("problem_reported {CANARY} other"));
    }
    for _ in 0..p.helper_calls {
        v("helper_called");
    }
    for _ in 0..p.downloads {
        v("download started 5000");
        v("download finished 5000");
    }
    if i == 4 {
        v("download refused 999999999");
    }
    if let Some(pages) = p.printed_pages {
        v(&format!("printed {pages}"));
    }
    if let Some(files) = p.usb_files {
        v(&format!("usb_copied {files}"));
    }
    handled(d, &shown);
    let ok = |args: &[&str]| {
        let out = d.ctl(args);
        assert!(out.status.success(), "{args:?}: {out:?}");
    };
    match p.end {
        End::Button => v("end_requested"),
        End::Idle => {}
        End::StaffReset => ok(&["reset"]),
        End::StaffResetNow => ok(&["reset", "--now"]),
        End::Pause => {
            ok(&["pause"]);
            d.wait_state(State::Paused);
            ok(&["resume"]);
        }
        End::ViewExits => v("exit"),
        End::ViewCrashes => v("crash"),
        End::Shutdown => {
            assert_eq!(d.terminate().code(), Some(0), "{}", d.logs());
            d.spawn(b);
            return;
        }
    }
    next_welcome(d, before);
}

#[test]
fn thirty_sessions_give_the_expected_figures_and_the_files_hold_nothing_of_a_person() {
    // Each runs guichetd and sessions in their units: one at a time on 2 cores.
    let _lock = support::e2e_lock();
    let clock = Clock::noon();
    let b = stats_builder(&clock, "");
    let mut d = b.clone().start();
    let mut model = Model::default();
    for i in 0..30 {
        let p = plan(i);
        run_session(&mut d, &b, i, &p);
        model.add(&p);
    }
    let s = d.status();
    assert_eq!(s.stats_warning, None, "{s:?}");
    assert_eq!(s.state, State::Welcome);

    let today = clock.day(clock.today);
    let report = today_json(&d, &clock);
    assert_eq!(report["min_count"], 3);
    assert_eq!(report["skipped"], json!([]));
    let got = only_period(&report);
    let want = model.period(&today);
    assert_eq!(got, want, "got:\n{got:#}\nwant:\n{want:#}");
    // Spot checks of the model against the plan, by hand.
    assert_eq!(got["sessions_completed"], 30);
    assert_eq!(got["sessions_by_service"]["myminfin"], 15);
    assert_eq!(got["sessions_by_service"]["onem-rva"], 3);
    assert_eq!(got["sessions_by_service"]["csam"], "< 3");
    assert_eq!(got["sessions_by_category"]["administration"], 9);
    assert_eq!(
        got["sessions_by_category"]["taxes"], 15,
        "not session 9's canary"
    );
    assert_eq!(got["sessions_blocked_by_domain"]["tracker.example"], 8);
    assert_eq!(got["sessions_blocked_by_domain"]["(ip)"], "< 3");
    assert_eq!(got["blocked_navigations"], 27);
    assert_eq!(
        got["sessions_by_end_reason"],
        json!({"button": 19, "idle": 3, "max_duration": 0, "staff": 4, "crash": 3,
               "out_of_order": 1})
    );
    assert_eq!(
        got["problem_reports"], 7,
        "the unknown service's report is not counted"
    );
    assert_eq!(
        got["sessions_reporting_problem"]["myminfin"]["login_fails"],
        3
    );
    assert_eq!(got["helper_calls"], 7);

    // The same figures offline from the folder, and the defaults (today, by day, table).
    let dir = d.stats_dir();
    let out = ctl(
        &clock,
        &["stats", "--dir", dir.to_str().unwrap(), "--format", "json"],
    );
    assert!(out.status.success(), "{out:?}");
    let offline: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(only_period(&offline), want);
    let table = ctl(&clock, &["stats", "--socket", d.socket.to_str().unwrap()]);
    let table = String::from_utf8(table.stdout).unwrap();
    assert!(
        table.contains("Sessions that used a service: csam"),
        "{table}"
    );
    assert!(
        table.contains("< 3: fewer than 3 sessions, not shown."),
        "{table}"
    );

    // The folder holds one sum per day, and nothing of a person.
    assert_eq!(day_files(&dir), [format!("{today}.json")]);
    let mode = |p: &std::path::Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o750);
    let file = dir.join(format!("{today}.json"));
    assert_eq!(mode(&file), 0o640);
    let text = fs::read_to_string(&file).unwrap();
    for bad in [
        "http",
        "/",
        "www.",
        "minfin.fgov",
        CANARY,
        "CANARY",
        "10.1.2.3",
        "T0",
        "T1",
    ] {
        assert!(!text.contains(bad), "{bad:?} in the day file:\n{text}");
    }
    let b = text.as_bytes();
    let time_of_day = b
        .windows(3)
        .any(|w| w[0].is_ascii_digit() && w[1] == b':' && w[2].is_ascii_digit());
    assert!(!time_of_day, "a time of day in the day file:\n{text}");
}

#[test]
fn stats_read_while_sessions_end_are_consistent_and_never_go_back() {
    // Each runs guichetd and sessions in their units: one at a time on 2 cores.
    let _lock = support::e2e_lock();
    let clock = Clock::noon();
    let d = stats_builder(&clock, "").start();
    let stop = std::sync::atomic::AtomicBool::new(false);
    let samples = std::thread::scope(|scope| {
        let reader = scope.spawn(|| {
            let mut samples = Vec::new();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                samples.push(only_period(&today_json(&d, &clock)));
            }
            samples
        });
        for _ in 0..12 {
            let before = d.status().sessions_started;
            let v = d.shown();
            v.cmd("activity");
            v.cmd("helper_called");
            v.cmd("navigated www.onem.be unemployment onem-rva");
            v.cmd("end_requested");
            next_welcome(&d, before);
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        reader.join().unwrap()
    });
    let n = |v: &Value| v.as_u64().unwrap_or(0);
    let sum = |v: &Value| v.as_object().map_or(0, |m| m.values().map(n).sum::<u64>());
    let mut last = 0;
    let mut seen = std::collections::BTreeSet::new();
    for s in samples.iter().filter(|s| !s.is_null()) {
        let completed = n(&s["sessions_completed"]);
        assert!(completed >= last, "went back from {last}: {s:#}");
        assert!(n(&s["sessions_started"]) >= completed, "{s:#}");
        assert_eq!(sum(&s["sessions_by_end_reason"]), completed, "{s:#}");
        assert_eq!(sum(&s["sessions_by_duration"]), completed, "{s:#}");
        assert_eq!(n(&s["helper_calls"]), completed, "{s:#}");
        last = completed;
        seen.insert(completed);
    }
    let final_ = only_period(&today_json(&d, &clock));
    assert_eq!(final_["sessions_completed"], 12);
    assert_eq!(final_["sessions_by_service"]["onem-rva"], 12);
    assert!(
        seen.len() >= 3,
        "the reads did not overlap the sessions: {seen:?}"
    );
}

/// A session that only starts and ends (by the button).
fn one_session(d: &Daemon) {
    let before = d.status().sessions_started;
    let v = d.shown();
    v.cmd("activity");
    v.cmd("navigated www.mypension.be pension mypension");
    v.cmd("end_requested");
    next_welcome(d, before);
}

/// A day file for `day` written by hand: `sessions` sessions that used myminfin, one of them
/// mypension too.
fn write_day(dir: &std::path::Path, day: &str, sessions: u64) {
    fs::create_dir_all(dir).unwrap();
    let text = json!({
        "format": 1,
        "day": day,
        "counts": {
            "sessions_started": sessions,
            "sessions_completed": sessions,
            "durations": {"5_to_15_min": sessions},
            "end_reasons": {"button": sessions},
            "services": {"myminfin": sessions, "mypension": 1},
        }
    });
    fs::write(dir.join(format!("{day}.json")), text.to_string()).unwrap();
}

#[test]
fn openmetrics_exports_parse_and_the_textfile_holds_closed_days_only() {
    // Each runs guichetd and sessions in their units: one at a time on 2 cores.
    let _lock = support::e2e_lock();
    let clock = Clock::noon();
    let (today, yesterday) = (clock.day(clock.today), clock.day(clock.yesterday()));
    let b = stats_builder(&clock, "openmetrics_file = \"guichet.prom\"");
    let mut d = b.clone().start();
    let prom = d.tmp.path().join("guichet.prom");
    eventually("the textfile written at start", || prom.exists());
    let first = fs::read_to_string(&prom).unwrap();
    openmetrics_parser::openmetrics::parse_openmetrics(&first)
        .unwrap_or_else(|e| panic!("{e:?}\n{first}"));
    assert!(!first.contains("period="), "no closed day yet:\n{first}");

    // Yesterday's figures (as another run left them) join the file at the next start.
    assert_eq!(d.terminate().code(), Some(0));
    write_day(&d.stats_dir(), &yesterday, 4);
    d.spawn(&b);
    eventually("yesterday in the textfile", || {
        fs::read_to_string(&prom).is_ok_and(|t| t.contains(&yesterday))
    });
    let text = fs::read_to_string(&prom).unwrap();
    let exposition = openmetrics_parser::openmetrics::parse_openmetrics(&text)
        .unwrap_or_else(|e| panic!("{e:?}\n{text}"));
    assert!(exposition
        .families
        .contains_key("guichet_sessions_by_service"));
    assert!(
        text.contains(&format!(
            "guichet_sessions_by_service_total{{period=\"{yesterday}\",service=\"myminfin\"}} 4\n"
        )),
        "{text}"
    );
    assert!(
        !text.contains("mypension"),
        "1 session is below min_count:\n{text}"
    );

    // Sessions today change neither the file nor its modification time (a scraper would
    // see when each session ended).
    let mtime = fs::metadata(&prom).unwrap().modified().unwrap();
    one_session(&d);
    one_session(&d);
    eventually("today's file written", || {
        day_files(&d.stats_dir()).contains(&format!("{today}.json"))
    });
    assert_eq!(fs::read_to_string(&prom).unwrap(), text);
    assert_eq!(fs::metadata(&prom).unwrap().modified().unwrap(), mtime);
    assert!(!text.contains(&today));

    // guichetctl's export covers whatever days it is asked for, today included.
    let socket = d.socket.to_str().unwrap();
    let out = ctl(
        &clock,
        &[
            "stats",
            "--format",
            "openmetrics",
            "--from",
            &yesterday,
            "--to",
            &today,
            "--socket",
            socket,
        ],
    );
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    let exposition = openmetrics_parser::openmetrics::parse_openmetrics(&text)
        .unwrap_or_else(|e| panic!("{e:?}\n{text}"));
    let completed: Vec<(String, String)> = exposition.families["guichet_sessions_completed"]
        .iter_samples()
        .map(|s| {
            let labels = s.get_labelset().unwrap();
            let period = labels.get_label_value("period").unwrap().to_owned();
            (period, format!("{:?}", s.value))
        })
        .collect();
    assert_eq!(completed.len(), 2, "{text}");
    assert!(
        completed[0].0 == yesterday && completed[1].0 == today,
        "{completed:?}"
    );
    assert!(text.ends_with("# EOF\n"));
}

#[test]
fn a_stats_folder_that_cannot_be_written_is_a_warning_and_the_terminal_serves_on() {
    // Each runs guichetd and sessions in their units: one at a time on 2 cores.
    let _lock = support::e2e_lock();
    let clock = Clock::noon();
    // Refused at start: the folder's place is taken by a file.
    let d = stats_builder(&clock, "dir = \"/dev/null/stats\"").start();
    let s = d.status();
    let w = s.stats_warning.clone().unwrap_or_else(|| panic!("{s:?}"));
    assert!(w.contains("/dev/null/stats"), "{w}");
    one_session(&d);
    let s = d.status();
    assert_eq!((s.state, s.out_of_order.as_deref()), (State::Welcome, None));
    let out = d.ctl(&["status"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("statistics: WARNING"), "{text}");
    let out = d.ctl(&["status", "--json"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\"stats_warning\": \""), "{text}");
    let out = d.ctl(&["stats"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("not available"));
    drop(d);

    // Lost while running: the counts wait in memory and reach the folder when it is back.
    let d = stats_builder(&clock, "").start();
    one_session(&d);
    let dir = d.stats_dir();
    let aside = d.tmp.path().join("stats.aside");
    fs::rename(&dir, &aside).unwrap();
    fs::write(&dir, "not a folder").unwrap();
    one_session(&d);
    let s = d.wait_status("a warning", |s| s.stats_warning.is_some());
    assert_eq!((s.state, s.out_of_order.as_deref()), (State::Welcome, None));
    assert!(
        s.stats_warning
            .as_deref()
            .unwrap()
            .contains("cannot create the statistics folder"),
        "{s:?}"
    );
    fs::remove_file(&dir).unwrap();
    fs::rename(&aside, &dir).unwrap();
    one_session(&d);
    let s = d.wait_status("the warning gone", |s| s.stats_warning.is_none());
    assert_eq!(s.state, State::Welcome);
    let today = clock.day(clock.today);
    let out = ctl(
        &clock,
        &[
            "stats",
            "--dir",
            dir.to_str().unwrap(),
            "--format",
            "json",
            "--from",
            &today,
        ],
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(only_period(&report)["sessions_completed"], 3, "{report:#}");
}

#[test]
fn with_stats_off_nothing_is_counted_or_written() {
    // Each runs guichetd and sessions in their units: one at a time on 2 cores.
    let _lock = support::e2e_lock();
    let d = Daemon::start();
    one_session(&d);
    assert!(!d.stats_dir().exists());
    assert_eq!(d.status().stats_warning, None);
    let out = d.ctl(&["stats"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("statistics are off"), "{err}");
}
