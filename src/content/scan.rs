//! Finding the content files of one folder, and saying so for every path
//! zhiku will not read (wrong extension case, symbolic links, folders where
//! files belong, unreadable folders, files at the wrong depth).

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use super::ids::is_slug;
use crate::diagnostics::Report;

/// What a content folder holds, for one kind of file.
pub(super) struct Rule<'a> {
    /// The extension files must have (lower case, no dot), e.g. `md`.
    pub ext: &'a str,
    /// Other spellings that mean the same kind of file (`markdown`, `MD`).
    pub look_alike: &'a [&'a str],
    /// Depth of the files below the folder (1: directly inside it).
    pub depth: usize,
    /// Where such files go, for messages, e.g. `content/faq/<chapter>/<slug>.md`.
    pub layout: &'a str,
    /// File stems allowed besides slugs (`_index`).
    pub special_stems: &'a [&'a str],
}

/// The result of scanning a folder.
#[derive(Default)]
pub(super) struct Scan {
    /// Files to load, sorted.
    pub files: Vec<PathBuf>,
    /// Folders that could not be read (their contents are unknown).
    pub unreadable: Vec<PathBuf>,
}

/// Walks `dir` without following symbolic links, so nothing outside the site is read.
pub(super) fn scan(dir: &Path, rule: &Rule, root: &Path, report: &mut Report) -> Scan {
    let mut out = Scan::default();
    if !dir.exists() {
        return out;
    }
    // No depth limit: a file too deep is an error, not silently ignored.
    // Hidden folders (`.git`, editors' caches) are not entered at all.
    let walk = WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_hidden(e.path()));
    for entry in walk {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e.path().unwrap_or(dir).to_path_buf();
                let reason = e
                    .io_error()
                    .map_or_else(|| e.to_string(), ToString::to_string);
                let file = report.sources.add(&rel(root, &path), String::new());
                report
                    .error(file, 0..0, format!("cannot read folder: {reason}"))
                    .label("unreadable")
                    .note("links into this folder are not checked until it can be read");
                out.unreadable.push(path);
                continue;
            }
        };
        let path = entry.path();
        if entry.depth() == 0 {
            continue;
        }
        let ft = entry.file_type();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        let wanted = ext == rule.ext;
        let look_alike = !wanted
            && (ext.eq_ignore_ascii_case(rule.ext)
                || rule.look_alike.iter().any(|a| ext.eq_ignore_ascii_case(a)));
        if ft.is_symlink() {
            warn(
                report,
                root,
                path,
                "symbolic link not followed: zhiku reads only real files inside the site",
                "replace the link with the file (or folder) itself",
            );
            continue;
        }
        if ft.is_dir() {
            if wanted || look_alike {
                warn(
                    report,
                    root,
                    path,
                    format!("a folder named like a `.{}` file is not read", rule.ext),
                    format!("content files go at {}", rule.layout),
                );
            }
            continue;
        }
        if look_alike {
            warn(
                report,
                root,
                path,
                format!("not read: the file name must end in `.{}`", rule.ext),
                format!("rename it to end in `.{}`", rule.ext),
            );
            continue;
        }
        if !wanted || !ft.is_file() {
            continue;
        }
        if entry.depth() != rule.depth {
            let file = report.sources.add(&rel(root, path), String::new());
            report
                .error(
                    file,
                    0..0,
                    format!("file at the wrong place: content files go at {}", rule.layout),
                )
                .label("misplaced")
                .note(if entry.depth() > rule.depth {
                    "nested folders are not allowed: an item's id comes from its path, and two files would share one"
                } else {
                    "move it into a folder"
                });
            continue;
        }
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        if !rule.special_stems.contains(&stem) && !is_slug(stem) {
            let file = report.sources.add(&rel(root, path), String::new());
            report
                .error(
                    file,
                    0..0,
                    format!(
                        "invalid file name `{stem}`: use lower-case ASCII letters, digits and `-`"
                    ),
                )
                .label("bad slug");
            continue;
        }
        out.files.push(path.to_path_buf());
    }
    out
}

fn warn(
    report: &mut Report,
    root: &Path,
    path: &Path,
    message: impl Into<String>,
    note: impl Into<String>,
) {
    let file = report.sources.add(&rel(root, path), String::new());
    report
        .warning(file, 0..0, message)
        .label("skipped")
        .note(note);
}

/// Editor backups and hidden files are skipped without a word.
pub(super) fn is_hidden(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.') || n.ends_with('~'))
}

/// A path relative to the site root, for messages.
pub(super) fn rel(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}
