//! The `casestatus-sync` binary: parse, run, print one error line, exit.
//! Everything else is in the library (see `src/lib.rs` for the map).

#![warn(clippy::self_named_module_files)]

use std::io::Write;
use std::process::ExitCode;

use clap::FromArgMatches;

/// mimalloc instead of glibc's malloc. A cycle at a big firm reads and
/// judges 100,000 matters on several threads, and each plan is made on a
/// planning thread and dropped on the main one; glibc serialises such
/// frees on the planning thread's arena lock (a tenth of a quiet cycle was
/// spent waking those waiters). With mimalloc a quiet `sync matters` at
/// 100,000 matters takes a third less time (README, Performance).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    install_panic_hook();
    let cli = match parse() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    let json = cli.json;
    // Output that could not be written (a full disk) is a failure too.
    let result = casestatus_sync::cli::run::run(cli).and_then(|code| {
        casestatus_sync::util::output::check_written()?;
        Ok(code)
    });
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            // The whole context chain on one line, with any data in it
            // (CaseStatus's messages, names) made visible, never raw.
            let code = casestatus_sync::cli::exit::code_for(&err);
            // A tool that asked for JSON gets a document even now.
            if json {
                let _ = casestatus_sync::util::output::error_document(&err, code);
            }
            // An ordinary overlap (exit 5) says nothing: cron mails nothing.
            if !casestatus_sync::cli::exit::is_silent(&err) {
                casestatus_sync::util::output::error_line(
                    &err,
                    code == casestatus_sync::util::exit::TEMPORARY,
                );
            }
            ExitCode::from(code)
        }
    }
}

/// Parse the command line. clap's own errors quote the offending argument;
/// for `connect` that argument may be the API key typed as a plain
/// argument, so those errors are replaced by one that quotes nothing.
fn parse() -> Result<casestatus_sync::cli::Cli, ExitCode> {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let parsed = casestatus_sync::cli::command()
        .try_get_matches_from(&args)
        .and_then(|m| casestatus_sync::cli::Cli::from_arg_matches(&m));
    parsed.map_err(|err| {
        // `--json` asked for a document, even for a usage error.
        if err.use_stderr() && args.iter().any(|a| a == "--json") {
            let text = if casestatus_sync::cli::may_echo_a_key(&err, &args) {
                casestatus_sync::cli::KEY_AS_ARGUMENT.to_string()
            } else {
                let text = err.to_string();
                let first = text.lines().next().unwrap_or_default();
                first.trim_start_matches("error: ").to_string()
            };
            let _ = casestatus_sync::util::output::error_document(
                &anyhow::anyhow!(text),
                casestatus_sync::util::exit::USAGE,
            );
        }
        if casestatus_sync::cli::may_echo_a_key(&err, &args) {
            let _ = writeln!(
                std::io::stderr().lock(),
                "casestatus-sync: {}",
                casestatus_sync::cli::KEY_AS_ARGUMENT
            );
            return ExitCode::from(casestatus_sync::util::exit::USAGE);
        }
        // Help and --version go to stdout with 0; usage errors to stderr with 2.
        let _ = err.print();
        ExitCode::from(err.exit_code().clamp(0, 255) as u8)
    })
}

/// A bug must not greet cron with a backtrace and 101: one line naming
/// where it happened, then the documented exit status
/// ([`casestatus_sync::util::exit::PANIC`]). The message is the panic's own text
/// (never the key: nothing panics with it), cut to one line.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        // Not eprintln!: a panic while panicking would abort with a core.
        let _ = writeln!(
            std::io::stderr().lock(),
            "{}: internal error (a bug, please report it): {}{place}; exit {}",
            casestatus_sync::util::output::prefix(),
            what.replace('\n', " "),
            casestatus_sync::util::exit::PANIC
        );
        std::process::exit(casestatus_sync::util::exit::PANIC.into());
    }));
    // A way for the tests to prove the hook works; not for production use.
    if std::env::var_os("CASESTATUS_SYNC_TEST_PANIC").is_some() {
        panic!("panic requested by CASESTATUS_SYNC_TEST_PANIC");
    }
}
