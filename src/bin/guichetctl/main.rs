//! `guichetctl`: the helpers' and site admin's command line.
//!
//! Offline commands read the config directly; the others talk to `guichetd` over its control
//! socket. Exit codes are decided in `main` only (see `--help`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Parser, Subcommand};

use guichet::config::{Config, DEFAULT_CONFIG_PATH};
use guichet::protocol::client;
use guichet::protocol::control::{Request, Response, Status};
use guichet::stats::{self, Format, Grouping};

mod policy;

/// Exit codes, as documented in --help.
pub(crate) const EXIT_OK: u8 = 0;
pub(crate) const EXIT_BLOCK: u8 = 1;
/// `policy import-chrome`: some entries were reported and left out.
pub(crate) const EXIT_REPORTED: u8 = 1;
pub(crate) const EXIT_ERROR: u8 = 2;

#[derive(Parser)]
#[command(
    name = "guichetctl",
    version,
    about = "Control a guichet kiosk terminal and check its configuration",
    after_help = "Online commands (status, reset, pause, resume, reload, restart, ack, and stats \
                  without --dir) talk to guichetd over its control socket: [control] socket of \
                  --config (default /run/guichet/control.sock), or --socket. Only root, guichetd's user and members \
                  of [control] staff_group may use them.\n\
                  Exit status: 0 success (for `policy explain`: allowed; for `stats`: the report \
                  was printed, even if some statistics files were skipped — they are listed on \
                  stderr); 1 `policy explain`: blocked, `policy import-chrome`: some entries \
                  could not be converted exactly (listed on stderr); 2 usage error, invalid configuration, a \
                  statistics folder that cannot be read, guichetd absent, or the request refused."
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate the config file and the policy packs it names; print a summary.
    CheckConfig {
        /// Config file to check.
        #[arg(long, default_value = DEFAULT_CONFIG_PATH)]
        config: PathBuf,
        /// Pack overrides not yet in place: check every pack file in DIR, enabled or not, and
        /// the config as if DIR's packs were in its last pack folder (/etc/guichet/policies.d),
        /// overriding the others. Copy them there only when this passes.
        #[arg(long, value_name = "DIR")]
        pack_dir: Option<PathBuf>,
    },
    /// Ask the policy engine about a URL, list the services of a config, import a Chrome
    /// allowlist.
    Policy {
        #[command(subcommand)]
        command: policy::PolicyCommand,
    },
    /// Show the terminal's state: session state and age, terminal name, last wipe, config.
    /// Never what the person is doing.
    Status {
        #[command(flatten)]
        connect: Connect,
        /// Print the raw JSON reply.
        #[arg(long)]
        json: bool,
    },
    /// End the running session (take-away screen first), wipe it, show a fresh welcome.
    /// When the terminal is out of order, retry the failed wipe.
    Reset {
        /// Skip the take-away screen and the logouts: wipe at once.
        #[arg(long)]
        now: bool,
        #[command(flatten)]
        connect: Connect,
    },
    /// Show the "paused" screen (after the running session ends, if one runs).
    Pause {
        #[command(flatten)]
        connect: Connect,
    },
    /// Leave the paused screen for a fresh welcome.
    Resume {
        #[command(flatten)]
        connect: Connect,
    },
    /// Have guichetd check the config file now; a valid one applies at the next welcome.
    Reload {
        #[command(flatten)]
        connect: Connect,
    },
    /// Stop guichetd cleanly so that systemd starts it again (the package does this after an
    /// upgrade): at once on the welcome, paused or out-of-order screen, else when the running
    /// session is over. Never ends a person's session.
    Restart {
        #[command(flatten)]
        connect: Connect,
    },
    /// Clear the "helper called" flag that `status` shows, once you have come to the person.
    /// The next session clears it too.
    Ack {
        #[command(flatten)]
        connect: Connect,
    },
    /// Print the anonymous per-day statistics: sessions, durations, end reasons, categories
    /// and services used, blocked domains, downloads, prints, USB copies, helper calls and
    /// problem reports. Per-service, per-domain and per-problem counts below [stats] min_count
    /// are shown as "< N". Asks guichetd, or reads statistics folders with --dir.
    #[command(
        after_help = "Skipped files (truncated, corrupt, leftovers of an interrupted \
                            write) are listed on stderr with the reason; the report of the other \
                            files is printed and the exit status stays 0. Exit status 2: usage \
                            error, invalid configuration, a folder that cannot be read, \
                            guichetd absent or statistics off."
    )]
    Stats {
        /// First day, YYYY-MM-DD [default: 30 days before --to].
        #[arg(long, value_name = "DATE")]
        from: Option<NaiveDate>,
        /// Last day, YYYY-MM-DD [default: today].
        #[arg(long, value_name = "DATE")]
        to: Option<NaiveDate>,
        /// One block of figures per day, ISO week (2026-W49) or month (2026-12).
        #[arg(long, value_name = "day|week|month", default_value = "day")]
        by: Grouping,
        /// table (for people), csv, json, or openmetrics (Prometheus textfile collector).
        #[arg(long, value_name = "FORMAT", default_value = "table")]
        format: Format,
        /// Read this statistics folder instead of asking guichetd; give it several times to
        /// add up the figures of several terminals (one folder each). min_count is that of
        /// --config when the file exists, else 3.
        #[arg(long, value_name = "DIR")]
        dir: Vec<PathBuf>,
        #[command(flatten)]
        connect: Connect,
    },
}

/// Where to find guichetd.
#[derive(clap::Args)]
struct Connect {
    /// Control socket (default: [control] socket of --config).
    #[arg(long, value_name = "PATH")]
    socket: Option<PathBuf>,
    /// Config file naming the socket.
    #[arg(long, default_value = DEFAULT_CONFIG_PATH)]
    config: PathBuf,
}

impl Connect {
    /// The socket path: --socket, else the config's, else the default of a systemd install.
    fn socket(&self) -> PathBuf {
        if let Some(s) = &self.socket {
            return s.clone();
        }
        match Config::load(&self.config) {
            Ok(c) => c.control.socket,
            Err(_) => PathBuf::from("/run/guichet/control.sock"),
        }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_ERROR } else { EXIT_OK });
        }
    };
    match cli.command {
        Command::CheckConfig { config, pack_dir } => check_config(&config, pack_dir.as_deref()),
        Command::Policy { command } => policy::run(command),
        Command::Status { connect, json } => online(&connect, Request::Status, json),
        Command::Reset { now, connect } => online(&connect, Request::Reset { now }, false),
        Command::Pause { connect } => online(&connect, Request::Pause, false),
        Command::Resume { connect } => online(&connect, Request::Resume, false),
        Command::Reload { connect } => online(&connect, Request::Reload, false),
        Command::Restart { connect } => online(&connect, Request::Restart, false),
        Command::Ack { connect } => online(&connect, Request::Ack, false),
        Command::Stats {
            from,
            to,
            by,
            format,
            dir,
            connect,
        } => {
            let to = to.unwrap_or_else(stats::today);
            let from = from.unwrap_or_else(|| to - chrono::Days::new(DEFAULT_STATS_DAYS));
            if from > to {
                eprintln!("guichetctl: --from {from} is after --to {to}");
                return ExitCode::from(EXIT_ERROR);
            }
            if dir.is_empty() {
                let request = Request::Stats {
                    from,
                    to,
                    by,
                    format,
                };
                online(&connect, request, false)
            } else {
                offline_stats(&dir, &connect.config, from, to, by, format)
            }
        }
    }
}

/// `stats` without --from covers this many days before --to (a month).
const DEFAULT_STATS_DAYS: u64 = 30;

/// `stats --dir`: reads and merges the folders here, without guichetd.
fn offline_stats(
    dirs: &[PathBuf],
    config: &Path,
    from: NaiveDate,
    to: NaiveDate,
    by: Grouping,
    format: Format,
) -> ExitCode {
    let min_count = if config.exists() {
        match load(config) {
            Ok(c) => c.stats.min_count,
            Err(code) => return code,
        }
    } else {
        stats::DEFAULT_MIN_COUNT
    };
    let dirs: Vec<&Path> = dirs.iter().map(PathBuf::as_path).collect();
    let loaded = match stats::load(&dirs, from, to) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("guichetctl: {e}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let report = stats::Report::new(loaded, by, min_count);
    let skipped: Vec<String> = report.skipped.iter().map(ToString::to_string).collect();
    print_report(&report.render(format), &skipped)
}

fn print_report(text: &str, skipped: &[String]) -> ExitCode {
    print!("{text}");
    for s in skipped {
        eprintln!("guichetctl: skipped {s}");
    }
    ExitCode::from(EXIT_OK)
}

fn online(connect: &Connect, request: Request, json: bool) -> ExitCode {
    let socket = connect.socket();
    let response = match client::request(&socket, &request) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("guichetctl: {e}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&response).unwrap_or_default()
        );
    }
    match response {
        Response::Ok { message } => {
            if !json {
                println!("{message}");
            }
            ExitCode::from(EXIT_OK)
        }
        Response::Status(status) => {
            if !json {
                print_status(&status);
            }
            ExitCode::from(EXIT_OK)
        }
        Response::Stats { text, skipped } => print_report(&text, &skipped),
        Response::Error { message } => {
            eprintln!("guichetctl: guichetd refused: {message}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn print_status(s: &Status) {
    let state = serde_json::to_value(s.state).unwrap_or_default();
    println!("terminal: {}", s.terminal);
    println!("state: {}", state.as_str().unwrap_or("?"));
    if let Some(age) = s.session_age_secs {
        println!("session age: {}m{:02}s", age / 60, age % 60);
    }
    if let Some(why) = &s.out_of_order {
        println!("OUT OF ORDER: {why}");
    }
    if s.helper_called {
        println!("HELPER CALLED: the person asks for help (clear with `guichetctl ack`)");
    }
    if s.pause_pending {
        println!("pause: after the running session");
    }
    if s.restart_pending {
        println!("restart: after the running session");
    }
    println!("sessions since start: {}", s.sessions_started);
    println!(
        "spare view ready: {}",
        if s.spare_ready { "yes" } else { "no" }
    );
    match &s.last_wipe {
        None => println!("last wipe: none yet"),
        Some(w) if w.ok => println!("last wipe: ok in {} ms", w.millis),
        Some(w) => println!(
            "last wipe: FAILED after {} ms: {}",
            w.millis,
            w.error.as_deref().unwrap_or("?")
        ),
    }
    if s.config.pending {
        println!("config: a new valid config applies at the next welcome");
    }
    if let Some(r) = &s.config.rejected {
        println!("config: last change REJECTED (running config stays):\n{r}");
    }
    if let Some(w) = &s.stats_warning {
        println!("statistics: WARNING, not written: {w}");
    }
}

pub(crate) fn load(path: &Path) -> Result<Config, ExitCode> {
    Config::load(path).map_err(|e| {
        eprintln!("guichetctl: {e}");
        ExitCode::from(EXIT_ERROR)
    })
}

fn check_config(path: &Path, pack_dir: Option<&Path>) -> ExitCode {
    let loaded = match pack_dir {
        None => Config::load(path).map(|c| (c, None)),
        Some(dir) => Config::load_with_pack_dir(path, dir).map(|(c, ids)| (c, Some(ids))),
    };
    let (config, staged) = match loaded {
        Ok(l) => l,
        Err(e) => {
            eprintln!("guichetctl: {e}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let policy = &config.policy.policy;
    let packs: Vec<&str> = config.policy.packs.iter().map(|p| p.id.as_str()).collect();
    println!("{}: ok", path.display());
    println!("terminal: {}", config.terminal.name);
    println!("packs: {} ({})", packs.len(), packs.join(", "));
    println!("services: {}", policy.services().len());
    println!("rules: {}", policy.rule_count());
    if let (Some(dir), Some(ids)) = (pack_dir, staged) {
        println!(
            "{}: ok, {} packs ({})",
            dir.display(),
            ids.len(),
            ids.join(", ")
        );
    }
    for missing in config.policy.missing_packs() {
        eprintln!("guichetctl: {}: warning: {missing}", path.display());
    }
    ExitCode::from(EXIT_OK)
}
