//! The output folder: which folders a build may replace, and replacing one
//! so that a complete output exists at every moment, even if the build is
//! killed.
//!
//! A build writes into a fresh `.<name>.tmp-<random>` folder beside the
//! output and, on Linux, swaps it with the output in one
//! `renameat2(RENAME_EXCHANGE)` call; the previous build then sits under the
//! temporary name and is deleted. Elsewhere (or on a file system without
//! exchange) the old output is first renamed to `.<name>.old-<random>`; a kill
//! between the two renames is repaired by the next build, which puts that
//! folder back before anything else. Every folder zhiku makes carries a
//! [`STAMP`] file, and only stamped leftovers are ever deleted.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::render::OutputFile;

/// Name of the file that marks a folder as written by `zhiku build`.
pub const STAMP: &str = ".zhiku-build";

/// What the stamp file says (it is never parsed; its presence is the mark).
const STAMP_TEXT: &str = "written by zhiku build; `zhiku build` may replace this folder\n";

/// Why the output folder cannot be used or replaced.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The output would replace the site's own sources.
    #[error("refusing to build into {output}: it is {what}; choose a separate folder such as <root>/public")]
    Protected {
        /// The output asked for.
        output: PathBuf,
        /// What it would overwrite, e.g. "the content/ folder".
        what: String,
    },
    /// The output holds files that no zhiku build wrote.
    #[error("refusing to build into {output}: it is not empty and is not a previous zhiku build (no {STAMP} file); empty it or choose another folder")]
    Foreign {
        /// The output asked for.
        output: PathBuf,
    },
    /// The output exists and is not a folder.
    #[error("refusing to build into {output}: it exists and is not a folder")]
    NotAFolder {
        /// The output asked for.
        output: PathBuf,
    },
    /// A file operation failed.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// Where.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
}

fn io_err<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> OutputError + 'a {
    move |source| OutputError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

/// A path made absolute with symbolic links and `..` resolved, also when
/// its last parts do not exist yet.
fn resolved(path: &Path) -> io::Result<PathBuf> {
    let abs = std::path::absolute(path)?;
    let mut existing = abs.as_path();
    let mut rest = Vec::new();
    loop {
        match fs::canonicalize(existing) {
            Ok(mut c) => {
                for part in rest.iter().rev() {
                    c.push(part);
                }
                return Ok(c);
            }
            Err(_) => match (existing.parent(), existing.file_name()) {
                (Some(parent), Some(name)) => {
                    rest.push(name.to_os_string());
                    existing = parent;
                }
                _ => return Ok(abs),
            },
        }
    }
}

/// Refuses an output that is, or contains, the site root, its `content/`
/// or `themes/` (or the theme), that lies inside `content/` or `themes/`,
/// or that holds files no zhiku build wrote.
pub fn check_output(root: &Path, theme: &Path, output: &Path) -> Result<(), OutputError> {
    let out = resolved(output).map_err(io_err("resolving", output))?;
    let protected = [
        (root.to_path_buf(), "the site root"),
        (root.join("content"), "the content/ folder"),
        (root.join("themes"), "the themes/ folder"),
        (theme.to_path_buf(), "the theme folder"),
    ];
    for (dir, name) in protected {
        let dir = resolved(&dir).map_err(io_err("resolving", &dir))?;
        let what = if out == dir {
            name.to_string()
        } else if dir.starts_with(&out) {
            format!("a parent of {name}")
        } else if name != "the site root" && out.starts_with(&dir) {
            format!("inside {name}")
        } else {
            continue;
        };
        return Err(OutputError::Protected {
            output: output.to_path_buf(),
            what,
        });
    }
    match fs::symlink_metadata(output) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_err("reading", output)(e)),
        Ok(m) if !m.is_dir() => Err(OutputError::NotAFolder {
            output: output.to_path_buf(),
        }),
        Ok(_) => {
            if is_stamped(output) || is_unstamped_build(output) {
                return Ok(());
            }
            let mut entries = fs::read_dir(output).map_err(io_err("reading", output))?;
            if entries.next().is_none() {
                Ok(())
            } else {
                Err(OutputError::Foreign {
                    output: output.to_path_buf(),
                })
            }
        }
    }
}

fn is_stamped(dir: &Path) -> bool {
    fs::symlink_metadata(dir.join(STAMP)).is_ok_and(|m| m.is_file())
}

/// A build made before builds were stamped: the files only zhiku writes
/// together. Accepted so an existing `public/` keeps working after an upgrade.
fn is_unstamped_build(dir: &Path) -> bool {
    ["404.html", "sitemap.xml", "robots.txt", "static/syntax.css"]
        .iter()
        .all(|f| dir.join(f).is_file())
}

/// A named point of the swap where tests may stop the process (see [`pause`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Point {
    /// Half of the files are written into the temporary folder.
    Writing,
    /// Everything is written; the swap is next.
    BeforeSwap,
    /// Fallback swap only: the old output is moved aside, the new one not yet in.
    BetweenRenames,
    /// The new output is in; the old one is not yet deleted.
    AfterSwap,
}

impl Point {
    fn name(self) -> &'static str {
        match self {
            Point::Writing => "writing",
            Point::BeforeSwap => "before-swap",
            Point::BetweenRenames => "between-renames",
            Point::AfterSwap => "after-swap",
        }
    }
}

/// Test hook: with `ZHIKU_TEST_PAUSE=<point>` (debug builds only, so a
/// release binary never stalls), says so on stderr and sleeps, so a test can
/// kill the build exactly there.
fn pause(point: Point) {
    if !cfg!(debug_assertions) {
        return;
    }
    let wanted = std::env::var("ZHIKU_TEST_PAUSE").unwrap_or_default();
    if wanted.split(',').any(|w| w == point.name()) {
        eprintln!("zhiku: paused at {}", point.name());
        std::thread::sleep(std::time::Duration::from_secs(60));
    }
}

/// Writes `files` into a fresh stamped folder beside `output` and swaps it in.
/// Stamped leftovers of killed builds are repaired or removed first.
pub fn write_atomically(output: &Path, files: &[OutputFile]) -> Result<(), OutputError> {
    let parent = output
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(io_err("creating", parent))?;
    let name = output
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("public")
        .to_string();
    // Serialises builds into the same parent, so one never deletes the
    // temporary folder of another that is still writing.
    let _lock = lock_dir(parent).map_err(io_err("locking", parent))?;
    recover(parent, &name, output)?;

    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}.tmp-"))
        .tempdir_in(parent)
        .map_err(io_err("creating a temporary folder in", parent))?;
    // The stamp goes in first: a folder killed half-written is still ours to remove.
    let stamp = tmp.path().join(STAMP);
    fs::write(&stamp, STAMP_TEXT).map_err(io_err("writing", &stamp))?;
    for (i, f) in files.iter().enumerate() {
        if i == files.len() / 2 {
            pause(Point::Writing);
        }
        let dest = tmp.path().join(&f.path);
        if let Some(dir) = dest.parent() {
            fs::create_dir_all(dir).map_err(io_err("creating", dir))?;
        }
        fs::write(&dest, &f.bytes).map_err(io_err("writing", &dest))?;
    }
    pause(Point::BeforeSwap);
    let staged = tmp.keep();
    let result = swap_in(&staged, output, parent, &name);
    if result.is_err() {
        let _ = fs::remove_dir_all(&staged);
    }
    result
}

/// Puts `staged` at `output`; the previous output (if any) is deleted.
fn swap_in(staged: &Path, output: &Path, parent: &Path, name: &str) -> Result<(), OutputError> {
    let had_output = fs::symlink_metadata(output).is_ok();
    if !had_output {
        return fs::rename(staged, output).map_err(io_err("moving into place", output));
    }
    if exchange(staged, output).is_ok() {
        // `staged` now holds the previous build.
        pause(Point::AfterSwap);
        return fs::remove_dir_all(staged).map_err(io_err("removing", staged));
    }
    // No atomic exchange here: two renames, repaired by `recover` if killed between.
    let old = unique_name(parent, &format!(".{name}.old-"));
    fs::rename(output, &old).map_err(io_err("moving aside", output))?;
    pause(Point::BetweenRenames);
    if let Err(e) = fs::rename(staged, output) {
        let _ = fs::rename(&old, output);
        return Err(OutputError::Io {
            action: "swapping in",
            path: output.to_path_buf(),
            source: e,
        });
    }
    pause(Point::AfterSwap);
    fs::remove_dir_all(&old).map_err(io_err("removing", &old))
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    if std::env::var_os("ZHIKU_TEST_NO_EXCHANGE").is_some() && cfg!(debug_assertions) {
        return Err(io::Error::from(io::ErrorKind::Unsupported));
    }
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

/// A path `parent/<prefix><random>` that does not exist yet.
fn unique_name(parent: &Path, prefix: &str) -> PathBuf {
    // tempfile's random names, without keeping the file it creates.
    match tempfile::Builder::new().prefix(prefix).tempfile_in(parent) {
        Ok(f) => {
            let p = f.path().to_path_buf();
            drop(f);
            p
        }
        Err(_) => parent.join(format!(
            "{prefix}{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        )),
    }
}

/// Repairs what killed builds left beside `output` (see [`recover`]), under
/// the same lock builds hold, so even a build that then fails on its content
/// leaves a complete output behind.
pub fn recover_leftovers(output: &Path) -> Result<(), OutputError> {
    let parent = output
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !parent.is_dir() {
        return Ok(());
    }
    let name = output
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("public");
    let _lock = lock_dir(parent).map_err(io_err("locking", parent))?;
    recover(parent, name, output)
}

/// Repairs what a killed build left: with no output but a stamped
/// `.<name>.old-*` (killed between the two renames), that folder is the last
/// complete build and goes back; every other stamped `.<name>.tmp-*` /
/// `.<name>.old-*` folder is deleted. Unstamped look-alikes are left alone.
fn recover(parent: &Path, name: &str, output: &Path) -> Result<(), OutputError> {
    let tmp_prefix = format!(".{name}.tmp-");
    let old_prefix = format!(".{name}.old-");
    let mut leftovers: Vec<(bool, PathBuf)> = Vec::new();
    let entries = fs::read_dir(parent).map_err(io_err("reading", parent))?;
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(n) = file_name.to_str() else {
            continue;
        };
        let is_old = n.starts_with(&old_prefix);
        if !(is_old || n.starts_with(&tmp_prefix)) {
            continue;
        }
        let path = entry.path();
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir && is_stamped(&path) {
            leftovers.push((is_old, path));
        }
    }
    if fs::symlink_metadata(output).is_err() {
        if let Some((_, old)) = leftovers.iter().find(|(is_old, _)| *is_old) {
            fs::rename(old, output).map_err(io_err("restoring", output))?;
            eprintln!(
                "zhiku: restored {} from {} (an earlier build was interrupted)",
                output.display(),
                old.display()
            );
        }
    }
    for (_, path) in leftovers {
        if path.exists() {
            fs::remove_dir_all(&path).map_err(io_err("removing leftover", &path))?;
        }
    }
    Ok(())
}

/// An exclusive lock on a folder, held until the returned file is dropped.
#[cfg(unix)]
fn lock_dir(dir: &Path) -> io::Result<fs::File> {
    let f = fs::File::open(dir)?;
    rustix::fs::flock(&f, rustix::fs::FlockOperation::LockExclusive)?;
    Ok(f)
}

#[cfg(not(unix))]
fn lock_dir(dir: &Path) -> io::Result<()> {
    let _ = dir;
    Ok(())
}
