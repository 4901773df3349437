//! The `casestatus-sync` binary: parse, run, print one error line, exit.
//! Everything else is in the library (see `src/lib.rs` for the map).

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = casestatus_sync::cli::Cli::parse();
    match casestatus_sync::app::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            // `{:#}` prints the whole context chain on one line.
            eprintln!("casestatus-sync: {}", format!("{err:#}").replace('\n', " "));
            ExitCode::from(casestatus_sync::exit::code_for(&err))
        }
    }
}
