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

/// `man`'s flags.
#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write the top page and one page per subcommand (casestatus-sync-map-stage.1, ...) into DIR
    #[arg(long, value_name = "DIR")]
    pub dir: Option<std::path::PathBuf>,
}

/// `completions SHELL`: print its script.
///
/// # Errors
/// None; the signature is every command's.
pub fn exec(args: &Args) -> anyhow::Result<u8> {
    print(args.shell);
    Ok(OK)
}

/// The manual this tool's pages belong to (the footer's and header's
/// middle of every page).
const MANUAL: &str = "casestatus-sync manual";

/// The date on every page: the commit's day when built from git (so the
/// same commit makes the same pages), else today.
fn man_date() -> String {
    option_env!("CASESTATUS_SYNC_GIT_DATE")
        .filter(|d| !d.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| chrono::Utc::now().format("%Y-%m-%d").to_string())
}

/// The clap command as the pages show it: no `help` subcommand, whose page
/// nobody needs (`--help` is on every page).
fn man_command() -> clap::Command {
    let mut cmd = crate::cli::command().disable_help_subcommand(true);
    cmd.build();
    cmd
}

/// One page of `cmd`, every `.TH` field filled: an empty date used to
/// shift the version into the date's place, and the footer cut it.
fn page(cmd: clap::Command) -> clap_mangen::Man {
    clap_mangen::Man::new(cmd)
        .date(man_date())
        .source(format!("{NAME} {}", env!("CARGO_PKG_VERSION")))
        .manual(MANUAL)
}

/// The sections of `man`: clap's, with the examples (`after_long_help`)
/// under EXAMPLES; `top` adds EXIT STATUS, ENVIRONMENT and FILES.
fn render(man: &clap_mangen::Man, cmd: &clap::Command, top: bool) -> std::io::Result<String> {
    let mut buf = Vec::new();
    man.render_title(&mut buf)?;
    man.render_name_section(&mut buf)?;
    man.render_synopsis_section(&mut buf)?;
    man.render_description_section(&mut buf)?;
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(&mut buf)?;
    }
    if cmd.has_subcommands() {
        man.render_subcommands_section(&mut buf)?;
    }
    if cmd.get_after_long_help().is_some() || cmd.get_after_help().is_some() {
        let mut extra = Vec::new();
        man.render_extra_section(&mut extra)?;
        let extra = String::from_utf8_lossy(&extra).replacen(".SH EXTRA", ".SH EXAMPLES", 1);
        buf.extend_from_slice(extra.as_bytes());
    }
    let mut text = String::from_utf8_lossy(&buf).into_owned();
    if top {
        text.push_str(TOP_SECTIONS);
        let mut version = Vec::new();
        man.render_version_section(&mut version)?;
        text.push_str(&String::from_utf8_lossy(&version));
    } else {
        text.push_str(".SH \"SEE ALSO\"\ncasestatus\\-sync(1)\n");
    }
    Ok(text)
}

/// What the top page says beyond `--help` (the README's tables, short).
const TOP_SECTIONS: &str = r#".SH "EXIT STATUS"
.TP
\fB0\fR
Done; \fBstatus\fR: ok, or disconnected on purpose.
.TP
\fB1\fR
The run finished but some records failed with errors (see \fBlog\fR), or the output could not be written; \fBfleet\fR: a firm did not end in 0 or 5.
.TP
\fB2\fR
Usage: an unknown command, flag or name (the message lists the choices); a key given as an argument; \fBinit\fR over an existing config; \fBsetup\fR not on a terminal.
.TP
\fB3\fR
Setup needs a person: the config, FluentCase's database, the state file, not connected, the key file unreadable, empty or loose, CaseStatus refusing the key (401) or without API access (403), another CaseStatus account; \fBdoctor\fR: any failed check; \fBserve\fR and \fBsandbox\fR: the address is in use.
.TP
\fB4\fR
Temporary: CaseStatus unreachable, 5xx, 429 or an answer it could not use; FluentCase's database busy. The next cycle retries.
.TP
\fB5\fR
Another sync holds the lock for this state file (or the messages lock); nothing was done. Silent while the holder started less than 60 minutes ago.
.TP
\fB6\fR
\fBstatus\fR: stale, not_syncing or stuck.
.TP
\fB70\fR
Internal error (a bug), in one line; please report it.
.TP
\fB130\fR
\fBsetup\fR or \fBinit\fR stopped with Ctrl\-C at a question; what was answered before stays saved.
.SH ENVIRONMENT
.TP
\fBCASESTATUS_SYNC_CONFIG\fR
The config file when \fB\-\-config\fR is not given (else \fI./casestatus\-sync.toml\fR).
.TP
\fBNO_COLOR\fR
Set: no colour on a terminal.
.TP
\fBCLICOLOR_FORCE\fR
Set and not 0: colour even when stdout is not a terminal (unless \fBNO_COLOR\fR).
.TP
\fBJOB_COMPLETION_INDEX\fR
\fBfleet \-\-shards\fR \fIN\fR: this pod's shard (a Kubernetes Indexed Job sets it).
.TP
\fBCASESTATUS_SYNC_NOW\fR, \fBCASESTATUS_SYNC_BUSY_TIMEOUT_MS\fR, \fBCASESTATUS_SYNC_SERVE_LIMITS\fR
For tests only (a pinned clock, FluentCase's busy timeout, the status page's limits); leave them unset.
.SH FILES
.TP
\fI./casestatus\-sync.toml\fR
The config (\fB\-\-config\fR, \fBCASESTATUS_SYNC_CONFIG\fR); relative paths in it are relative to its folder.
.TP
\fIcasestatus\-sync.db\fR
The state file (\fBstate.database\fR, mode 0600, its folder 0700) with its \fI\-wal\fR and \fI\-shm\fR files: the saved key, mappings, the ledger of what was pushed, the run log.
.TP
\fIcasestatus\-sync.db.lock\fR, \fIcasestatus\-sync.db.messages.lock\fR
The run lock and the client messages' lock beside the state file (a kernel flock; never stale).
.TP
\fBcasestatus.api_key_file\fR, \fB\-\-api\-key\-file\fR \fIFILE\fR
The API key from a secret file, read every run: mode 0600, 0400, 0640 or 0440, else refused.
.TP
\fB\-\-trace\fR \fIFILE\fR
A HAR archive of the run's exchanges with CaseStatus (mode 0600; holds client data; the key reads REDACTED).
.TP
\fBmetrics.textfile\fR
The Prometheus text written after each sync, for node_exporter's textfile collector (mode 0644).
.TP
\fBserve \-\-token\-file\fR \fIFILE\fR
The status page's token (a secret file, as the key file).
.TP
\fI/run/secrets/casestatus\fR
\fBfleet \-\-keys\-dir\fR: where firms' key files may lie besides their own folders.
"#;

/// The top man page (roff), from the same definition as `--help`.
///
/// # Errors
/// Only if writing to memory fails, which it does not.
pub fn man_page() -> std::io::Result<String> {
    let cmd = man_command();
    render(&page(cmd.clone()), &cmd, true)
}

/// Every page: the top one, then one per subcommand and nested subcommand
/// (`casestatus-sync-map-stage.1`), as (file name, roff).
///
/// # Errors
/// Only if writing to memory fails, which it does not.
pub fn man_pages() -> std::io::Result<Vec<(String, String)>> {
    fn walk(cmd: &clap::Command, pages: &mut Vec<(String, String)>) -> std::io::Result<()> {
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            let man = page(sub.clone());
            pages.push((man.get_filename(), render(&man, sub, false)?));
            walk(sub, pages)?;
        }
        Ok(())
    }
    let cmd = man_command();
    let top = page(cmd.clone());
    let mut pages = vec![(top.get_filename(), render(&top, &cmd, true)?)];
    walk(&cmd, &mut pages)?;
    Ok(pages)
}

/// `man`: print the top page on stdout; `man --dir DIR`: write every page
/// into DIR (created if missing), saying how many.
///
/// # Errors
/// DIR cannot be created or a page cannot be written (naming the file).
pub fn print_man(
    dir: Option<&std::path::Path>,
    out: &crate::util::output::Output,
) -> anyhow::Result<u8> {
    use std::io::Write;
    let Some(dir) = dir else {
        let page = man_page()?;
        let _ = std::io::stdout().lock().write_all(page.as_bytes());
        return Ok(OK);
    };
    std::fs::create_dir_all(dir).map_err(|e| {
        crate::util::exit::SetupError(format!("cannot create {}: {e}", dir.display()))
    })?;
    let pages = man_pages()?;
    for (name, text) in &pages {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|e| {
            crate::util::exit::SetupError(format!("cannot write {}: {e}", path.display()))
        })?;
    }
    out.line(format!(
        "wrote {} man pages to {}",
        pages.len(),
        dir.display()
    ));
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
