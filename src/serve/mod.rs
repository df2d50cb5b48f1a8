//! `zhiku serve`: build the site into memory, serve it on 127.0.0.1, watch
//! `content/` and the theme, rebuild what a change touches and tell every
//! open page to reload (or swap stylesheets, or show the build errors).

pub mod changes;
pub mod listen;
pub mod live;
pub mod server;
pub mod watcher;

use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::mpsc;
use std::sync::Arc;

use crate::build::Paths;
use changes::Changes;
use live::{LiveSite, Outcome, Rebuilt};
use server::{LiveEvent, Shared};

/// Why `zhiku serve` stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The address could not be bound.
    #[error("cannot listen on {addr}")]
    Bind {
        /// host:port asked for.
        addr: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The file watcher could not start.
    #[error("cannot watch the site")]
    Watch(#[from] notify::Error),
    /// The async runtime or the server failed.
    #[error("server")]
    Io(#[from] std::io::Error),
}

/// Command-line options of `zhiku serve`.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Site layout.
    pub paths: Paths,
    /// Interface to bind (default 127.0.0.1).
    pub host: String,
    /// Port; 0 picks a free one.
    pub port: u16,
    /// Open the site in a browser once it is up.
    pub open: bool,
    /// Connection limits.
    pub limits: listen::Limits,
}

/// Runs the server until Ctrl-C. Prints the URL on stdout once it listens.
pub fn serve(opts: ServeOptions) -> Result<(), ServeError> {
    let (live, first) = LiveSite::new(opts.paths.clone(), server::client_tag());
    let failure = match first {
        Outcome::Ok(r) => {
            report_success(&r, true);
            None
        }
        Outcome::Failed(f) => {
            report_failure(&f, false);
            Some(f)
        }
    };
    let shared = Shared::new(live.files(), failure);

    let (tx, rx) = mpsc::channel::<Changes>();
    let _watch = watcher::watch(&opts.paths, tx)?;
    let rebuild_shared = Arc::clone(&shared);
    std::thread::Builder::new()
        .name("zhiku-rebuild".into())
        .spawn(move || rebuild_loop(live, rx, &rebuild_shared))?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let addr = format!("{}:{}", opts.host, opts.port);
        let listener = tokio::net::TcpListener::bind((opts.host.as_str(), opts.port))
            .await
            .map_err(|source| ServeError::Bind { addr, source })?;
        let local: SocketAddr = listener.local_addr()?;
        let url = format!("http://{local}/");
        println!("zhiku serve: listening on {url} (Ctrl-C to stop)");
        std::io::stdout().flush()?;
        if opts.open {
            // Without a desktop the launcher's own error (`Launcher "gio" …
            // ExitStatus(…)`) helps no one; say what to do instead.
            if open::that_detached(&url).is_err() {
                eprintln!("zhiku serve: no web browser could be started here; open {url} in one");
            }
        }
        let allowed = Arc::new(listen::AllowedHosts::new(&opts.host, local));
        let app = server::router(shared).layer(axum::middleware::from_fn(move |req, next| {
            listen::check_host(Arc::clone(&allowed), req, next)
        }));
        tokio::select! {
            r = listen::serve(listener, app, opts.limits) => r?,
            _ = tokio::signal::ctrl_c() => eprintln!("zhiku serve: stopped"),
        }
        Ok(())
    })
}

/// Applies batches of changes one at a time; changes that arrive during a
/// rebuild are folded into the next one, so a burst of saves costs at most
/// one extra rebuild and always ends with the files' final state.
fn rebuild_loop(mut live: LiveSite, rx: mpsc::Receiver<Changes>, shared: &Shared) {
    loop {
        // Pages first: the search index is rebuilt only when no change waits.
        let next = if live.index_pending() {
            match rx.try_recv() {
                Ok(c) => Ok(c),
                Err(mpsc::TryRecvError::Empty) => {
                    rebuild_index(&mut live, shared);
                    continue;
                }
                Err(mpsc::TryRecvError::Disconnected) => return,
            }
        } else {
            rx.recv().map_err(|_| ())
        };
        let Ok(mut changes) = next else { return };
        while let Ok(more) = rx.try_recv() {
            changes.merge(more);
        }
        let was_broken = live.is_broken();
        match live.rebuild(changes) {
            Outcome::Ok(r) => {
                report_success(&r, false);
                if was_broken {
                    eprintln!("zhiku serve: build fixed");
                    shared.publish_failure(None);
                }
                if !r.changed.is_empty() {
                    let event = if r.changed.iter().all(|p| p.ends_with(".css")) {
                        LiveEvent::Css(r.changed.iter().map(|p| format!("/{p}")).collect())
                    } else {
                        LiveEvent::Reload
                    };
                    shared.publish_files(live.files(), event);
                }
            }
            Outcome::Failed(f) => {
                report_failure(&f, !live.files().is_empty());
                shared.publish_failure(Some(f));
            }
        }
    }
}

/// Builds the deferred search index and tells pages (`search` event).
fn rebuild_index(live: &mut LiveSite, shared: &Shared) {
    match live.rebuild_search() {
        Some(Outcome::Ok(r)) => {
            if r.full {
                // The search URLs changed, so every page was rendered again.
                report_success(&r, false);
                shared.publish_files(live.files(), LiveEvent::Reload);
            } else if !r.changed.is_empty() {
                eprintln!("zhiku serve: search index rebuilt in {} ms", r.millis);
                shared.publish_files(live.files(), LiveEvent::Index);
            }
        }
        Some(Outcome::Failed(f)) => {
            report_failure(&f, true);
            shared.publish_failure(Some(f));
        }
        None => {}
    }
}

fn report_success(r: &Rebuilt, first: bool) {
    if let Some(w) = &r.warnings {
        eprint!("{}", w.text);
    }
    let what = if first { "built" } else { "rebuilt" };
    eprintln!(
        "zhiku serve: {what} in {} ms ({} page(s) rendered{}, {} file(s) changed)",
        r.millis,
        r.rendered,
        if r.full { ", full" } else { "" },
        r.changed.len()
    );
}

fn report_failure(f: &live::BuildFailure, have_previous: bool) {
    eprint!("{}", f.text);
    if have_previous {
        eprintln!("zhiku serve: build failed; still serving the last good build");
    } else {
        eprintln!("zhiku serve: build failed; pages will show the errors until it is fixed");
    }
}
