//! The content view's downloads while WebKit runs them: where each lands, what the session
//! counts, and what the person and guichetd are told.
//!
//! WebKit asks for a destination ([`super::ffi::hook_download_destinations`]): the download
//! is checked there ([`downloads::check`]: started by the person (see `gestures`), type,
//! announced size, the session's files and bytes so far) and either gets a safe, unique name
//! in the session's `downloads/` or is cancelled. While it receives, its bytes are counted
//! into the session's [`Tally`] and checked again ([`downloads::check_received`]): over
//! `max_bytes` or past `max_session_bytes` it is cancelled and its file removed. A refusal
//! reports `download` / `refused` to guichetd (a size, never a name) and tells the person
//! why ([`Event::DownloadRefused`]); a download that fails or is refused gives its place and
//! bytes back to the session. Logs say sizes and reasons, at `debug` only.

use std::rc::Rc;

use webkit2gtk::{DownloadExt, URIRequestExt, URIResponseExt, WebContextExt, WebView, WebViewExt};

use crate::protocol::view::{DownloadState, FromView};

use super::downloads::{self, Refusal, Tally};
use super::shared::{Event, Shared};

/// Refused downloads remembered until WebKit reports their end (so their failure is not
/// reported as one); older ones are forgotten.
const REFUSED_REMEMBERED: usize = 256;

/// Connects the download signals of the content view's context.
pub(crate) fn connect(webview: &WebView, shared: &Rc<Shared>) {
    let Some(ctx) = webview.context() else {
        return;
    };
    let sh = Rc::clone(shared);
    super::ffi::hook_download_destinations(move |download, suggested| {
        decide_destination(&sh, download, suggested);
    });
    let sh = Rc::clone(shared);
    ctx.connect_download_started(move |_, download| {
        tracing::debug!("download started");
        let sh1 = Rc::clone(&sh);
        download.connect_received_data(move |download, length| on_received(&sh1, download, length));
        let sh2 = Rc::clone(&sh);
        download.connect_failed(move |download, _error| on_failed(&sh2, download));
        let sh3 = Rc::clone(&sh);
        download.connect_finished(move |download| on_finished(&sh3, download));
    });
}

/// The addresses a download came from: its request's, then its response's (after a
/// redirect they differ).
fn urls_of(download: &webkit2gtk::Download) -> Vec<String> {
    let request = download.request().and_then(|r| r.uri());
    let response = download.response().and_then(|r| r.uri());
    [request, response]
        .into_iter()
        .flatten()
        .map(|u| u.to_string())
        .collect()
}

/// Decides where a download goes: a safe, unique name in the session's `downloads/`, or
/// nowhere (refused, the person told why).
fn decide_destination(shared: &Shared, download: &webkit2gtk::Download, suggested: &str) {
    let name = downloads::sanitize(suggested);
    let announced = download
        .response()
        .map(|r| r.content_length())
        .filter(|n| *n > 0);
    let urls = urls_of(download);
    let urls: Vec<&str> = urls.iter().map(String::as_str).collect();
    let by_person = shared.gestures.borrow_mut().take(&urls);
    let tally = shared.tally.get();
    let checked = downloads::check(
        &shared.config.downloads,
        &tally,
        &name,
        announced,
        by_person,
    );
    let dir = shared.session.downloads();
    let made = checked.and_then(|()| {
        std::fs::create_dir_all(&dir).map_err(|e| {
            tracing::warn!("cannot create the downloads folder: {}", e.kind());
            Refusal::Disabled
        })
    });
    if let Err(why) = made {
        tracing::debug!(?why, bytes = announced.unwrap_or(0), "download refused");
        // A destination inside the session (removed when it fails) so WebKit's default
        // never picks one outside it, then cancel.
        download.set_destination(&refused_placeholder(shared).to_string_lossy());
        remember_refused(shared, download);
        download.cancel();
        refused(shared, why, announced.unwrap_or(0));
        return;
    }
    let path = downloads::unique_path(&dir, &name);
    download.set_allow_overwrite(false);
    download.set_destination(&path.to_string_lossy());
    shared.tally.set(Tally {
        files: tally.files + 1,
        ..tally
    });
    shared.running.borrow_mut().push((download.clone(), 0));
    shared.reporter.send(&FromView::Download {
        state: DownloadState::Started,
        bytes: announced.unwrap_or(0),
    });
}

/// Where a refused download is pointed before it is cancelled.
fn refused_placeholder(shared: &Shared) -> std::path::PathBuf {
    shared.session.runtime().join("refused-download")
}

fn remember_refused(shared: &Shared, download: &webkit2gtk::Download) {
    let mut list = shared.refused_downloads.borrow_mut();
    if list.len() == REFUSED_REMEMBERED {
        list.remove(0);
    }
    list.push(download.clone());
}

/// Tells guichetd and the person that a download was refused.
fn refused(shared: &Shared, why: Refusal, bytes: u64) {
    shared.reporter.send(&FromView::Download {
        state: DownloadState::Refused,
        bytes,
    });
    shared.send(Event::DownloadRefused(why));
}

/// Whether the download was refused (at its destination or while receiving).
fn was_refused(shared: &Shared, download: &webkit2gtk::Download) -> bool {
    shared
        .refused_downloads
        .borrow()
        .iter()
        .any(|d| d == download)
}

/// Takes a running download off the session's count: its file and the bytes it received.
/// `false` when it was not running.
fn release(shared: &Shared, download: &webkit2gtk::Download) -> bool {
    let mut running = shared.running.borrow_mut();
    let Some(i) = running.iter().position(|(d, _)| d == download) else {
        return false;
    };
    let (_, counted) = running.remove(i);
    let tally = shared.tally.get();
    shared.tally.set(Tally {
        files: tally.files.saturating_sub(1),
        bytes: tally.bytes.saturating_sub(counted),
    });
    true
}

/// Counts received bytes; a download over `max_bytes`, or that takes the session past
/// `max_session_bytes`, is cancelled (a size not announced, or announced wrongly, is caught
/// here).
fn on_received(shared: &Shared, download: &webkit2gtk::Download, length: u64) {
    let session_bytes = {
        let mut running = shared.running.borrow_mut();
        let Some(entry) = running.iter_mut().find(|(d, _)| d == download) else {
            return;
        };
        entry.1 += length;
        let tally = shared.tally.get();
        let bytes = tally.bytes.saturating_add(length);
        shared.tally.set(Tally { bytes, ..tally });
        bytes
    };
    let received = download.received_data_length();
    let Err(why) = downloads::check_received(&shared.config.downloads, received, session_bytes)
    else {
        return;
    };
    tracing::debug!(?why, bytes = received, "download cancelled while receiving");
    release(shared, download);
    remember_refused(shared, download);
    download.cancel();
    if let Some(dest) = download.destination() {
        let path = dest
            .strip_prefix("file://")
            .map(str::to_owned)
            .unwrap_or_else(|| dest.to_string());
        let _ = std::fs::remove_file(path);
    }
    refused(shared, why, received);
}

fn on_failed(shared: &Shared, download: &webkit2gtk::Download) {
    if was_refused(shared, download) {
        let _ = std::fs::remove_file(refused_placeholder(shared));
        return;
    }
    // A failed download leaves no file: its place and bytes go back to the session.
    release(shared, download);
    // WebKit's message may name the file: not in the log.
    tracing::debug!("download failed");
    shared.reporter.send(&FromView::Download {
        state: DownloadState::Failed,
        bytes: download.received_data_length(),
    });
    // Its `finished` follows: not a success.
    shared.failed_downloads.borrow_mut().push(download.clone());
}

fn on_finished(shared: &Shared, download: &webkit2gtk::Download) {
    let forget = |list: &std::cell::RefCell<Vec<webkit2gtk::Download>>| {
        let mut list = list.borrow_mut();
        let before = list.len();
        list.retain(|d| d != download);
        before != list.len()
    };
    if forget(&shared.refused_downloads) || forget(&shared.failed_downloads) {
        shared.send(Event::DownloadsChanged);
        return;
    }
    // Finished: its file and bytes stay counted (all of them, should a chunk have come
    // before its signals were connected).
    let bytes = download.received_data_length();
    let mut running = shared.running.borrow_mut();
    if let Some(i) = running.iter().position(|(d, _)| d == download) {
        let (_, counted) = running.remove(i);
        let tally = shared.tally.get();
        shared.tally.set(Tally {
            bytes: tally.bytes.saturating_add(bytes.saturating_sub(counted)),
            ..tally
        });
    }
    drop(running);
    tracing::debug!(bytes, "download finished");
    shared.reporter.send(&FromView::Download {
        state: DownloadState::Finished,
        bytes,
    });
    shared.send(Event::DownloadFinished);
}
