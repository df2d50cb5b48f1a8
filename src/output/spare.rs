//! The spare: the build before the previous one, kept in the build cache
//! (`.zhiku-cache/<name>/spare/`) so the next build brings it up to date
//! instead of filling a new folder.
//!
//! It needs no table of its own. The previous output's table records each
//! file's size, mtime and inode; a file of the spare's that still has all
//! three is that very file (the last build kept it, so both folders link
//! it), and its bytes are the ones the table hashed. Every other file of
//! the spare's is deleted before the build writes into it.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::{io_err, is_stamped, remove_tree, unique_name, OutputError, Row, TmpDir};
use super::{CACHE_DIR, STAMP};

/// The folder the next build writes into: `.zhiku-cache/<name>/spare/`.
fn spare_dir(parent: &Path, name: &str) -> PathBuf {
    parent.join(CACHE_DIR).join(name).join("spare")
}

/// Keeps the previous build `old` as the spare when the output table
/// describes it (`described`); otherwise, or when it cannot be kept
/// (another file system), deletes it.
pub(super) fn retire(old: &Path, parent: &Path, name: &str, described: bool) -> io::Result<()> {
    let keep = || -> io::Result<()> {
        if !described {
            return Err(io::Error::from(io::ErrorKind::NotFound));
        }
        let spare = spare_dir(parent, name);
        if fs::symlink_metadata(&spare).is_ok() {
            remove_tree(&spare)?;
        }
        fs::rename(old, &spare)
    };
    if keep().is_ok() {
        return Ok(());
    }
    remove_tree(old)
}

/// Deletes the spare, if any.
pub(super) fn discard_spare(parent: &Path, name: &str) -> Result<(), OutputError> {
    let spare = spare_dir(parent, name);
    if fs::symlink_metadata(&spare).is_err() {
        return Ok(());
    }
    remove_tree(&spare).map_err(io_err("removing", &spare))
}

/// Moves the spare to a temporary folder beside the output (so a killed
/// build's leftover is removed like any other) and sorts out its files:
/// those that are still the previous output's (`table`) get their rows
/// marked [`Row::in_spare`]; every other file is deleted. Gives the folder
/// and the folders that may now be empty; `None` when there is no spare.
pub(super) fn take_spare(
    parent: &Path,
    name: &str,
    table: &mut HashMap<String, Row>,
) -> Result<Option<(TmpDir, Vec<String>)>, OutputError> {
    let spare = spare_dir(parent, name);
    if !is_stamped(&spare) {
        return discard_spare(parent, name).map(|()| None);
    }
    let tmp = unique_name(parent, &format!(".{name}.tmp-"));
    if fs::rename(&spare, &tmp).is_err() {
        return discard_spare(parent, name).map(|()| None);
    }
    let tmp = TmpDir(Some(tmp));
    let root = tmp.path();
    // One thread, one file at a time: this runs beside the loading of the
    // content, and nothing per file is held (a 50,000-entry build's peak
    // memory is reached just after).
    let mut emptied = Vec::new();
    for entry in walkdir::WalkDir::new(root).min_depth(1) {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(root).to_path_buf();
            io_err("reading", &path)(io::Error::from(e))
        })?;
        if entry.file_type().is_dir() {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(root) else {
            continue;
        };
        let rel = rel.to_string_lossy();
        let rel = rel.replace('\\', "/");
        if rel == STAMP {
            continue;
        }
        let row = table.get_mut(&rel).filter(|row| {
            entry.file_type().is_file() && entry.metadata().is_ok_and(|m| row.describes(&m))
        });
        match row {
            Some(row) => row.in_spare = true,
            None => {
                fs::remove_file(entry.path()).map_err(io_err("removing", entry.path()))?;
                if let Some((folder, _)) = rel.rsplit_once('/') {
                    emptied.push(folder.to_string());
                }
            }
        }
    }
    emptied.sort_unstable();
    emptied.dedup();
    Ok(Some((tmp, emptied)))
}

/// Gives the spare taken by [`take_spare`] back to the cache after a build
/// that did not finish: the next build sorts its files out again (what this
/// one wrote there is not the previous output's), which costs less than
/// deleting it and linking every file anew. Deleted when it cannot go back.
pub(super) fn put_back(tmp: TmpDir, parent: &Path, name: &str) {
    let spare = spare_dir(parent, name);
    if fs::symlink_metadata(&spare).is_err() && fs::rename(tmp.path(), &spare).is_ok() {
        tmp.keep();
    }
}

/// Deletes `root/rel` and then each folder above it, up to `root`, that
/// this leaves empty.
pub(super) fn remove_file_and_empty_folders(root: &Path, rel: &str) -> io::Result<()> {
    let path = root.join(rel);
    match fs::remove_file(&path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    if let Some(dir) = path.parent() {
        prune_up(root, dir);
    }
    Ok(())
}

/// Deletes each of `folders` (relative to `root`) that is empty, and the
/// folders above it that this leaves empty.
pub(super) fn prune_folders(root: &Path, folders: &[String]) {
    // Deepest first, so a parent is tried after its children.
    for folder in folders.iter().rev() {
        prune_up(root, &root.join(folder));
    }
}

fn prune_up(root: &Path, from: &Path) {
    let mut dir = Some(from);
    while let Some(d) = dir.filter(|d| *d != root && d.starts_with(root)) {
        // A folder with files in it stays (the error says so).
        if fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}
