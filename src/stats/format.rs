//! The four export formats of a [`Report`]: table, CSV, JSON and OpenMetrics.
//!
//! - **table**: for people; one block per period, a suppressed figure reads `< 3`, a lower
//!   bound `≥ 12`; skipped files are listed at the end.
//! - **csv**: `period,figure,key,value,note`; `key` joins a figure's keys with `/`
//!   (`myminfin/page_broken`), `value` is a number or `< 3`, `note` is empty, `suppressed` or
//!   `lower bound`. Skipped files are the caller's to print (on stderr).
//! - **json**: `{"grouping","min_count","periods":[…],"skipped":[…]}`; each period has
//!   `period`, `first_day`, `last_day`, `days` and one member per figure; a keyed figure is an
//!   object whose values are a number, the string `"< 3"`, or `{"at_least": n}`.
//! - **openmetrics**: for a node-exporter textfile collector. One counter family per figure,
//!   `guichet_<figure>_total{period="2026-12-02",…}`; a suppressed figure has **no series**
//!   (absent, never a fake 0), a lower bound is written as its value. Two gauges come first:
//!   `guichet_stats_min_count` and `guichet_stats_skipped_files` (so an exposition is never
//!   empty, and corrupt files show up on a dashboard). Ends with `# EOF`.
//!   Export closed days only: a file rewritten through the day would let a scraper see when
//!   each session ended. node-exporter's textfile collector reads the older Prometheus text
//!   format, where `_total` samples under `# TYPE guichet_x counter` arrive untyped; the
//!   values arrive all the same.
//!
//! Every key went through the syntax checks of [`super::keys`]; CSV fields and OpenMetrics
//! label values are escaped all the same.

use std::fmt::Write as _;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::calendar::Grouping;
use super::export::{Cell, Figure, PeriodFigures, Report};

/// An export format (`table`, `csv`, `json`, `openmetrics`, in text and on the wire).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Table,
    Csv,
    Json,
    OpenMetrics,
}

/// A format name that is not `table`, `csv`, `json` or `openmetrics`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("format: expected table, csv, json or openmetrics")]
pub struct FormatError;

impl FromStr for Format {
    type Err = FormatError;
    fn from_str(s: &str) -> Result<Self, FormatError> {
        match s {
            "table" => Ok(Format::Table),
            "csv" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            "openmetrics" => Ok(Format::OpenMetrics),
            _ => Err(FormatError),
        }
    }
}

impl Report {
    /// The report in `format`.
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Table => self.to_table(),
            Format::Csv => self.to_csv(),
            Format::Json => self.to_json(),
            Format::OpenMetrics => self.to_openmetrics(),
        }
    }

    fn suppressed(&self) -> String {
        format!("< {}", self.min_count)
    }

    /// Text for people.
    pub fn to_table(&self) -> String {
        let label = |figure: Figure, keys: &[String]| {
            // Names of closed sets read better with spaces; ids and domains stay as they are.
            let words = |k: &String, fixed: bool| {
                if fixed {
                    k.replace('_', " ")
                } else {
                    k.clone()
                }
            };
            let keys: Vec<String> = keys
                .iter()
                .enumerate()
                .map(|(i, k)| match figure {
                    Figure::Duration | Figure::EndReason => words(k, true),
                    Figure::Problem => words(k, i == 1),
                    _ => words(k, false),
                })
                .collect();
            if keys.is_empty() {
                figure.help().to_owned()
            } else {
                format!("{}: {}", figure.help(), keys.join(" / "))
            }
        };
        let width = self
            .periods
            .iter()
            .flat_map(|p| &p.rows)
            .map(|r| label(r.figure, &r.keys).chars().count())
            .max()
            .unwrap_or(0);
        let mut out = String::new();
        let mut lower_bounds = false;
        for p in &self.periods {
            let _ = writeln!(out, "{}", heading(p));
            for r in &p.rows {
                let value = match r.cell {
                    Cell::Exact(n) => n.to_string(),
                    Cell::AtLeast(n) => {
                        lower_bounds = true;
                        format!("≥ {n}")
                    }
                    Cell::Suppressed => self.suppressed(),
                };
                let _ = writeln!(out, "  {:<width$}  {value:>8}", label(r.figure, &r.keys));
            }
            out.push('\n');
        }
        if self.periods.is_empty() {
            out.push_str("No figures for these days.\n");
        }
        let _ = writeln!(
            out,
            "< {0}: fewer than {0} sessions, not shown.",
            self.min_count
        );
        if lower_bounds {
            let _ = writeln!(
                out,
                "≥ n: days with fewer than {} sessions are left out of the sum.",
                self.min_count
            );
        }
        for s in &self.skipped {
            let _ = writeln!(out, "skipped {s}");
        }
        out
    }

    /// Comma-separated values, one figure a line.
    pub fn to_csv(&self) -> String {
        let mut out = String::from("period,figure,key,value,note\n");
        for p in &self.periods {
            for r in &p.rows {
                let (value, note) = match r.cell {
                    Cell::Exact(n) => (n.to_string(), ""),
                    Cell::AtLeast(n) => (n.to_string(), "lower bound"),
                    Cell::Suppressed => (self.suppressed(), "suppressed"),
                };
                let fields = [
                    p.period.to_string(),
                    r.figure.name().to_owned(),
                    r.keys.join("/"),
                    value,
                    note.to_owned(),
                ];
                let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
                let _ = writeln!(out, "{}", line.join(","));
            }
        }
        out
    }

    /// One JSON document.
    pub fn to_json(&self) -> String {
        let periods: Vec<Value> = self.periods.iter().map(|p| self.period_json(p)).collect();
        let skipped: Vec<Value> = self
            .skipped
            .iter()
            .map(|s| json!({"file": s.file.to_string_lossy(), "reason": s.reason.to_string()}))
            .collect();
        let doc = json!({
            "grouping": grouping_name(self.grouping),
            "min_count": self.min_count,
            "periods": periods,
            "skipped": skipped,
        });
        let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
        text.push('\n');
        text
    }

    fn period_json(&self, p: &PeriodFigures) -> Value {
        let mut obj = Map::new();
        obj.insert("period".into(), p.period.to_string().into());
        obj.insert("first_day".into(), p.first_day.to_string().into());
        obj.insert("last_day".into(), p.last_day.to_string().into());
        obj.insert("days".into(), p.days.into());
        for figure in Figure::ALL {
            if figure.labels().is_empty() {
                let n = p
                    .rows
                    .iter()
                    .find(|r| r.figure == figure)
                    .map_or(Value::from(0), |r| self.cell_json(r.cell));
                obj.insert(figure.name().into(), n);
                continue;
            }
            let mut by_key = Map::new();
            for r in p.rows.iter().filter(|r| r.figure == figure) {
                let cell = self.cell_json(r.cell);
                match r.keys.as_slice() {
                    [key] => {
                        by_key.insert(key.clone(), cell);
                    }
                    [service, kind] => {
                        let inner = by_key
                            .entry(service.clone())
                            .or_insert_with(|| Value::Object(Map::new()));
                        if let Value::Object(m) = inner {
                            m.insert(kind.clone(), cell);
                        }
                    }
                    _ => {}
                }
            }
            obj.insert(figure.name().into(), Value::Object(by_key));
        }
        Value::Object(obj)
    }

    fn cell_json(&self, cell: Cell) -> Value {
        match cell {
            Cell::Exact(n) => n.into(),
            Cell::AtLeast(n) => json!({ "at_least": n }),
            Cell::Suppressed => self.suppressed().into(),
        }
    }

    /// OpenMetrics text exposition.
    pub fn to_openmetrics(&self) -> String {
        let mut out = String::new();
        for (name, help, value) in [
            (
                "guichet_stats_min_count",
                "Per-key counts below this are not exported",
                self.min_count,
            ),
            (
                "guichet_stats_skipped_files",
                "Statistics files that could not be counted",
                self.skipped.len() as u64,
            ),
        ] {
            let _ = writeln!(
                out,
                "# TYPE {name} gauge\n# HELP {name} {help}.\n{name} {value}"
            );
        }
        for figure in Figure::ALL {
            let mut samples = String::new();
            for p in &self.periods {
                for r in p.rows.iter().filter(|r| r.figure == figure) {
                    let n = match r.cell {
                        Cell::Exact(n) | Cell::AtLeast(n) => n,
                        Cell::Suppressed => continue,
                    };
                    let mut labels = format!("period=\"{}\"", p.period);
                    for (name, value) in figure.labels().iter().zip(&r.keys) {
                        let _ = write!(labels, ",{name}=\"{}\"", label_value(value));
                    }
                    let _ = writeln!(samples, "guichet_{}_total{{{labels}}} {n}", figure.name());
                }
            }
            if samples.is_empty() {
                continue;
            }
            let _ = writeln!(out, "# TYPE guichet_{} counter", figure.name());
            let _ = writeln!(out, "# HELP guichet_{} {}.", figure.name(), figure.help());
            out.push_str(&samples);
        }
        out.push_str("# EOF\n");
        out
    }
}

fn heading(p: &PeriodFigures) -> String {
    if p.first_day == p.last_day {
        format!("{}  ({} day with figures)", p.period, p.days)
    } else {
        format!(
            "{}  ({} to {}, {} days with figures)",
            p.period, p.first_day, p.last_day, p.days
        )
    }
}

fn grouping_name(g: Grouping) -> &'static str {
    match g {
        Grouping::Day => "day",
        Grouping::Week => "week",
        Grouping::Month => "month",
    }
}

/// A CSV field, quoted when it holds a comma, a quote or a line break.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// An OpenMetrics label value with `\`, `"` and line feeds escaped.
fn label_value(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
