//! `serve`: the status page (SPEC §6) — the help article's CaseStatus
//! Integration settings page, read-only, for support staff in a browser.
//!
//! What it serves is what the CLI prints: every route calls the same
//! gather function as its command (`status::gather`, `log::run_detail`,
//! `why_skipped::gather`, `mapping::overview_doc`, `event_types::gather`) and only
//! presents the result, as askama HTML (`pages`) or as the command's
//! `--json` document.
//!
//! Safe by construction:
//! - read-only: only GET and HEAD (else 405); databases are opened
//!   read-only per request, so the page never writes or creates a file;
//! - a non-loopback `--listen` needs `--token-file`; a token file, given
//!   on any address (loopback too: a reverse proxy on the same host makes
//!   every request look local), makes every request carry the token
//!   (`guard`); after a `?token=` the redirect goes back to the same path
//!   on this site (`same_site_path`), never to another;
//! - DNS rebinding: a request whose `Host` is not the address listened
//!   on, `localhost` or an `--allow-host` name is refused (`Hosts`);
//! - HTTPS with `--tls-cert`/`--tls-key` (rustls through tokio-rustls);
//!   the token cookie is then `Secure` and `__Host-`-prefixed (no other
//!   port or subdomain gets it); a non-loopback address without TLS warns
//!   once that the token travels in clear;
//! - slow clients bounded: the head within 10 s, idle connections closed
//!   after 60 s, at most 256 connections (`listener`);
//! - every value from data reaches HTML through askama's escaping, never by
//!   hand; a Content-Security-Policy allows no script at all (there is none);
//! - the API key is never read into a page: the badge shows its name only;
//! - bounded: request bodies (1 KiB), rows per table, a timeout per request,
//!   and at most `BLOCKING_READS` database reads at once, each on tokio's
//!   blocking pool so a slow read or a slow client never stalls the others.
//!
//! The API key is never needed: the page makes no call to CaseStatus, so
//! `reqwest::blocking` is never used inside the runtime.

pub(crate) mod listener;
mod pages;

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use subtle::ConstantTimeEq;
use tokio::sync::Semaphore;

use crate::sync::Ctx;
use crate::util::config::Config;
use crate::util::exit::{UsageError, OK};
use crate::util::output::Output;

/// The address `serve` listens on without `--listen`.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8787";
/// How long one request may take, database reads included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// The largest request body accepted (pages take none).
const MAX_BODY_BYTES: usize = 1024;
/// Database reads running at once; further requests wait (within the timeout).
const BLOCKING_READS: usize = 4;
/// The cookie that keeps a `?token=` for the browser's later requests.
const TOKEN_COOKIE: &str = "casestatus_sync_token";
/// The same over HTTPS: `__Host-` makes the browser keep it to this host
/// and port, sent over HTTPS only, for every path.
const TLS_TOKEN_COOKIE: &str = "__Host-casestatus_sync_token";

/// `serve`'s flags.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to listen on (port 0 picks a free one); a non-loopback one needs --token-file
    #[arg(long, value_name = "ADDR", default_value = crate::commands::serve::DEFAULT_LISTEN)]
    pub listen: String,
    /// A file holding the token every request must carry (Bearer header, or ?token= once); mode 0600 or 0640
    #[arg(long, value_name = "PATH")]
    pub token_file: Option<PathBuf>,
    /// Serve HTTPS with this certificate chain (PEM, leaf first); needs --tls-key
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM)
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// A host name the page may be reached by (repeatable); requests naming another host are refused
    #[arg(long = "allow-host", value_name = "NAME")]
    pub allow_hosts: Vec<String>,
}

/// `serve`: see [`run`].
///
/// # Errors
/// As [`run`].
pub fn exec(ctx: &Ctx, args: &Args) -> anyhow::Result<u8> {
    let opts = Options {
        listen: args.listen.clone(),
        token_file: args.token_file.clone(),
        tls_cert: args.tls_cert.clone(),
        tls_key: args.tls_key.clone(),
        allow_hosts: args.allow_hosts.clone(),
    };
    run(ctx, &opts)
}

/// The `serve` flags, checked by [`run`].
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub listen: String,
    pub token_file: Option<PathBuf>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    /// Host names (without port) a request's `Host` may name besides the
    /// address listened on and `localhost`.
    pub allow_hosts: Vec<String>,
}
/// The shortest token accepted from `--token-file`.
const MIN_TOKEN_CHARS: usize = 16;

/// The Content-Security-Policy of every response: no script from
/// anywhere, styles only from this server, no framing.
pub const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// What every request handler shares.
pub(crate) struct App {
    config: Config,
    out: Output,
    token: Option<String>,
    /// The token cookie's name: `__Host-` prefixed over HTTPS.
    cookie_name: &'static str,
    /// Served over HTTPS: the cookie is `Secure`.
    tls: bool,
    hosts: Hosts,
    reads: Semaphore,
}

impl App {
    /// A command context for one request, with the time now (or the
    /// pinned `CASESTATUS_SYNC_NOW`, checked at start).
    fn ctx(&self) -> Ctx {
        Ctx {
            config: self.config.clone(),
            out: self.out,
            now: crate::util::clock::now().unwrap_or_else(|_| chrono::Utc::now()),
            trace: None,
        }
    }
}

/// `serve [--listen ADDR] [--token-file PATH] [--tls-cert PEM --tls-key
/// PEM] [--allow-host NAME]...`: print `listening on http://ADDR` (or
/// `https://`) as the first line on stdout, then serve until killed.
///
/// # Errors
/// [`UsageError`] for an address that does not parse, a non-loopback
/// address without `--token-file`, an unusable token file (loose mode
/// included), an unusable certificate or key, a bad `--allow-host`; the
/// state file missing or unreadable (checked before listening).
/// [`crate::util::exit::SetupError`]: the address cannot be listened on
/// (in use by another program, not this host's).
pub fn run(ctx: &Ctx, opts: &Options) -> anyhow::Result<u8> {
    let addr = parse_listen(&opts.listen)?;
    let token = opts.token_file.as_deref().map(read_token).transpose()?;
    if !addr.ip().is_loopback() && token.is_none() {
        return Err(UsageError(format!(
            "refusing to serve the status page on {addr}: it is not a loopback address and the page shows client names; give --token-file PATH (a file holding a long random token, e.g. from `openssl rand -hex 32`) so every request must carry it, or listen on 127.0.0.1"
        ))
        .into());
    }
    let hosts = Hosts::new(addr.ip(), &opts.allow_hosts)?;
    let limits = listener::Limits::from_env()?;
    let tls = match (&opts.tls_cert, &opts.tls_key) {
        (Some(cert), Some(key)) => Some(tls_acceptor(cert, key)?),
        (None, None) => None,
        _ => {
            return Err(UsageError(
                "--tls-cert and --tls-key go together: give both PEM files, or neither".into(),
            )
            .into())
        }
    };
    // A mistyped state.database is an error now, not on the first request
    // (and never a new empty file).
    ctx.state_read_only()?;
    if tls.is_none() && !addr.ip().is_loopback() {
        ctx.out.warn(format!(
            "the status page on {addr} is plain HTTP: the token and clients' names travel in clear; give --tls-cert and --tls-key (PEM) to serve HTTPS, or put it behind an HTTPS reverse proxy"
        ));
    }
    let app = Arc::new(App {
        config: ctx.config.clone(),
        out: ctx.out,
        token,
        cookie_name: if tls.is_some() {
            TLS_TOKEN_COOKIE
        } else {
            TOKEN_COOKIE
        },
        tls: tls.is_some(),
        hosts,
        reads: Semaphore::new(BLOCKING_READS),
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| anyhow::anyhow!("cannot start the web server's runtime: {e}"))?;
    runtime.block_on(serve(app, addr, tls, limits))?;
    Ok(OK)
}

async fn serve(
    app: Arc<App>,
    addr: SocketAddr,
    tls: Option<tokio_rustls::TlsAcceptor>,
    limits: listener::Limits,
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        listener::cannot_listen(addr, &e, "--listen ADDR (port 0 picks a free one)")
    })?;
    let bound = listener
        .local_addr()
        .map_err(|e| anyhow::anyhow!("cannot read the address listened on: {e}"))?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    crate::util::output::emit(&format!("listening on {scheme}://{bound}"));
    listener::run(listener, router(app), tls, limits).await;
    Ok(())
}

/// rustls from the PEM files of `--tls-cert` (the chain, leaf first) and
/// `--tls-key`; HTTP/1.1 only.
fn tls_acceptor(cert: &Path, key: &Path) -> anyhow::Result<tokio_rustls::TlsAcceptor> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    use tokio_rustls::rustls;
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .and_then(|all| all.collect::<Result<Vec<_>, _>>())
        .map_err(|e| {
            UsageError(format!(
                "--tls-cert {}: not a PEM certificate chain: {e}",
                cert.display()
            ))
        })?;
    if certs.is_empty() {
        return Err(UsageError(format!(
            "--tls-cert {}: no CERTIFICATE block in the file",
            cert.display()
        ))
        .into());
    }
    let private = PrivateKeyDer::from_pem_file(key).map_err(|e| {
        UsageError(format!(
            "--tls-key {}: not a PEM private key: {e}",
            key.display()
        ))
    })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| anyhow::anyhow!("cannot set up TLS: {e}"))?
        .with_no_client_auth()
        .with_single_cert(certs, private)
        .map_err(|e| {
            UsageError(format!(
                "--tls-cert {} and --tls-key {} do not make a usable pair: {e}",
                cert.display(),
                key.display()
            ))
        })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

/// The names a request's `Host` may carry (SPEC §6, against DNS
/// rebinding: a page that rebinds its own name to this address still
/// sends its own name as `Host`).
#[derive(Debug, Clone)]
struct Hosts {
    /// The address listened on; an unspecified one (0.0.0.0, ::) stands
    /// for every address of this host, so any IP literal is accepted.
    ip: IpAddr,
    /// `--allow-host` names, lower case, without a trailing dot.
    names: Vec<String>,
}

impl Hosts {
    fn new(ip: IpAddr, allow: &[String]) -> Result<Hosts, UsageError> {
        let mut names = Vec::new();
        for name in allow {
            let n = name.trim().trim_end_matches('.').to_ascii_lowercase();
            if n.is_empty()
                || !n
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
            {
                return Err(UsageError(format!(
                    "--allow-host {name:?} is not a host name; give a name such as status.example.com, without a port or scheme"
                )));
            }
            names.push(n);
        }
        Ok(Hosts { ip, names })
    }

    /// Whether a `Host` header value (`name[:port]`, `[v6]:port`) names
    /// this server. The port is not compared: a reverse proxy or a mapped
    /// port may change it, and rebinding needs the name.
    fn allows(&self, host: &str) -> bool {
        let host = host.trim();
        let name = if let Some(rest) = host.strip_prefix('[') {
            match rest.split_once(']') {
                Some((v6, _)) => v6,
                None => return false,
            }
        } else {
            host.rsplit_once(':').map_or(host, |(n, _)| n)
        };
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        if name == "localhost" || self.names.contains(&name) {
            return true;
        }
        match name.parse::<IpAddr>() {
            Ok(ip) => ip == self.ip || self.ip.is_unspecified(),
            Err(_) => false,
        }
    }
}

/// Every route, behind [`guard`] (outermost), a body limit and a timeout.
fn router(app: Arc<App>) -> Router {
    use tower_http::limit::RequestBodyLimitLayer;
    use tower_http::timeout::TimeoutLayer;
    Router::new()
        .route("/", get(pages::index))
        .route("/runs/{id}", get(pages::run))
        .route("/matters/{key}", get(pages::matter))
        .route("/search", get(pages::search))
        .route("/api/status", get(pages::api_status))
        .route("/api/runs/{id}", get(pages::api_run))
        .route("/api/matters/{key}", get(pages::api_matter))
        .route("/static/style.css", get(style))
        .route("/metrics", get(pages::metrics))
        .route("/healthz", get(pages::healthz))
        .fallback(pages::not_found)
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        // Outermost, so its headers are on every answer, 413 and 408 too.
        .layer(axum::middleware::from_fn_with_state(app.clone(), guard))
        .with_state(app)
}

/// The stylesheet, compiled into the binary (no CDN, no build step).
async fn style() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=300"),
        ],
        include_str!("../../../static/style.css"),
    )
        .into_response()
}

/// Before every handler: GET/HEAD only (405), the token when one is set
/// (401), a `?token=` turned into a cookie (303 to the same page without
/// it); after: the security headers on every response, errors included.
async fn guard(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .or_else(|| req.uri().authority().map(|a| a.to_string()));
    let mut resp = if !host.as_deref().is_some_and(|h| app.hosts.allows(h)) {
        pages::error_response(
            StatusCode::MISDIRECTED_REQUEST,
            "This status page answers only to the address it listens on, localhost, or a name given with --allow-host (a request naming another host may come from a web page that rebound its name to this address).",
            req.uri().path().starts_with("/api/"),
        )
    } else if req.method() != Method::GET && req.method() != Method::HEAD {
        let mut r = pages::error_response(
            StatusCode::METHOD_NOT_ALLOWED,
            "The status page is read-only: only GET and HEAD are allowed.",
            req.uri().path().starts_with("/api/"),
        );
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        r
    } else {
        // `/healthz` shows no data, so a probe needs no token (SPEC §6).
        let token = app
            .token
            .as_deref()
            .filter(|_| req.uri().path() != "/healthz");
        match token.map(|t| check_token(&app, t, &req)) {
            None | Some(Access::Granted) => next.run(req).await,
            Some(Access::FromQuery(location, cookie)) => {
                let mut r = StatusCode::SEE_OTHER.into_response();
                if let (Ok(l), Ok(c)) = (
                    HeaderValue::from_str(&location),
                    HeaderValue::from_str(&cookie),
                ) {
                    r.headers_mut().insert(header::LOCATION, l);
                    r.headers_mut().insert(header::SET_COOKIE, c);
                }
                r
            }
            Some(Access::Denied) => {
                let mut r = pages::error_response(
                    StatusCode::UNAUTHORIZED,
                    "This status page needs its token: open it once as /?token=TOKEN (the browser then keeps it in a cookie), or send the header Authorization: Bearer TOKEN.",
                    req.uri().path().starts_with("/api/"),
                );
                r.headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
                r
            }
        }
    };
    security_headers(resp.headers_mut());
    resp
}

/// What a request's token allows.
enum Access {
    Granted,
    /// The token came in the query: redirect to (location) with (Set-Cookie).
    FromQuery(String, String),
    Denied,
}

/// Check the request's token: `Authorization: Bearer`, the cookie, or
/// `?token=` (compared in constant time).
fn check_token(app: &App, token: &str, req: &Request) -> Access {
    let headers = req.headers();
    if bearer(headers).is_some_and(|t| same(t.as_bytes(), token))
        || cookies(headers, app.cookie_name).any(|t| same(t, token))
    {
        return Access::Granted;
    }
    let query = req.uri().query().unwrap_or("");
    let (given, rest): (Vec<&str>, Vec<&str>) =
        query.split('&').partition(|p| p.starts_with("token="));
    if given
        .iter()
        .any(|p| same(&p.as_bytes()["token=".len()..], token))
    {
        let rest: Vec<&str> = rest.into_iter().filter(|p| !p.is_empty()).collect();
        let path = same_site_path(req.uri().path());
        let location = if rest.is_empty() {
            path
        } else {
            format!("{path}?{}", rest.join("&"))
        };
        let secure = if app.tls { "; Secure" } else { "" };
        let cookie = format!(
            "{}={token}; HttpOnly; SameSite=Strict; Path=/{secure}",
            app.cookie_name
        );
        return Access::FromQuery(location, cookie);
    }
    Access::Denied
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// The path to send a browser back to after `?token=`: the same path on
/// this site. A path that starts with `//` or `/\\` would be read by a
/// browser as another site (`//evil.example/x`), so leading slashes and
/// backslashes become one `/`.
fn same_site_path(path: &str) -> String {
    format!("/{}", path.trim_start_matches(['/', '\\']))
}

/// Every value the request's `Cookie` headers give `name`, each a
/// candidate: RFC 6265 §5.4 pairs split on `;` with optional white space
/// around names and values, a value in double quotes taken without them,
/// and the same name more than once (a stale cookie of another path, or
/// another app on `localhost`, may come first). Read as bytes: another
/// app's cookie with non-ASCII bytes must not hide ours in the same header.
fn cookies<'a>(headers: &'a HeaderMap, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
    headers
        .get_all(header::COOKIE)
        .iter()
        .flat_map(|v| v.as_bytes().split(|b| *b == b';'))
        .filter_map(|pair| {
            let eq = pair.iter().position(|b| *b == b'=')?;
            Some((&pair[..eq], &pair[eq + 1..]))
        })
        .filter(move |(n, _)| n.trim_ascii() == name.as_bytes())
        .map(|(_, value)| unquote(value.trim_ascii()))
}

/// A cookie value without the double quotes RFC 6265 allows around it.
fn unquote(value: &[u8]) -> &[u8] {
    value
        .strip_prefix(b"\"")
        .and_then(|v| v.strip_suffix(b"\""))
        .unwrap_or(value)
}

/// The token compared in constant time (`subtle`), so timing does not
/// reveal how much of a guess was right. A length that differs answers
/// at once: the length is not the secret.
fn same(given: &[u8], token: &str) -> bool {
    given.ct_eq(token.as_bytes()).into()
}

fn security_headers(h: &mut HeaderMap) {
    let fixed = [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
    ];
    for (name, value) in fixed {
        h.insert(name, HeaderValue::from_static(value));
    }
    // Pages hold client names: no shared cache keeps them.
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
}

/// `--listen`: an IP address and port, or `localhost:PORT`.
fn parse_listen(listen: &str) -> anyhow::Result<SocketAddr> {
    let bad = |why: String| {
        UsageError(format!(
            "--listen {listen:?} is not an address to listen on ({why}); give IP:PORT such as {DEFAULT_LISTEN}, or 127.0.0.1:0 for any free port"
        ))
    };
    if let Ok(addr) = listen.parse::<SocketAddr>() {
        return Ok(addr);
    }
    let mut addrs = listen.to_socket_addrs().map_err(|e| bad(e.to_string()))?;
    addrs.next().ok_or_else(|| bad("no address".into()).into())
}

/// The token from `--token-file`: trimmed, long enough, and only
/// characters that are safe in a header, a URL and a cookie.
fn read_token(path: &Path) -> anyhow::Result<String> {
    use std::io::Read;
    let mut text = String::new();
    crate::util::secret_file::open(path, "--token-file")
        .map_err(UsageError)?
        .take(64 * 1024)
        .read_to_string(&mut text)
        .map_err(|e| UsageError(format!("cannot read --token-file {}: {e}", path.display())))?;
    let token = text.trim();
    if token.chars().count() < MIN_TOKEN_CHARS {
        return Err(UsageError(format!(
            "--token-file {}: the token is shorter than {MIN_TOKEN_CHARS} characters; put a long random one there, e.g. from `openssl rand -hex 32`",
            path.display()
        ))
        .into());
    }
    if !token
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-._~+/".contains(c))
    {
        return Err(UsageError(format!(
            "--token-file {}: the token may hold only letters, digits and - . _ ~ + / (it travels in a URL and a cookie)",
            path.display()
        ))
        .into());
    }
    Ok(token.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_comparison_is_exact() {
        let token = "abcdef0123456789";
        assert!(same(b"abcdef0123456789", token));
        assert!(!same(b"abcdef012345678", token));
        assert!(!same(b"abcdef01234567890", token));
        assert!(!same(b"abcdef012345678X", token));
        assert!(!same(b"", token));
    }

    fn cookie_headers(values: &[&[u8]]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(header::COOKIE, HeaderValue::from_bytes(v).unwrap());
        }
        h
    }

    fn values(values: &[&[u8]]) -> Vec<String> {
        cookies(&cookie_headers(values), "tok")
            .map(|v| String::from_utf8_lossy(v).into_owned())
            .collect()
    }

    #[test]
    fn cookies_as_browsers_send_them() {
        // `; ` and `;` separators, several headers (HTTP/2 splits them).
        assert_eq!(values(&[b"a=1; tok=t1;b=2"]), ["t1"]);
        assert_eq!(values(&[b"a=1", b"tok=t2"]), ["t2"]);
        // Not a prefix or suffix of another name; a pair without `=`.
        assert!(values(&[b"xtok=1; tokx=2; tok; =3"]).is_empty());
        // An empty value is a value.
        assert_eq!(values(&[b"tok="]), [""]);
        // `=` inside the value stays in it.
        assert_eq!(values(&[b"tok=a=b"]), ["a=b"]);
    }

    /// What the hand-written parser got wrong: it took only the first
    /// cookie of the name, kept the quotes, kept white space around the
    /// name, and dropped a whole header with one non-ASCII byte in it.
    #[test]
    fn cookies_quoted_repeated_spaced_and_beside_non_ascii() {
        assert_eq!(values(&[b"tok=stale; tok=fresh"]), ["stale", "fresh"]);
        assert_eq!(values(&[b"tok=\"quoted\""]), ["quoted"]);
        assert_eq!(values(&[b"tok=\""]), ["\""]);
        assert_eq!(values(&[b"a=1;  tok = spaced ; b=2"]), ["spaced"]);
        assert_eq!(values(&[b"other=caf\xc3\xa9; tok=t3"]), ["t3"]);
    }

    #[test]
    fn redirects_stay_on_this_site() {
        assert_eq!(same_site_path("/matters/2"), "/matters/2");
        assert_eq!(same_site_path("//evil.example/x"), "/evil.example/x");
        assert_eq!(same_site_path("/\\evil.example"), "/evil.example");
        assert_eq!(same_site_path("/\\/\\x"), "/x");
        assert_eq!(same_site_path(""), "/");
    }

    #[test]
    fn host_names_this_server_only() {
        let local =
            Hosts::new("127.0.0.1".parse().unwrap(), &["Status.Example.com".into()]).unwrap();
        for ok in [
            "127.0.0.1:8787",
            "localhost:8787",
            "LOCALHOST",
            "status.example.com.:443",
        ] {
            assert!(local.allows(ok), "{ok}");
        }
        for bad in [
            "attacker.example:8787",
            "10.0.0.1:8787",
            "",
            "[::1",
            "127.0.0.1.evil.example",
        ] {
            assert!(!local.allows(bad), "{bad}");
        }
        let any = Hosts::new("0.0.0.0".parse().unwrap(), &[]).unwrap();
        assert!(any.allows("10.0.0.1:8787") && any.allows("[::1]:8787"));
        assert!(!any.allows("attacker.example"));
        assert!(Hosts::new("::1".parse().unwrap(), &["a b".into()]).is_err());
    }

    #[test]
    fn listen_addresses() {
        assert!(parse_listen("127.0.0.1:0").is_ok());
        assert!(parse_listen("[::1]:8787").is_ok());
        assert!(parse_listen("nonsense").is_err());
    }
}
