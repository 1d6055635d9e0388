//! A private CUPS scheduler for the print tests (`tests/print_wipe.rs`, `tests/printing.rs`).
//!
//! [`Cups::start`] runs `cupsd` in the foreground, with every folder (config, spool, cache,
//! state, logs) in a temp dir and only a Unix socket to listen on (no TCP port, so a system
//! cupsd is not in the way), keeping completed jobs with their files (`PreserveJobFiles Yes`),
//! and creates the raw queue [`QUEUE`], to `file:///dev/null`, enabled.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use super::{eventually, EVENTUALLY};

pub const QUEUE: &str = "accueil";

/// CUPS's default policy as Debian ships it (`/etc/cups/cupsd.conf`), trimmed to job rules.
pub const POLICY: &str = r#"<Policy default>
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
pub struct Cups {
    pub dir: tempfile::TempDir,
    child: Option<Child>,
}

impl Cups {
    /// Starts cupsd and creates the raw queue [`QUEUE`], enabled.
    pub fn start() -> Cups {
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
    pub fn run(&mut self) {
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

    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(child.id() as i32),
                nix::sys::signal::Signal::SIGTERM,
            );
            let _ = child.wait();
        }
    }

    pub fn socket(&self) -> PathBuf {
        self.dir.path().join("cups.sock")
    }

    pub fn spool(&self) -> PathBuf {
        self.dir.path().join("spool")
    }

    /// `[printing]` for guichetd, on this server.
    pub fn printing_config(&self) -> String {
        format!(
            "\n[printing]\nprinter = \"{QUEUE}\"\nserver = \"{}\"\n",
            self.socket().display()
        )
    }

    /// A CUPS client tool against this server, untranslated.
    pub fn tool(&self, tool: &str, args: &[&str]) -> Output {
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
    pub fn ok(&self, tool: &str, args: &[&str]) -> Output {
        let out = self.tool(tool, args);
        assert!(out.status.success(), "{tool} {args:?}: {out:?}");
        out
    }

    /// Prints a document containing `text`, saved as `name`; `extra` are more `lp` options.
    pub fn lp(&self, name: &str, text: &str, extra: &[&str]) {
        let doc = self.dir.path().join("docs").join(name);
        fs::write(&doc, text).unwrap();
        let mut args = vec!["-d", QUEUE];
        args.extend_from_slice(extra);
        args.push(doc.to_str().unwrap());
        self.ok("lp", &args);
    }

    /// Job lines (`queue-id user size date`) of `user`, completed ones included.
    pub fn jobs(&self, user: &str) -> Vec<String> {
        let out = self.ok("lpstat", &["-W", "all", "-u", user]);
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// Files in the spool whose name or content contains `needle`.
    pub fn spool_files_with(&self, needle: &str) -> Vec<PathBuf> {
        let mut found = Vec::new();
        scan(&self.spool(), needle.as_bytes(), &mut found);
        found
    }

    /// Submits, as the kiosk user, a completed job (kept with its files), then, on the disabled
    /// queue, a held and a pending one; every one carries `canary` in its content, file name and
    /// title. Returns how many.
    pub fn submit_kiosk_jobs(&self, canary: &str) -> usize {
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

pub fn scan(dir: &Path, needle: &[u8], found: &mut Vec<PathBuf>) {
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
pub fn me() -> String {
    nix::unistd::User::from_uid(nix::unistd::geteuid())
        .unwrap()
        .unwrap()
        .name
}
