//! What commands print: one [`Output`] that knows whether `--json` was given.
//!
//! Every command builds a report type implementing [`Render`]: its `Serialize` impl is the
//! `--json` form (one compact JSON document on one line, numbers as JSON numbers even past
//! `u64`), and [`Render::lines`] is the human form, one `key: value` per line, derived from the
//! same `Serialize` impl unless the report formats a value for people. Errors never go
//! through here: they go to stderr from `main`.

use std::fmt::Display;
use std::io::Write;

use anyhow::Context;
use serde::Serialize;

/// A report a command prints.
pub trait Render: Serialize {
    /// The human form: `key: value` lines. By default derived from the `Serialize` form (see
    /// [`crate::output_lines`]); a report overrides it only to show a value differently for
    /// people (an amount in GHOST, a time as a date, a record as one line).
    fn lines(&self) -> Lines {
        crate::output_lines::lines_of(self).unwrap_or_else(|e| Lines::new().with("error", e))
    }
}

/// Human output: ordered `key: value` pairs.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Lines(Vec<(String, String)>);

impl Lines {
    /// No lines.
    pub fn new() -> Self {
        Lines::default()
    }

    /// Adds `key: value`.
    pub fn with(mut self, key: impl Into<String>, value: impl Display) -> Self {
        self.0.push((key.into(), value.to_string()));
        self
    }

    /// Adds `key: value` if `value` is `Some`.
    pub fn with_opt(self, key: impl Into<String>, value: Option<impl Display>) -> Self {
        match value {
            Some(value) => self.with(key, value),
            None => self,
        }
    }

    /// Adds `other`'s lines after these.
    pub fn append(mut self, other: Lines) -> Self {
        self.0.extend(other.0);
        self
    }

    fn text(&self) -> String {
        self.0
            .iter()
            .map(|(key, value)| format!("{key}: {value}\n"))
            .collect()
    }
}

/// Where reports go, and in which form.
#[derive(Debug)]
pub struct Output {
    json: bool,
    sink: Sink,
}

#[derive(Debug)]
enum Sink {
    Stdout,
    #[cfg(test)]
    Buffer(std::sync::Mutex<String>),
}

impl Output {
    /// Prints to stdout, as JSON if `json`.
    pub fn stdout(json: bool) -> Self {
        Output {
            json,
            sink: Sink::Stdout,
        }
    }

    /// Collects output in memory (tests).
    #[cfg(test)]
    pub fn buffer(json: bool) -> Self {
        Output {
            json,
            sink: Sink::Buffer(Default::default()),
        }
    }

    /// What was collected so far (tests).
    #[cfg(test)]
    pub fn captured(&self) -> String {
        match &self.sink {
            Sink::Buffer(buffer) => buffer.lock().map(|b| b.clone()).unwrap_or_default(),
            Sink::Stdout => String::new(),
        }
    }

    /// The text `report` prints as.
    pub fn render(&self, report: &impl Render) -> anyhow::Result<String> {
        if self.json {
            let mut text = serde_json::to_string(report).context("serializing the output")?;
            text.push('\n');
            Ok(text)
        } else {
            Ok(report.lines().text())
        }
    }

    /// Whether `--json` was given.
    pub fn is_json(&self) -> bool {
        self.json
    }

    /// Prints `report`.
    pub fn emit(&self, report: &impl Render) -> anyhow::Result<()> {
        let text = self.render(report)?;
        self.write(&text)
    }

    /// Prints `text` as is (streams such as `domain watch` that print a line per event).
    pub fn write(&self, text: &str) -> anyhow::Result<()> {
        match &self.sink {
            Sink::Stdout => {
                let mut stdout = std::io::stdout().lock();
                stdout
                    .write_all(text.as_bytes())
                    .and_then(|()| stdout.flush())
            }
            .context("writing to stdout"),
            #[cfg(test)]
            Sink::Buffer(buffer) => {
                buffer
                    .lock()
                    .map_err(|_| anyhow::anyhow!("output buffer poisoned"))?
                    .push_str(text);
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Big {
        units: u128,
    }

    impl Render for Big {
        fn lines(&self) -> Lines {
            Lines::new()
                .with("units", self.units)
                .with_opt("none", None::<u8>)
        }
    }

    #[test]
    fn json_keeps_numbers_past_u64() {
        let report = Big { units: u128::MAX };
        let json = Output::buffer(true).render(&report).unwrap();
        assert_eq!(json, format!("{{\"units\":{}}}\n", u128::MAX));
        let human = Output::buffer(false).render(&report).unwrap();
        assert_eq!(human, format!("units: {}\n", u128::MAX));
    }
}
