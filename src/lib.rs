//! # casestatus-sync
//!
//! FluentCase's integration with CaseStatus, as a command-line tool. It
//! pushes a firm's matters to CaseStatus as cases, its calendar events as
//! appointments, and pulls clients' messages back into FluentCase as
//! activities. An admin sets it up once; cron runs `sync` every 15 minutes;
//! support runs `why-skipped` (and `status`, and the status page).
//!
//! Inputs: the config file, FluentCase's SQLite database (read; the
//! `activities` table insert only) and CaseStatus's HTTP API. What is kept:
//! the tool's own SQLite state file.
//!
//! ## Map, by layer
//!
//! Each folder is a layer; each imports only the layers below it (a test,
//! `tests/it/architecture.rs`, keeps that true):
//!
//! ```text
//! cli → commands → sync → rules → store → casestatus → util
//! sandbox: apart (the demo and sandbox commands, and tests)
//! ```
//!
//! - [`cli`] — the clap definition ([`cli::Cli`]; the list of commands,
//!   [`cli::Command`], and beside it the one table from a command to its
//!   module's `exec`, [`cli::dispatch`]), what a command is given
//!   ([`cli::run::run`]: the output settings, the firm's name, `--trace`,
//!   the config), the error → exit status table ([`cli::exit`]),
//!   completions and the man page. `main.rs` only
//!   prints the one error line and the exit status, and sets mimalloc as
//!   the allocator (plans made on one thread are freed on another).
//! - [`commands`] — what people type. Each module owns its command's
//!   flags (`Args`, a clap derive whose doc comments are the help) and its
//!   `exec(ctx, args)`; a command that works on no firm's config (init,
//!   fleet, demo, sandbox) gets the [`commands::Globals`] instead of a
//!   [`sync::Ctx`]. [`commands::init`] (writes the
//!   commented config; FluentCase's path checked for its tables first),
//!   [`commands::walkthrough`] (`setup`: the settings page as a guided walk
//!   on a terminal, saving each answer through the scripted commands'
//!   functions), [`commands::prompt`] (their dialoguer questions, Ctrl-C),
//!   [`commands::setup`] (connect, test,
//!   disconnect, synced statuses), [`commands::mapping`],
//!   [`commands::event_types`], [`commands::why_skipped`], [`commands::log`],
//!   [`commands::sync`] (`sync KIND|all`: its subcommands are made from
//!   [`sync::Kind`]'s values), [`commands::metrics`] (`metrics`, and
//!   `[metrics] textfile` written atomically after each real sync by
//!   [`commands::sync::exec`]: the
//!   Prometheus text of the state file, by `prometheus-client`, read-only),
//!   [`commands::status`] (the firm's one [`commands::status::State`]:
//!   `ok`, `stale`, `not_syncing`, `stuck`, `disconnected`, and its exit
//!   status), [`commands::messages`] (`messages pending`,
//!   read-only; `messages import` / `acknowledge`: a person decides about a
//!   stuck client message, under the run lock, recorded in the log as a
//!   run of its own kind), [`commands::doctor`] (every check of the setup
//!   and of CaseStatus's contract, read-only, GETs only),
//!   [`commands::demo`], [`commands::sandbox`],
//!   and [`commands::serve`]: the status page for support staff (SPEC §6),
//!   axum on tokio with askama templates (`templates/`, escaped by askama)
//!   and `static/style.css`, read-only, GET/HEAD only; every route presents
//!   a command's one gathered answer ([`commands::status::gather`],
//!   [`commands::log::run_detail`], [`commands::why_skipped::gather`],
//!   [`commands::mapping::overview_doc`], [`commands::event_types::gather`])
//!   as HTML or as that command's `--json` document (`/metrics`:
//!   [`commands::metrics::render`]; `/healthz`, the one route without the
//!   token, shows no data); its own accept loop
//!   (`serve/listener.rs`: hyper with a header-read timeout, an idle
//!   watchdog and a connection limit; HTTPS through tokio-rustls), the
//!   `Host` check against DNS rebinding and the token guard in
//!   `serve/mod.rs`;
//!   [`commands::fleet`] — `sync all` for the firms of one shard (a stable
//!   FNV-1a hash of the folder name), each a child process of this binary
//!   with a time budget, in its own process group with the parent-death
//!   signal; each firm's paths confined to its folder first
//!   (`fleet/confine.rs`).
//! - [`sync`] — the sync kinds, [`sync::Kind`] (a clap value enum: its
//!   variant is its name on the command line, in the log and the metrics,
//!   its doc comment the help, its order `sync all`'s); one cycle under the
//!   run lock ([`sync::run`]; client
//!   messages under a lock of their own, [`sync::runlock::Lock`], and an
//!   overlap with a holder younger than an hour exits 5 without a line); the one
//!   engine ([`sync::engine`]) that owns the pool and each worker's own
//!   connection ([`sync::engine::Resource`]), progress, the outage streak,
//!   record- vs run-level failures (typed all the way: a worker that
//!   cannot open its connection fails the run with its own error), log
//!   items; the three kinds supply plan, describe and apply:
//!   [`sync::matters`] (its planning spread over the cores in
//!   `sync/matters/planning.rs`), [`sync::appointments`],
//!   [`sync::messages`]; one
//!   report type and printer ([`sync::report`]); the context passed down
//!   ([`sync::Ctx`]); the account check before any create
//!   ([`sync::account`]: a changed key or URL is verified against 5
//!   recorded cases).
//! - [`rules`] — pure, no I/O: eligibility ([`rules::eligibility`], one
//!   function per help-article row; [`rules::eligibility::reason_codes`]
//!   runs the same rules without writing messages, for a quiet cycle's
//!   unchanged skips), reasons and where to fix them
//!   ([`rules::reasons`]), contact data ([`rules::contact`]), the mappings
//!   and the [`rules::policy::Policy`] both judge and build with
//!   ([`rules::policy`]), the case body ([`rules::case_body`]), a matter's action ([`rules::matter`]), drift
//!   ([`rules::drift`]), appointments ([`rules::appointment`]), the activity
//!   text and which messages are imported, with SPEC §2's fallbacks and
//!   stuck messages ([`rules::activity`]).
//! - [`store`] — one home for each table's SQL: the state file
//!   ([`store::state`], [`store::migrations`]), the matter ledger and skips
//!   ([`store::ledger`]), the appointment ledger ([`store::appointments`]),
//!   the run log ([`store::runlog`]: its items structured alike for
//!   `sync --json` and `log --run --json`) with the closed vocabulary of a
//!   record's outcome ([`store::outcome::Outcome`]: its stored name, label,
//!   whether it is a failure, whether only `-v` shows it), the account binding and the record of
//!   accounts left ([`store::account`]), the client messages that wait for
//!   a person ([`store::stuck_messages`]); FluentCase's reads
//!   ([`store::fluentcase`], [`store::records`]) and its one insert
//!   ([`store::activities`]); the key file ([`store::keyfile`]).
//! - [`casestatus`] — the API client ([`casestatus::CaseStatus`]), its wire
//!   types (ids as numbers or digit strings) and typed errors
//!   ([`casestatus::ApiError`]); lists read as the real service may answer
//!   them ([`casestatus::listing`]: to an empty page, twice over when a
//!   listing must prove absence); and `--trace`'s HAR archive
//!   ([`casestatus::Trace`]), written by the client's one `call`.
//! - [`util`] — config ([`util::config`]), clock ([`util::clock`]), output
//!   ([`util::output`]; its [`util::output::prefix`] names the firm,
//!   `casestatus-sync[acme.fluentcase.com]`, in every error, warning and
//!   verdict once the config is read), the one place where data becomes
//!   terminal text ([`util::term`], with our colour beside the text in
//!   [`util::term::Styled`]), exit statuses ([`util::exit`]), the keyed
//!   hash of the API key ([`util::secret`]), the mode rule for secret files
//!   ([`util::secret_file`]).
//! - [`sandbox`] — an in-process fake of CaseStatus over real HTTP, with
//!   fault knobs, one account per `sandbox-…` key (so a fleet shares one
//!   sandbox), and the sample firm ([`sandbox::sample`]).
//!
//! ## Adding a sync kind
//!
//! 1. `src/sync/KIND.rs`: its [`sync::engine::SyncKind`] and worker.
//! 2. `src/sync/mod.rs`: `pub mod KIND;` and a variant of [`sync::Kind`]
//!    (its doc comment is `sync KIND`'s help); the compiler then asks for
//!    its arm in `Kind::creates` and in the one `Kind → engine::run` match.
//!    `sync KIND`, `sync all`, `status`, `metrics` and the status page
//!    follow from the variant.
//! 3. `completions/`, regenerated (a test fails while they are stale).
//!
//! ## Adding a command
//!
//! 1. `src/commands/NAME.rs`: its `Args` (`#[derive(clap::Args)]`) and
//!    `pub fn exec(ctx: &Ctx, args: &Args) -> anyhow::Result<u8>` (or
//!    `exec(globals: &Globals, ...)` when it needs no firm's config), and
//!    `pub mod NAME;` in `src/commands/mod.rs`.
//! 2. `src/cli/mod.rs`: a variant of [`cli::Command`] (its doc comment is
//!    the command's help) and its arm in [`cli::dispatch`]; a command that
//!    needs no config is also named in [`cli::Command::needs_config`].
//! 3. `completions/`, regenerated.
//!
//! ## The help article, sentence by sentence
//!
//! | help article | where it is true |
//! |---|---|
//! | The settings page, walked: key, Test Connection, mappings, event types | [`commands::walkthrough::run`] (`setup`) |
//! | Add CaseStatus API Key (name and key), Save | [`commands::setup::connect`] |
//! | Test Connection: a green badge; Connected with the key's name and the number of matters eligible | [`commands::setup::test`], [`commands::setup::count_eligible`] |
//! | If the test fails: check the key for extra spaces; ask CaseStatus about API access | [`commands::setup::test`] |
//! | A list of all the practice areas in your CaseStatus account; Fix ⚠ or Change | [`commands::mapping::overview`] |
//! | Select the matching Case Type | [`commands::mapping::map_area`] |
//! | Only matters whose Case Type is mapped are synced; unmapped case types are skipped | [`rules::eligibility::evaluate`] |
//! | Map each Stage to the corresponding Matter Status | [`commands::mapping::map_stage`] |
//! | The Matters column shows how many matters are in each status | [`commands::mapping::overview_doc`] |
//! | Action Needed banner while anything is unmapped | [`commands::mapping::overview`] |
//! | Refetch Practice Areas | [`commands::mapping::refetch`] |
//! | Only checked event types are synced; none checked, none pushed | [`commands::event_types::set`], [`rules::appointment::plan_event`] |
//! | All synced events are sent as the Meeting appointment type | [`rules::appointment::appointment_body`] |
//! | Matters pushed every 15 minutes, each only once; an existing case (by matter ID) is not created again | [`sync::matters::Matters`], [`rules::matter::plan_matter`], [`rules::matter::existence_by_listing`] |
//! | What is sent for each matter (case number, type, status, dates, attorney, paralegal, client, deep link) | [`rules::case_body::current_body`] |
//! | No update after creation: changes are not sent; update CaseStatus by hand | [`rules::drift::changed_fields`] |
//! | Events from yesterday through 180 days | [`rules::appointment::window`] |
//! | New events pushed; edited events updated; deleted events removed | [`rules::appointment::plan_event`] |
//! | Title, date and time, notes, location — or a meeting URL for http(s) | [`rules::appointment::appointment_body`] |
//! | A client's message becomes an Activity tagged Case Status Message | [`sync::messages::Messages`], [`rules::activity::TAG`] |
//! | "Message from Case Status (Client Name): message content" | [`rules::activity::prepare`] |
//! | Messages are marked processed after import, not imported again | [`sync::messages::MessageWorker`] |
//! | A message that cannot be imported waits for a person, who imports or acknowledges it | [`store::stuck_messages`], [`commands::messages`] |
//! | A matter is skipped if a required piece is missing; where to set it | [`rules::eligibility::evaluate`], [`rules::reasons::ReasonCode::fix`] |
//! | Only Open matters by default; the synced statuses | [`rules::eligibility::DEFAULT_SYNCED_STATUS`], [`commands::setup::synced_statuses`] |
//! | Matters less than 45 minutes old are skipped | [`rules::reasons::MIN_AGE_MINUTES`] |
//! | The Recent Activity log; skip reasons recorded for each cycle | [`commands::log::show`], [`store::runlog`] |
//! | Why a specific matter was not synced | [`commands::why_skipped::run`] |
//! | A new case's appointment appears on the following cycle (propagation delay) | [`sync::appointments::PROPAGATION_MINUTES`] |
//! | Remove API Key stops all syncing; pushed cases remain | [`commands::setup::disconnect`] |
//! | The settings page (badge, mappings, Action Needed, event types, Recent Activity) | [`commands::serve`] (read-only, in a browser) |
//!
//! ## Invariants
//!
//! - The eligibility rules do no I/O and exist once ([`rules::eligibility::evaluate`]).
//! - No create is sent without a committed intent row in the ledger and an
//!   existence check (a look-up, or this run's consistent listing) in the
//!   same run; an answer is committed with the worker's next intent (or
//!   when it ends), and one lost to a kill is found by the next look-up.
//! - A listing proves a record absent only when read consistently (one
//!   page, or two readings with the same ids); a list ends at an empty page.
//! - No create is sent to an account other than the one the ledger
//!   describes: a changed key or URL is verified first ([`sync::account`]).
//! - Nothing is marked processed in CaseStatus that is not in FluentCase
//!   (a person's `messages acknowledge` is the one deliberate exception);
//!   a sync and a person's `messages import` insert through the same
//!   [`store::activities::insert`], then mark.
//! - Text from FluentCase, CaseStatus or clients reaches a terminal only
//!   through [`util::term`]; FluentCase, the state file and `--json` keep it
//!   exact. Our colour is never a character in the text: no data can
//!   start, end or forge it.
//! - Secret files (the API key file, the page's token file) are read only
//!   through [`util::secret_file`], which refuses one looser than 0640;
//!   the state folder is created 0700 whatever the umask.
//! - The API key is only ever in the state file (0600), the operator's key
//!   file, and the `Authorization` header; `Debug` of anything holding it is
//!   redacted; it is never an argument (clap's errors would echo it).
//! - Read-only commands (`log`, `status`, `metrics`, `why-skipped`, the `map`
//!   overview, `event-types` and `synced-statuses` without arguments,
//!   `messages pending`, `doctor`, `serve` and every `--dry-run`) never create,
//!   migrate or write the state file; `doctor` asks CaseStatus by GETs only.
//! - A `--trace` archive is created 0600 and never holds the key: the
//!   `Authorization` header and every occurrence of the key read `REDACTED`.
//! - `setup` saves nothing by itself: each answer goes through the function
//!   of the scripted command that makes the same change (`connect`,
//!   `synced-statuses`, `map practice-area`, `map stage`, `event-types`),
//!   one transaction each, so a walk and a script give the same state and
//!   Ctrl-C leaves what was answered before.
//! - `init` writes nothing until every value is checked (FluentCase's
//!   tables, and the text through [`util::config::parse`]), and never
//!   over an existing file (a finished temporary file is linked into place).
//! - A command's answer is gathered once: the terminal printer, `--json`
//!   and the status page present the same gathered value.
//! - The status page writes nothing, calls no CaseStatus API, and shows
//!   data only through askama's escaping, under a CSP without scripts; it
//!   answers only requests naming its own host, sends a browser back only
//!   to a path on this site, and holds no connection past its limits.
//! - FluentCase's schema is never altered; the state schema changes only by
//!   appending a migration ([`store::migrations`]).
//! - `fleet` shares nothing between firms: each runs as its own process
//!   with its own config, lock and state, naming files only inside its own
//!   folder (and `--keys-dir`); a firm's shard depends only on its folder
//!   name and the number of shards; no child outlives the fleet.
//!
//! ## Errors
//!
//! Library modules return typed errors ([`util::config::ConfigError`],
//! [`store::state::StateError`], [`store::fluentcase::FluentCaseError`],
//! [`casestatus::ApiError`]); commands add `anyhow` context, and
//! [`cli::exit::code_for`], the one table at the edge, picks the
//! documented exit status (an error it does not recognise exits 70, never
//! 1). `main` prints the one line (unless [`cli::exit::is_silent`]: an
//! ordinary overlap), and with `--json` the error document
//! ([`util::output::error_document`]) when no document was printed yet.

// One module-file style: a module with children is `x/mod.rs`, never
// `x.rs` beside `x/` (cargo's rule; CI runs clippy with -D warnings).
#![warn(clippy::self_named_module_files)]

pub mod casestatus;
pub mod cli;
pub mod commands;
pub mod rules;
pub mod sandbox;
pub mod store;
pub mod sync;
pub mod util;
