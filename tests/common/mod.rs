//! Helpers shared by the integration tests: fixture sites in temporary
//! folders and running the real `zhiku` binary.

#![allow(dead_code)] // each test crate uses a different subset

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (where Cargo.toml, content/ and themes/ live).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `tests/fixtures/<name>`.
pub fn fixture(name: &str) -> PathBuf {
    repo_root().join("tests").join("fixtures").join(name)
}

/// Copies a folder tree, overwriting files that already exist.
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walking a fixture");
        let rel = entry.path().strip_prefix(from).expect("inside the tree");
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            fs::create_dir_all(&dest).expect("creating a folder");
        } else {
            fs::copy(entry.path(), &dest).expect("copying a file");
        }
    }
}

/// A site root in a temporary folder holding a copy of the valid fixture's
/// `content/` and the repository's default theme.
pub fn valid_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    copy_tree(&fixture("valid"), dir.path());
    with_theme(dir.path());
    dir
}

/// The valid fixture with the files of `tests/fixtures/errors/<case>/` laid over it.
pub fn error_site(case: &str) -> tempfile::TempDir {
    let dir = valid_site();
    let overlay = fixture("errors").join(case);
    assert!(overlay.is_dir(), "missing fixture {}", overlay.display());
    copy_tree(&overlay, dir.path());
    dir
}

/// Copies the repository's default theme into `root/themes/default`.
pub fn with_theme(root: &Path) {
    copy_tree(
        &repo_root().join("themes").join("default"),
        &root.join("themes").join("default"),
    );
}

/// Runs `zhiku --root <root> <args>`.
pub fn zhiku(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zhiku"))
        .arg("--root")
        .arg(root)
        .args(args)
        .output()
        .expect("running zhiku")
}

/// Builds `root` into `out` and panics with the diagnostics if it fails.
pub fn build_ok(root: &Path, out: &Path) {
    let o = zhiku(root, &["build", "--output", &out.to_string_lossy()]);
    assert!(
        o.status.success(),
        "zhiku build failed for {}:\n{}",
        root.display(),
        String::from_utf8_lossy(&o.stderr)
    );
}
