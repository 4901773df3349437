//! `sync KIND|all [--dry-run]`: one cycle ([`crate::sync::run`]), then the
//! metrics textfile. The subcommands are made from [`Kind`]'s values, so a
//! new sync kind is on the command line, in `--help` and in the
//! completions without an edit here.

use clap::{ArgMatches, Args as _, FromArgMatches, ValueEnum};

use crate::sync::{self, Ctx, Kind};

/// `sync ...`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub what: SyncWhat,
}

impl Args {
    /// A sync that changes things (not a dry run): quiet under cron.
    pub fn changes_things(&self) -> bool {
        !self.what.args.dry_run
    }
}

/// `sync KIND` for each [`Kind`], or `sync all`, each with its flags.
/// clap's derive would need a variant per kind; this is made from
/// [`Kind`]'s values instead (see the `clap::Subcommand` impl).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncWhat {
    /// The kind named; `None` for `all`.
    pub kind: Option<Kind>,
    pub args: SyncArgs,
}

/// The flags of `sync KIND` and `sync all`.
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct SyncArgs {
    /// Show what would happen (printed wherever stdout goes); change nothing anywhere
    #[arg(short = 'n', long)]
    pub dry_run: bool,
}

/// The subcommand that runs every kind.
const ALL: &str = "all";

impl SyncWhat {
    /// The kinds to run, in order.
    pub fn kinds(&self) -> &[Kind] {
        match &self.kind {
            Some(kind) => std::slice::from_ref(kind),
            None => Kind::all(),
        }
    }

    /// `all`'s help: "Matters, then appointments, then messages".
    fn all_help() -> String {
        let names: Vec<&str> = Kind::all().iter().map(|k| k.name()).collect();
        let text = names.join(", then ");
        let mut chars = text.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => text,
        }
    }
}

impl clap::Subcommand for SyncWhat {
    fn augment_subcommands(cmd: clap::Command) -> clap::Command {
        let kinds = Kind::all().iter().filter_map(ValueEnum::to_possible_value);
        // The flags first: clap's derive sets `about` too (the struct's doc).
        let with_flags = |name: &str| SyncArgs::augment_args(clap::Command::new(name.to_owned()));
        let cmd = kinds.fold(cmd, |cmd, value| {
            let mut sub = with_flags(value.get_name());
            if let Some(help) = value.get_help() {
                sub = sub.about(help.clone());
            }
            cmd.subcommand(sub)
        });
        cmd.subcommand(with_flags(ALL).about(Self::all_help()))
    }

    fn augment_subcommands_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_subcommands(cmd)
    }

    fn has_subcommand(name: &str) -> bool {
        name == ALL || Kind::from_str(name, false).is_ok()
    }
}

impl FromArgMatches for SyncWhat {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let Some((name, sub)) = matches.subcommand() else {
            return Err(clap::Error::new(clap::error::ErrorKind::MissingSubcommand));
        };
        let kind = match name {
            ALL => None,
            _ => Some(
                Kind::from_str(name, false)
                    .map_err(|e| clap::Error::raw(clap::error::ErrorKind::InvalidSubcommand, e))?,
            ),
        };
        Ok(SyncWhat {
            kind,
            args: SyncArgs::from_arg_matches(sub)?,
        })
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

/// Run one cycle of the kinds asked for; then, after a real sync however
/// it ended (a failure is what the metrics are for), write `[metrics]
/// textfile` if configured — but not after an overlap, which did nothing
/// (and must stay silent).
///
/// # Errors
/// The cycle's (see [`crate::sync::run`]).
pub fn exec(ctx: &Ctx, args: &Args) -> anyhow::Result<u8> {
    let dry_run = args.what.args.dry_run;
    let result = sync::run(ctx, args.what.kinds(), dry_run);
    let overlapped = result
        .as_ref()
        .is_err_and(|e| e.chain().any(|c| c.is::<sync::runlock::LockHeld>()));
    if !dry_run && !overlapped {
        // Said even under cron (a stale textfile would hide the firm from
        // its alerts); the sync's own exit status stands.
        if let Err(e) = crate::commands::metrics::write_textfile(ctx) {
            crate::util::output::error_line(&e, false);
        }
    }
    result
}
