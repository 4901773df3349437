//! Where text from data becomes terminal text.
//!
//! Client messages come from anyone with the CaseStatus app; names, file
//! numbers and event types are typed by firm staff; practice areas and
//! error messages come from CaseStatus. None of it may drive the operator's
//! terminal (colour, OSC 8 links, window titles, clearing the screen, fake
//! lines). Every byte that [`crate::util::output::Output`] writes to stdout or
//! stderr passes through [`for_terminal`], so a new output cannot forget it;
//! a value embedded in a one-line message is made visible with [`visible`]
//! too, so its own line breaks cannot fake a line.
//!
//! Data stays exact where it is data: FluentCase, the state file and
//! `--json` keep the original text; only what a person reads is escaped.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Our own colour: a marker that [`for_terminal`] turns into an SGR
/// sequence (or drops without colour). Private-use code points that no
/// data may carry through: [`visible`] escapes them.
pub(crate) const PAINT_START: char = '\u{F8F0}';
/// Ends a painted span (see [`PAINT_START`]); the colour digits sit between
/// [`PAINT_START`] and [`PAINT_TEXT`].
pub(crate) const PAINT_TEXT: char = '\u{F8F1}';
pub(crate) const PAINT_END: char = '\u{F8F2}';

/// How long a remote message may be inside a one-line error.
pub const MAX_REMOTE_MESSAGE_CHARS: usize = 300;

/// True for characters that must never reach a terminal as they are: C0
/// controls, DEL, C1 controls (U+0080–U+009F, including the one-byte CSI
/// U+009B), and the bidirectional overrides and isolates that reorder what
/// a person sees (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C).
fn is_unsafe(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        | '\u{200e}' | '\u{200f}' | '\u{61c}'
        | PAINT_START | PAINT_TEXT | PAINT_END)
}

fn escape_into(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if (c as u32) < 0x100 => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

/// A value from data, made safe to show inside a line: every control
/// character (line breaks included), DEL, C1 and bidi override is written
/// visibly (`\x1b`, `\n`, `\u{202e}`); everything else is kept. A person
/// reading `Mal\x1b[1mlory` sees what is really stored.
pub fn visible(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) {
            escape_into(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// [`visible`], and cut to `max` characters with an ellipsis: for remote
/// messages inside a one-line error.
pub fn visible_cut(s: &str, max: usize) -> String {
    let v = visible(s);
    if v.chars().count() <= max {
        return v.into_owned();
    }
    let mut cut: String = v.chars().take(max).collect();
    cut.push('…');
    cut
}

/// The last step before bytes reach the terminal: keeps the output's own
/// line breaks when `lines` is [`Layout::Block`], turns our paint markers
/// into colour (or nothing), and makes every other control character
/// visible. `colour` is false for pipes, files and `NO_COLOR`.
pub fn for_terminal(text: &str, layout: Layout, colour: bool) -> Cow<'_, str> {
    let keep_newline = layout == Layout::Block;
    if !text
        .chars()
        .any(|c| is_unsafe(c) && !(keep_newline && c == '\n'))
    {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\n' if keep_newline => out.push('\n'),
            PAINT_START => {
                let code: String = chars.by_ref().take_while(|c| *c != PAINT_TEXT).collect();
                if colour && code.chars().all(|c| c.is_ascii_digit() || c == ';') {
                    let _ = write!(out, "\x1b[{code}m");
                }
            }
            PAINT_END => {
                if colour {
                    out.push_str("\x1b[0m");
                }
            }
            c if is_unsafe(c) => escape_into(&mut out, c),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// What a piece of output is: one line (its line breaks come from data and
/// are shown as `\n`), or a block of our own layout such as a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Line,
    Block,
}

/// Wrap `text` (already safe) in our colour `code` (SGR digits).
pub(crate) fn paint(code: &str, text: &str) -> String {
    format!("{PAINT_START}{code}{PAINT_TEXT}{text}{PAINT_END}")
}

/// A whole painted span (`paint(code, text)`) split back into its code and
/// text, for tables that colour a cell themselves; None for other text.
pub(crate) fn unpaint(s: &str) -> Option<(&str, &str)> {
    let rest = s.strip_prefix(PAINT_START)?.strip_suffix(PAINT_END)?;
    let (code, text) = rest.split_once(PAINT_TEXT)?;
    Some((code, text))
}

/// The one-line form of an error chain for stderr: data inside it (remote
/// messages, names) cannot break the line or reach the terminal raw.
pub fn error_line(err: &anyhow::Error) -> String {
    visible(&format!("{err:#}")).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visible_escapes_every_class() {
        let cases = [
            ("plain ✓ text", "plain ✓ text"),
            ("a\x1b[31mred", "a\\x1b[31mred"),
            ("bell\x07", "bell\\x07"),
            ("cr\rlf\n", "cr\\rlf\\n"),
            ("nul\0", "nul\\x00"),
            ("del\x7f", "del\\x7f"),
            ("csi\u{9b}2J", "csi\\x9b2J"),
            ("rlo\u{202e}txt", "rlo\\u{202e}txt"),
            ("iso\u{2066}x", "iso\\u{2066}x"),
            ("tab\there", "tab\\there"),
            ("fake\u{F8F0}31\u{F8F1}x", "fake\\u{f8f0}31\\u{f8f1}x"),
        ];
        for (input, want) in cases {
            assert_eq!(visible(input), want, "{input:?}");
        }
    }

    #[test]
    fn for_terminal_keeps_layout_and_paints_only_our_markers() {
        let ours = format!("{}\nnext", paint("32", "● ok"));
        let block = Layout::Block;
        assert_eq!(
            for_terminal(&ours, block, true),
            "\x1b[32m● ok\x1b[0m\nnext"
        );
        assert_eq!(for_terminal(&ours, block, false), "● ok\nnext");
        assert_eq!(for_terminal(&ours, Layout::Line, false), "● ok\\nnext");
        assert_eq!(
            for_terminal("x\x1b]8;;http://e\x07y", block, true),
            "x\\x1b]8;;http://e\\x07y"
        );
        // A forged marker with something other than digits is dropped.
        let forged = format!("{PAINT_START}2J\x1b{PAINT_TEXT}z");
        assert!(!for_terminal(&forged, block, true).contains('\x1b'));
    }

    #[test]
    fn cut_long_messages() {
        let long = "é".repeat(500);
        let cut = visible_cut(&long, 10);
        assert_eq!(cut.chars().count(), 11);
        assert!(cut.ends_with('…'));
        assert_eq!(visible_cut("short", 10), "short");
    }
}
