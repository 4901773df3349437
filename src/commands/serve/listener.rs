//! The status page's own accept loop (SPEC §6: slow clients are bounded).
//!
//! `axum::serve` installs no timer, so hyper's header-read timeout is off
//! and a client that never finishes its request head, or never reads its
//! answer, holds a connection (and a file descriptor) for ever. Here each
//! connection is served by hyper's HTTP/1 builder with a timer:
//!
//! - **the request head within [`Limits::head`]** (10 s): hyper's header
//!   read timeout, which also runs while a kept-alive connection waits for
//!   its next request, so a silent connection is closed after it too; over
//!   TLS the handshake must end within the same time;
//! - **idle connections closed after [`Limits::idle`]** (60 s): a watchdog
//!   closes a connection on which no byte moved either way for that long
//!   (a client that trickles a body or never reads the answer);
//! - **at most [`Limits::connections`]** (256) at once: a slot is taken
//!   before `accept`, so further clients wait in the kernel's backlog and
//!   never starve the process of file descriptors.
//!
//! Tests shorten the limits with the hidden `CASESTATUS_SYNC_SERVE_LIMITS`
//! (`HEAD_MS,IDLE_MS,CONNECTIONS`), so the suite need not wait 10 s.

use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::time::Instant;
use tokio_rustls::TlsAcceptor;

use crate::util::exit::{SetupError, UsageError};

/// Why `serve` or `sandbox` cannot listen on `addr`, as one line; `other`
/// says how to pick another address (`--listen ADDR`, `--port N`). Nothing
/// typed was wrong, so it is never the usage code: another program holding
/// the port (often the other of the two, or an earlier `serve`) or an
/// address this host lacks is the machine's setup, for a person to settle
/// (exit 3); the next cycle would meet it again.
pub fn cannot_listen(
    addr: impl std::fmt::Display,
    e: &std::io::Error,
    other: &str,
) -> anyhow::Error {
    let why = match e.kind() {
        std::io::ErrorKind::AddrInUse => {
            format!(
                "the address is in use by another program; stop it, or choose another with {other}"
            )
        }
        std::io::ErrorKind::AddrNotAvailable => {
            format!("this host has no such address; choose another with {other}")
        }
        std::io::ErrorKind::PermissionDenied => {
            "permission denied (ports below 1024 need privileges)".to_string()
        }
        _ => e.to_string(),
    };
    SetupError(format!("cannot listen on {addr}: {why}")).into()
}

/// The hidden knob for tests: `HEAD_MS,IDLE_MS,CONNECTIONS`.
pub const LIMITS_ENV: &str = "CASESTATUS_SYNC_SERVE_LIMITS";

/// How long and how many.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The request head (and a TLS handshake) must arrive within this.
    pub head: Duration,
    /// A connection on which nothing moved for this long is closed.
    pub idle: Duration,
    /// Connections served at once.
    pub connections: usize,
}

impl Limits {
    /// SPEC §6's limits.
    pub const SPEC: Limits = Limits {
        head: Duration::from_secs(10),
        idle: Duration::from_secs(60),
        connections: 256,
    };

    /// [`Limits::SPEC`], or the test override from [`LIMITS_ENV`].
    ///
    /// # Errors
    /// [`UsageError`] when the variable is set but is not three positive
    /// numbers.
    pub fn from_env() -> Result<Limits, UsageError> {
        let Ok(text) = std::env::var(LIMITS_ENV) else {
            return Ok(Limits::SPEC);
        };
        let numbers: Vec<u64> = text
            .split(',')
            .map(|n| n.trim().parse::<u64>())
            .collect::<Result<_, _>>()
            .unwrap_or_default();
        match numbers[..] {
            [head, idle, connections] if head > 0 && idle > 0 && connections > 0 => Ok(Limits {
                head: Duration::from_millis(head),
                idle: Duration::from_millis(idle),
                connections: usize::try_from(connections).unwrap_or(usize::MAX),
            }),
            _ => Err(UsageError(format!(
                "${LIMITS_ENV} {text:?} is not HEAD_MS,IDLE_MS,CONNECTIONS (three positive numbers); leave it unset for 10000,60000,256"
            ))),
        }
    }
}

/// Accept and serve connections until the process ends.
pub async fn run(listener: TcpListener, router: Router, tls: Option<TlsAcceptor>, limits: Limits) {
    let slots = Arc::new(Semaphore::new(limits.connections));
    loop {
        // Never closed, so acquiring only waits.
        let Ok(slot) = slots.clone().acquire_owned().await else {
            return;
        };
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => {
                // Out of file descriptors, or a connection reset before
                // it was accepted: wait a moment rather than spin.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let router = router.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            let _slot = slot;
            let _ = stream.set_nodelay(true);
            match tls {
                None => serve_connection(stream, router, limits).await,
                Some(acceptor) => {
                    if let Ok(Ok(stream)) =
                        tokio::time::timeout(limits.head, acceptor.accept(stream)).await
                    {
                        serve_connection(stream, router, limits).await;
                    }
                }
            }
        });
    }
}

/// Serve one connection under the head timeout and the idle watchdog;
/// dropping the connection closes it.
async fn serve_connection<S>(stream: S, router: Router, limits: Limits)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let started = Instant::now();
    let moved = Arc::new(AtomicU64::new(0));
    let io = Watched {
        inner: stream,
        started,
        moved: moved.clone(),
    };
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.head)
        .keep_alive(true);
    let conn = builder.serve_connection(TokioIo::new(io), TowerToHyperService::new(router));
    tokio::pin!(conn);
    loop {
        let last = started + Duration::from_millis(moved.load(Ordering::Relaxed));
        tokio::select! {
            _ = conn.as_mut() => return,
            () = tokio::time::sleep_until(last + limits.idle) => {
                let last = started + Duration::from_millis(moved.load(Ordering::Relaxed));
                if last + limits.idle <= Instant::now() {
                    return;
                }
            }
        }
    }
}

/// A connection's stream that notes when a byte last moved.
struct Watched<S> {
    inner: S,
    started: Instant,
    /// Milliseconds from `started` to the last byte read or written.
    moved: Arc<AtomicU64>,
}

impl<S> Watched<S> {
    fn touch(&self) {
        let ms = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.moved.store(ms, Ordering::Relaxed);
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Watched<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let poll = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(poll, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.touch();
        }
        poll
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Watched<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write(cx, data);
        if matches!(poll, Poll::Ready(Ok(n)) if n > 0) {
            self.touch();
        }
        poll
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(poll, Poll::Ready(Ok(n)) if n > 0) {
            self.touch();
        }
        poll
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}
