//! The commands, one module each: what the admin, cron and support staff
//! type. Each module owns its command's flags (`Args`, a clap derive) and
//! its `exec`; the cli layer's `dispatch` is the one table that calls them.
//! Each reads its inputs through the context it is given (a [`crate::sync::Ctx`],
//! or [`Globals`] for a command that needs no firm's config), calls the
//! sync engine or the rules, and presents the result.

pub mod demo;
pub mod doctor;
pub mod event_types;
pub mod fleet;
pub mod init;
pub mod log;
pub mod mapping;
pub mod messages;
pub mod metrics;
pub mod prompt;
pub mod sandbox;
pub mod serve;
pub mod setup;
pub mod status;
pub mod sync;
pub mod walkthrough;
pub mod why_skipped;

use std::path::PathBuf;

use crate::util::exit::UsageError;
use crate::util::output::Output;

/// What a command that works on no one firm's config is given (`init`
/// writes one, `fleet`'s firms have their own, `demo` and `sandbox` make
/// their own): `--config` as typed, and the output settings. The others
/// get a [`crate::sync::Ctx`].
#[derive(Debug, Clone)]
pub struct Globals {
    /// `--config`, as typed.
    pub config: Option<PathBuf>,
    /// `--api-key-file`: the key file for this run, over the config's.
    pub api_key_file: Option<PathBuf>,
    pub out: Output,
}

/// Pick exact names out of a list of choices, or a usage error listing them.
///
/// # Errors
/// [`UsageError`] naming the first unknown value and every choice.
pub fn exact_choice<'a>(
    what: &str,
    value: &str,
    choices: &'a [String],
) -> anyhow::Result<&'a String> {
    if value.trim().is_empty() {
        return Err(UsageError(format!(
            "{what} name is empty; choices: {}",
            quoted(choices)
        ))
        .into());
    }
    choices.iter().find(|c| *c == value).ok_or_else(|| {
        let hint = choices
            .iter()
            .find(|c| c.eq_ignore_ascii_case(value.trim()))
            .map(|c| format!(" (names are case-sensitive: did you mean {c:?}?)"))
            .unwrap_or_default();
        UsageError(format!(
            "unknown {what} {value:?}{hint}; choices: {}",
            quoted(choices)
        ))
        .into()
    })
}

/// `"a", "b"` or `(none)`.
pub fn quoted(items: &[String]) -> String {
    if items.is_empty() {
        "(none)".into()
    } else {
        items
            .iter()
            .map(|s| format!("{s:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A path or word as one shell word: quoted when it holds anything but
/// safe characters, so a printed command works when pasted.
pub fn shell_word(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+=:,@".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}
