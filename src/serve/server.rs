//! The HTTP side of `zhiku serve`: files from memory, the live-reload event
//! stream and the client script.

use std::convert::Infallible;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use futures_util::stream::{self, Stream, StreamExt};
use serde_json::json;
use tokio::sync::broadcast;
use tower_http::compression::CompressionLayer;

use super::live::{BuildFailure, SiteFiles};

/// URL of the event stream.
pub const EVENTS_PATH: &str = "/__zhiku/events";
/// URL of the client script.
pub const CLIENT_PATH: &str = "/__zhiku/client.js";
/// The client script.
const CLIENT_JS: &str = include_str!("client.js");

/// The tag `zhiku serve` appends to every page.
pub fn client_tag() -> String {
    format!("<script src=\"{CLIENT_PATH}\" defer></script>")
}

/// What open pages are told.
#[derive(Debug, Clone)]
pub enum LiveEvent {
    /// Reload the page.
    Reload,
    /// Swap these stylesheets (output paths).
    Css(Vec<String>),
    /// The build is broken.
    Error(Arc<BuildFailure>),
    /// The build works again.
    Ok,
    /// The search index was rebuilt (pages need not reload).
    Index,
}

impl LiveEvent {
    fn to_sse(&self) -> Event {
        match self {
            LiveEvent::Reload => Event::default().event("reload").data("{}"),
            LiveEvent::Css(paths) => Event::default()
                .event("css")
                .data(json!({ "paths": paths }).to_string()),
            LiveEvent::Error(f) => Event::default()
                .event("error")
                .data(serde_json::to_string(f.as_ref()).unwrap_or_else(|_| "{}".into())),
            LiveEvent::Ok => Event::default().event("ok").data("{}"),
            LiveEvent::Index => Event::default().event("search").data("{}"),
        }
    }
}

/// State shared between the rebuild thread and request handlers.
pub struct Shared {
    files: RwLock<Arc<SiteFiles>>,
    failure: RwLock<Option<Arc<BuildFailure>>>,
    build: RwLock<String>,
    events: broadcast::Sender<LiveEvent>,
    started: u128,
    generation: std::sync::atomic::AtomicU64,
}

impl Shared {
    /// State serving `files`, with `failure` as the current error (if any).
    pub fn new(files: Arc<SiteFiles>, failure: Option<BuildFailure>) -> Arc<Self> {
        let started = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        let (events, _) = broadcast::channel(64);
        Arc::new(Shared {
            files: RwLock::new(files),
            failure: RwLock::new(failure.map(Arc::new)),
            build: RwLock::new(format!("{started}-0")),
            events,
            started,
            generation: 0.into(),
        })
    }

    /// Swaps in new files and tells pages to reload (or swap stylesheets).
    pub fn publish_files(&self, files: Arc<SiteFiles>, event: LiveEvent) {
        *write(&self.files) = files;
        let n = self
            .generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
            + 1;
        *write(&self.build) = format!("{}-{n}", self.started);
        // No receivers (no open page) is not an error.
        let _ = self.events.send(event);
    }

    /// Records the build as broken (or fixed, with `None`) and tells pages.
    pub fn publish_failure(&self, failure: Option<BuildFailure>) {
        let failure = failure.map(Arc::new);
        let was_broken = read(&self.failure).is_some();
        *write(&self.failure) = failure.clone();
        let _ = match failure {
            Some(f) => self.events.send(LiveEvent::Error(f)),
            None if was_broken => self.events.send(LiveEvent::Ok),
            None => Ok(0),
        };
    }

    fn files(&self) -> Arc<SiteFiles> {
        Arc::clone(&read(&self.files))
    }
}

// A poisoned lock only means another thread panicked mid-swap of an Arc; the
// value is still a whole Arc, so keep serving it.
fn read<T>(l: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(|e| e.into_inner())
}
fn write<T>(l: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(|e| e.into_inner())
}

/// The router: event stream, client script, then site files for everything else.
pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(EVENTS_PATH, get(events))
        .route(CLIENT_PATH, get(client))
        .fallback(site_file)
        .layer(CompressionLayer::new())
        .with_state(shared)
}

async fn events(
    State(shared): State<Arc<Shared>>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    // Subscribe before reading the state so no change slips in between.
    let rx = shared.events.subscribe();
    let build = read(&shared.build).clone();
    let mut first = vec![Event::default()
        .event("hello")
        .data(json!({ "build": build }).to_string())];
    if let Some(f) = read(&shared.failure).clone() {
        first.push(LiveEvent::Error(f).to_sse());
    }
    let live = stream::unfold(rx, |mut rx| async move {
        match rx.recv().await {
            Ok(ev) => Some((ev.to_sse(), rx)),
            // Too far behind: a reload brings the page up to date.
            Err(broadcast::error::RecvError::Lagged(_)) => Some((LiveEvent::Reload.to_sse(), rx)),
            Err(broadcast::error::RecvError::Closed) => None,
        }
    });
    let all = stream::iter(first).chain(live).map(Ok);
    Sse::new(all).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

async fn client() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        CLIENT_JS,
    )
        .into_response()
}

/// Why a request path was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum PathError {
    /// Malformed or trying to leave the output root.
    BadRequest,
}

/// Turns a raw (still percent-encoded) URL path into a key of [`SiteFiles`].
/// Refuses `..` and `.` segments (also percent-encoded), encoded slashes,
/// backslashes, NUL, empty segments (`//etc/passwd`) and invalid UTF-8.
pub fn resolve_path(raw: &str) -> Result<String, PathError> {
    let rest = raw.strip_prefix('/').ok_or(PathError::BadRequest)?;
    let lower = raw.to_ascii_lowercase();
    if lower.contains("%2f") || lower.contains("%5c") || raw.contains('\\') {
        return Err(PathError::BadRequest);
    }
    let decoded = percent_encoding::percent_decode_str(rest)
        .decode_utf8()
        .map_err(|_| PathError::BadRequest)?;
    if decoded.contains(['\\', '\0']) {
        return Err(PathError::BadRequest);
    }
    let segments: Vec<&str> = decoded.split('/').collect();
    let last = segments.len() - 1;
    for (i, s) in segments.iter().enumerate() {
        if *s == ".." || *s == "." || (s.is_empty() && i != last) || s.contains(':') {
            return Err(PathError::BadRequest);
        }
    }
    if decoded.is_empty() || decoded.ends_with('/') {
        Ok(format!("{decoded}index.html"))
    } else {
        Ok(decoded.into_owned())
    }
}

/// `path` with runs of `/` folded into one, or `None` when it has none.
fn collapse_slashes(path: &str) -> Option<String> {
    if !path.contains("//") {
        return None;
    }
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if !(c == '/' && out.ends_with('/')) {
            out.push(c);
        }
    }
    Some(out)
}

/// Content type by extension; text types get an explicit UTF-8 charset.
pub fn content_type(path: &str) -> String {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let text = mime.type_() == mime_guess::mime::TEXT
        || matches!(mime.subtype().as_str(), "javascript" | "json" | "xml");
    if text && mime.get_param("charset").is_none() {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_string()
    }
}

async fn site_file(State(shared): State<Arc<Shared>>, method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "GET, HEAD")],
            "only GET and HEAD\n",
        )
            .into_response();
    }
    // `//search/manifest.json` (a base URL joined with a leading slash) means
    // `/search/manifest.json`, as it does on most static hosts: redirect there.
    if let Some(clean) = collapse_slashes(uri.path()) {
        let to = match uri.query() {
            Some(q) => format!("{clean}?{q}"),
            None => clean,
        };
        return (
            StatusCode::PERMANENT_REDIRECT,
            [(header::LOCATION, to)],
            Body::empty(),
        )
            .into_response();
    }
    let key = match resolve_path(uri.path()) {
        Ok(k) => k,
        Err(PathError::BadRequest) => {
            return (StatusCode::BAD_REQUEST, "bad path\n").into_response();
        }
    };
    let files = shared.files();
    if let Some(bytes) = files.get(&key) {
        return file_response(StatusCode::OK, &key, bytes.clone(), &method);
    }
    // `/faq/x` → `/faq/x/` like static hosts do for folders.
    if !key.ends_with("index.html") && files.contains_key(&format!("{key}/index.html")) {
        let to = format!("{}/", uri.path());
        return (
            StatusCode::PERMANENT_REDIRECT,
            [(header::LOCATION, to)],
            Body::empty(),
        )
            .into_response();
    }
    let body = files.get("404.html").cloned().unwrap_or_else(|| {
        // No good build yet: a blank page that still shows the error overlay.
        Bytes::from(format!(
            "<!DOCTYPE html><meta charset=\"utf-8\"><title>zhiku serve</title><body><p>No page here (yet).</p>{}</body>",
            client_tag()
        ))
    });
    file_response(StatusCode::NOT_FOUND, "404.html", body, &method)
}

fn file_response(status: StatusCode, path: &str, bytes: Bytes, method: &Method) -> Response {
    let len = bytes.len();
    let body = if method == Method::HEAD {
        Body::empty()
    } else {
        Body::from(bytes)
    };
    let mut res = (status, body).into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&content_type(path)) {
        h.insert(header::CONTENT_TYPE, v);
    }
    // Always revalidate: the files change under the writer's hands.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_paths_resolve() {
        assert_eq!(resolve_path("/").unwrap(), "index.html");
        assert_eq!(resolve_path("/faq/a/b/").unwrap(), "faq/a/b/index.html");
        assert_eq!(
            resolve_path("/static/style.css").unwrap(),
            "static/style.css"
        );
        assert_eq!(
            resolve_path("/search/%E6%90%9C.json").unwrap(),
            "search/搜.json"
        );
    }

    #[test]
    fn escapes_are_refused() {
        for bad in [
            "/../etc/passwd",
            "/faq/../../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/%2E%2E/%2E%2E/etc/passwd",
            "/faq/%2e%2e%2fsecret",
            "/..%2fetc",
            "/..%5cetc",
            "/..\\etc",
            "//etc/passwd",
            "/./index.html",
            "/c:/windows/win.ini",
            "/a%00b",
            "/%ff%fe",
            "relative",
        ] {
            assert_eq!(resolve_path(bad), Err(PathError::BadRequest), "{bad}");
        }
    }

    #[test]
    fn doubled_slashes_fold() {
        assert_eq!(
            collapse_slashes("//search/manifest.json").as_deref(),
            Some("/search/manifest.json")
        );
        assert_eq!(collapse_slashes("/a//b///").as_deref(), Some("/a/b/"));
        assert_eq!(collapse_slashes("/a/b/"), None);
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("search/x.wasm"), "application/wasm");
        assert_eq!(
            content_type("static/site.js"),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(
            content_type("search/index.json"),
            "application/json; charset=utf-8"
        );
        assert_eq!(content_type("static/style.css"), "text/css; charset=utf-8");
    }
}
