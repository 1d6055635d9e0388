//! The trusted print flow: guichetd prints what the person asks for, the view only asks.
//!
//! The view (untrusted, contained, with no way to CUPS) sends `print` naming a document of its
//! session: a file of `downloads/` (the take-away's and the documents screen's Print button),
//! or a page it rendered to `prints/page-N.pdf` (`window.print()`, the PDF viewer's print). For
//! each request a worker thread:
//!
//! 1. reads the document as hostile input ([`document::read`]: one plain name, no link, a
//!    regular file of at most [`document::MAX_BYTES`]) and tells its type and pages
//!    ([`document::inspect`]); anything else is refused and the person told why;
//! 2. reserves its pages in the session's budget (`[printing] max_pages`): a document that
//!    would go past it is refused whole;
//! 3. submits the very bytes it checked to the `[printing]` queue with `lp` (IPP to CUPS, no
//!    dialog, a fixed title so the file name reaches no queue or log) as the kiosk user, whose
//!    jobs every wipe purges (`wipe::printjobs`);
//! 4. answers `queued`, then polls the job's state with `lpstat` until it is `printed` or
//!    `failed` (or [`POLL_LIMIT`] passes, or the session ends).
//!
//! Each answer comes back to the event loop as an [`Update`]; the loop forwards it to the
//! view if that view is still on screen and counts the printed pages in the statistics. Logs
//! carry states and page counts only; the tools' output is parsed, never logged.

mod document;

use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::views::ViewId;
use super::Input;
use crate::config::Printing;
use crate::protocol::view::{PrintDoc, PrintState};

/// Longest a CUPS tool may take.
const TOOL_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a job's state is followed before the person is told it failed.
const POLL_LIMIT: Duration = Duration::from_secs(600);

/// What happened to one print request, for the event loop.
#[derive(Debug)]
pub(crate) struct Update {
    pub view: ViewId,
    pub id: u32,
    pub state: PrintState,
    pub pages: Option<u32>,
}

/// Pages printed by the session on screen.
#[derive(Debug, Default)]
struct Budget {
    view: Option<ViewId>,
    used: u32,
}

/// The print requests of the sessions, and their page budget.
#[derive(Debug, Default)]
pub(crate) struct Printer {
    budget: Arc<Mutex<Budget>>,
    /// Requests being read, counted or submitted now (a view that floods guichetd with
    /// requests gets `failed` beyond [`MAX_IN_FLIGHT`], not a thread and 32 MiB each).
    in_flight: Arc<AtomicUsize>,
}

/// Requests worked on at once, for all sessions.
const MAX_IN_FLIGHT: usize = 2;

/// One request, as its worker thread carries it out.
struct Job {
    printing: Printing,
    user: String,
    events: Sender<Input>,
    budget: Arc<Mutex<Budget>>,
    view: ViewId,
    id: u32,
}

impl Printer {
    /// The view `view` (of the session dir `session`) asked to print `doc`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn request(
        &self,
        printing: Option<&Printing>,
        events: &Sender<Input>,
        view: ViewId,
        session: PathBuf,
        id: u32,
        doc: PrintDoc,
    ) {
        let update = |state| Update {
            view,
            id,
            state,
            pages: None,
        };
        let (Some(printing), Ok(user)) = (printing, super::wipe::kiosk_user()) else {
            let _ = events.send(Input::Print(update(PrintState::NoPrinter)));
            return;
        };
        if self.in_flight.fetch_add(1, Ordering::SeqCst) >= MAX_IN_FLIGHT {
            self.in_flight.fetch_sub(1, Ordering::SeqCst);
            tracing::debug!("print refused: too many at once");
            let _ = events.send(Input::Print(update(PrintState::Failed)));
            return;
        }
        let in_flight = Arc::clone(&self.in_flight);
        let job = Job {
            printing: printing.clone(),
            user,
            events: events.clone(),
            budget: Arc::clone(&self.budget),
            view,
            id,
        };
        let spawned = std::thread::Builder::new()
            .name("print".into())
            .spawn(move || {
                // Counted while the document is in memory; the poll that follows is cheap.
                job.run(&session, &doc, &in_flight)
            });
        if spawned.is_err() {
            self.in_flight.fetch_sub(1, Ordering::SeqCst);
            let _ = events.send(Input::Print(update(PrintState::Failed)));
        }
    }
}

impl Job {
    fn send(&self, state: PrintState, pages: Option<u32>) {
        let _ = self.events.send(Input::Print(Update {
            view: self.view,
            id: self.id,
            state,
            pages,
        }));
    }

    fn run(self, session: &std::path::Path, doc: &PrintDoc, in_flight: &AtomicUsize) {
        let outcome = self.check_and_submit(session, doc);
        in_flight.fetch_sub(1, Ordering::SeqCst);
        let (job, pages) = match outcome {
            Ok(submitted) => submitted,
            Err((state, pages)) => return self.send(state, pages),
        };
        self.send(PrintState::Queued, Some(pages));
        let t0 = Instant::now();
        let mut pause = Duration::from_millis(200);
        while t0.elapsed() < POLL_LIMIT && self.session_goes_on() {
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_secs(2));
            match self.poll(&job) {
                Ok(Some(state)) => return self.send(state, Some(pages)),
                Ok(None) => {}
                Err(e) => tracing::debug!("print job state unknown: {e}"),
            }
        }
        if self.session_goes_on() {
            self.send(PrintState::Failed, Some(pages));
        }
    }

    /// Reads, counts, reserves and submits: the job and its pages, or the answer to give.
    fn check_and_submit(
        &self,
        session: &std::path::Path,
        doc: &PrintDoc,
    ) -> Result<(String, u32), (PrintState, Option<u32>)> {
        let doc = document::read(session, doc)
            .and_then(document::inspect)
            .map_err(|refusal| {
                tracing::debug!(why = %refusal, "print refused");
                (refusal.state(), None)
            })?;
        let pages = doc.pages;
        tracing::debug!(kind = ?doc.kind, pages, "print document checked");
        if !self.reserve(pages) {
            return Err((PrintState::OverLimit, Some(pages)));
        }
        submit(&self.printing, &doc.bytes)
            .map(|job| (job, pages))
            .map_err(|e| {
                tracing::warn!("print job not submitted: {e}");
                self.release(pages);
                (PrintState::Failed, Some(pages))
            })
    }

    /// The state of `job`: `None` while it waits or prints.
    fn poll(&self, job: &str) -> Result<Option<PrintState>, ToolError> {
        let server = self.printing.server.as_deref();
        let waiting = run_tool(
            "lpstat",
            &lpstat_args(server, &self.user, "not-completed"),
            None,
        )?;
        if listed(&String::from_utf8_lossy(&waiting), job).is_some() {
            return Ok(None);
        }
        let done = run_tool(
            "lpstat",
            &lpstat_args(server, &self.user, "completed"),
            None,
        )?;
        Ok(Some(done_state(&done, job)))
    }

    /// Takes `pages` from the session's budget, if it has that many left.
    fn reserve(&self, pages: u32) -> bool {
        let mut b = self.budget.lock().unwrap_or_else(|p| p.into_inner());
        if b.view != Some(self.view) {
            *b = Budget {
                view: Some(self.view),
                used: 0,
            };
        }
        match b.used.checked_add(pages) {
            Some(total) if total <= self.printing.max_pages => {
                b.used = total;
                true
            }
            _ => false,
        }
    }

    fn release(&self, pages: u32) {
        let mut b = self.budget.lock().unwrap_or_else(|p| p.into_inner());
        if b.view == Some(self.view) {
            b.used = b.used.saturating_sub(pages);
        }
    }

    /// Whether the session that asked is still the one printing (the last to reserve pages).
    fn session_goes_on(&self) -> bool {
        let b = self.budget.lock().unwrap_or_else(|p| p.into_inner());
        b.view == Some(self.view)
    }
}

impl Printer {
    /// A new session is on screen: the budget starts again at 0 (and the old session's
    /// polls stop).
    pub(crate) fn new_session(&self, view: ViewId) {
        let mut b = self.budget.lock().unwrap_or_else(|p| p.into_inner());
        *b = Budget {
            view: Some(view),
            used: 0,
        };
    }
}

impl super::Supervisor {
    /// The view on screen asked to print a document of its session.
    pub(super) fn on_print_request(&mut self, id: u32, doc: PrintDoc) {
        let Some(view) = self.shown.as_ref() else {
            return;
        };
        tracing::debug!("print of a document asked");
        self.printer.request(
            self.config.printing.as_ref(),
            &self.events,
            view.id,
            view.dir.root().to_owned(),
            id,
            doc,
        );
    }

    /// A print request went a step further: the view hears of it if it is still on screen;
    /// printed pages are counted.
    pub(super) fn on_print_update(&mut self, u: Update) {
        tracing::debug!(state = ?u.state, pages = u.pages, "print");
        if !self.shown.as_ref().is_some_and(|v| v.id == u.view) {
            return;
        }
        if let (PrintState::Printed, Some(pages)) = (u.state, u.pages) {
            self.counting.recorder().printed(pages);
        }
        self.send_shown_only(&crate::protocol::view::ToView::PrintStatus {
            id: u.id,
            state: u.state,
            pages: u.pages,
        });
    }
}

/// Why a job could not be submitted or followed. No name, no output of the tools.
#[derive(Debug, thiserror::Error)]
enum ToolError {
    #[error("cannot run {0}: {1:?}")]
    Spawn(&'static str, std::io::ErrorKind),
    #[error("{0} did not answer in time")]
    Timeout(&'static str),
    #[error("{0} failed")]
    Failed(&'static str),
    #[error("lp gave no job id")]
    NoJobId,
}

fn server_arg(server: Option<&str>) -> Option<OsString> {
    server.map(|s| format!("-h{s}").into())
}

/// `lp [-hSERVER] -d QUEUE -t guichet -`: the document on stdin, under a fixed title.
fn lp_args(printing: &Printing) -> Vec<OsString> {
    let mut args: Vec<OsString> = server_arg(printing.server.as_deref()).into_iter().collect();
    args.extend([
        "-d".into(),
        printing.printer.clone().into(),
        "-t".into(),
        "guichet".into(),
        "-".into(),
    ]);
    args
}

/// `lpstat [-hSERVER] -l -W WHICH -uUSER`: the user's jobs (`not-completed`: waiting, held
/// or printing; `completed`: printed, cancelled or aborted) with their state reasons.
fn lpstat_args(server: Option<&str>, user: &str, which: &str) -> Vec<OsString> {
    let mut args: Vec<OsString> = server_arg(server).into_iter().collect();
    args.extend([
        "-l".into(),
        "-W".into(),
        which.into(),
        format!("-u{user}").into(),
    ]);
    args
}

/// Submits `bytes`; the job's id (`queue-N`).
fn submit(printing: &Printing, bytes: &[u8]) -> Result<String, ToolError> {
    let out = run_tool("lp", &lp_args(printing), Some(bytes))?;
    job_id(&out).ok_or(ToolError::NoJobId)
}

/// `request id is accueil-12 (1 file(s))` → `accueil-12`.
fn job_id(lp_output: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(lp_output);
    let rest = text.split("request id is ").nth(1)?;
    let id = rest.split_whitespace().next()?;
    (!id.is_empty()).then(|| id.to_owned())
}

/// The lines under `job`'s line in a `lpstat -l` listing, if it is listed.
fn listed<'a>(listing: &'a str, job: &str) -> Option<Vec<&'a str>> {
    let mut lines = listing.lines();
    if !lines.any(|l| l.split_whitespace().next() == Some(job)) {
        return None;
    }
    Some(
        lines
            .take_while(|l| l.starts_with(char::is_whitespace))
            .collect(),
    )
}

/// The end of `job`, from a `lpstat -l -W completed` listing: printed, unless its state
/// reasons say it was cancelled or aborted, or it is not listed at all (purged, lost).
///
/// `lpstat` does not show the job's state itself, and CUPS 2.4 leaves the last reasons of a
/// job it printed (`processing-to-stop-point`, seen with a private cupsd): a job cancelled
/// without a reason of its own reads as printed (the README says so).
fn done_state(listing: &[u8], job: &str) -> PrintState {
    let text = String::from_utf8_lossy(listing);
    let Some(block) = listed(&text, job) else {
        return PrintState::Failed;
    };
    let alerts = block
        .iter()
        .find_map(|l| l.trim_start().strip_prefix("Alerts:"))
        .unwrap_or("");
    if [
        "canceled",
        "aborted",
        "completed-with-errors",
        "job-stopped",
    ]
    .iter()
    .any(|r| alerts.contains(r))
    {
        PrintState::Failed
    } else {
        PrintState::Printed
    }
}

/// Runs a CUPS tool with `input` on its stdin; its stdout if it exits 0 in time.
fn run_tool(
    tool: &'static str,
    args: &[OsString],
    input: Option<&[u8]>,
) -> Result<Vec<u8>, ToolError> {
    let mut child = Command::new(tool)
        .args(args)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("LC_ALL", "C")
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| ToolError::Spawn(tool, e.kind()))?;
    let writer = child.stdin.take().map(|mut stdin| {
        let input = input.unwrap_or_default().to_vec();
        std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        })
    });
    let mut stdout = child.stdout.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = stdout.read_to_end(&mut out);
        out
    });
    let pid = child.id() as i32;
    let deadline = Instant::now() + TOOL_TIMEOUT;
    let ok = loop {
        let done = match child.try_wait() {
            Ok(Some(status)) => Some(status.success()),
            Ok(None) => None,
            // guichetd reaps every child it has (it is a subreaper): the event loop may have
            // reaped this one first, and noted how it ended.
            Err(_) => reaped_elsewhere(pid),
        };
        match done {
            Some(ok) => break Some(ok),
            None if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
            None => break None,
        }
    };
    let Some(ok) = ok else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(ToolError::Timeout(tool));
    };
    if let Some(w) = writer {
        let _ = w.join();
    }
    let out = reader.join().unwrap_or_default();
    if !ok {
        return Err(ToolError::Failed(tool));
    }
    Ok(out)
}

/// Children the event loop reaped that were none of its views (a print worker's CUPS tool, or
/// an orphan of a unit), with whether they exited 0: the last [`REAPED_KEPT`].
static REAPED: Mutex<Vec<(i32, bool)>> = Mutex::new(Vec::new());
const REAPED_KEPT: usize = 64;

/// The event loop reaped `pid`, which is not a view of its own.
pub(super) fn note_reaped(pid: i32, exit: &crate::sys::Exit) {
    let mut r = REAPED.lock().unwrap_or_else(|p| p.into_inner());
    if r.len() >= REAPED_KEPT {
        r.remove(0);
    }
    r.push((pid, matches!(exit, crate::sys::Exit::Code(0))));
}

/// Whether `pid`, reaped by the event loop, exited 0 (and forgets it); `None`: not seen yet.
fn reaped_elsewhere(pid: i32) -> Option<bool> {
    let mut r = REAPED.lock().unwrap_or_else(|p| p.into_inner());
    let i = r.iter().rposition(|(p, _)| *p == pid)?;
    Some(r.remove(i).1)
}

#[cfg(test)]
mod tests;
