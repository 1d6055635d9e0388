//! The summary of the visit: which services the person used, at what time of day, and which
//! documents they obtained — on the take-away screen and as a printable text file.
//!
//! It is made from the view's own memory of the session ([`Memory`]: each service whose page
//! came on screen, with the local time, kept in this process only) and the session's
//! `downloads/`. Nothing of it is logged or sent to guichetd; the printable file is written
//! only inside the session directory ([`write`]), so the wipe takes it with everything else.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;

use chrono::{DateTime, Local, Timelike};
use serde::Serialize;

use crate::lang::Lang;
use crate::policy::Policy;
use crate::sessiondir::SessionDir;

use super::keep_texts::keep_texts;

/// Most services kept in the memory of one session (each change of service is one).
const MAX_USES: usize = 200;

/// Name of the printable summary, in the session directory.
pub(crate) const FILE_NAME: &str = "summary.txt";

/// What the view remembers of the session, for its summary: each time a page of another
/// service came on screen, which service (its id) and when (local time).
#[derive(Debug, Default)]
pub(crate) struct Memory {
    uses: Vec<(String, DateTime<Local>)>,
}

impl Memory {
    /// A page of `service` is on screen at `at`: remembered if the service changed.
    pub(crate) fn service_used(&mut self, service: &str, at: DateTime<Local>) {
        if self.uses.last().is_some_and(|(s, _)| s == service) || self.uses.len() >= MAX_USES {
            return;
        }
        self.uses.push((service.to_owned(), at));
    }

    /// When the session began using a service (its first page on screen).
    fn first(&self) -> Option<DateTime<Local>> {
        self.uses.first().map(|(_, at)| *at)
    }
}

/// One service used: the time of day (`14:05`) and the service's name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Used {
    pub(crate) time: String,
    pub(crate) name: String,
}

/// The summary as the take-away shows it and the file prints it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Summary {
    /// The day of the visit (`03/12/2026`, `03.12.2026` in German), if a service was used.
    pub(crate) date: Option<String>,
    pub(crate) services: Vec<Used>,
    /// The session's documents (file names in `downloads/`).
    pub(crate) documents: Vec<String>,
}

/// The summary of `memory` in `lang`: service names from `policy` (a service no longer in it
/// is left out), and the `documents`.
pub(crate) fn summary(
    memory: &Memory,
    policy: &Policy,
    lang: Lang,
    documents: Vec<String>,
) -> Summary {
    let services = memory
        .uses
        .iter()
        .filter_map(|(id, at)| {
            let name = policy.service(id)?.names.get(lang).to_owned();
            Some(Used {
                time: format!("{:02}:{:02}", at.hour(), at.minute()),
                name,
            })
        })
        .collect();
    let date = memory.first().map(|at| {
        let format = if lang == Lang::De {
            "%d.%m.%Y"
        } else {
            "%d/%m/%Y"
        };
        at.format(format).to_string()
    });
    Summary {
        date,
        services,
        documents,
    }
}

/// The summary as plain text, in `lang`, for the printer.
pub(crate) fn text(summary: &Summary, lang: Lang) -> String {
    let t = keep_texts(lang);
    let mut out = String::new();
    out.push_str(t.summary_title);
    if let Some(date) = &summary.date {
        out.push_str(" — ");
        out.push_str(date);
    }
    out.push_str("\n\n");
    out.push_str(t.summary_services);
    out.push('\n');
    if summary.services.is_empty() {
        out.push_str("  ");
        out.push_str(t.summary_no_service);
        out.push('\n');
    }
    for used in &summary.services {
        out.push_str(&format!("  {}  {}\n", used.time, used.name));
    }
    out.push('\n');
    out.push_str(t.summary_documents);
    out.push('\n');
    if summary.documents.is_empty() {
        out.push_str("  ");
        out.push_str(t.summary_no_document);
        out.push('\n');
    }
    for doc in &summary.documents {
        out.push_str(&format!("  {doc}\n"));
    }
    out
}

/// Writes the printable summary (UTF-8 text) into the session directory, replacing an older
/// one, and returns its path: `<session>/summary.txt`, mode 0600, never followed if something
/// else already has that name (the session folder is the view's own; nothing outside it is
/// touched).
pub(crate) fn write(
    session: &SessionDir,
    summary: &Summary,
    lang: Lang,
) -> std::io::Result<PathBuf> {
    let path = session.root().join(FILE_NAME);
    // Never through a link: remove whatever has the name, then create it anew.
    match std::fs::remove_file(&path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&path)?;
    file.write_all(text(summary, lang).as_bytes())?;
    Ok(path)
}

#[cfg(test)]
mod tests;
