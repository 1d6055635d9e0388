//! `guichetd`: the kiosk supervisor (see `guichet::daemon` and DESIGN.md).
//!
//! Glue only: parse the command line, choose the runtime dir and socket for the mode, set up
//! logging, load the config, run the supervisor, decide the exit code.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;

use guichet::config::{Config, DEFAULT_CONFIG_PATH};
use guichet::daemon::spawn::SpawnOptions;
use guichet::daemon::unit::Containment;
use guichet::daemon::{self, Launcher, Options};
use guichet::sessiondir::{is_within, SYSTEM_RUNTIME};

const EXIT_OK: u8 = 0;
const EXIT_WIPE_FAILED: u8 = 1;
const EXIT_USAGE: u8 = 2;

#[derive(Parser)]
#[command(
    name = "guichetd",
    version,
    about = "Supervise a guichet kiosk terminal: one locked browser per session, wiped after each",
    after_help = "Modes: by default (systemd) sessions live in /run/guichet and the control socket \
                  is [control] socket of the config. --demo uses $XDG_RUNTIME_DIR/guichet for both.\n\
                  Signals: TERM/INT end the session, wipe it and exit; HUP reloads the config.\n\
                  Exit status: 0 stopped with every session wiped; 1 stopped but a wipe failed \
                  (leftovers are wiped at the next start); 2 usage error, invalid configuration, \
                  no display (--demo) or the supervisor could not start."
)]
pub(crate) struct Cli {
    /// Config file.
    #[arg(long, default_value = DEFAULT_CONFIG_PATH)]
    config: PathBuf,
    /// Demo/user mode: runtime dir and control socket under $XDG_RUNTIME_DIR/guichet, for a
    /// desktop session. Not for a public terminal.
    #[arg(long)]
    demo: bool,
    /// Runtime dir (tmpfs) for session directories; overrides the mode's default.
    #[arg(long, value_name = "DIR")]
    runtime_dir: Option<PathBuf>,
    /// TESTS ONLY: run this view binary instead of guichet-view next to guichetd.
    #[arg(long, value_name = "PATH", hide = true)]
    view_binary: Option<PathBuf>,
    /// BENCHMARK ONLY: do not pre-start a hidden spare view (slower resets).
    #[arg(long, hide = true)]
    no_spare: bool,
    /// TESTS ONLY: divide every session timer by N.
    #[arg(long, value_name = "N", hide = true)]
    test_speedup: Option<u32>,
    /// TESTS ONLY, UNSAFE: run views without their containment unit and without WebKit's
    /// sandbox (what a session starts can then outlive its wipe and see the whole system).
    #[arg(long, hide = true)]
    unsafe_no_containment: bool,
    /// TESTS ONLY: make DIR writable inside every session's unit (the fake view's log folder).
    #[arg(long, value_name = "DIR", hide = true)]
    test_writable: Vec<PathBuf>,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_USAGE } else { EXIT_OK });
        }
    };
    // Before any thread exists, so that every thread inherits the mask.
    if let Err(e) = daemon::block_signals() {
        eprintln!("guichetd: cannot block signals: {e}");
        return ExitCode::from(EXIT_USAGE);
    }
    // On a terminal guichetd is cage's client, and cage does not end its client when it ends
    // (bookworm's cage even aborts on SIGTERM): its end is a TERM for guichetd, which then
    // ends its session, wipes and exits, instead of lingering in the login session where the
    // restarted unit would find it still at work. (Blocked above: it reaches the signalfd.)
    if let Err(e) = nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGTERM) {
        eprintln!("guichetd: cannot ask for a TERM when its parent ends: {e}");
        return ExitCode::from(EXIT_USAGE);
    }
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    match start(cli) {
        Ok(true) => ExitCode::from(EXIT_OK),
        Ok(false) => ExitCode::from(EXIT_WIPE_FAILED),
        Err(message) => {
            eprintln!("guichetd: {message}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn start(cli: Cli) -> Result<bool, String> {
    // Views start in their session's home, so a relative path would name nothing for them.
    let config_path = std::path::absolute(&cli.config)
        .map_err(|e| format!("cannot resolve {}: {e}", cli.config.display()))?;
    let config = Config::load(&config_path).map_err(|e| e.to_string())?;
    let display = display_env();
    if cli.demo {
        eprintln!(
            "guichetd: WARNING: demo mode — sessions under $XDG_RUNTIME_DIR, not for a public \
             terminal"
        );
        if !display
            .iter()
            .any(|(k, _)| *k == "DISPLAY" || *k == "WAYLAND_DISPLAY")
        {
            return Err(
                "--demo needs a graphical session: neither DISPLAY nor WAYLAND_DISPLAY \
                        is set. Run it from a desktop terminal (or under Xvfb)."
                    .into(),
            );
        }
    }
    let runtime = match (&cli.runtime_dir, cli.demo) {
        (Some(dir), _) => dir.clone(),
        (None, true) => demo_runtime()?,
        (None, false) => PathBuf::from(SYSTEM_RUNTIME),
    };
    private_dir(&runtime)?;
    stats_outside(&config, &runtime)?;
    let socket = if cli.demo {
        runtime.join("control.sock")
    } else {
        config.control.socket.clone()
    };
    let binary = match &cli.view_binary {
        Some(b) => {
            eprintln!(
                "guichetd: WARNING: --view-binary {}: test view, not for a public terminal",
                b.display()
            );
            b.clone()
        }
        None => std::env::current_exe()
            .map_err(|e| format!("cannot find my own path: {e}"))?
            .with_file_name("guichet-view"),
    };
    if cli.no_spare {
        eprintln!("guichetd: WARNING: --no-spare: benchmark mode, slower resets");
    }
    let speedup = match cli.test_speedup {
        Some(n) if n > 1 => {
            eprintln!("guichetd: WARNING: --test-speedup {n}: session timers divided by {n}");
            n
        }
        _ => 1,
    };
    let containment = if cli.unsafe_no_containment {
        eprintln!(
            "guichetd: WARNING: --unsafe-no-containment: sessions run WITHOUT their containment \
             unit and WITHOUT WebKit's sandbox; what a session starts can survive its wipe. \
             Tests only, never on a public terminal"
        );
        tracing::warn!("containment OFF (--unsafe-no-containment): tests only");
        Containment::Off
    } else {
        Containment::Unit
    };
    for dir in &cli.test_writable {
        eprintln!(
            "guichetd: WARNING: --test-writable {}: writable inside every session; tests only",
            dir.display()
        );
    }
    tracing::info!(
        terminal = %config.terminal.name,
        runtime = %runtime.display(),
        mode = if cli.demo { "demo" } else { "system" },
        "guichetd starting"
    );
    let opts = Options {
        config_path,
        socket,
        launcher: Launcher {
            binary,
            runtime,
            options: SpawnOptions {
                display,
                // The demo runs on a desktop: an ordinary window, not the full-screen kiosk.
                extra_args: if cli.demo {
                    vec!["--windowed".into()]
                } else {
                    Vec::new()
                },
                // The view's stderr comes back to guichetd, which keeps only the view's own log
                // records (`daemon::viewlog`): WebKit's raw text can quote a URL or a title.
                capture_stderr: true,
                // The views log at guichetd's level.
                log_filter: std::env::var("RUST_LOG").ok(),
                containment,
                read_only: Vec::new(),
                writable: cli.test_writable.clone(),
            },
        },
        spare: !cli.no_spare,
        speedup,
    };
    daemon::run(opts, config).map_err(|e| e.to_string())
}

/// Statistics never go where sessions live: the runtime dir's `sessions/` are wiped (check.rs
/// refuses the system runtime already; this covers `--demo` and `--runtime-dir`).
fn stats_outside(config: &Config, runtime: &Path) -> Result<(), String> {
    let runtime = std::path::absolute(runtime)
        .map_err(|e| format!("cannot resolve {}: {e}", runtime.display()))?;
    let stats = &config.stats;
    let places = std::iter::once(&stats.dir).chain(stats.openmetrics_file.as_ref());
    for place in places.filter(|_| stats.enabled) {
        if is_within(place, &runtime) {
            return Err(format!(
                "{}: [stats] {} is inside the runtime dir {}, where sessions live and are \
                 wiped; choose a folder outside it, e.g. /var/lib/guichet/stats",
                config.source.display(),
                place.display(),
                runtime.display()
            ));
        }
    }
    Ok(())
}

/// The display variables a view needs; a relative `WAYLAND_DISPLAY` is made absolute because
/// the view gets its own `XDG_RUNTIME_DIR`.
fn display_env() -> Vec<(&'static str, OsString)> {
    let mut env = Vec::new();
    for key in ["DISPLAY", "XAUTHORITY"] {
        if let Some(v) = std::env::var_os(key).filter(|v| !v.is_empty()) {
            env.push((key, v));
        }
    }
    if let Some(w) = std::env::var_os("WAYLAND_DISPLAY").filter(|v| !v.is_empty()) {
        let p = Path::new(&w);
        let abs = match std::env::var_os("XDG_RUNTIME_DIR") {
            Some(rt) if p.is_relative() => Path::new(&rt).join(p).into_os_string(),
            _ => w,
        };
        env.push(("WAYLAND_DISPLAY", abs));
    }
    env
}

/// `$XDG_RUNTIME_DIR/guichet`, or `/tmp/guichet-<uid>` when it is unset.
fn demo_runtime() -> Result<PathBuf, String> {
    match std::env::var_os("XDG_RUNTIME_DIR").filter(|v| !v.is_empty()) {
        Some(rt) => Ok(Path::new(&rt).join("guichet")),
        None => {
            let dir = std::env::temp_dir().join(format!(
                "guichet-{}",
                nix::unistd::Uid::effective().as_raw()
            ));
            eprintln!(
                "guichetd: WARNING: XDG_RUNTIME_DIR is unset; using {} (may not be tmpfs)",
                dir.display()
            );
            Ok(dir)
        }
    }
}

/// Creates `dir` mode 0700, or checks that an existing one is a real directory of ours that
/// nobody else can write to. As root too: the sessions' units run as `nobody`, but guichetd
/// binds their directories in for them (`daemon::mounts`), they need no way to them.
fn private_dir(dir: &Path) -> Result<(), String> {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
    match std::fs::symlink_metadata(dir) {
        Err(_) => std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| format!("cannot create runtime dir {}: {e}", dir.display())),
        Ok(m) if !m.is_dir() => Err(format!("{} is not a directory", dir.display())),
        Ok(m) if m.uid() != nix::unistd::Uid::effective().as_raw() => Err(format!(
            "{} belongs to another user; refusing to keep sessions there",
            dir.display()
        )),
        Ok(m) if m.permissions().mode() & 0o022 != 0 => Err(format!(
            "{} is writable by others; refusing to keep sessions there (chmod 0700 it)",
            dir.display()
        )),
        Ok(_) => Ok(()),
    }
}
