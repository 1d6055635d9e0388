//! `guichetd`: the kiosk supervisor.
//!
//! For now it loads and validates the config and says so; the supervisor issue makes it run
//! sessions.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

use guichet::config::{Config, DEFAULT_CONFIG_PATH};

#[derive(Parser)]
#[command(
    name = "guichetd",
    version,
    about = "Supervise a guichet kiosk terminal: one locked browser per session, wiped after each",
    after_help = "Exit status: 0 stopped cleanly; 2 usage error or invalid configuration."
)]
struct Cli {
    /// Config file.
    #[arg(long, default_value = DEFAULT_CONFIG_PATH)]
    config: PathBuf,
    /// Demo/user mode: runtime dir under $XDG_RUNTIME_DIR, windowed. Not for a public terminal.
    #[arg(long)]
    demo: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match Config::load(&cli.config) {
        Ok(config) => {
            println!(
                "guichetd: {} is valid: terminal \"{}\", {} services, {} rules",
                cli.config.display(),
                config.terminal.name,
                config.policy.policy.services().len(),
                config.policy.policy.rule_count()
            );
            if cli.demo {
                eprintln!("guichetd: WARNING: demo mode — not for a public terminal");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("guichetd: {e}");
            ExitCode::from(2)
        }
    }
}
