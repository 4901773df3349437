//! The questions `init` and `setup` ask on a terminal (dialoguer), and what
//! their answers become when a person stops at one (Ctrl-C).
//!
//! Prompts are drawn on stderr; labels built from data (practice areas,
//! case types, statuses, event types) are made visible with
//! [`crate::util::term::visible`] first, like every other line of data.

use std::io::IsTerminal;

use dialoguer::theme::{ColorfulTheme, SimpleTheme, Theme};

use crate::util::exit::{Interrupted, UsageError, INTERRUPTED};

/// Whether questions can be asked: keys come from a terminal and prompts
/// are drawn on one.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// The prompts' look: colours only where our own output has them.
pub fn theme(color: bool) -> Box<dyn Theme> {
    if color {
        Box::new(ColorfulTheme::default())
    } else {
        Box::new(SimpleTheme)
    }
}

/// A failed prompt as an error: Ctrl-C (or the terminal going away) is
/// [`Interrupted`] with `kept`, a sentence saying what stays as it is;
/// anything else a usage error naming the question.
pub fn failed(question: &str, e: dialoguer::Error, kept: &str) -> anyhow::Error {
    // Raw mode hides the cursor while a list is shown; give it back.
    let _ = dialoguer::console::Term::stderr().show_cursor();
    let dialoguer::Error::IO(io) = e;
    match io.kind() {
        std::io::ErrorKind::Interrupted | std::io::ErrorKind::UnexpectedEof => {
            Interrupted(format!("stopped at \"{}\"; {kept}", question.trim())).into()
        }
        _ => UsageError(format!(
            "cannot read the answer to \"{question}\" from the terminal: {io}; {kept}"
        ))
        .into(),
    }
}

/// From now on, Ctrl-C anywhere in this command (a hidden-key prompt
/// blocks in a read that no error ends) gives the cursor back, prints one
/// line — `what` stopped, and `kept` — and exits 130. A pick-list's own
/// Ctrl-C also comes back from the prompt as an [`Interrupted`] error that
/// `main` prints; the handler waits a moment so that the line is printed
/// once. Exiting in the middle of a save is safe: each save is one
/// transaction of the state file, rolled back at the next open if cut.
pub fn on_ctrl_c(what: &'static str, kept: &'static str) {
    // Only fails if a handler is already set (a second walk in one process).
    let _ = ctrlc::set_handler(move || {
        let _ = dialoguer::console::Term::stderr().show_cursor();
        std::thread::sleep(std::time::Duration::from_millis(300));
        crate::util::output::error_line(
            &Interrupted(format!("{what} stopped (Ctrl-C); {kept}")).into(),
            false,
        );
        let _ = crate::util::output::check_written();
        std::process::exit(i32::from(INTERRUPTED));
    });
}
