//! The view's side of the protocol with `guichetd`: read orders from stdin, report on stdout.
//!
//! A thread reads [`ToView`] lines and hands them to the event loop; end of stdin means the
//! supervisor is gone, and the view exits. [`Reporter`] writes [`FromView`] lines; it
//! throttles `activity` to one a second.

use std::cell::Cell;
use std::io::{self, BufReader};
use std::time::{Duration, Instant};

use crate::protocol::frame;
use crate::protocol::view::{FromView, ToView};

/// What the stdin thread hands to the event loop.
#[derive(Debug)]
pub(crate) enum Order {
    Message(ToView),
    /// A line that is not a valid message (reported as `crashed{protocol}`).
    Garbage,
    /// stdin closed: the supervisor is gone.
    Closed,
}

/// Starts the thread that reads orders; `deliver` runs on that thread.
pub(crate) fn spawn_reader(deliver: impl Fn(Order) + Send + 'static) {
    std::thread::Builder::new()
        .name("supervisor-stdin".into())
        .spawn(move || {
            let mut input = BufReader::new(io::stdin());
            loop {
                match frame::read_frame::<ToView>(&mut input) {
                    Ok(Some(msg)) => deliver(Order::Message(msg)),
                    Ok(None) => {
                        deliver(Order::Closed);
                        return;
                    }
                    Err(frame::FrameError::Io(_)) => {
                        deliver(Order::Closed);
                        return;
                    }
                    Err(e) => {
                        tracing::warn!("bad order from the supervisor: {e}");
                        deliver(Order::Garbage);
                    }
                }
            }
        })
        .expect("spawn the stdin thread");
}

/// Writes messages to the supervisor (stdout).
pub(crate) struct Reporter {
    last_activity: Cell<Option<Instant>>,
}

/// At most one `activity` message per this interval.
const ACTIVITY_INTERVAL: Duration = Duration::from_secs(1);

impl Reporter {
    pub(crate) fn new() -> Reporter {
        Reporter {
            last_activity: Cell::new(None),
        }
    }

    pub(crate) fn send(&self, msg: &FromView) {
        let mut out = io::stdout().lock();
        if let Err(e) = frame::write_frame(&mut out, msg) {
            // The supervisor is gone; the stdin thread will see it too and end the view.
            tracing::warn!("cannot report to the supervisor: {e}");
        }
    }

    /// Reports input from the person, at most once a second.
    pub(crate) fn activity(&self) {
        let now = Instant::now();
        if self
            .last_activity
            .get()
            .is_some_and(|t| now.duration_since(t) < ACTIVITY_INTERVAL)
        {
            return;
        }
        self.last_activity.set(Some(now));
        self.send(&FromView::Activity);
    }
}

impl Default for Reporter {
    fn default() -> Self {
        Reporter::new()
    }
}

/// The name of an order, for the log.
pub(crate) fn name(msg: &ToView) -> &'static str {
    match msg {
        ToView::Start { .. } => "start",
        ToView::Language { .. } => "language",
        ToView::Countdown { .. } => "countdown",
        ToView::CancelCountdown => "cancel_countdown",
        ToView::EndSession { .. } => "end_session",
        ToView::Screen { .. } => "screen",
        ToView::Quit => "quit",
        ToView::Usb { .. } => "usb",
        ToView::PrintStatus { .. } => "print_status",
    }
}
