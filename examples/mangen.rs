//! Writes the man pages `guichetd.8`, `guichet-view.8`, `guichetctl.1` and one
//! `guichetctl-COMMAND.1` per subcommand from the binaries' own clap
//! definitions, so `--help` and the man page never disagree:
//!
//! ```text
//! cargo run --example mangen -- OUT_DIR
//! ```
//!
//! The binaries' sources are compiled in here as modules (their `main` is simply unused), which
//! keeps the command-line definitions in the binaries where they are read. `guichet.toml.5` is
//! written by hand in `packaging/man/` and checked against the config's keys by a unit test.

use std::path::PathBuf;

use clap::CommandFactory;

#[allow(dead_code, unused_imports)]
#[path = "../src/bin/guichetd.rs"]
mod guichetd;

#[allow(dead_code, unused_imports)]
#[path = "../src/bin/guichetctl/main.rs"]
mod guichetctl;

#[allow(dead_code, unused_imports)]
#[path = "../src/bin/guichet-view.rs"]
mod guichet_view;

fn main() -> std::io::Result<()> {
    let out = PathBuf::from(
        std::env::args_os()
            .nth(1)
            .unwrap_or_else(|| "target/man".into()),
    );
    std::fs::create_dir_all(&out)?;
    // guichetctl: one page for the command and one per subcommand (guichetctl-reset.1, ...),
    // which the main page's SUBCOMMANDS section names.
    clap_mangen::generate_to(guichetctl::Cli::command(), &out)?;
    let daemon = clap_mangen::Man::new(guichetd::Cli::command()).section("8");
    daemon.generate_to(&out)?;
    // guichet-view: section 8 like guichetd, which alone starts it.
    let view = clap_mangen::Man::new(guichet_view::Args::command()).section("8");
    view.generate_to(&out)?;
    for entry in std::fs::read_dir(&out)? {
        println!("{}", entry?.path().display());
    }
    Ok(())
}
