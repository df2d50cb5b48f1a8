//! Helpers shared by the serve tests: a temporary copy of the real site.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

/// A temporary copy of the repository's `content/` and `themes/`.
pub struct SiteCopy {
    /// Keeps the folder alive.
    pub dir: tempfile::TempDir,
}

impl SiteCopy {
    /// Copies the real content and theme into a fresh temp folder.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        for sub in ["content", "themes"] {
            copy_dir(&repo.join(sub), &dir.path().join(sub));
        }
        SiteCopy { dir }
    }

    /// The site root.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// A path under the root.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Reads a file under the root.
    pub fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.path(rel)).expect("read site file")
    }

    /// Writes a file under the root (creating folders).
    pub fn write(&self, rel: &str, text: &str) {
        let p = self.path(rel);
        fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        fs::write(p, text).expect("write site file");
    }

    /// The first FAQ entry (sorted by path) whose front matter lists related items,
    /// as (path relative to the root, id).
    pub fn entry_with_related(&self) -> (String, String) {
        let mut files: Vec<PathBuf> = walkdir::WalkDir::new(self.path("content/faq"))
            .into_iter()
            .filter_map(Result::ok)
            .map(|e| e.into_path())
            .filter(|p| p.extension().is_some_and(|e| e == "md"))
            .filter(|p| p.file_name().is_some_and(|n| n != "_index.md"))
            .collect();
        files.sort();
        for f in files {
            let text = fs::read_to_string(&f).expect("read entry");
            if text.contains("related = [\"@") {
                let rel = f
                    .strip_prefix(self.root())
                    .expect("under root")
                    .to_string_lossy()
                    .into_owned();
                let id = rel
                    .trim_start_matches("content/")
                    .trim_end_matches(".md")
                    .to_string();
                return (rel, id);
            }
        }
        panic!("no FAQ entry with related items in the content");
    }

    /// The FAQ entry other content refers to most (`@id` occurrences), as
    /// (path relative to the root, id): editing it touches the most pages.
    pub fn most_referenced_entry(&self) -> (String, String) {
        let texts: Vec<String> = walkdir::WalkDir::new(self.path("content"))
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .filter_map(|e| fs::read_to_string(e.path()).ok())
            .collect();
        let mut best: Option<(usize, String)> = None;
        for e in walkdir::WalkDir::new(self.path("content/faq"))
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
        {
            let p = e.path();
            if p.extension().is_none_or(|x| x != "md") || p.ends_with("_index.md") {
                continue;
            }
            let rel = p.strip_prefix(self.root()).expect("under root");
            let rel = rel.to_string_lossy().into_owned();
            let id = rel
                .trim_start_matches("content/")
                .trim_end_matches(".md")
                .to_string();
            let needle = format!("@{id}");
            let n: usize = texts.iter().map(|t| t.matches(&needle).count()).sum();
            if best.as_ref().is_none_or(|(m, _)| n > *m) {
                best = Some((n, rel));
            }
        }
        let rel = best.expect("a FAQ entry").1;
        let id = rel
            .trim_start_matches("content/")
            .trim_end_matches(".md")
            .to_string();
        (rel, id)
    }

    /// The first file (sorted) in a content folder with the given extension.
    pub fn first_in(&self, folder: &str, ext: &str) -> String {
        let mut names: Vec<String> = fs::read_dir(self.path(folder))
            .expect("content folder")
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(ext) && !n.starts_with('_'))
            .collect();
        names.sort();
        format!("{folder}/{}", names.first().expect("a file"))
    }
}

/// Replaces the first `key = "value"` line's value by `value` + `suffix`.
pub fn append_to_string_field(text: &str, key: &str, suffix: &str) -> String {
    let needle = format!("\n{key} = \"");
    let start = text.find(&needle).expect("field present") + needle.len();
    let end = start + text[start..].find('"').expect("closing quote");
    format!("{}{}{}", &text[..end], suffix, &text[end..])
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk");
        let rel = entry.path().strip_prefix(from).expect("under from");
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            fs::create_dir_all(&dest).expect("mkdir");
        } else {
            fs::copy(entry.path(), &dest).expect("copy");
        }
    }
}
