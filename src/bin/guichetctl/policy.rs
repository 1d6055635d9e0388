//! `guichetctl policy …`: the offline commands on the allowlist — explain a URL, list what a
//! config allows, import a Chrome allowlist.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;

use guichet::config::{Subresources, DEFAULT_CONFIG_PATH};
use guichet::policy::chrome;
use guichet::policy::listing::{self, Listing};
use guichet::policy::Decision;

use super::{load, EXIT_BLOCK, EXIT_ERROR, EXIT_OK, EXIT_REPORTED};

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
    /// Convert a Chromium/Edge URLAllowlist (a JSON array of strings) or a policy file (a JSON
    /// object with "URLAllowlist" / "URLBlocklist") into a guichet pack: one service per
    /// registrable domain. Entries guichet cannot express exactly are listed on stderr and
    /// left out, never widened.
    #[command(
        after_help = "Exit status: 0 every entry converted exactly; 1 some entries were \
                      reported on stderr and left out (the pack is still written); 2 usage \
                      error, or a file that cannot be read or is not such a list."
    )]
    ImportChrome {
        /// The JSON file.
        file: PathBuf,
        /// Pack id [default: the --output file name without .toml, else chrome-import].
        #[arg(long, value_name = "ID")]
        id: Option<String>,
        /// Write the pack here (its name must be <id>.toml to load) instead of stdout.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
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
        PolicyCommand::ImportChrome { file, id, output } => {
            import_chrome(&file, id.as_deref(), output.as_deref())
        }
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

/// Pack id when neither --id nor --output names one.
const DEFAULT_IMPORT_ID: &str = "chrome-import";

fn import_chrome(file: &Path, id: Option<&str>, output: Option<&Path>) -> ExitCode {
    let stem = output.and_then(|o| o.file_stem()).and_then(|s| s.to_str());
    let id = match (id, stem) {
        (Some(id), Some(stem)) if id != stem => {
            eprintln!(
                "guichetctl: --id {id} and --output {stem}.toml disagree: a pack loads only from <id>.toml"
            );
            return ExitCode::from(EXIT_ERROR);
        }
        (Some(id), _) => id,
        (None, Some(stem)) => stem,
        (None, None) => DEFAULT_IMPORT_ID,
    };
    let lists = match std::fs::read_to_string(file)
        .map_err(|e| e.to_string())
        .and_then(|text| chrome::parse_lists(&text).map_err(|e| e.to_string()))
    {
        Ok(l) => l,
        Err(e) => {
            eprintln!("guichetctl: {}: {e}", file.display());
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let import = chrome::convert(&lists);
    let source = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let pack = chrome::to_pack_toml(id, &source, &import);
    let written = match output {
        Some(out) => std::fs::write(out, pack).map_err(|e| format!("{}: {e}", out.display())),
        None => {
            let _ = std::io::stdout().lock().write_all(pack.as_bytes());
            Ok(())
        }
    };
    if let Err(e) = written {
        eprintln!("guichetctl: cannot write the pack: {e}");
        return ExitCode::from(EXIT_ERROR);
    }
    for u in &import.unconverted {
        eprintln!("guichetctl: {}: not converted: {u}", file.display());
    }
    ExitCode::from(if import.unconverted.is_empty() {
        EXIT_OK
    } else {
        EXIT_REPORTED
    })
}
