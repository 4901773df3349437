//! Shell completions, generated from the clap definitions. The files in
//! `completions/` are this output; a test fails when they are stale.

use clap::CommandFactory;
use clap_complete::{generate, shells};

use crate::cli::{Cli, Shell};

/// The completion script for `shell`.
pub fn script(shell: Shell) -> String {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    let name = "casestatus-sync";
    match shell {
        Shell::Bash => generate(shells::Bash, &mut cmd, name, &mut buf),
        Shell::Zsh => generate(shells::Zsh, &mut cmd, name, &mut buf),
        Shell::Fish => generate(shells::Fish, &mut cmd, name, &mut buf),
    }
    String::from_utf8_lossy(&buf).into_owned()
}

/// Print the completion script for `shell` on stdout.
pub fn print(shell: Shell) {
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(script(shell).as_bytes());
}

/// The file name under `completions/` for each shell.
pub fn file_name(shell: Shell) -> &'static str {
    match shell {
        Shell::Bash => "casestatus-sync.bash",
        Shell::Zsh => "_casestatus-sync",
        Shell::Fish => "casestatus-sync.fish",
    }
}
