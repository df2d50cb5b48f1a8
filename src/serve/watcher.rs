//! Watching `content/` and the theme with debounced file-system events.

use std::path::Path;
use std::sync::mpsc::Sender;
use std::time::Duration;

use notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{new_debouncer, DebounceEventResult, Debouncer, RecommendedCache};

use super::changes::Changes;
use crate::build::Paths;

/// Keeps the watch alive; dropping it stops watching.
pub type Watch = Debouncer<notify::RecommendedWatcher, RecommendedCache>;

/// How long the file system must be quiet before a batch of events is
/// reported. Editors' save sequences (truncate + write, temp + rename) finish
/// well within it (a later event just triggers one more rebuild), and it is
/// small next to the 100 ms edit-to-reload target.
pub const DEBOUNCE: Duration = Duration::from_millis(10);

/// Watches the site's content and theme folders; each debounced batch of
/// events is sent as one [`Changes`] value.
pub fn watch(paths: &Paths, tx: Sender<Changes>) -> notify::Result<Watch> {
    let handler_paths = paths.clone();
    let mut debouncer = new_debouncer(DEBOUNCE, None, move |res: DebounceEventResult| {
        let mut changes = Changes::default();
        match res {
            Ok(events) => {
                for ev in events {
                    // Reading files (our own rebuild does) is not a change.
                    if matches!(ev.kind, EventKind::Access(_)) {
                        continue;
                    }
                    if ev.need_rescan() {
                        // The OS dropped events: assume anything may have changed.
                        changes.full = true;
                        changes.content = true;
                        changes.assets = true;
                    }
                    for p in &ev.paths {
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
        if !changes.is_empty() {
            // The receiver is gone only while the server shuts down.
            let _ = tx.send(changes);
        }
    })?;
    watch_dir(&mut debouncer, &paths.root.join("content"))?;
    // A site on the built-in theme alone has no themes/ folder.
    if paths.themes.is_dir() {
        watch_dir(&mut debouncer, &paths.themes)?;
    }
    Ok(debouncer)
}

fn watch_dir(debouncer: &mut Watch, dir: &Path) -> notify::Result<()> {
    debouncer.watch(dir, RecursiveMode::Recursive)
}
