//! How results reach people and programs: tables and badges on a terminal,
//! one JSON document with `--json`, nothing on success with `--quiet`.
//! Colour only on a terminal and never when `NO_COLOR` is set.

use std::io::{IsTerminal, Write};

use comfy_table::{presets, ContentArrangement, Table};
use serde::Serialize;

/// Output settings for one command.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    pub json: bool,
    pub quiet: bool,
    pub verbose: bool,
    pub color: bool,
}

impl Output {
    /// From the global flags and the environment.
    pub fn new(json: bool, quiet: bool, verbose: bool) -> Output {
        let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        Output {
            json,
            quiet,
            verbose,
            color,
        }
    }

    /// Print a JSON document (with `--json`; quiet does not silence it,
    /// because asking for JSON is asking for output).
    pub fn json<T: Serialize>(&self, doc: &T) -> anyhow::Result<()> {
        emit(&serde_json::to_string_pretty(doc)?);
        Ok(())
    }

    /// A line for people (skipped with --quiet or --json).
    pub fn line(&self, text: impl AsRef<str>) {
        if !self.quiet && !self.json {
            emit(text.as_ref());
        }
    }

    /// Detail for `-v`, on stderr.
    pub fn detail(&self, text: impl AsRef<str>) {
        if self.verbose {
            eprintln!("{}", text.as_ref());
        }
    }

    /// A warning a person should see, on stderr (even with --json).
    pub fn warn(&self, text: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("warning: {}", text.as_ref());
        }
    }

    /// A green badge such as "● Connected".
    pub fn ok_badge(&self, text: &str) -> String {
        self.paint("32", &format!("● {text}"))
    }

    /// A yellow warning mark such as "⚠ Fix".
    pub fn warn_badge(&self, text: &str) -> String {
        self.paint("33", &format!("⚠ {text}"))
    }

    /// A red badge such as "✖ Not connected".
    pub fn bad_badge(&self, text: &str) -> String {
        self.paint("31", &format!("✖ {text}"))
    }

    fn paint(&self, ansi: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{ansi}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    /// A progress bar on stderr for a long loop; hidden unless stderr is a
    /// terminal and output is for people.
    pub fn progress(&self, len: usize, what: &str) -> indicatif::ProgressBar {
        if self.quiet || self.json || !std::io::stderr().is_terminal() || len < 50 {
            return indicatif::ProgressBar::hidden();
        }
        let bar = indicatif::ProgressBar::new(len as u64);
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{msg:>12} [{bar:30}] {pos}/{len} ({eta})")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(what.to_string());
        bar
    }

    /// A table with our house style and the given header.
    pub fn table(&self, header: &[&str]) -> Table {
        let mut t = Table::new();
        t.load_preset(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_header(header.iter().copied());
        if !self.color {
            t.force_no_tty();
        }
        t
    }

    /// Print a table (skipped with --quiet or --json).
    pub fn print_table(&self, table: &Table) {
        self.line(table.to_string());
    }
}

/// Write a line to stdout. A closed stdout (`casestatus-sync log | head`)
/// is not an error worth a panic: the reader has what it wanted.
pub fn emit(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}");
}
