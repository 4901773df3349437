//! Shell completions and the man page, generated from the clap definitions.
//! The files in `completions/` are this output; a test fails when they are
//! stale.
//!
//! clap_complete (4.6) has two defects for this tool, patched here after
//! generation so `completions/` works in a real shell:
//! - bash: with a hyphenated binary name the generated script sets
//!   `cmd="casestatus__sync__subcmd__sync"` but its case labels read
//!   `casestatus__subcmd__sync__subcmd__sync`, so nothing below the top
//!   level matches and `casestatus-sync sync <TAB>` lists files. The labels
//!   are rewritten to the names the script sets.
//! - fish: a positional value enum (`completions SHELL`) gets no choices,
//!   so fish offers files; the choices are added.
//!
//! When clap_complete fixes either, the patch finds nothing to replace and
//! the tests in `tests/unattended.rs` (which run real bash) keep it honest.

use clap::ValueEnum;
use clap_complete::{generate, shells};

use crate::cli::Shell;
use crate::util::exit::OK;

/// `completions SHELL`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell to print completions for
    #[arg(value_enum)]
    pub shell: Shell,
}

/// The binary's name, as completions must know it.
const NAME: &str = "casestatus-sync";

/// The completion script for `shell`.
pub fn script(shell: Shell) -> String {
    let mut cmd = crate::cli::command();
    let mut buf = Vec::new();
    match shell {
        Shell::Bash => generate(shells::Bash, &mut cmd, NAME, &mut buf),
        Shell::Zsh => generate(shells::Zsh, &mut cmd, NAME, &mut buf),
        Shell::Fish => generate(shells::Fish, &mut cmd, NAME, &mut buf),
    }
    let text = String::from_utf8_lossy(&buf).into_owned();
    match shell {
        Shell::Bash => fix_bash(&text),
        Shell::Zsh => text,
        Shell::Fish => fix_fish(text),
    }
}

/// Make the case labels of nested subcommands match the names the script
/// assigns to `cmd` (`casestatus__sync__subcmd__…`).
fn fix_bash(text: &str) -> String {
    let wrong = format!("{}__subcmd__{}", "casestatus", "sync");
    text.replace(&wrong, "casestatus__sync")
}

/// Offer the shells for `completions SHELL` (and no files).
fn fix_fish(mut text: String) -> String {
    let shells: Vec<String> = Shell::value_variants()
        .iter()
        .filter_map(|s| s.to_possible_value())
        .map(|v| v.get_name().to_string())
        .collect();
    let line = format!(
        "complete -c {NAME} -n \"__fish_casestatus_sync_using_subcommand completions\" -f -a \"{}\"\n",
        shells.join(" ")
    );
    if !text.contains(&line) {
        text.push_str(&line);
    }
    text
}

/// Print the completion script for `shell` on stdout.
pub fn print(shell: Shell) {
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(script(shell).as_bytes());
}

/// `completions SHELL`: print its script.
///
/// # Errors
/// None; the signature is every command's.
pub fn exec(args: &Args) -> anyhow::Result<u8> {
    print(args.shell);
    Ok(OK)
}

/// The man page (roff), from the same definition as `--help`.
///
/// # Errors
/// Only if writing to memory fails, which it does not.
pub fn man_page() -> std::io::Result<String> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(crate::cli::command()).render(&mut buf)?;
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

/// `man`: print the man page on stdout.
///
/// # Errors
/// The page cannot be rendered.
pub fn print_man() -> anyhow::Result<u8> {
    use std::io::Write;
    let page = man_page()?;
    let _ = std::io::stdout().lock().write_all(page.as_bytes());
    Ok(OK)
}

/// The file name under `completions/` for each shell.
pub fn file_name(shell: Shell) -> &'static str {
    match shell {
        Shell::Bash => "casestatus-sync.bash",
        Shell::Zsh => "_casestatus-sync",
        Shell::Fish => "casestatus-sync.fish",
    }
}
