//! Config and pack errors, shown to the site admin as `path:line:col: message` plus a hint.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Everything that can be wrong with a config file or a pack it names.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Invalid(Located),
}

impl ConfigError {
    /// Builds a located error from a byte span of `text` (the file `path`).
    pub(crate) fn at(
        path: &Path,
        text: &str,
        span: Option<Range<usize>>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        let (line, col) = span.map_or((1, 1), |s| line_col(text, s.start));
        ConfigError::Invalid(Located {
            path: path.to_owned(),
            line,
            col,
            message: message.into(),
            hint: hint.into(),
        })
    }

    /// The located part, when there is one (for tests and `guichetctl status`).
    pub fn located(&self) -> Option<&Located> {
        match self {
            ConfigError::Invalid(l) => Some(l),
            ConfigError::Read { .. } => None,
        }
    }
}

/// An error at a place in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub path: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
    pub message: String,
    pub hint: String,
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}\n  hint: {}",
            self.path.display(),
            self.line,
            self.col,
            self.message,
            self.hint
        )
    }
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, col)
}

/// A hint for a TOML/serde error message, by what it says.
pub(crate) fn hint_for_toml(message: &str) -> String {
    if message.contains("unknown field") {
        let expected = message
            .split("expected")
            .nth(1)
            .map(str::trim)
            .unwrap_or("");
        if expected.is_empty() {
            "remove this key or check its spelling".to_owned()
        } else {
            format!("remove this key or check its spelling; known keys: {expected}")
        }
    } else if message.contains("invalid type") {
        "check the value's type: strings in quotes, numbers without quotes, lists in [ ]".to_owned()
    } else if message.contains("unknown variant") {
        "use one of the values listed in the message".to_owned()
    } else if message.contains("missing field") {
        "add this key; see kiosk-config/guichet.toml for an annotated example".to_owned()
    } else {
        "check the TOML syntax near this place".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::line_col;

    #[test]
    fn line_and_column_are_one_based_in_characters() {
        let t = "a = 1\nbé = 2\n";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 6), (2, 1));
        assert_eq!(line_col(t, t.find('=').unwrap()), (1, 3));
        let second_eq = t.rfind('=').unwrap();
        assert_eq!(line_col(t, second_eq), (2, 4));
    }
}
