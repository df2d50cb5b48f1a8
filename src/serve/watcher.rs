//! Watching `content/` and the theme with debounced file-system events.
//!
//! A recursive watch dies with its folder: when `content/` is deleted and
//! made again (`git checkout`, a sync tool), nothing inside the new folder
//! would ever be reported. So the site root is watched too (not
//! recursively), and whenever a watched folder itself appears or goes, the
//! watches are set up again and a full rebuild follows.

use std::path::PathBuf;
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{new_debouncer, DebounceEventResult, Debouncer, RecommendedCache};

use super::changes::Changes;
use crate::build::Paths;

type Inner = Debouncer<notify::RecommendedWatcher, RecommendedCache>;

/// Keeps the watch alive; dropping it stops watching.
pub struct Watch {
    _inner: Arc<Mutex<Inner>>,
}

/// How long the file system must be quiet before a batch of events is
/// reported. Editors' save sequences (truncate + write, temp + rename) finish
/// well within it (a later event just triggers one more rebuild), and it is
/// small next to the 100 ms edit-to-reload target.
pub const DEBOUNCE: Duration = Duration::from_millis(10);

/// Every change: what a rebuild after re-watching must assume.
fn everything() -> Changes {
    Changes {
        full: true,
        content: true,
        assets: true,
        ..Changes::default()
    }
}

/// Watches the site's content and theme folders; each debounced batch of
/// events is sent as one [`Changes`] value.
pub fn watch(paths: &Paths, tx: Sender<Changes>) -> notify::Result<Watch> {
    let handler_paths = paths.clone();
    let roots = watched(paths);
    let (rewatch_tx, rewatch_rx) = mpsc::channel::<()>();
    let handler_tx = tx.clone();
    let debouncer = new_debouncer(DEBOUNCE, None, move |res: DebounceEventResult| {
        let mut changes = Changes::default();
        let mut rewatch = false;
        match res {
            Ok(events) => {
                for ev in events {
                    // Reading files (our own rebuild does) is not a change.
                    if matches!(ev.kind, EventKind::Access(_)) {
                        continue;
                    }
                    if ev.need_rescan() {
                        // The OS dropped events: assume anything may have changed.
                        changes.merge(everything());
                        rewatch = true;
                    }
                    for p in &ev.paths {
                        // A watched folder (or one above it) came or went.
                        if roots.iter().any(|r| r.starts_with(p)) {
                            rewatch = true;
                        }
                        changes.add_path(&handler_paths, p);
                    }
                }
            }
            Err(errors) => {
                for e in errors {
                    eprintln!("zhiku serve: watch error: {e}");
                }
                changes.full = true;
                changes.content = true;
            }
        }
        if rewatch {
            // Set up again on another thread: this one belongs to the watcher.
            let _ = rewatch_tx.send(());
        } else if !changes.is_empty() {
            // The receiver is gone only while the server shuts down.
            let _ = handler_tx.send(changes);
        }
    })?;
    let inner = Arc::new(Mutex::new(debouncer));
    {
        let mut d = lock(&inner);
        d.watch(&paths.root, RecursiveMode::NonRecursive)?;
        for dir in watched(paths) {
            if dir.is_dir() {
                d.watch(&dir, RecursiveMode::Recursive)?;
            }
        }
    }
    let weak = Arc::downgrade(&inner);
    let rewatch_paths = paths.clone();
    std::thread::Builder::new()
        .name("zhiku-rewatch".into())
        .spawn(move || {
            // Ends when the debouncer (and with it the sender) is dropped.
            while rewatch_rx.recv().is_ok() {
                while rewatch_rx.try_recv().is_ok() {}
                let Some(inner) = weak.upgrade() else { return };
                rewatch(&mut lock(&inner), &rewatch_paths);
                let _ = tx.send(everything());
            }
        })
        .map_err(notify::Error::io)?;
    Ok(Watch { _inner: inner })
}

fn watched(paths: &Paths) -> Vec<PathBuf> {
    vec![paths.root.join("content"), paths.themes.clone()]
}

/// Drops the old recursive watches and watches the folders that exist now.
fn rewatch(d: &mut Inner, paths: &Paths) {
    for dir in watched(paths) {
        // The old watch may already be gone with its folder.
        let _ = d.unwatch(&dir);
        if dir.is_dir() {
            if let Err(e) = d.watch(&dir, RecursiveMode::Recursive) {
                eprintln!("zhiku serve: cannot watch {}: {e}", dir.display());
            }
        }
    }
}

fn lock(m: &Mutex<Inner>) -> std::sync::MutexGuard<'_, Inner> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
