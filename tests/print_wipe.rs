//! The kiosk user's print jobs are purged at every wipe, against a real CUPS scheduler.
//!
//! Each test starts its own `cupsd` in the foreground, with every folder (config, spool, cache,
//! state, logs) in a temp dir and only a Unix socket to listen on (no TCP port, so a system
//! cupsd is not in the way), keeping completed jobs with their files (`PreserveJobFiles Yes`).
//! Its queue is raw, to `file:///dev/null`. guichetd (with the fake view) runs as the same user
//! as the test, so the jobs the test submits belong to the kiosk user.

mod support;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use guichet::daemon::machine::State;
use support::{eventually, Builder, Daemon, EVENTUALLY};

const QUEUE: &str = "accueil";

/// CUPS's default policy as Debian ships it (`/etc/cups/cupsd.conf`), trimmed to job rules.
const POLICY: &str = r#"<Policy default>
  JobPrivateAccess default
  JobPrivateValues default
  <Limit Create-Job Print-Job Print-URI Validate-Job>
    Order deny,allow
  </Limit>
  <Limit Send-Document Send-URI Hold-Job Release-Job Restart-Job Purge-Jobs Set-Job-Attributes Create-Job-Subscription Renew-Subscription Cancel-Subscription Get-Notifications Reprocess-Job Cancel-Current-Job Suspend-Current-Job Resume-Job Cancel-My-Jobs Close-Job CUPS-Move-Job CUPS-Get-Document>
    Require user @OWNER @SYSTEM
    Order deny,allow
  </Limit>
  <Limit CUPS-Add-Modify-Printer CUPS-Delete-Printer CUPS-Add-Modify-Class CUPS-Delete-Class CUPS-Set-Default CUPS-Get-Devices>
    AuthType Default
    Require user @SYSTEM
    Order deny,allow
  </Limit>
  <Limit Pause-Printer Resume-Printer Enable-Printer Disable-Printer Pause-Printer-After-Current-Job Hold-New-Jobs Release-Held-New-Jobs Deactivate-Printer Activate-Printer Restart-Printer Shutdown-Printer Startup-Printer Promote-Job Schedule-Job-After Cancel-Jobs CUPS-Accept-Jobs CUPS-Reject-Jobs>
    AuthType Default
    Require user @SYSTEM
    Order deny,allow
  </Limit>
  <Limit Cancel-Job CUPS-Authenticate-Job>
    Require user @OWNER @SYSTEM
    Order deny,allow
  </Limit>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
"#;

/// A private cupsd, stopped when dropped.
struct Cups {
    dir: tempfile::TempDir,
    child: Option<Child>,
}

impl Cups {
    /// Starts cupsd and creates the raw queue [`QUEUE`], enabled.
    fn start() -> Cups {
        let dir = tempfile::tempdir().unwrap();
        // cupsd runs jobs as `lp`, which must reach the spool below.
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
        let d = dir.path();
        for sub in [
            "root",
            "spool",
            "spool/tmp",
            "cache",
            "state",
            "log",
            "docs",
        ] {
            fs::create_dir(d.join(sub)).unwrap();
        }
        fs::write(
            d.join("cups-files.conf"),
            format!(
                "ServerRoot {d}/root\nRequestRoot {d}/spool\nTempDir {d}/spool/tmp\n\
                 CacheDir {d}/cache\nStateDir {d}/state\nServerBin /usr/lib/cups\n\
                 DataDir /usr/share/cups\nAccessLog {d}/log/access_log\n\
                 ErrorLog {d}/log/error_log\nPageLog {d}/log/page_log\nFileDevice Yes\n\
                 SystemGroup root\nUser lp\nGroup lp\n",
                d = d.display()
            ),
        )
        .unwrap();
        fs::write(
            d.join("cupsd.conf"),
            format!(
                "Listen {}/cups.sock\nLogLevel warn\nPreserveJobFiles Yes\n\
                 PreserveJobHistory Yes\nBrowsing No\nWebInterface No\n\
                 <Location />\n  Order allow,deny\n  Allow all\n</Location>\n{POLICY}",
                d.display()
            ),
        )
        .unwrap();
        let mut cups = Cups { dir, child: None };
        cups.run();
        cups.ok("lpadmin", &["-p", QUEUE, "-v", "file:///dev/null", "-E"]);
        cups
    }

    /// (Re)starts cupsd on this dir and waits until it answers.
    fn run(&mut self) {
        let d = self.dir.path();
        let child = Command::new("cupsd")
            .arg("-f")
            .arg("-c")
            .arg(d.join("cupsd.conf"))
            .arg("-s")
            .arg(d.join("cups-files.conf"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("cupsd (packaging/dev-deps.sh installs cups-daemon)");
        self.child = Some(child);
        let t0 = Instant::now();
        // `lpstat -r` exits 0 either way; only its words tell.
        while !String::from_utf8_lossy(&self.tool("lpstat", &["-r"]).stdout)
            .contains("scheduler is running")
        {
            assert!(t0.elapsed() < EVENTUALLY, "cupsd never answered");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(child.id() as i32),
                nix::sys::signal::Signal::SIGTERM,
            );
            let _ = child.wait();
        }
    }

    fn socket(&self) -> PathBuf {
        self.dir.path().join("cups.sock")
    }

    fn spool(&self) -> PathBuf {
        self.dir.path().join("spool")
    }

    /// `[printing]` for guichetd, on this server.
    fn printing_config(&self) -> String {
        format!(
            "\n[printing]\nprinter = \"{QUEUE}\"\nserver = \"{}\"\n",
            self.socket().display()
        )
    }

    /// A CUPS client tool against this server, untranslated.
    fn tool(&self, tool: &str, args: &[&str]) -> Output {
        Command::new(tool)
            .arg("-h")
            .arg(self.socket())
            .args(args)
            .env("LC_ALL", "C")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    #[track_caller]
    fn ok(&self, tool: &str, args: &[&str]) -> Output {
        let out = self.tool(tool, args);
        assert!(out.status.success(), "{tool} {args:?}: {out:?}");
        out
    }

    /// Prints a document containing `text`, saved as `name`; `extra` are more `lp` options.
    fn lp(&self, name: &str, text: &str, extra: &[&str]) {
        let doc = self.dir.path().join("docs").join(name);
        fs::write(&doc, text).unwrap();
        let mut args = vec!["-d", QUEUE];
        args.extend_from_slice(extra);
        args.push(doc.to_str().unwrap());
        self.ok("lp", &args);
    }

    /// Job lines (`queue-id user size date`) of `user`, completed ones included.
    fn jobs(&self, user: &str) -> Vec<String> {
        let out = self.ok("lpstat", &["-W", "all", "-u", user]);
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// Files in the spool whose name or content contains `needle`.
    fn spool_files_with(&self, needle: &str) -> Vec<PathBuf> {
        let mut found = Vec::new();
        scan(&self.spool(), needle.as_bytes(), &mut found);
        found
    }

    /// Submits, as the kiosk user, a completed job (kept with its files), then, on the disabled
    /// queue, a held and a pending one; every one carries `canary` in its content, file name and
    /// title. Returns how many.
    fn submit_kiosk_jobs(&self, canary: &str) -> usize {
        let doc = format!("{canary}-document.txt");
        let text = format!("attestation {canary}\n");
        self.lp(&doc, &text, &["-t", &format!("{canary}-done")]);
        eventually("the first job completed", || {
            let out = self.tool("lpstat", &["-W", "completed", "-u", &me()]);
            !String::from_utf8_lossy(&out.stdout).trim().is_empty()
        });
        self.ok("cupsdisable", &[QUEUE]);
        self.lp(
            &doc,
            &text,
            &["-H", "hold", "-t", &format!("{canary}-held")],
        );
        self.lp(&doc, &text, &["-t", &format!("{canary}-pending")]);
        assert_eq!(self.jobs(&me()).len(), 3);
        assert!(
            !self.spool_files_with(canary).is_empty(),
            "the spool should hold the documents before the wipe"
        );
        3
    }
}

impl Drop for Cups {
    fn drop(&mut self) {
        self.stop();
    }
}

fn scan(dir: &Path, needle: &[u8], found: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        let name_has = entry
            .file_name()
            .as_encoded_bytes()
            .windows(needle.len())
            .any(|w| w == needle);
        let ty = entry.file_type().unwrap();
        let content_has = || {
            ty.is_file()
                && fs::read(&path)
                    .unwrap_or_default()
                    .windows(needle.len())
                    .any(|w| w == needle)
        };
        if name_has || content_has() {
            found.push(path.clone());
        }
        if ty.is_dir() {
            scan(&path, needle, found);
        }
    }
}

/// The kiosk user: the user this test (and so guichetd) runs as.
fn me() -> String {
    nix::unistd::User::from_uid(nix::unistd::geteuid())
        .unwrap()
        .unwrap()
        .name
}

/// Another user, whose jobs the kiosk user's purge must leave alone: `daemon`, which every
/// Debian system has (base-passwd). It must exist: cupsd 2.4.2 (bookworm) segfaults when asked
/// for the jobs of a user that owns a job but is unknown to the machine.
fn other_user() -> String {
    let name = "daemon";
    assert!(
        nix::unistd::User::from_name(name).unwrap().is_some(),
        "no user `{name}` on this machine"
    );
    assert_ne!(name, me(), "the other user must not be the kiosk user");
    name.to_owned()
}

fn canary() -> String {
    format!("CANARY-PRINT-{}-{}", std::process::id(), rand_suffix())
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

fn daemon_with(cups: &Cups) -> Daemon {
    Builder {
        extra_config: cups.printing_config(),
        ..Default::default()
    }
    .start()
}

/// The `print jobs wiped` log lines.
fn wiped_lines(d: &Daemon) -> Vec<String> {
    d.logs()
        .lines()
        .filter(|l| l.contains("print jobs wiped"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn a_reset_purges_every_job_of_the_kiosk_user_and_no_other() {
    let cups = Cups::start();
    let d = daemon_with(&cups);
    let canary = canary();
    let n = cups.submit_kiosk_jobs(&canary);
    // Another user's job on the same queue (CUPS takes `-U` from a local client).
    let other = other_user();
    cups.lp("other.txt", "someone else's letter\n", &["-U", &other]);
    let others = cups.jobs(&other);
    assert_eq!(others.len(), 1, "{others:?}");

    let v = d.shown();
    v.cmd("activity");
    d.wait_state(State::Active);
    let s = d.reset_now_and_wait();

    assert_eq!(cups.jobs(&me()), Vec::<String>::new());
    assert_eq!(cups.spool_files_with(&canary), Vec::<PathBuf>::new());
    assert_eq!(cups.jobs(&other), others, "another user's job was touched");
    assert!(s.last_wipe.as_ref().is_some_and(|w| w.ok), "{s:?}");
    let wiped = wiped_lines(&d);
    assert!(
        wiped.iter().any(|l| l.contains(&format!("jobs={n}"))),
        "{}",
        d.logs()
    );
    eprintln!("{}", wiped.join("\n"));
    assert!(!d.logs().contains(&canary), "the canary reached the logs");
}

#[test]
fn jobs_left_before_guichetd_starts_are_wiped_before_the_first_welcome() {
    let cups = Cups::start();
    let canary = canary();
    let n = cups.submit_kiosk_jobs(&canary);
    let d = daemon_with(&cups);
    // Builder::start returns at the first welcome.
    assert_eq!(cups.jobs(&me()), Vec::<String>::new());
    assert_eq!(cups.spool_files_with(&canary), Vec::<PathBuf>::new());
    let logs = d.logs();
    let wiped = logs
        .find(&format!("jobs={n}"))
        .unwrap_or_else(|| panic!("{logs}"));
    let welcome = logs.find("-> welcome").unwrap_or_else(|| panic!("{logs}"));
    assert!(
        wiped < welcome,
        "print jobs wiped after the welcome:\n{logs}"
    );
    assert!(!logs.contains(&canary), "the canary reached the logs");
}

#[test]
fn cups_down_puts_the_terminal_out_of_order_until_a_retry_succeeds() {
    let mut cups = Cups::start();
    let d = daemon_with(&cups);
    d.wait_status("spare ready", |s| s.spare_ready);
    let canary = canary();
    cups.submit_kiosk_jobs(&canary);
    let v = d.shown();
    v.cmd("activity");
    d.wait_state(State::Active);

    cups.stop();
    assert!(d.ctl(&["reset", "--now"]).status.success());
    let s = d.wait_state(State::OutOfOrder);
    let error = s.last_wipe.as_ref().and_then(|w| w.error.clone());
    assert!(
        error.as_deref().is_some_and(|e| e.contains("print jobs")),
        "{s:?}"
    );
    // No new session: the screen says out of order, input and pause change nothing.
    let shown = d.shown();
    shown.wait_got("\"screen\":\"out_of_order\"");
    shown.cmd("activity");
    assert_eq!(d.ctl(&["pause"]).status.code(), Some(2));
    assert_eq!(d.status().state, State::OutOfOrder);
    let out = d.ctl(&["status"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("print jobs"));
    assert!(d.logs().contains("print job wipe FAILED"), "{}", d.logs());

    // The staff's retry, once CUPS is back, purges the jobs and reopens the terminal.
    cups.run();
    assert_eq!(
        cups.jobs(&me()).len(),
        3,
        "jobs should survive the cupsd restart"
    );
    assert!(d.ctl(&["reset"]).status.success());
    let s = d.wait_state(State::Welcome);
    assert!(s.last_wipe.as_ref().is_some_and(|w| w.ok), "{s:?}");
    assert_eq!(cups.jobs(&me()), Vec::<String>::new());
    assert_eq!(cups.spool_files_with(&canary), Vec::<PathBuf>::new());
    assert!(!d.logs().contains(&canary), "the canary reached the logs");
}

#[test]
fn a_job_printing_to_a_printer_that_does_not_answer_is_purged_too() {
    let cups = Cups::start();
    // A second queue whose printer refuses every connection (nothing listens on port 1): the
    // ipp backend keeps the job "processing", waiting for the printer, as when a terminal's
    // printer is off or out of paper.
    cups.ok(
        "lpadmin",
        &["-p", "eteinte", "-v", "ipp://127.0.0.1:1/ipp/print", "-E"],
    );
    let d = daemon_with(&cups);
    let canary = canary();
    let doc = cups.dir.path().join("docs").join(format!("{canary}.txt"));
    fs::write(&doc, format!("attestation {canary}\n")).unwrap();
    cups.ok(
        "lp",
        &["-d", "eteinte", "-t", &canary, doc.to_str().unwrap()],
    );
    eventually("the printer is printing the job", || {
        let out = cups.tool("lpstat", &["-p", "eteinte"]);
        String::from_utf8_lossy(&out.stdout).contains("now printing")
    });

    let v = d.shown();
    v.cmd("activity");
    d.wait_state(State::Active);
    let s = d.reset_now_and_wait();

    assert!(s.last_wipe.as_ref().is_some_and(|w| w.ok), "{s:?}");
    assert_eq!(s.state, State::Welcome, "{s:?}");
    assert_eq!(cups.jobs(&me()), Vec::<String>::new());
    assert_eq!(cups.spool_files_with(&canary), Vec::<PathBuf>::new());
    assert!(!d.logs().contains(&canary), "the canary reached the logs");
}
