//! When each content file last changed, from git: one `git log` over the
//! whole `content/` folder (one process, not one per file).
//!
//! A page shows this date only when the writer gave no `updated`. Outside a
//! git checkout, without git, or in a shallow clone (where the oldest commit
//! seen would claim files it did not touch), there are no dates at all rather
//! than wrong ones.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

/// Marks the start of a commit in the log output.
const MARK: &str = "\u{1}commit ";

/// Last commit date (RFC 3339) of each file under `content`, by path relative
/// to it with `/` separators; empty when git cannot tell.
pub fn git_dates(content: &Path) -> HashMap<String, String> {
    if !content.is_dir() || is_shallow(content) != Some(false) {
        return HashMap::new();
    }
    let out = Command::new("git")
        .arg("-C")
        .arg(content)
        .args([
            "-c",
            "core.quotepath=off",
            "log",
            "--no-renames",
            "--relative",
            "--name-only",
        ])
        .arg(format!("--format={MARK}%cI"))
        .args(["--", "."])
        .output();
    match out {
        Ok(o) if o.status.success() => parse_log(&String::from_utf8_lossy(&o.stdout)),
        _ => HashMap::new(),
    }
}

/// `Some(true)` in a shallow clone, `None` when `dir` is in no git work tree.
fn is_shallow(dir: &Path) -> Option<bool> {
    let o = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["rev-parse", "--is-shallow-repository"])
        .output()
        .ok()?;
    if !o.status.success() {
        return None;
    }
    Some(String::from_utf8_lossy(&o.stdout).trim() == "true")
}

/// Reads `git log --name-only` output, newest commit first: the first date
/// seen for a path is its last change.
pub fn parse_log(log: &str) -> HashMap<String, String> {
    let mut dates = HashMap::new();
    let mut current: Option<&str> = None;
    for line in log.lines() {
        if let Some(date) = line.strip_prefix(MARK) {
            current = Some(date.trim());
        } else if let (Some(date), false) = (current, line.trim().is_empty()) {
            dates
                .entry(line.trim().to_string())
                .or_insert_with(|| date.to_string());
        }
    }
    dates
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_commit_wins() {
        let log = format!(
            "{MARK}2026-03-02T10:00:00+08:00\n\nfaq/a/x.md\nsite.toml\n{MARK}2026-01-01T09:00:00+00:00\n\nfaq/a/x.md\nfaq/a/y.md\n"
        );
        let d = parse_log(&log);
        assert_eq!(d["faq/a/x.md"], "2026-03-02T10:00:00+08:00");
        assert_eq!(d["faq/a/y.md"], "2026-01-01T09:00:00+00:00");
        assert_eq!(d.len(), 3);
    }

    #[test]
    fn no_git_no_dates() {
        let dir = std::env::temp_dir().join(format!("zhiku-dates-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // A temp folder is in no work tree (unless the temp dir itself is one).
        if is_shallow(&dir).is_none() {
            assert!(git_dates(&dir).is_empty());
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
