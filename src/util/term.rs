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
//!
//! Our own colour is not in the text: a [`Styled`] line is a list of spans,
//! each with its [`Paint`] or none, and the escape codes are written only
//! when a line is rendered for a colour terminal. No character of data can
//! therefore start, end or forge a colour, conceal text or cut a line (the
//! tool once marked colours in-band with private-use characters, which
//! data could carry).

use std::borrow::Cow;
use std::fmt::Write as _;

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
        | '\u{200e}' | '\u{200f}' | '\u{61c}')
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
/// line breaks when `layout` is [`Layout::Block`] and makes every other
/// control character visible. It adds no colour: only [`Styled::render`]
/// does, around its painted spans.
pub fn for_terminal(text: &str, layout: Layout) -> Cow<'_, str> {
    let keep_newline = layout == Layout::Block;
    if !text
        .chars()
        .any(|c| is_unsafe(c) && !(keep_newline && c == '\n'))
    {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' if keep_newline => out.push('\n'),
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

/// Our colours: the only ones the tool ever writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paint {
    Green,
    Yellow,
    Red,
}

impl Paint {
    /// The SGR code of the colour.
    fn sgr(self) -> &'static str {
        match self {
            Paint::Green => "32",
            Paint::Yellow => "33",
            Paint::Red => "31",
        }
    }
}

/// Text for people with our colour kept beside it, never inside it: spans
/// of text, each painted or not. Built from plain text (`From<String>`,
/// `From<&str>`), from a painted span ([`Styled::painted`]), and joined
/// with `+`. Rendering makes every span's text safe ([`for_terminal`]) and
/// writes escape codes only for the painted spans, only with colour on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Styled {
    spans: Vec<(Option<Paint>, String)>,
}

impl Styled {
    /// `text` in our colour `paint`; its own control characters (line
    /// breaks included) are shown visibly.
    pub fn painted(paint: Paint, text: &str) -> Styled {
        Styled {
            spans: vec![(Some(paint), visible(text).into_owned())],
        }
    }

    /// The text without colour (what a pipe gets, before escaping).
    pub fn plain(&self) -> String {
        self.spans.iter().map(|(_, t)| t.as_str()).collect()
    }

    /// The colour of a text that is one painted span, with that text.
    pub fn single_paint(&self) -> Option<(Paint, &str)> {
        match self.spans.as_slice() {
            [(Some(p), t)] => Some((*p, t.as_str())),
            _ => None,
        }
    }

    /// The terminal text: every span made safe for `layout`, painted spans
    /// wrapped in their colour when `colour` is on.
    pub fn render(&self, layout: Layout, colour: bool) -> String {
        let mut out = String::new();
        for (paint, text) in &self.spans {
            let safe = for_terminal(text, layout);
            match paint {
                Some(p) if colour => {
                    let _ = write!(out, "\x1b[{}m{safe}\x1b[0m", p.sgr());
                }
                _ => out.push_str(&safe),
            }
        }
        out
    }
}

impl From<String> for Styled {
    fn from(text: String) -> Styled {
        Styled {
            spans: vec![(None, text)],
        }
    }
}

impl From<&str> for Styled {
    fn from(text: &str) -> Styled {
        Styled::from(text.to_string())
    }
}

impl From<&String> for Styled {
    fn from(text: &String) -> Styled {
        Styled::from(text.clone())
    }
}

impl From<Cow<'_, str>> for Styled {
    fn from(text: Cow<'_, str>) -> Styled {
        Styled::from(text.into_owned())
    }
}

impl<T: Into<Styled>> std::ops::Add<T> for Styled {
    type Output = Styled;

    fn add(mut self, more: T) -> Styled {
        self.spans.extend(more.into().spans);
        self
    }
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
            // Private-use characters are data like any other: kept.
            ("\u{F8F0}8\u{F8F1}x\u{F8F2}", "\u{F8F0}8\u{F8F1}x\u{F8F2}"),
        ];
        for (input, want) in cases {
            assert_eq!(visible(input), want, "{input:?}");
        }
    }

    #[test]
    fn colour_is_beside_the_text_never_in_it() {
        let ours = Styled::painted(Paint::Green, "● ok") + "\nnext";
        let block = Layout::Block;
        assert_eq!(ours.render(block, true), "\x1b[32m● ok\x1b[0m\nnext");
        assert_eq!(ours.render(block, false), "● ok\nnext");
        assert_eq!(ours.render(Layout::Line, false), "● ok\\nnext");
        assert_eq!(
            for_terminal("x\x1b]8;;http://e\x07y", block),
            "x\\x1b]8;;http://e\\x07y"
        );
        // What were once our markers are only text now: no colour, and
        // nothing after them is lost.
        let forged = Styled::from("a \u{F8F0}8\u{F8F1}hidden\u{F8F2} \u{F8F0}rest");
        let shown = forged.render(Layout::Line, true);
        assert!(!shown.contains('\x1b'), "{shown:?}");
        assert!(
            shown.ends_with("rest") && shown.contains("hidden"),
            "{shown:?}"
        );
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
