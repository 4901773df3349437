//! The status page's routes: each reads with its command's gather function
//! (on the blocking pool) and presents the result as an askama page
//! (`templates/*.html`, escaped by askama, never by hand) or as the
//! command's `--json` document.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::App;
use crate::commands::event_types::EventTypes;
use crate::commands::log::{self, RunDetail};
use crate::commands::mapping::{self, Overview};
use crate::commands::status::{KindRow, DEFAULT_MAX_AGE_MINUTES};
use crate::commands::why_skipped;
use crate::store::fluentcase::Access;
use crate::store::runlog::{self, ItemId, ItemKind};
use crate::sync::{Ctx, DISCONNECTED_SETTING};
use crate::util::exit::{SetupError, UsageError};
use crate::util::output::Tone;

/// Rows shown per table on a page; the rest are counted, not shown.
const MAX_ROWS: usize = 500;
/// Items of a run in `/api/runs/{id}`; beyond, `items_omitted` counts them.
const MAX_API_ITEMS: usize = 2000;
/// Runs in the Recent Activity table.
const RECENT_RUNS: u32 = 20;
/// The longest matter id or file number looked up.
const MAX_KEY_CHARS: usize = 100;

// ---------------------------------------------------------------- reading

/// Run a gather function on the blocking pool with a fresh [`Ctx`], at
/// most `BLOCKING_READS` at once.
async fn read<T: Send + 'static>(
    app: &Arc<App>,
    f: impl FnOnce(&Ctx) -> anyhow::Result<T> + Send + 'static,
) -> anyhow::Result<T> {
    let _permit = app
        .reads
        .acquire()
        .await
        .map_err(|e| anyhow::anyhow!("the status page is shutting down: {e}"))?;
    let app = app.clone();
    tokio::task::spawn_blocking(move || f(&app.ctx()))
        .await
        .map_err(|e| anyhow::anyhow!("a database read stopped: {e}"))?
}

/// An error as a response: "no such matter or run" is 404, anything else
/// 500 (and one line on stderr, without the query string: it may hold a
/// token).
fn failure(app: &App, err: &anyhow::Error, what: &str, api: bool) -> Response {
    if err.downcast_ref::<UsageError>().is_some() {
        return error_response(StatusCode::NOT_FOUND, &format!("{err:#}"), api);
    }
    app.out.warn(format!(
        "status page {what}: {}",
        crate::util::term::error_line(err)
    ));
    error_response(
        StatusCode::INTERNAL_SERVER_ERROR,
        &format!("Cannot read {what}: {err:#}"),
        api,
    )
}

/// An error page, or `{"error": {"code", "message"}}` for the API.
pub(crate) fn error_response(status: StatusCode, message: &str, api: bool) -> Response {
    if api {
        let code = status
            .canonical_reason()
            .unwrap_or("error")
            .to_lowercase()
            .replace(' ', "_");
        let body = json!({"error": {"code": code, "message": message}});
        return (status, Json(body)).into_response();
    }
    let page = ErrorPage {
        tz: String::new(),
        status: status.as_u16(),
        title: status.canonical_reason().unwrap_or("Error").to_string(),
        message: message.to_string(),
    };
    (status, render(&page)).into_response()
}

/// A page as HTML; a template that fails to render is a plain 500.
fn render(page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("cannot render the page: {e}"),
        )
            .into_response(),
    }
}

/// A matter id or file number from a path, bounded.
fn checked_key(key: &str) -> Result<String, UsageError> {
    let key = key.trim();
    if key.is_empty() || key.chars().count() > MAX_KEY_CHARS {
        return Err(UsageError(format!(
            "a matter id or file number has 1 to {MAX_KEY_CHARS} characters"
        )));
    }
    Ok(key.to_string())
}

// ---------------------------------------------------------------- routes

/// `/`: the settings page.
pub(crate) async fn index(State(app): State<Arc<App>>) -> Response {
    match read(&app, IndexPage::gather).await {
        Ok(page) => render(&page),
        Err(e) => failure(&app, &e, "the status page", false),
    }
}

/// `/runs/{id}`: one run, as `log --run ID`.
pub(crate) async fn run(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return error_response(StatusCode::NOT_FOUND, "a run id is a number", false);
    };
    match read(&app, move |ctx| RunPage::gather(ctx, id)).await {
        Ok(page) => render(&page),
        Err(e) => failure(&app, &e, "the run", false),
    }
}

/// `/matters/{id or file number}`: `why-skipped` as a page.
pub(crate) async fn matter(State(app): State<Arc<App>>, Path(key): Path<String>) -> Response {
    let key = match checked_key(&key) {
        Ok(k) => k,
        Err(e) => return error_response(StatusCode::NOT_FOUND, &e.0, false),
    };
    match read(&app, move |ctx| MatterPage::gather(ctx, &key)).await {
        Ok(page) => render(&page),
        Err(e) => failure(&app, &e, "the matter", false),
    }
}

#[derive(Deserialize)]
pub(crate) struct Search {
    q: Option<String>,
}

/// `/search?q=`: the search box's GET form; redirects to the matter's page.
pub(crate) async fn search(Query(s): Query<Search>) -> Response {
    let q = s.q.unwrap_or_default();
    let q = q.trim();
    if q.is_empty() {
        return axum::response::Redirect::to("/").into_response();
    }
    axum::response::Redirect::to(&format!("/matters/{}", path_segment(q))).into_response()
}

/// `/metrics`: the Prometheus text of `metrics` (format 0.0.4).
pub(crate) async fn metrics(State(app): State<Arc<App>>) -> Response {
    let text = read(&app, |ctx| {
        let state = ctx.state_read_only()?;
        crate::commands::metrics::render(ctx, &state)
    })
    .await;
    match text {
        Ok(text) => (
            [(
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        Err(e) => failure(&app, &e, "the metrics", true),
    }
}

/// `/healthz`: `ok` while the page can read its databases, else 503 —
/// no data either way (it needs no token).
pub(crate) async fn healthz(State(app): State<Arc<App>>) -> Response {
    let readable = read(&app, |ctx| {
        ctx.state_read_only()?;
        ctx.fluentcase(Access::ReadOnly)?;
        Ok(())
    })
    .await;
    match readable {
        Ok(()) => "ok\n".into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable\n").into_response(),
    }
}

/// `/api/status`: the `status --json` document.
pub(crate) async fn api_status(State(app): State<Arc<App>>) -> Response {
    let doc = read(&app, |ctx| {
        let state = ctx.state_read_only()?;
        crate::commands::status::gather(ctx, &state, DEFAULT_MAX_AGE_MINUTES)
    })
    .await;
    match doc {
        Ok(health) => Json(health.view()).into_response(),
        Err(e) => failure(&app, &e, "the status", true),
    }
}

/// `/api/runs/{id}`: the `log --run ID --json` document (items capped at
/// [`MAX_API_ITEMS`], with `items_omitted` then).
pub(crate) async fn api_run(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return error_response(StatusCode::NOT_FOUND, "a run id is a number", true);
    };
    let doc = read(&app, move |ctx| {
        let state = ctx.state_read_only()?;
        let mut detail = log::run_detail(&state, id)?;
        let items_omitted = detail.items.len().saturating_sub(MAX_API_ITEMS);
        detail.items.truncate(MAX_API_ITEMS);
        Ok(ApiRun {
            detail,
            items_omitted,
        })
    })
    .await;
    match doc {
        Ok(doc) => Json(doc).into_response(),
        Err(e) => failure(&app, &e, "the run", true),
    }
}

/// `log --run ID --json`'s document, and `items_omitted` when items were cut.
#[derive(Serialize)]
struct ApiRun {
    #[serde(flatten)]
    detail: RunDetail,
    #[serde(skip_serializing_if = "is_zero")]
    items_omitted: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// `/api/matters/{id or file number}`: the `why-skipped --json` document.
pub(crate) async fn api_matter(State(app): State<Arc<App>>, Path(key): Path<String>) -> Response {
    let key = match checked_key(&key) {
        Ok(k) => k,
        Err(e) => return error_response(StatusCode::NOT_FOUND, &e.0, true),
    };
    // The view borrows what was read, so it is serialized where it is made.
    let doc = read(&app, move |ctx| {
        let facts = why_skipped::gather(ctx, &key)?;
        Ok(serde_json::to_vec(&why_skipped::view(ctx, &facts))?)
    })
    .await;
    match doc {
        Ok(body) => ([(header::CONTENT_TYPE, "application/json")], body).into_response(),
        Err(e) => failure(&app, &e, "the matter", true),
    }
}

/// Anything else: 404.
pub(crate) async fn not_found(uri: axum::http::Uri) -> Response {
    error_response(
        StatusCode::NOT_FOUND,
        "No such page. The pages are / (overview), /runs/ID and /matters/ID-OR-FILE-NUMBER.",
        uri.path().starts_with("/api/"),
    )
}

/// Percent-encode one path segment (everything but unreserved characters).
fn path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

// ---------------------------------------------------------------- pages

/// A sentence with its tone (the CSS class).
pub(crate) struct Line {
    pub class: &'static str,
    pub text: String,
}

impl From<(Tone, String)> for Line {
    fn from((tone, text): (Tone, String)) -> Line {
        Line {
            class: tone.name(),
            text,
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub(crate) struct ErrorPage {
    tz: String,
    status: u16,
    title: String,
    message: String,
}

/// The Connected badge, from the state file (no call to CaseStatus).
pub(crate) struct Badge {
    connected: bool,
    key_name: String,
    note: String,
}

pub(crate) struct AreaView {
    name: String,
    mapping: Line,
    eligible: Option<u64>,
    stages: Vec<StageView>,
}

pub(crate) struct StageView {
    name: String,
    mapping: Line,
    matters: String,
}

pub(crate) struct RunView {
    id: i64,
    kind: String,
    started: String,
    result: String,
    failed: bool,
}

#[derive(Template)]
#[template(path = "index.html")]
pub(crate) struct IndexPage {
    tz: String,
    badge: Badge,
    eligible: u64,
    verdict: Line,
    kinds: Vec<KindRow>,
    no_snapshot: bool,
    banner: Option<String>,
    areas: Vec<AreaView>,
    event_types: Vec<(String, bool)>,
    stale_types: Vec<String>,
    none_checked: bool,
    runs: Vec<RunView>,
}

impl IndexPage {
    /// Everything `/` shows, read through the commands' gather functions.
    fn gather(ctx: &Ctx) -> anyhow::Result<IndexPage> {
        let tz = ctx.config.fluentcase.timezone;
        let state = ctx.state_read_only()?;
        // No snapshot yet is a setup error for `map`; here it is a notice.
        let overview = match mapping::overview_doc(ctx) {
            Ok(doc) => Some(doc),
            Err(e) if e.downcast_ref::<SetupError>().is_some() => None,
            Err(e) => return Err(e),
        };
        let areas = overview.as_ref().map(area_views).unwrap_or_default();
        let fc = ctx.fluentcase(Access::ReadOnly)?;
        let types = crate::commands::event_types::gather(&state, &fc)?;
        let health = crate::commands::status::gather(ctx, &state, DEFAULT_MAX_AGE_MINUTES)?;
        let runs = runlog::recent(&state, RECENT_RUNS)?
            .into_iter()
            .map(|r| RunView {
                id: r.id,
                kind: log::kind_text(&r),
                started: crate::util::clock::local_text(&r.started_at, tz),
                failed: r.finished_at.is_some() && !runlog::succeeded(&r),
                result: log::result_text(&r),
            })
            .collect();
        Ok(IndexPage {
            tz: tz.name().to_string(),
            badge: badge(ctx, &state)?,
            eligible: overview.as_ref().map_or(0, Overview::eligible),
            verdict: health.verdict().into(),
            kinds: health.rows(tz),
            no_snapshot: areas.is_empty(),
            banner: overview.as_ref().and_then(Overview::banner),
            areas,
            event_types: event_type_rows(&types),
            stale_types: types.stale.clone(),
            none_checked: types.enabled.is_empty(),
            runs,
        })
    }
}

/// The badge: the key's name (from the state file, or the key file's
/// path), never the key; a key file counts as connected when it reads.
fn badge(ctx: &Ctx, state: &crate::store::state::StateStore) -> anyhow::Result<Badge> {
    let tz = ctx.config.fluentcase.timezone;
    if let Some(path) = &ctx.config.casestatus.api_key_file {
        let key_name = format!("API key from {}", path.display());
        return Ok(match crate::store::keyfile::read(path) {
            Ok(_) => Badge {
                connected: true,
                key_name,
                note: String::new(),
            },
            Err(e) => Badge {
                connected: false,
                key_name,
                note: e.to_string(),
            },
        });
    }
    Ok(match state.key()? {
        Some(k) => Badge {
            connected: true,
            key_name: k.name,
            note: String::new(),
        },
        None => Badge {
            connected: false,
            key_name: String::new(),
            note: match state.setting(DISCONNECTED_SETTING)? {
                Some(when) => format!(
                    "The API key was removed on {}; nothing syncs until an admin runs casestatus-sync connect.",
                    crate::util::clock::local_text(&when, tz)
                ),
                None => "No API key is saved; nothing syncs until an admin runs casestatus-sync connect.".into(),
            },
        },
    })
}

/// The mapping tables from `map`'s overview.
fn area_views(doc: &Overview) -> Vec<AreaView> {
    doc.practice_areas
        .iter()
        .take(MAX_ROWS)
        .map(|a| AreaView {
            name: a.name.clone(),
            mapping: a.mapping_cell().into(),
            eligible: a.eligible_now(),
            stages: a
                .stages
                .iter()
                .take(MAX_ROWS)
                .map(|s| StageView {
                    name: s.name.clone(),
                    mapping: s.mapping_cell().into(),
                    matters: s.matters_cell(),
                })
                .collect(),
        })
        .collect()
}

fn event_type_rows(t: &EventTypes) -> Vec<(String, bool)> {
    t.types
        .iter()
        .take(MAX_ROWS)
        .map(|name| (name.clone(), t.is_enabled(name)))
        .collect()
}

pub(crate) struct ItemView {
    what: String,
    matter: Option<i64>,
    outcome: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "run.html")]
pub(crate) struct RunPage {
    tz: String,
    id: i64,
    kind: String,
    started: String,
    finished: String,
    error: Option<String>,
    counts: Vec<(String, u64)>,
    reasons: Vec<(String, u64)>,
    items: Vec<ItemView>,
    items_omitted: usize,
    skipped_now: Vec<(i64, String)>,
    skipped_omitted: usize,
}

impl RunPage {
    /// `/runs/{id}` from [`log::run_detail`].
    fn gather(ctx: &Ctx, id: i64) -> anyhow::Result<RunPage> {
        let tz = ctx.config.fluentcase.timezone;
        let state = ctx.state_read_only()?;
        let RunDetail {
            run,
            items,
            skipped_now,
        } = log::run_detail(&state, id)?;
        let items_omitted = items.len().saturating_sub(MAX_ROWS);
        let skipped_omitted = skipped_now.len().saturating_sub(MAX_ROWS);
        Ok(RunPage {
            tz: tz.name().to_string(),
            id: run.id,
            kind: if run.dry_run {
                format!("{} (dry run)", run.kind)
            } else {
                run.kind.clone()
            },
            started: crate::util::clock::local_text(&run.started_at, tz),
            finished: run
                .finished_at
                .as_deref()
                .map_or("never (interrupted)".into(), |f| {
                    crate::util::clock::local_text(f, tz)
                }),
            error: run.error.clone(),
            counts: run
                .counts
                .iter()
                .map(|(k, v)| (k.name().replace('_', " "), *v))
                .collect(),
            reasons: run.skipped_by_reason.clone().into_iter().collect(),
            items: items
                .iter()
                .take(MAX_ROWS)
                .map(|i| ItemView {
                    what: format!("{} {}", i.kind.name(), i.id),
                    matter: match (i.kind, &i.id) {
                        (ItemKind::Matter, ItemId::Number(n)) => Some(*n),
                        _ => None,
                    },
                    outcome: i.outcome.name().to_string(),
                    detail: crate::commands::log::detail_text(i),
                })
                .collect(),
            items_omitted,
            skipped_now: skipped_now
                .into_iter()
                .take(MAX_ROWS)
                .map(|s| (s.matter_id, s.codes))
                .collect(),
            skipped_omitted,
        })
    }
}

pub(crate) struct RuleView {
    passed: bool,
    rule: &'static str,
    details: String,
    fix: &'static str,
}

pub(crate) struct EntryView {
    run: i64,
    at: String,
    outcome: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "matter.html")]
pub(crate) struct MatterPage {
    tz: String,
    matter_id: i64,
    file_number: String,
    headline: Line,
    not_syncing: Option<String>,
    /// Each reason it is not pushed (message, where to fix it).
    to_fix: Vec<(String, &'static str)>,
    rules: Vec<RuleView>,
    findings: Vec<Line>,
    recent: Vec<EntryView>,
}

impl MatterPage {
    /// `/matters/{key}` from [`why_skipped::gather`]: its view's rules and
    /// log entries, and the CLI's own sentences.
    fn gather(ctx: &Ctx, key: &str) -> anyhow::Result<MatterPage> {
        let tz = ctx.config.fluentcase.timezone;
        let facts = why_skipped::gather(ctx, key)?;
        let view = why_skipped::view(ctx, &facts);
        Ok(MatterPage {
            tz: tz.name().to_string(),
            matter_id: view.matter_id,
            file_number: view.file_number.unwrap_or("no file number").to_string(),
            headline: why_skipped::headline(ctx, &facts).into(),
            not_syncing: view.not_syncing.map(str::to_string),
            to_fix: view
                .reasons
                .iter()
                .map(|r| (r.message.to_string(), r.fix))
                .collect(),
            rules: view
                .rules
                .iter()
                .map(|r| RuleView {
                    passed: r.passed.passed(),
                    rule: r.rule,
                    details: r.details(),
                    fix: r.fix_shown(),
                })
                .collect(),
            findings: why_skipped::findings(ctx, &facts)
                .into_iter()
                .map(Line::from)
                .collect(),
            recent: view
                .recent
                .iter()
                .map(|e| EntryView {
                    run: e.run,
                    at: e.at_local(tz),
                    outcome: e.outcome.to_string(),
                    detail: e.detail_text(),
                })
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_are_encoded() {
        assert_eq!(path_segment("WC-2026-0042"), "WC-2026-0042");
        assert_eq!(path_segment("a b/c?<"), "a%20b%2Fc%3F%3C");
        assert_eq!(path_segment("é"), "%C3%A9");
    }
}
