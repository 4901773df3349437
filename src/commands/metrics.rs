//! `metrics`: this firm's state as the Prometheus text exposition (format
//! 0.0.4), with the names of SPEC §1 "Metrics", each series labelled
//! `firm="<host of fluentcase.base_url>"`; and the same text written
//! atomically to `[metrics] textfile` after each sync, for node_exporter's
//! textfile collector.
//!
//! The text is made by `prometheus-client` (the Prometheus project's Rust
//! client): its encoder escapes label values and writes `# HELP` / `# TYPE`
//! correctly, so a firm name or a skip reason can never break the format.
//! Every series is a gauge: each is read from the state file at the
//! moment of asking, not counted in this process. Read-only: it opens the
//! state file read-only and needs no key.

use std::borrow::Cow;
use std::io::Write;
use std::path::Path;
use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::text::encode_registry;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use crate::commands::status::{self, State, DEFAULT_MAX_AGE_MINUTES};
use crate::store::runlog;
use crate::store::state::StateStore;
use crate::sync::Ctx;
use crate::util::exit::OK;

/// A series' labels besides `firm` (which the registry adds to all).
type Labels = Vec<(&'static str, String)>;
/// A gauge family of float values (timestamps, seconds).
type Floats = Family<Labels, Gauge<f64, AtomicU64>>;
/// A gauge family of whole numbers (records, messages, states).
type Ints = Family<Labels, Gauge>;

/// `metrics`: print the exposition on stdout (also with `--json`: this
/// command's document is the text format).
///
/// # Errors
/// The state file is missing or unreadable.
pub fn run(ctx: &Ctx) -> anyhow::Result<u8> {
    let state = ctx.state_read_only()?;
    let text = render(ctx, &state)?;
    let mut out = std::io::stdout().lock();
    // A closed pipe (`| head`) is the reader's choice, not a failure.
    match out.write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(OK),
    }
}

/// After a sync: write the exposition to `[metrics] textfile`, if the
/// config names one, atomically (a temporary file beside it, then a
/// rename) so the collector never reads half a file.
///
/// # Errors
/// The state file cannot be read or the file cannot be written.
pub fn write_textfile(ctx: &Ctx) -> anyhow::Result<()> {
    let Some(path) = &ctx.config.metrics_textfile else {
        return Ok(());
    };
    let state = ctx.state_read_only()?;
    let text = render(ctx, &state)?;
    write_atomically(path, text.as_bytes())
        .map_err(|e| anyhow::anyhow!("metrics.textfile {}: {e}", path.display()))
}

/// `text` to `path` through a temporary file in the same folder and a
/// rename; the file is 0644 (node_exporter runs as another user).
fn write_atomically(path: &Path, text: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o644)
            .open(&tmp)?;
        file.write_all(text)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// The exposition of this firm's state (SPEC §1 "Metrics").
///
/// # Errors
/// The state file cannot be read.
pub fn render(ctx: &Ctx, state: &StateStore) -> anyhow::Result<String> {
    let firm = ctx.config.firm().unwrap_or_default();
    let mut registry =
        Registry::with_labels(std::iter::once((Cow::Borrowed("firm"), Cow::Owned(firm))));
    let health = status::gather(ctx, state, DEFAULT_MAX_AGE_MINUTES)?;

    let last_run = Floats::default();
    let last_success = Floats::default();
    let duration = Floats::default();
    let records = Ints::default();
    for k in &health.kinds {
        let kind = || vec![("kind", k.kind.to_string())];
        if let Some(r) = &k.last_run {
            if let Some(t) = crate::util::clock::parse(&r.started_at) {
                last_run.get_or_create(&kind()).set(seconds(t));
                if let Some(f) = r.finished_at.as_deref().and_then(crate::util::clock::parse) {
                    let took = (f - t).num_milliseconds().max(0) as f64 / 1000.0;
                    duration.get_or_create(&kind()).set(took);
                }
            }
            for (outcome, n) in &r.counts {
                let labels = vec![
                    ("kind", k.kind.to_string()),
                    ("outcome", outcome.name().to_string()),
                ];
                records
                    .get_or_create(&labels)
                    .set(i64::try_from(*n).unwrap_or(i64::MAX));
            }
        }
        if let Some(t) = k.success_at {
            last_success.get_or_create(&kind()).set(seconds(t));
        }
    }
    let skipped = Ints::default();
    if let Some(r) = runlog::last_run(state, crate::sync::Kind::Matters.name())? {
        for (reason, n) in &r.skipped_by_reason {
            skipped
                .get_or_create(&vec![("reason", reason.clone())])
                .set(i64::try_from(*n).unwrap_or(i64::MAX));
        }
    }
    let pending: Gauge = Gauge::default();
    pending.set(i64::try_from(health.stuck.count).unwrap_or(i64::MAX));
    let states = Ints::default();
    for s in State::ALL {
        states
            .get_or_create(&vec![("state", s.name().to_string())])
            .set(i64::from(s == health.state));
    }

    registry.register(
        "casestatus_sync_last_run_timestamp_seconds",
        "When each sync kind's last run started (Unix time)",
        last_run,
    );
    registry.register(
        "casestatus_sync_last_success_timestamp_seconds",
        "When each sync kind's last successful run finished (Unix time)",
        last_success,
    );
    registry.register(
        "casestatus_sync_last_run_records",
        "Records of each sync kind's last run, by outcome",
        records,
    );
    registry.register(
        "casestatus_sync_matters_skipped",
        "Matters skipped in the last matters run, by reason (a matter with two reasons is in both)",
        skipped,
    );
    registry.register(
        "casestatus_sync_messages_pending",
        "Client messages that wait for a person (messages pending)",
        pending,
    );
    registry.register(
        "casestatus_sync_state",
        "1 for the firm's current status state (as status --max-age 60), 0 for the others",
        states,
    );
    registry.register(
        "casestatus_sync_run_duration_seconds",
        "How long each sync kind's last finished run took",
        duration,
    );
    let requests = Ints::default();
    for (code, n) in runlog::requests(state)? {
        requests
            .get_or_create(&vec![("code", code)])
            .set(i64::try_from(n).unwrap_or(i64::MAX));
    }
    // A gauge named with `_total`: the number is read from the state file,
    // not counted here (a Counter would be renamed by the encoder).
    registry.register(
        "casestatus_sync_requests_total",
        "Requests this state file's syncs made to CaseStatus in its lifetime, by answer class (none: no answer)",
        requests,
    );
    let mut text = String::new();
    encode_registry(&mut text, &registry)?;
    Ok(text)
}

fn seconds(t: chrono::DateTime<chrono::Utc>) -> f64 {
    t.timestamp_millis() as f64 / 1000.0
}
