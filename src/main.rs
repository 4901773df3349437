//! The `casestatus-sync` binary: parse, run, print one error line, exit.
//! Everything else is in the library (see `src/lib.rs` for the map).

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = casestatus_sync::cli::Cli::parse();
    // Output that could not be written (a full disk) is a failure too.
    let result = casestatus_sync::app::run(cli).and_then(|code| {
        casestatus_sync::output::check_written()?;
        Ok(code)
    });
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            // The whole context chain on one line, with any data in it
            // (CaseStatus's messages, names) made visible, never raw.
            let code = casestatus_sync::exit::code_for(&err);
            casestatus_sync::output::error_line(&err, code == casestatus_sync::exit::TEMPORARY);
            ExitCode::from(code)
        }
    }
}
