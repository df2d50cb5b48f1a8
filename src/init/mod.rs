//! `zhiku init`: a small, valid, neutral starter site (settings with
//! comments, one chapter with two entries that link each other, a synonyms
//! file, a README line on what to do next). The theme is not copied: the
//! built-in one serves until the writer overrides or ejects it.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use include_dir::{include_dir, Dir};

static STARTERS: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/src/init/starter");

/// Languages `zhiku init` has a starter site for.
pub const STARTER_LANGUAGES: &[&str] = &["en", "zh-CN"];

/// Why `zhiku init` wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    /// No starter for that language.
    #[error("no starter site for language `{0}` (available: {langs})", langs = STARTER_LANGUAGES.join(", "))]
    Language(String),
    /// The folder has files and `--force` was not given.
    #[error("{} is not empty; choose an empty or new folder, or pass --force to add the starter files beside what is there", .0.display())]
    NotEmpty(PathBuf),
    /// Files the starter would write exist already (never overwritten).
    #[error("these files exist already and are never overwritten: {}", .0.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "))]
    Exists(Vec<PathBuf>),
    /// The file system refused.
    #[error("{action} {}", path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// Where.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
}

/// The starter's files for `language`: path relative to the site root → contents.
pub fn starter_files(language: &str) -> Result<Vec<(PathBuf, &'static [u8])>, InitError> {
    let dir = STARTERS
        .get_dir(language)
        .ok_or_else(|| InitError::Language(language.to_string()))?;
    let mut out = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for f in d.files() {
            let rel = f.path().strip_prefix(language).unwrap_or(f.path());
            out.push((rel.to_path_buf(), f.contents()));
        }
        stack.extend(d.dirs());
    }
    out.sort();
    Ok(out)
}

/// Writes the starter site for `language` into `dir` (created if missing).
/// Refuses a folder with anything in it unless `force`; never overwrites a
/// file, and checks every file before writing the first. Returns the files
/// written, relative to `dir`.
pub fn init(dir: &Path, language: &str, force: bool) -> Result<Vec<PathBuf>, InitError> {
    let files = starter_files(language)?;
    if dir.exists() {
        let mut entries = fs::read_dir(dir).map_err(|source| InitError::Io {
            action: "reading",
            path: dir.to_path_buf(),
            source,
        })?;
        if entries.next().is_some() && !force {
            return Err(InitError::NotEmpty(dir.to_path_buf()));
        }
    }
    let existing: Vec<PathBuf> = files
        .iter()
        .map(|(rel, _)| dir.join(rel))
        .filter(|p| p.exists())
        .collect();
    if !existing.is_empty() {
        return Err(InitError::Exists(existing));
    }
    for (rel, bytes) in &files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|source| InitError::Io {
                action: "creating",
                path: parent.to_path_buf(),
                source,
            })?;
        }
        // create_new: a file that appeared since the check is still not overwritten.
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|source| InitError::Io {
                action: "creating",
                path: path.clone(),
                source,
            })?;
        io::Write::write_all(&mut f, bytes).map_err(|source| InitError::Io {
            action: "writing",
            path: path.clone(),
            source,
        })?;
    }
    Ok(files.into_iter().map(|(rel, _)| rel).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_starter_has_the_same_files() {
        let en: Vec<PathBuf> = starter_files("en")
            .expect("en")
            .into_iter()
            .map(|f| f.0)
            .collect();
        for lang in STARTER_LANGUAGES {
            let files: Vec<PathBuf> = starter_files(lang)
                .expect("a starter")
                .into_iter()
                .map(|f| f.0)
                .collect();
            assert_eq!(files, en, "{lang}");
        }
        assert!(en.contains(&PathBuf::from("content/site.toml")));
        assert!(matches!(starter_files("fr"), Err(InitError::Language(_))));
    }

    #[test]
    fn refuses_a_folder_with_files_and_never_overwrites() {
        let dir = tempfile::tempdir().expect("temporary folder");
        fs::write(dir.path().join("notes.txt"), "mine").expect("write");
        assert!(matches!(
            init(dir.path(), "en", false),
            Err(InitError::NotEmpty(_))
        ));
        fs::create_dir_all(dir.path().join("content")).expect("mkdir");
        fs::write(dir.path().join("content/site.toml"), "title = \"mine\"").expect("write");
        match init(dir.path(), "en", true) {
            Err(InitError::Exists(p)) => assert_eq!(p, vec![dir.path().join("content/site.toml")]),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            fs::read_to_string(dir.path().join("content/site.toml")).expect("read"),
            "title = \"mine\"",
            "left as it was"
        );
        assert!(
            !dir.path().join("content/faq").exists(),
            "nothing written half-way"
        );
        fs::remove_file(dir.path().join("content/site.toml")).expect("rm");
        let written = init(dir.path(), "en", true).expect("writes beside notes.txt");
        assert!(written.len() >= 5);
        assert_eq!(
            fs::read_to_string(dir.path().join("notes.txt")).expect("read"),
            "mine"
        );
    }
}
