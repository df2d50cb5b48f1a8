//! Accepting connections for `zhiku serve` with limits: a cap on open
//! connections, a timeout for reading request headers (which also closes
//! idle keep-alive connections), and a `Host` allow-list against DNS
//! rebinding.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, Semaphore};

/// Limits on what clients may hold open.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// How long a connection may take to send request headers; an idle
    /// keep-alive connection is closed after the same time. Event streams
    /// are not affected once their request is read.
    pub header_timeout: Duration,
    /// Most connections open at once (see [`serve`] for what happens
    /// beyond it), so descriptors are never exhausted.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_timeout: Duration::from_secs(30),
            max_connections: 256,
        }
    }
}

/// Connections that have not sent a single byte yet, oldest first: the
/// ones given up first when the cap is reached.
#[derive(Default)]
struct Silent {
    next: u64,
    waiting: BTreeMap<u64, Arc<Notify>>,
}

type SilentRef = Arc<Mutex<Silent>>;

fn lock(s: &Mutex<Silent>) -> std::sync::MutexGuard<'_, Silent> {
    // The map stays consistent even if a holder panicked: each step is one insert or remove.
    s.lock().unwrap_or_else(|e| e.into_inner())
}

/// A client socket that leaves the silent list on its first byte.
struct Watched {
    inner: TcpStream,
    id: u64,
    silent: Option<SilentRef>,
}

impl Watched {
    fn spoke(&mut self) {
        if let Some(s) = self.silent.take() {
            lock(&s).waiting.remove(&self.id);
        }
    }
}

impl Drop for Watched {
    fn drop(&mut self) {
        self.spoke();
    }
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(r, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.spoke();
        }
        r
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Serves `app` on `listener` until the task is dropped.
///
/// At most `max_connections` are served at once. When a client connects
/// while all are taken, the oldest connection that has not sent a byte is
/// closed to make room (idle sockets are the cheap way to exhaust a server);
/// if every connection is busy, the new one waits for one to end. Either
/// way at most one socket beyond the cap is held.
pub async fn serve(listener: TcpListener, app: Router, limits: Limits) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let silent: SilentRef = Arc::default();
    loop {
        let stream = match listener.accept().await {
            Ok((s, _)) => s,
            Err(e) => {
                // Out of descriptors or a connection reset before accept: not fatal.
                eprintln!("zhiku serve: accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        if permits.available_permits() == 0 {
            let oldest = lock(&silent).waiting.pop_first();
            if let Some((_, close)) = oldest {
                close.notify_one();
            }
        }
        // Never closed, so acquiring only waits.
        let Ok(permit) = Arc::clone(&permits).acquire_owned().await else {
            return Ok(());
        };
        let close = Arc::new(Notify::new());
        let id = {
            let mut s = lock(&silent);
            s.next += 1;
            let id = s.next;
            s.waiting.insert(id, Arc::clone(&close));
            id
        };
        let io = Watched {
            inner: stream,
            id,
            silent: Some(Arc::clone(&silent)),
        };
        let service = TowerToHyperService::new(app.clone());
        tokio::spawn(async move {
            let _permit = permit;
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_timeout)
                .serve_connection(TokioIo::new(io), service);
            // A client that hangs up or times out is not an error worth
            // printing; an evicted one is simply dropped.
            tokio::select! {
                _ = conn => {}
                () = close.notified() => {}
            }
        });
    }
}

/// Host names requests may carry: any IP literal (no DNS rebinding is
/// possible through one), `localhost`, and the name given to `--host`.
#[derive(Debug, Clone)]
pub struct AllowedHosts {
    names: Vec<String>,
}

impl AllowedHosts {
    /// The allow-list for a server bound at `bound` under the name `host`.
    pub fn new(host: &str, bound: SocketAddr) -> Self {
        let mut names = vec!["localhost".to_string(), bound.ip().to_string()];
        names.push(host.trim_matches(['[', ']']).to_ascii_lowercase());
        AllowedHosts { names }
    }

    /// True when a `Host` header value names this server.
    pub fn allows(&self, value: &str) -> bool {
        let value = value.trim().to_ascii_lowercase();
        let name = strip_port(&value);
        let name = name.strip_suffix('.').unwrap_or(name);
        name.trim_matches(['[', ']']).parse::<IpAddr>().is_ok()
            || self.names.iter().any(|n| n == name)
    }
}

/// `host` of `host:port`, also for `[v6]:port`.
fn strip_port(value: &str) -> &str {
    if let Some(rest) = value.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match value.rsplit_once(':') {
        Some((h, p)) if p.bytes().all(|b| b.is_ascii_digit()) && !h.contains(':') => h,
        _ => value,
    }
}

/// Middleware refusing requests whose `Host` is not on the allow-list.
pub async fn check_host(allowed: Arc<AllowedHosts>, req: Request, next: Next) -> Response {
    let ok = match req.headers().get(header::HOST) {
        // HTTP/1.0 clients may omit it; browsers (the rebinding risk) never do.
        None => true,
        Some(v) => v.to_str().is_ok_and(|v| allowed.allows(v)),
    };
    if ok {
        next.run(req).await
    } else {
        (
            StatusCode::MISDIRECTED_REQUEST,
            "zhiku serve: this Host is not served here (use localhost or the address printed at start-up)\n",
        )
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        let a = AllowedHosts::new("127.0.0.1", "127.0.0.1:1111".parse().expect("addr"));
        for ok in [
            "127.0.0.1:1111",
            "localhost:1111",
            "LOCALHOST",
            "[::1]:1111",
            "10.0.0.2:1111",
        ] {
            assert!(a.allows(ok), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:1111",
            "localhost.evil.example:1111",
            "",
        ] {
            assert!(!a.allows(bad), "{bad}");
        }
        let named = AllowedHosts::new("devbox.lan", "0.0.0.0:80".parse().expect("addr"));
        assert!(named.allows("devbox.lan:80"));
    }
}
