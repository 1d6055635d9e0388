//! `guichetctl`: the helpers' and site admin's command line.
//!
//! Offline commands read the config directly; the others talk to `guichetd` over its control
//! socket. Exit codes are decided in `main` only (see `--help`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use guichet::config::{Config, DEFAULT_CONFIG_PATH};
use guichet::policy::Decision;

/// Exit codes, as documented in --help.
const EXIT_OK: u8 = 0;
const EXIT_BLOCK: u8 = 1;
const EXIT_ERROR: u8 = 2;

#[derive(Parser)]
#[command(
    name = "guichetctl",
    version,
    about = "Control a guichet kiosk terminal and check its configuration",
    after_help = "Exit status: 0 success (for `policy explain`: allowed); 1 `policy explain`: blocked; \
                  2 usage error, invalid configuration, or the daemon is absent or refused."
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
