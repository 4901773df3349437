//! How results reach people and programs: tables and badges on a terminal,
//! one JSON document with `--json`, nothing on success with `--quiet`.
//! Colour only on a terminal and never when `NO_COLOR` is set.
//!
//! Every byte for people goes through [`crate::util::term::for_terminal`] here,
//! so text from clients, staff or CaseStatus cannot drive the terminal
//! whichever command prints it. A write that fails (a full disk) is
//! remembered and turned into an error by [`check_written`]; a closed pipe
//! (`… | head`) is not an error: the reader has what it wanted.

use std::io::{IsTerminal, Write};
use std::sync::{Mutex, OnceLock};

use crate::util::term::{self, Layout, Paint, Styled};

use comfy_table::{presets, Cell, Color, ContentArrangement, Table};
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
        // CLICOLOR_FORCE (a common convention) asks for colour on a pipe.
        let forced = std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| v != "0");
        let color =
            (std::io::stdout().is_terminal() || forced) && std::env::var_os("NO_COLOR").is_none();
        Output {
            json,
            quiet,
            verbose,
            color,
        }
    }

    /// Print a JSON document (with `--json`; quiet does not silence it,
    /// because asking for JSON is asking for output). Pretty on a terminal
    /// for people; one line otherwise, so a pipe, a log collector or
    /// `while read` gets one document per line.
    pub fn json<T: Serialize>(&self, doc: &T) -> anyhow::Result<()> {
        let text = json_text(doc, std::io::stdout().is_terminal())?;
        write_out(Stream::Stdout, &json_safe(&text));
        JSON_PRINTED.store(true, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }

    /// A line for people (skipped with --quiet or --json). Line breaks in
    /// it are shown as `\n`: one call, one line, whatever data it holds.
    /// Plain text or [`Styled`] (badges joined with `+`).
    pub fn line(&self, text: impl Into<Styled>) {
        if !self.quiet && !self.json {
            self.emit_line(Stream::Stdout, &text.into());
        }
    }

    /// Several lines of our own layout (a table, a block of help); control
    /// characters other than the line breaks are made visible.
    pub fn block(&self, text: impl Into<Styled>) {
        if !self.quiet && !self.json {
            write_out(
                Stream::Stdout,
                &text.into().render(Layout::Block, self.color),
            );
        }
    }

    /// Detail for `-v`, on stderr.
    pub fn detail(&self, text: impl Into<Styled>) {
        if self.verbose {
            self.emit_line(Stream::Stderr, &text.into());
        }
    }

    /// A warning a person should see, on stderr (even with --json),
    /// naming the firm ([`prefix`]).
    pub fn warn(&self, text: impl Into<Styled>) {
        if !self.quiet {
            self.emit_line(
                Stream::Stderr,
                &(Styled::from(format!("{}: warning: ", prefix())) + text),
            );
        }
    }

    fn emit_line(&self, stream: Stream, text: &Styled) {
        write_out(stream, &text.render(Layout::Line, self.color));
    }

    /// A green badge such as "● Connected".
    pub fn ok_badge(&self, text: &str) -> Styled {
        Styled::painted(Paint::Green, &format!("● {text}"))
    }

    /// A yellow warning mark such as "⚠ Fix".
    pub fn warn_badge(&self, text: &str) -> Styled {
        Styled::painted(Paint::Yellow, &format!("⚠ {text}"))
    }

    /// A red badge such as "✖ Not connected".
    pub fn bad_badge(&self, text: &str) -> Styled {
        Styled::painted(Paint::Red, &format!("✖ {text}"))
    }

    /// A sentence in its tone: a badge for [`Tone::Ok`], [`Tone::Warn`] and
    /// [`Tone::Bad`], the text itself for [`Tone::Plain`]. The status page
    /// shows the same sentences with the tone as a CSS class.
    pub fn toned(&self, tone: Tone, text: &str) -> Styled {
        match tone {
            Tone::Ok => self.ok_badge(text),
            Tone::Warn => self.warn_badge(text),
            Tone::Bad => self.bad_badge(text),
            Tone::Plain => Styled::from(text),
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
    pub fn table(&self, header: &[&str]) -> TermTable {
        let mut t = Table::new();
        t.load_preset(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_header(header.iter().copied());
        if !self.color {
            t.force_no_tty();
        }
        TermTable {
            table: t,
            color: self.color,
        }
    }

    /// Print a table (skipped with --quiet or --json).
    pub fn print_table(&self, table: &TermTable) {
        if !self.quiet && !self.json {
            // Every cell was made safe by `TermTable::add_row`; the only
            // escapes here are comfy-table's own colours.
            write_out(Stream::Stdout, &table.table.to_string());
        }
    }
}

/// How a sentence for people should look: green, yellow ⚠, red ✖, or
/// plain. Commands that both print and serve a page (`why-skipped`) say a
/// sentence once with its tone; the terminal paints it, the page styles it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tone {
    Ok,
    Warn,
    Bad,
    Plain,
}

impl Tone {
    /// The tone's name, also the status page's CSS class.
    pub fn name(self) -> &'static str {
        match self {
            Tone::Ok => "ok",
            Tone::Warn => "warn",
            Tone::Bad => "bad",
            Tone::Plain => "plain",
        }
    }
}

/// A table whose cells are made safe as they are added: text from data is
/// shown with [`term::visible`], and a badge ([`Output::ok_badge`]) becomes
/// a coloured cell that comfy-table measures without its escape codes, so
/// columns line up on a colour terminal.
pub struct TermTable {
    table: Table,
    color: bool,
}

impl TermTable {
    /// Add a row of cells: plain text, or [`Styled`] for a badge.
    pub fn add_row<C: Into<Styled>>(&mut self, cells: Vec<C>) {
        let row: Vec<Cell> = cells.into_iter().map(|c| self.cell(&c.into())).collect();
        self.table.add_row(row);
    }

    fn cell(&self, text: &Styled) -> Cell {
        match text.single_paint() {
            Some((paint, inner)) => {
                let cell = Cell::new(term::visible(inner));
                match (self.color, paint) {
                    (true, Paint::Green) => cell.fg(Color::Green),
                    (true, Paint::Yellow) => cell.fg(Color::Yellow),
                    (true, Paint::Red) => cell.fg(Color::Red),
                    (false, _) => cell,
                }
            }
            None => Cell::new(term::visible(&text.plain())),
        }
    }
}

#[derive(Clone, Copy)]
enum Stream {
    Stdout,
    Stderr,
}

/// The first failed write to stdout or stderr, other than a closed pipe.
static WRITE_ERROR: Mutex<Option<String>> = Mutex::new(None);

fn write_out(stream: Stream, text: &str) {
    let result = match stream {
        Stream::Stdout => writeln!(std::io::stdout().lock(), "{text}"),
        Stream::Stderr => writeln!(std::io::stderr().lock(), "{text}"),
    };
    if let Err(e) = result {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            let which = match stream {
                Stream::Stdout => "standard output",
                Stream::Stderr => "standard error",
            };
            let mut first = WRITE_ERROR.lock().unwrap_or_else(|p| p.into_inner());
            first.get_or_insert_with(|| format!("cannot write to {which}: {e}"));
        }
    }
}

/// Whether this process printed a JSON document on stdout already.
static JSON_PRINTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// With `--json`, a command that fails still prints one document on
/// stdout (SPEC §1): `{"error": {"message": "...", "exit": N}}` — unless
/// it printed its own already (a sync whose records failed prints its
/// summary), so stdout always holds exactly one document.
///
/// # Errors
/// The document cannot be serialized.
pub fn error_document(err: &anyhow::Error, exit: u8) -> anyhow::Result<()> {
    if JSON_PRINTED.load(std::sync::atomic::Ordering::Relaxed) {
        return Ok(());
    }
    Output::new(true, false, false).json(&ErrorDocument {
        error: ErrorBody {
            message: format!("{err:#}"),
            exit,
        },
    })
}

/// `{"error": {...}}`: a failed command's `--json` document.
#[derive(Debug, Serialize)]
pub struct ErrorDocument {
    pub error: ErrorBody,
}

/// The failure: the whole context chain on one line, and the exit status.
#[derive(Debug, Serialize)]
pub struct ErrorBody {
    pub message: String,
    pub exit: u8,
}

/// The firm this process works for (the host of `fluentcase.base_url`),
/// set once the config is read.
static FIRM: OnceLock<String> = OnceLock::new();

/// Say which firm this process works for: from now on every one-line
/// error, warning and verdict is `casestatus-sync[FIRM]: …` (SPEC §1).
pub fn set_firm(firm: String) {
    let _ = FIRM.set(firm);
}

/// `casestatus-sync[acme.fluentcase.com]`, or plain `casestatus-sync`
/// while no config has been read.
pub fn prefix() -> String {
    match FIRM.get() {
        Some(firm) => format!("casestatus-sync[{}]", term::visible(firm)),
        None => "casestatus-sync".to_string(),
    }
}

/// Print an error as the one line on stderr that cron mails:
/// `casestatus-sync[FIRM]: …`, the whole context chain, data made visible;
/// a `temporary` one says that the next cycle retries.
pub fn error_line(err: &anyhow::Error, temporary: bool) {
    let retry = if temporary {
        " — temporary: the next cycle retries"
    } else {
        ""
    };
    write_out(
        Stream::Stderr,
        &format!("{}: {}{retry}", prefix(), term::error_line(err)),
    );
}

/// Write a line of our own text to stdout (for commands without an
/// [`Output`], such as `sandbox`); made safe like every other line.
pub fn emit(text: &str) {
    write_out(Stream::Stdout, &term::for_terminal(text, Layout::Block));
}

/// A write to stdout or stderr failed: the output a person or program
/// asked for is incomplete.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct OutputError(pub String);

/// After a command: its output really was written, or the error saying
/// why not (a full disk must not look like success).
///
/// # Errors
/// [`OutputError`] with the first failed write.
pub fn check_written() -> Result<(), OutputError> {
    let _ = std::io::stdout().lock().flush();
    let first = WRITE_ERROR.lock().unwrap_or_else(|p| p.into_inner()).take();
    match first {
        Some(e) => Err(OutputError(e)),
        None => Ok(()),
    }
}

/// JSON for a terminal or a pipe: the same document, with the characters
/// that serde_json leaves raw but a terminal would obey (DEL, C1, bidi
/// overrides) written as `\uXXXX` escapes. They occur only inside strings,
/// so the decoded text stays exact.
pub fn json_safe(json: &str) -> std::borrow::Cow<'_, str> {
    let risky = |c: char| {
        matches!(c, '\u{7f}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
            | '\u{200e}' | '\u{200f}' | '\u{61c}')
    };
    if !json.chars().any(risky) {
        return std::borrow::Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if risky(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A JSON document as text: indented for a terminal, else compact.
///
/// # Errors
/// The document cannot be serialized.
pub fn json_text<T: Serialize>(doc: &T, pretty: bool) -> serde_json::Result<String> {
    if pretty {
        serde_json::to_string_pretty(doc)
    } else {
        serde_json::to_string(doc)
    }
}
