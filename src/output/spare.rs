//! The spare: the build before the previous one, kept in the build cache
//! (`.zhiku-cache/<name>/spare/`, with its table `spare.tsv`) so the next
//! build brings it up to date instead of filling a new folder.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::{
    io_err, is_stamped, read_table, remove_tree, unique_name, write_table_at, OutputError, Row,
    TmpDir, CACHE_DIR, STAMP,
};

/// The files of a spare that its table describes, by path: their rows
/// (the hash recorded, the metadata they have now).
pub(super) type SpareFiles = HashMap<String, Row>;

/// The folder the next build writes into when the build cache describes
/// it: `.zhiku-cache/<name>/spare/`.
fn spare_dir(parent: &Path, name: &str) -> PathBuf {
    parent.join(CACHE_DIR).join(name).join("spare")
}

/// The spare's table: the rows of the build it was.
fn spare_table(parent: &Path, name: &str) -> PathBuf {
    parent.join(CACHE_DIR).join(name).join("spare.tsv")
}

/// Keeps the previous build `old` (described by `table`) as the spare, or
/// deletes it when it cannot be kept (no table, another file system).
pub(super) fn retire(
    old: &Path,
    parent: &Path,
    name: &str,
    table: &HashMap<String, Row>,
) -> io::Result<()> {
    let keep = || -> io::Result<()> {
        if table.is_empty() {
            return Err(io::Error::from(io::ErrorKind::NotFound));
        }
        let rows: Vec<(String, Row)> = table.iter().map(|(p, r)| (p.clone(), r.clone())).collect();
        // The table first: a spare is never taken without one.
        write_table_at(&spare_table(parent, name), &rows)?;
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
    remove_tree(&spare).map_err(io_err("removing", &spare))?;
    let _ = fs::remove_file(spare_table(parent, name));
    Ok(())
}

/// Moves the spare to a temporary folder beside the output (so a killed
/// build's leftover is removed like any other) and sorts out its files:
/// those its table describes are kept with their rows, every other file is
/// deleted. `None` when there is no spare with a table.
pub(super) fn take_spare(
    parent: &Path,
    name: &str,
) -> Result<Option<(TmpDir, SpareFiles)>, OutputError> {
    let spare = spare_dir(parent, name);
    if !is_stamped(&spare) {
        return discard_spare(parent, name).map(|()| None);
    }
    let table = read_table(&spare_table(parent, name));
    if table.is_empty() {
        return discard_spare(parent, name).map(|()| None);
    }
    let tmp = unique_name(parent, &format!(".{name}.tmp-"));
    if fs::rename(&spare, &tmp).is_err() {
        return discard_spare(parent, name).map(|()| None);
    }
    let tmp = TmpDir(Some(tmp));
    let root = tmp.path();
    // The subtrees under the second level are walked on every core (a
    // site of 10,000 pages has a folder per page there).
    let mut starts = Vec::new();
    for entry in fs::read_dir(root).map_err(io_err("reading", root))? {
        let entry = entry.map_err(io_err("reading", root))?;
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            let dir = entry.path();
            for inner in fs::read_dir(&dir).map_err(io_err("reading", &dir))? {
                starts.push(inner.map_err(io_err("reading", &dir))?.path());
            }
        } else if entry.file_name() != STAMP {
            starts.push(entry.path());
        }
    }
    let sorted: Vec<Result<(String, Option<Row>), OutputError>> = starts
        .par_iter()
        .flat_map_iter(walkdir::WalkDir::new)
        .filter_map(|entry| {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    let path = e.path().unwrap_or(root).to_path_buf();
                    return Some(Err(io_err("reading", &path)(io::Error::from(e))));
                }
            };
            if entry.file_type().is_dir() {
                return None;
            }
            let rel = entry.path().strip_prefix(root).ok()?;
            let rel = rel.to_string_lossy().replace('\\', "/");
            let row = match (entry.file_type().is_file(), table.get(&rel)) {
                (true, Some(row)) => entry
                    .metadata()
                    .ok()
                    .filter(|m| row.describes(m))
                    .map(|_| row.clone()),
                _ => None,
            };
            Some(Ok((rel, row)))
        })
        .collect();
    let mut known = HashMap::with_capacity(table.len());
    let mut unknown = Vec::new();
    for item in sorted {
        match item? {
            (rel, Some(row)) => {
                known.insert(rel, row);
            }
            (rel, None) => unknown.push(rel),
        }
    }
    for rel in &unknown {
        remove_file_and_empty_folders(tmp.path(), rel)
            .map_err(io_err("removing", &tmp.path().join(rel)))?;
    }
    Ok(Some((tmp, known)))
}

/// Gives the spare taken by [`take_spare`] back to the cache after a build
/// that did not finish: the next build sorts its files out again (what this
/// one wrote there is not in its table), which costs less than deleting it
/// and linking every file anew. Deleted when it cannot go back.
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
    let mut dir = path.parent();
    while let Some(d) = dir.filter(|d| *d != root && d.starts_with(root)) {
        // A folder with other files stays (the error says so).
        if fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
    Ok(())
}
