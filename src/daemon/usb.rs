//! The take-away's copy onto a USB stick: guichetd's side (`[usb] enabled`).
//!
//! The view is untrusted and sees no removable media, so guichetd does it all: it watches the
//! mount roots (`[usb] mount_roots`, `/media` and `/run/media` by default) with `notify` for
//! the folders an automounter makes and removes there, and `/proc/self/mountinfo` (which a
//! mount or an unmount wakes with `POLLPRI`, while it raises no inotify event) for the mounts
//! themselves; a filesystem mounted one or two levels below a root (`/media/LABEL`,
//! `/media/USER/LABEL`) is a stick. A stick already there when a view comes on screen is most
//! likely the previous person's: it is never offered or written to (the person is asked to
//! plug theirs in again). The shown view is told where the stick is ([`ToView::Usb`]: absent,
//! replug, present, copying, copied, failed) whenever that changes and when it comes on
//! screen. On the person's request ([`FromView::UsbCopy`], accepted from the shown
//! view during the end flow only) a thread copies the documents from that session's
//! `downloads/` onto the stick (`copy`: hostile names refused, nothing overwritten, nothing
//! else on the stick touched, everything synced) and the view is told `copied`: safe to
//! remove. Logs say that a stick came or went and how many files were copied (at debug), never
//! its label, its mount point or a file name.

mod copy;

use std::fs::File;
use std::io::{Read, Seek};
use std::os::fd::AsFd;
use std::path::PathBuf;
use std::sync::mpsc::Sender;
use std::sync::Arc;

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use notify::{RecursiveMode, Watcher};

use crate::daemon::machine::State;
use crate::loggable::Private;
use crate::protocol::view::{ToView, UsbState};

use super::views::ViewId;
use super::{Input, Supervisor};

/// What the USB watcher and the copy threads tell the event loop.
#[derive(Debug)]
pub(crate) enum UsbEvent {
    /// The sticks mounted now (their mount points, sorted).
    Sticks(Vec<PathBuf>),
    /// A copy for view `ViewId` ended: how many files, or `None` if it failed (logged).
    Copied(ViewId, Option<u32>),
}

/// The event loop's USB state (see the module documentation).
#[derive(Default)]
pub(crate) struct Usb {
    sticks: Vec<PathBuf>,
    /// The sticks already there when the shown view came on screen: most likely a previous
    /// person's, so never offered (the person is asked to plug theirs in again).
    earlier: Vec<PathBuf>,
    /// The view a copy runs for.
    copying: Option<ViewId>,
    /// The last copy's result for the shown view, until the stick goes or another view shows.
    result: Option<UsbState>,
    /// What the shown view was last told.
    told: Option<UsbState>,
    /// The watchers: dropped (a config that changes `[usb]`), they stop.
    _watcher: Option<(notify::RecommendedWatcher, Arc<()>)>,
}

impl Usb {
    /// Starts watching `roots` (with `[usb] enabled`; otherwise nothing is watched).
    pub(crate) fn start(enabled: bool, roots: &[PathBuf], events: &Sender<Input>) -> Usb {
        if !enabled {
            return Usb::default();
        }
        let watcher = match watch(roots, events) {
            Ok(w) => Some(w),
            Err(e) => {
                tracing::warn!("cannot watch the USB mount roots: {e}");
                None
            }
        };
        Usb {
            _watcher: watcher,
            ..Usb::default()
        }
    }

    /// The stick a copy goes to: the first one plugged in since the shown view came.
    fn target(&self) -> Option<&PathBuf> {
        self.sticks.iter().find(|s| !self.earlier.contains(s))
    }

    fn state(&self) -> UsbState {
        if self.copying.is_some() {
            UsbState::Copying
        } else if self.target().is_some() {
            self.result.unwrap_or(UsbState::Present)
        } else if self.sticks.is_empty() {
            UsbState::Absent
        } else {
            UsbState::Replug
        }
    }
}

/// The mount points in `mountinfo` one or two levels below one of `roots`, sorted.
pub(crate) fn sticks_in(mountinfo: &str, roots: &[PathBuf]) -> Vec<PathBuf> {
    let mut sticks: Vec<PathBuf> = mountinfo
        .lines()
        .filter_map(|line| line.split(' ').nth(4))
        .map(|p| PathBuf::from(unescape(p)))
        .filter(|p| {
            roots.iter().any(|root| {
                p.strip_prefix(root)
                    .is_ok_and(|rest| (1..=2).contains(&rest.components().count()))
            })
        })
        .collect();
    sticks.sort();
    sticks.dedup();
    sticks
}

/// A mount point as `mountinfo` writes it: space, tab, newline and backslash as `\ooo`.
fn unescape(field: &str) -> String {
    let mut out = String::new();
    let mut rest = field;
    while let Some(i) = rest.find('\\') {
        out.push_str(&rest[..i]);
        let code = rest
            .get(i + 1..i + 4)
            .and_then(|o| u8::from_str_radix(o, 8).ok());
        match code {
            Some(c) => {
                out.push(char::from(c));
                rest = &rest[i + 4..];
            }
            None => {
                out.push('\\');
                rest = &rest[i + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn scan(file: &mut File, roots: &[PathBuf]) -> Vec<PathBuf> {
    let mut text = String::new();
    if file
        .rewind()
        .and_then(|_| file.read_to_string(&mut text))
        .is_err()
    {
        return Vec::new();
    }
    sticks_in(&text, roots)
}

fn scan_now(roots: &[PathBuf]) -> Vec<PathBuf> {
    File::open("/proc/self/mountinfo")
        .map(|mut f| scan(&mut f, roots))
        .unwrap_or_default()
}

/// The two watchers: `notify` on the roots (folders made and removed by the automounter) and
/// a thread woken by every mount change (`POLLPRI` on `mountinfo`, or every 5 s), which ends
/// once the returned token is dropped.
fn watch(
    roots: &[PathBuf],
    events: &Sender<Input>,
) -> std::io::Result<(notify::RecommendedWatcher, Arc<()>)> {
    let (r, tx) = (roots.to_vec(), events.clone());
    let mut watcher = notify::recommended_watcher(move |_event| {
        let _ = tx.send(Input::Usb(UsbEvent::Sticks(scan_now(&r))));
    })
    .map_err(std::io::Error::other)?;
    for root in roots.iter().filter(|r| r.is_dir()) {
        // Not recursive: a watch inside a stick would list its folders.
        watcher
            .watch(root, RecursiveMode::NonRecursive)
            .map_err(std::io::Error::other)?;
    }
    let mut file = File::open("/proc/self/mountinfo")?;
    let (roots, tx) = (roots.to_vec(), events.clone());
    let alive = Arc::new(());
    let token = Arc::downgrade(&alive);
    std::thread::Builder::new()
        .name("usb-mounts".into())
        .spawn(move || {
            let mut last = None;
            while token.upgrade().is_some() {
                let now = scan(&mut file, &roots);
                if last.as_ref() != Some(&now) {
                    last = Some(now.clone());
                    if tx.send(Input::Usb(UsbEvent::Sticks(now))).is_err() {
                        return;
                    }
                }
                let mut fds = [PollFd::new(file.as_fd(), PollFlags::POLLPRI)];
                let _ = poll(&mut fds, PollTimeout::from(5000u16));
            }
        })?;
    Ok((watcher, alive))
}

impl Supervisor {
    pub(super) fn on_usb(&mut self, event: UsbEvent) {
        match event {
            UsbEvent::Sticks(sticks) => {
                if sticks == self.usb.sticks {
                    return;
                }
                // At debug only: at the default level a stick plugged in would mark one
                // person's visit in the journal.
                if sticks.len() > self.usb.sticks.len() {
                    tracing::debug!(count = sticks.len(), "a USB stick was mounted");
                } else {
                    tracing::debug!(count = sticks.len(), "a USB stick was removed");
                }
                let target = self.usb.target().cloned();
                self.usb.earlier.retain(|s| sticks.contains(s));
                self.usb.sticks = sticks;
                // The stick copied to is gone: the next one starts afresh.
                if self.usb.target() != target.as_ref() {
                    self.usb.result = None;
                }
            }
            UsbEvent::Copied(view, files) => {
                self.usb.copying = None;
                if let Some(files) = files {
                    self.counting.recorder().usb_copied(files);
                }
                if self.shown.as_ref().is_some_and(|v| v.id == view) {
                    self.usb.result = Some(if files.is_some() {
                        UsbState::Copied
                    } else {
                        UsbState::Failed
                    });
                }
            }
        }
        self.tell_usb(false);
    }

    /// A view came on screen: the sticks there now are not its person's; no copy result yet.
    pub(super) fn usb_new_view(&mut self) {
        self.usb.earlier = self.usb.sticks.clone();
        self.usb.result = None;
        self.tell_usb(true);
    }

    /// Tells the shown view where the stick is, if that changed (or `always`).
    pub(super) fn tell_usb(&mut self, always: bool) {
        if !self.config.usb.enabled {
            return;
        }
        let state = self.usb.state();
        if always || self.usb.told != Some(state) {
            self.usb.told = Some(state);
            self.send_shown_only(&ToView::Usb { state });
        }
    }

    /// The person asked to copy `files` onto the stick (from the shown view's take-away).
    pub(super) fn on_usb_copy(&mut self, files: Vec<Private<String>>) {
        let refused = if !self.config.usb.enabled {
            Some("USB copy is off")
        } else if self.machine.state() != State::Ending {
            Some("not during the end flow")
        } else if self.usb.copying.is_some() {
            Some("a copy is under way")
        } else if self.usb.target().is_none() {
            Some("no stick of this session")
        } else {
            None
        };
        let (Some(view), None) = (self.shown.as_ref(), refused) else {
            tracing::debug!(why = refused.unwrap_or("no view"), "USB copy refused");
            self.tell_usb(true);
            return;
        };
        let (id, downloads) = (view.id, view.dir.downloads());
        let Some(stick) = self.usb.target().cloned() else {
            return;
        };
        let names: Vec<String> = files.iter().map(|f| f.expose().clone()).collect();
        let events = self.events.clone();
        self.usb.copying = Some(id);
        let started = std::thread::Builder::new()
            .name("usb-copy".into())
            .spawn(move || {
                let files = match copy::copy(&downloads, &stick, &names) {
                    Ok(files) => {
                        tracing::debug!(files, "copied to a USB stick");
                        Some(files)
                    }
                    Err(e) => {
                        tracing::warn!("USB copy failed: {e}");
                        None
                    }
                };
                let _ = events.send(Input::Usb(UsbEvent::Copied(id, files)));
            });
        if let Err(e) = started {
            tracing::warn!("cannot start the USB copy: {e}");
            self.usb.copying = None;
            self.usb.result = Some(UsbState::Failed);
        }
        self.tell_usb(false);
    }
}

#[cfg(test)]
mod tests;
