//! `guichet-view`: the locked kiosk browser of one session (see `guichet::view`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

/// The locked browser of one guichet session.
///
/// Started by guichetd only, one process per session, inside the session's containment;
/// never start it by hand: a view outside guichetd is neither contained nor wiped. Its config
/// is the one guichetd checked, written into the session directory as `config.json`; the view
/// never reads `guichet.toml`. Reads orders as JSON lines on stdin and reports on stdout (see
/// the view protocol); logs go to stderr.
/// It starts hidden, says `ready` once its first page is loaded, and shows itself on
/// `start`. It exits on `quit` or when stdin closes.
///
/// Exit status: 0 after `quit` or end of stdin, 1 when it cannot start (`config.json`
/// missing or invalid, no display, session directory unusable).
#[derive(Parser, Debug)]
#[command(name = "guichet-view", version)]
pub(crate) struct Args {
    /// The session directory (profile/, downloads/, home/, run/, and config.json: the policy,
    /// languages, downloads and proxy guichetd checked); everything the view writes goes
    /// inside.
    #[arg(long, value_name = "DIR")]
    session_dir: PathBuf,
    /// Demo only: an ordinary window on the desktop instead of the full-screen kiosk.
    #[arg(long)]
    windowed: bool,
    /// Draw only this notice, with GTK alone (no web engine), until stdin closes: guichetd's
    /// last resort when views keep failing to start.
    #[arg(long, value_name = "NOTICE", value_parser = ["out-of-order"])]
    notice: Option<String>,
}

/// GLib, GTK, WebKit (in this process) and GStreamer log through GLib: their message text can
/// quote a URL or a page title. Every GLib message becomes a record with its domain and level
/// only; the text is dropped.
fn keep_glib_messages_out_of_the_log() {
    use gtk::glib::{log_set_writer_func, LogLevel, LogWriterOutput};
    log_set_writer_func(|level, fields| {
        let domain = fields
            .iter()
            .find(|f| f.key() == "GLIB_DOMAIN")
            .and_then(|f| f.value_str())
            .filter(|d| d.len() <= 64 && d.bytes().all(|b| b.is_ascii_graphic()))
            .unwrap_or("-")
            .to_owned();
        match level {
            LogLevel::Error | LogLevel::Critical => {
                tracing::error!(domain, "GLib {level:?} (text not logged)")
            }
            LogLevel::Warning => tracing::warn!(domain, "GLib warning (text not logged)"),
            LogLevel::Message | LogLevel::Info => {
                tracing::debug!(domain, "GLib message (text not logged)")
            }
            LogLevel::Debug => tracing::trace!(domain, "GLib debug (text not logged)"),
        }
        LogWriterOutput::Handled
    });
}

fn main() -> ExitCode {
    let args = Args::parse();
    // JSON records: guichetd re-logs these and drops any other text on the pipe.
    tracing_subscriber::fmt()
        .json()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    keep_glib_messages_out_of_the_log();
    if args.notice.is_some() {
        return match guichet::view::notice::run_out_of_order() {
            Ok(never) => match never {},
            Err(e) => {
                eprintln!("guichet-view: {e}");
                ExitCode::from(1)
            }
        };
    }
    let layout = if args.windowed {
        tracing::warn!("windowed demo layout: not for a public terminal");
        guichet::view::window::Layout::Windowed
    } else {
        guichet::view::window::Layout::Kiosk
    };
    match guichet::view::run(&args.session_dir, layout) {
        Ok(never) => match never {},
        Err(e) => {
            eprintln!("guichet-view: {e}");
            ExitCode::from(1)
        }
    }
}
