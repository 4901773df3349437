//! `casestatus-sync sandbox`: run the CaseStatus sandbox for people trying
//! the tool. It serves demo practice areas and accepts the demo key, which
//! is test data, not a secret.

use crate::commands::Globals;
use crate::sandbox::Sandbox;
use crate::util::output::{emit, Output};

/// The sandbox's port without `--port`: not `serve`'s 8787, so the two
/// run side by side (a trial firm's status page and its CaseStatus), and
/// not 8788 (wrangler's) or 8080/8000 (every other development server).
pub const DEFAULT_PORT: u16 = 8797;

/// `sandbox`'s flags.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Port to listen on (0 picks a free one)
    #[arg(long, default_value_t = DEFAULT_PORT)]
    pub port: u16,
}

/// `sandbox`: see [`run`].
///
/// # Errors
/// As [`run`].
pub fn exec(globals: &Globals, args: &Args) -> anyhow::Result<u8> {
    run(args.port, &globals.out)
}

/// Start the demo sandbox on 127.0.0.1:`port` and serve until killed.
///
/// # Errors
/// [`crate::util::exit::SetupError`]: the port cannot be bound (in use by
/// another program).
pub fn run(port: u16, out: &Output) -> anyhow::Result<u8> {
    let sandbox = Sandbox::demo(port).map_err(|e| {
        crate::commands::serve::listener::cannot_listen(
            format!("127.0.0.1:{port}"),
            &e,
            "--port N (0 picks a free one)",
        )
    })?;
    let url = sandbox.base_url();
    if out.json {
        out.json(&serde_json::json!({"base_url": url, "api_key": Sandbox::DEMO_KEY}))?;
    } else {
        emit(&format!("CaseStatus sandbox listening on {url}"));
        emit(&format!("  config:   [casestatus] base_url = \"{url}\""));
        emit(&format!(
            "  API key:  {} (sandbox test data; a key with no API access: sandbox-no-api-key)",
            Sandbox::DEMO_KEY
        ));
        emit(&format!("  inspect:  curl {url}/_sandbox/state"));
        emit(&format!(
            "  message:  curl -X POST {url}/_sandbox/messages -d '{{\"integration_id\":\"1\",\"sender_name\":\"Maria Lopez\",\"content\":\"Hi\"}}'"
        ));
        emit("Stop it with Ctrl-C.");
    }
    sandbox.serve_forever()
}
