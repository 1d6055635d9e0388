//! `guichetctl policy …`: the offline commands on the allowlist — explain a URL, list what a
//! config allows.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;

use guichet::config::{Subresources, DEFAULT_CONFIG_PATH};
use guichet::policy::listing::{self, Listing};
use guichet::policy::Decision;

use super::{load, EXIT_BLOCK, EXIT_ERROR, EXIT_OK};

#[derive(Subcommand)]
pub(crate) enum PolicyCommand {
    /// Print whether URL is allowed, by which service, pack and rule (exit 0), or why it is
    /// blocked (exit 1).
    Explain {
        /// The URL to decide.
        url: String,
        /// Decide it as a sub-resource of a page (image, script, fetch, web socket) under
        /// `subresources = "policy"`: allowed by a service's allow rules or its `resources`.
        #[arg(long)]
        subresource: bool,
        /// Config file whose policy decides.
        #[arg(long, default_value = DEFAULT_CONFIG_PATH)]
        config: PathBuf,
    },
    /// List the packs and services of a config: id, pack, names, category, start URLs per
    /// language, allow rules, resources, logout URL.
    List {
        /// Only this pack (`local` for the rules of [policy] extra).
        #[arg(long, value_name = "ID")]
        pack: Option<String>,
        /// table (for people) or json.
        #[arg(long, value_name = "table|json", default_value = "table")]
        format: ListFormat,
        /// Config file whose packs are listed.
        #[arg(long, default_value = DEFAULT_CONFIG_PATH)]
        config: PathBuf,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum ListFormat {
    Table,
    Json,
}

pub(crate) fn run(command: PolicyCommand) -> ExitCode {
    match command {
        PolicyCommand::Explain {
            url,
            subresource,
            config,
        } => explain(&url, subresource, &config),
        PolicyCommand::List {
            pack,
            format,
            config,
        } => list(pack.as_deref(), format, &config),
    }
}

fn explain(url: &str, subresource: bool, path: &Path) -> ExitCode {
    let config = match load(path) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let policy = &config.policy.policy;
    let decision = if subresource {
        if config.policy.subresources == Subresources::Open {
            eprintln!(
                "guichetctl: note: this config has subresources = \"open\": sub-resources load from any host; this is what \"policy\" would decide"
            );
        }
        policy.decide_subresource(url)
    } else {
        policy.decide(url)
    };
    println!("{decision}");
    match decision {
        Decision::Allow(_) | Decision::Internal => ExitCode::from(EXIT_OK),
        Decision::Block(_) => ExitCode::from(EXIT_BLOCK),
    }
}

fn list(pack: Option<&str>, format: ListFormat, path: &Path) -> ExitCode {
    let config = match load(path) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let mut listing = Listing::new(&config.policy.packs, config.policy.policy.services());
    if let Some(id) = pack {
        let known = listing.ids().join(", ");
        if !listing.keep_only(id) {
            eprintln!(
                "guichetctl: {}: no pack \"{id}\" in this config (its packs: {known})",
                path.display()
            );
            return ExitCode::from(EXIT_ERROR);
        }
    }
    let text = match format {
        ListFormat::Table => listing::render_table(&listing),
        ListFormat::Json => match serde_json::to_string_pretty(&listing) {
            Ok(json) => json + "\n",
            Err(e) => {
                eprintln!("guichetctl: cannot write the listing as JSON: {e}");
                return ExitCode::from(EXIT_ERROR);
            }
        },
    };
    // A reader that stops early (`| head`) is not an error.
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    ExitCode::from(EXIT_OK)
}
