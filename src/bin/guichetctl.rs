//! `guichetctl`: the helpers' and site admin's command line.
//!
//! Offline commands read the config directly; the others talk to `guichetd` over its control
//! socket. Exit codes are decided in `main` only (see `--help`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use guichet::config::{Config, DEFAULT_CONFIG_PATH};
use guichet::policy::Decision;
use guichet::protocol::client;
use guichet::protocol::control::{Request, Response, Status};

/// Exit codes, as documented in --help.
const EXIT_OK: u8 = 0;
const EXIT_BLOCK: u8 = 1;
const EXIT_ERROR: u8 = 2;

#[derive(Parser)]
#[command(
    name = "guichetctl",
    version,
    about = "Control a guichet kiosk terminal and check its configuration",
    after_help = "Online commands (status, reset, pause, resume, reload) talk to guichetd over its \
                  control socket: [control] socket of --config (default /run/guichet/control.sock), \
                  or --socket. Only root, guichetd's user and members of [control] staff_group may \
                  use them.\n\
                  Exit status: 0 success (for `policy explain`: allowed); 1 `policy explain`: blocked; \
                  2 usage error, invalid configuration, guichetd absent, or the request refused."
)]
struct Cli {
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
    },
    /// Ask the policy engine about a URL.
    Policy {
        #[command(subcommand)]
        command: PolicyCommand,
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

#[derive(Subcommand)]
enum PolicyCommand {
    /// Print whether URL is allowed, by which service, pack and rule (exit 0), or why it is
    /// blocked (exit 1).
    Explain {
        /// The URL to decide.
        url: String,
        /// Config file whose policy decides.
        #[arg(long, default_value = DEFAULT_CONFIG_PATH)]
        config: PathBuf,
    },
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
        Command::CheckConfig { config } => check_config(&config),
        Command::Policy {
            command: PolicyCommand::Explain { url, config },
        } => explain(&url, &config),
        Command::Status { connect, json } => online(&connect, Request::Status, json),
        Command::Reset { now, connect } => online(&connect, Request::Reset { now }, false),
        Command::Pause { connect } => online(&connect, Request::Pause, false),
        Command::Resume { connect } => online(&connect, Request::Resume, false),
        Command::Reload { connect } => online(&connect, Request::Reload, false),
    }
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
    if s.pause_pending {
        println!("pause: after the running session");
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
}

fn load(path: &std::path::Path) -> Result<Config, ExitCode> {
    Config::load(path).map_err(|e| {
        eprintln!("guichetctl: {e}");
        ExitCode::from(EXIT_ERROR)
    })
}

fn check_config(path: &std::path::Path) -> ExitCode {
    let config = match load(path) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let policy = &config.policy.policy;
    let packs: Vec<&str> = config.policy.packs.iter().map(|p| p.id.as_str()).collect();
    println!("{}: ok", path.display());
    println!("terminal: {}", config.terminal.name);
    println!("packs: {} ({})", packs.len(), packs.join(", "));
    println!("services: {}", policy.services().len());
    println!("rules: {}", policy.rule_count());
    ExitCode::from(EXIT_OK)
}

fn explain(url: &str, path: &std::path::Path) -> ExitCode {
    let config = match load(path) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let decision = config.policy.policy.decide(url);
    println!("{decision}");
    match decision {
        Decision::Allow(_) | Decision::Internal => ExitCode::from(EXIT_OK),
        Decision::Block(_) => ExitCode::from(EXIT_BLOCK),
    }
}
