//! Accepting connections for `zhiku serve` with limits: a cap on open
//! connections, a timeout for reading request headers (which also closes
//! idle keep-alive connections), and a `Host` allow-list against DNS
//! rebinding.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// Limits on what clients may hold open.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// How long a connection may take to send request headers; an idle
    /// keep-alive connection is closed after the same time. Event streams
    /// are not affected once their request is read.
    pub header_timeout: Duration,
    /// Most connections open at once; further clients wait in the kernel's
    /// backlog until one closes, so descriptors are never exhausted.
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

/// Serves `app` on `listener` until the task is dropped.
pub async fn serve(listener: TcpListener, app: Router, limits: Limits) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    loop {
        // Never closed, so acquiring only waits.
        let Ok(permit) = Arc::clone(&permits).acquire_owned().await else {
            return Ok(());
        };
        let stream = match listener.accept().await {
            Ok((s, _)) => s,
            Err(e) => {
                // Out of descriptors or a connection reset before accept: not fatal.
                eprintln!("zhiku serve: accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let service = TowerToHyperService::new(app.clone());
        tokio::spawn(async move {
            let _permit = permit;
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_timeout)
                .serve_connection(TokioIo::new(stream), service);
            // A client that hangs up or times out is not an error worth printing.
            let _ = conn.await;
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
