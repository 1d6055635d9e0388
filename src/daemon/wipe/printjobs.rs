//! Wiping the kiosk user's print jobs: every job of that user on the CUPS server is cancelled
//! and purged (with its files and its history entry), then a listing proves none is left.
//!
//! The kiosk user is the user guichetd runs as ([`kiosk_user`]); under systemd it also runs the
//! view, so every job of the person belongs to it. The work is done by CUPS's own client tools:
//!
//! 1. `lpstat -W all -uUSER` counts the jobs (pending, held, processing, and completed or
//!    cancelled ones kept in the history), for the log.
//! 2. `cancel -uUSER -a -x` sends a Purge-Jobs request with `my-jobs`: the scheduler's
//!    `cancel_all_jobs` calls `cupsdCancelJobs(NULL, user, purge)`, which cancels and purges
//!    every job of that user on every queue, finished or not. The option order matters: in
//!    `cancel.c` a `-u` after `-a -x` turns the request into Cancel-My-Jobs, which ignores
//!    `purge-jobs` and leaves completed jobs and their files in the spool.
//! 3. `lpstat -W all -uUSER` again. A job that was printing is only cancelled by the first
//!    purge (its backend stopped) and stays listed: the purge is sent again, up to
//!    [`PURGE_ATTEMPTS`] times; any job still listed then is a failure.
//!
//! Purge-Jobs needs CUPS's permission: the default policy grants it to `@SYSTEM` only, so a
//! site adds the kiosk user to the `Require user` line of the `<Limit>` that lists Purge-Jobs
//! (see the README). Without it `cancel` is refused and the wipe fails: fail closed.
//!
//! The tools run with a cleared environment (`PATH`, and `LC_ALL=C` so nothing is translated),
//! no stdin and a time limit. Their output is read only to count lines and never logged or put
//! into an error: a job's name is the file name of the person's document.

use std::ffi::OsString;
use std::io::Read;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::config::Printing;

/// Longest a CUPS tool may take before the wipe counts as failed.
pub(crate) const TOOL_TIMEOUT: Duration = Duration::from_secs(5);

/// What a successful print-job wipe did, for the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PrintWipeReport {
    /// Jobs of the kiosk user listed before the purge.
    pub jobs: usize,
    pub took: Duration,
}

/// Why the print jobs could not be wiped. Counts and exit codes only, never the tools' output.
#[derive(Debug, thiserror::Error)]
pub enum PrintWipeError {
    #[error("print jobs: cannot tell which user guichetd runs as")]
    NoUser,
    #[error("print jobs: cannot run {tool}: {kind}")]
    Spawn {
        tool: &'static str,
        kind: std::io::ErrorKind,
    },
    #[error("print jobs: {tool} exited with {}", exit_text(.status))]
    Failed {
        tool: &'static str,
        status: ExitStatus,
    },
    #[error("print jobs: CUPS did not answer within {} s", .0.as_secs())]
    Timeout(Duration),
    #[error("print jobs: {0} job(s) still listed after the purge")]
    Remaining(usize),
}

/// `status 1`, or `signal 9`.
fn exit_text(status: &ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("status {code}"),
        (None, Some(sig)) => format!("signal {sig}"),
        (None, None) => "an unknown status".to_owned(),
    }
}

/// The name of the user guichetd runs as (its effective uid).
pub(crate) fn kiosk_user() -> Result<String, PrintWipeError> {
    match nix::unistd::User::from_uid(nix::unistd::geteuid()) {
        Ok(Some(u)) => Ok(u.name),
        _ => Err(PrintWipeError::NoUser),
    }
}

/// Cancels and purges every job of `user` on the server of `printing`, then verifies that none
/// is listed any more.
pub(crate) fn wipe_print_jobs(
    printing: &Printing,
    user: &str,
) -> Result<PrintWipeReport, PrintWipeError> {
    let t0 = Instant::now();
    let server = printing.server.as_deref();
    let jobs = count_jobs(&run("lpstat", &lpstat_args(server, user), TOOL_TIMEOUT)?);
    let mut left = jobs;
    for attempt in 0..PURGE_ATTEMPTS {
        if attempt > 0 {
            std::thread::sleep(PURGE_PAUSE * attempt);
        }
        run("cancel", &cancel_args(server, user), TOOL_TIMEOUT)?;
        left = count_jobs(&run("lpstat", &lpstat_args(server, user), TOOL_TIMEOUT)?);
        if left == 0 {
            return Ok(PrintWipeReport {
                jobs,
                took: t0.elapsed(),
            });
        }
    }
    Err(PrintWipeError::Remaining(left))
}

/// How many Purge-Jobs requests the wipe sends before it gives up. A job that is printing (its
/// backend busy, or waiting for a printer that is off) is only cancelled by the first one: the
/// scheduler stops its backend, and the job stays in the history as cancelled until the next
/// purge. Seen with CUPS 2.4 and a printer that does not answer (`tests/print_wipe.rs`).
const PURGE_ATTEMPTS: u32 = 4;
/// The pause before the second attempt, doubled and tripled before the next ones (0.6 s in all).
const PURGE_PAUSE: Duration = Duration::from_millis(100);

/// `-hSERVER` first: both tools act on their options in order. The user is glued to `-u` so a
/// name can never be read as an option.
fn server_arg(server: Option<&str>) -> Option<OsString> {
    server.map(|s| format!("-h{s}").into())
}

/// `lpstat [-hSERVER] -W all -uUSER`: every job of the user, completed ones included.
fn lpstat_args(server: Option<&str>, user: &str) -> Vec<OsString> {
    let mut args: Vec<OsString> = server_arg(server).into_iter().collect();
    args.extend(["-W".into(), "all".into(), format!("-u{user}").into()]);
    args
}

/// `cancel [-hSERVER] -uUSER -a -x`: Purge-Jobs for the user's jobs (see the module doc for
/// why `-u` comes first).
fn cancel_args(server: Option<&str>, user: &str) -> Vec<OsString> {
    let mut args: Vec<OsString> = server_arg(server).into_iter().collect();
    args.extend([format!("-u{user}").into(), "-a".into(), "-x".into()]);
    args
}

/// Jobs in `lpstat` output: one line per job (`queue-id user size date`).
fn count_jobs(stdout: &[u8]) -> usize {
    stdout
        .split(|&b| b == b'\n')
        .filter(|line| line.first().is_some_and(|b| !b.is_ascii_whitespace()))
        .count()
}

/// Runs a CUPS tool; its stdout if it exits 0 within `timeout` (the child is killed after).
fn run(
    tool: &'static str,
    args: &[OsString],
    timeout: Duration,
) -> Result<Vec<u8>, PrintWipeError> {
    let mut child = Command::new(tool)
        .args(args)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| PrintWipeError::Spawn {
            tool,
            kind: e.kind(),
        })?;
    // A reader thread, so a long listing cannot fill the pipe and stall the child.
    let mut stdout = child.stdout.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = stdout.read_to_end(&mut out);
        out
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            _ => break None,
        }
    };
    let Some(status) = status else {
        let _ = child.kill();
        let _ = child.wait();
        let _ = reader.join();
        return Err(PrintWipeError::Timeout(timeout));
    };
    let out = reader.join().unwrap_or_default();
    if !status.success() {
        return Err(PrintWipeError::Failed { tool, status });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: Vec<OsString>) -> Vec<String> {
        args.into_iter().map(|a| a.into_string().unwrap()).collect()
    }

    #[test]
    fn arguments_name_the_server_first_and_glue_the_user() {
        assert_eq!(
            strings(lpstat_args(None, "guichet")),
            ["-W", "all", "-uguichet"]
        );
        assert_eq!(
            strings(cancel_args(Some("/run/cups/cups.sock"), "guichet")),
            ["-h/run/cups/cups.sock", "-uguichet", "-a", "-x"]
        );
        assert_eq!(
            strings(lpstat_args(Some("print.local:631"), "-x")),
            ["-hprint.local:631", "-W", "all", "-u-x"]
        );
    }

    #[test]
    fn jobs_are_counted_by_line() {
        assert_eq!(count_jobs(b""), 0);
        assert_eq!(count_jobs(b"\n"), 0);
        let listing =
            b"kiosk-1                 guichet           1024   Mon Nov 23 09:41:11 2026\n\
                        kiosk-12                guichet           2048   Mon Nov 23 09:41:16 2026\n\
                        \tStatus: held\n";
        assert_eq!(count_jobs(listing), 2);
    }

    #[test]
    fn errors_say_what_failed_with_numbers_only() {
        assert_eq!(
            PrintWipeError::Remaining(2).to_string(),
            "print jobs: 2 job(s) still listed after the purge"
        );
        assert_eq!(
            PrintWipeError::Timeout(TOOL_TIMEOUT).to_string(),
            "print jobs: CUPS did not answer within 5 s"
        );
    }

    #[test]
    fn a_tool_that_hangs_is_killed_at_the_timeout() {
        let t0 = Instant::now();
        let e = run("sleep", &["30".into()], Duration::from_millis(200)).unwrap_err();
        assert!(matches!(e, PrintWipeError::Timeout(_)), "{e}");
        assert!(t0.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn a_missing_tool_is_an_error() {
        let e = run("guichet-no-such-cups-tool", &[], TOOL_TIMEOUT).unwrap_err();
        assert!(matches!(e, PrintWipeError::Spawn { .. }), "{e}");
    }

    #[test]
    fn a_failing_tool_is_an_error_with_its_status() {
        let e = run("false", &[], TOOL_TIMEOUT).unwrap_err();
        assert_eq!(e.to_string(), "print jobs: false exited with status 1");
    }
}
