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
//!
//! The previous build is not deleted when the build cache describes it: it
//! is moved into the cache as the *spare* (`.zhiku-cache/<name>/spare/`),
//! and the next build writes into that folder instead of a new one, so a
//! one-entry edit touches the files that changed instead of linking every
//! file into a new tree and deleting the old one (some 20,000 file and
//! folder operations at 10,000 entries).

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

mod spare;

use spare::{
    discard_spare, prune_folders, put_back, remove_file_and_empty_folders, retire, take_spare,
};

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
    /// Some files are written into the temporary folder.
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

/// A new output being written: a fresh stamped folder beside `output`, filled
/// file by file as pages are rendered (nothing is collected in memory), then
/// swapped in by [`Staging::commit`]. Dropped without a commit, it is removed
/// (or, when it was the spare, given back to the cache) and the previous
/// output stays as it was.
///
/// A rebuild into an existing output keeps the files whose bytes did not
/// change: they are hard-linked from the previous output into the new folder
/// (same inode, same mtime), so the swap stays one atomic exchange while
/// `rsync` and CDN uploads see only what changed. Whether a file changed is
/// told by its SHA-256 against the table the last build left in the build
/// cache (`.zhiku-cache/<name>/files.tsv` beside the output), trusted only
/// while the old file's size, mtime and inode are still the ones recorded;
/// otherwise (cache deleted, file touched) the old bytes are read and compared.
///
/// The folder written into is the spare when there is one (the build
/// before the previous one, kept in the cache): its files that are still
/// the previous output's (same size, mtime and inode as the table says)
/// stay without a file operation when this build keeps them; every other
/// file in it is deleted first.
pub struct Staging {
    output: PathBuf,
    parent: PathBuf,
    name: String,
    tmp: Option<TmpDir>,
    /// The output being replaced, when there is one.
    previous: Option<PathBuf>,
    /// The last build's table of its output files.
    cache: HashMap<String, Row>,
    /// The temporary folder is the spare: it holds the previous output's
    /// files whose rows are marked [`Row::in_spare`], and nothing else.
    reusing: bool,
    /// Folders of the spare's that removing its other files may have left
    /// empty (removed at the commit unless this build wrote into them).
    emptied: Vec<String>,
    /// This build's table, written to the cache after the swap.
    rows: Mutex<Vec<(String, Row)>>,
    written: AtomicUsize,
    kept: AtomicUsize,
    puts: AtomicUsize,
    // Held until the swap is done: one build at a time per parent folder,
    // so none deletes the temporary folder of another still writing.
    _lock: LockGuard,
}

/// What a finished [`Staging`] did.
#[derive(Debug, Clone, Copy, Default)]
pub struct Written {
    /// Files written with new bytes (new mtime).
    pub written: usize,
    /// Files kept from the previous output as they were (mtime kept).
    pub kept: usize,
    /// Files of the previous output that are gone.
    pub removed: usize,
}

/// One file of a finished output, as the build cache records it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Row {
    hash: String,
    size: u64,
    mtime_ns: i128,
    inode: u64,
    /// Fingerprint of what the file was made from (pages only; empty
    /// otherwise): the same inputs give the same bytes, so the next build
    /// can keep the file without making it again.
    inputs: String,
    /// The spare holds this very file (same size, mtime and inode): a
    /// build writing into the spare keeps it without a file operation.
    /// Only ever set on the previous output's rows; never written out.
    in_spare: bool,
}

/// A file's size, mtime (ns) and inode: while they stay the same, so do
/// its bytes (zhiku never writes a file in place).
type Stamp = (u64, i128, u64);

impl Row {
    /// The file on disk is still the one this row describes.
    fn describes(&self, meta: &fs::Metadata) -> bool {
        row_of(String::new(), meta).stamp() == self.stamp()
    }

    fn stamp(&self) -> Stamp {
        (self.size, self.mtime_ns, self.inode)
    }
}

/// A file kept from the previous output: its SHA-256 in hex and size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
}

/// Name of the build cache folder, beside the output.
pub const CACHE_DIR: &str = ".zhiku-cache";

/// First line of a cache table; another one means another format: ignored.
const CACHE_HEADER: &str = "zhiku output table 2";

impl Staging {
    /// Locks the output's parent, repairs what killed builds left and
    /// creates the stamped temporary folder.
    pub fn begin(output: &Path) -> Result<Staging, OutputError> {
        let parent = output
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        fs::create_dir_all(&parent).map_err(io_err("creating", &parent))?;
        let name = output
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("public")
            .to_string();
        let lock = lock_dir(&parent).map_err(io_err("locking", &parent))?;
        recover(&parent, &name, output)?;
        let previous = fs::symlink_metadata(output)
            .is_ok_and(|m| m.is_dir())
            .then(|| output.to_path_buf());
        let mut cache = if previous.is_some() {
            read_table(&cache_table(&parent, &name))
        } else {
            HashMap::new()
        };
        // The spare helps only beside a described output; otherwise it goes.
        let reused = if cache.is_empty() {
            discard_spare(&parent, &name)?;
            None
        } else {
            take_spare(&parent, &name, &mut cache)?
        };
        let reusing = reused.is_some();
        let (tmp, emptied) = match reused {
            Some(reused) => reused,
            None => {
                let dir = tempfile::Builder::new()
                    .prefix(&format!(".{name}.tmp-"))
                    .tempdir_in(&parent)
                    .map_err(io_err("creating a temporary folder in", &parent))?;
                (TmpDir(Some(dir.keep())), Vec::new())
            }
        };
        // The stamp goes in first: a folder killed half-written is still ours
        // to remove. The previous one is kept when it says the same (a
        // spare already has one).
        let stamp = tmp.path().join(STAMP);
        let says_stamp = |p: &Path| fs::read(p).is_ok_and(|b| b == STAMP_TEXT.as_bytes());
        let old_stamp = output.join(STAMP);
        let same_stamp = says_stamp(&stamp)
            || (previous.is_some()
                && says_stamp(&old_stamp)
                && fs::hard_link(&old_stamp, &stamp).is_ok());
        if !same_stamp {
            let _ = fs::remove_file(&stamp);
            fs::write(&stamp, STAMP_TEXT).map_err(io_err("writing", &stamp))?;
        }
        Ok(Staging {
            output: output.to_path_buf(),
            parent,
            name,
            tmp: Some(tmp),
            previous,
            cache,
            reusing,
            emptied,
            rows: Mutex::new(Vec::new()),
            written: AtomicUsize::new(0),
            kept: AtomicUsize::new(0),
            puts: AtomicUsize::new(0),
            _lock: lock,
        })
    }

    /// The output this one replaces, if any (read-only: it stays complete
    /// until the swap).
    pub fn previous(&self) -> Option<&Path> {
        self.previous.as_deref()
    }

    /// This output's folder in the build cache (`.zhiku-cache/<name>/`
    /// beside it; may not exist yet). The lock held by the build keeps
    /// another build of the same folder out of it.
    pub fn cache_dir(&self) -> PathBuf {
        self.parent.join(CACHE_DIR).join(&self.name)
    }

    fn tmp(&self) -> &Path {
        self.tmp.as_ref().map_or(Path::new("."), |t| t.path())
    }

    /// Puts one file (path relative to the output root) into the new output
    /// and gives its SHA-256 in hex (computed to compare it with the previous
    /// output; the service worker's list uses it too). Safe to call from
    /// many threads at once.
    pub fn put(&self, rel: &str, bytes: &[u8]) -> Result<String, OutputError> {
        self.put_made_from(rel, bytes, "")
    }

    /// [`Staging::put`] for a file made from `inputs` (a fingerprint; see
    /// [`Staging::keep_unchanged`]).
    pub fn put_made_from(
        &self,
        rel: &str,
        bytes: &[u8],
        inputs: &str,
    ) -> Result<String, OutputError> {
        if self.puts.fetch_add(1, Ordering::Relaxed) == PAUSE_AFTER {
            pause(Point::Writing);
        }
        let hash = sha256_hex(bytes);
        let mut row = if let Some(row) = self.in_place(rel, Some(&hash)) {
            self.kept.fetch_add(1, Ordering::Relaxed);
            row
        } else {
            let dest = self.clear(rel)?;
            match self.keep_previous(rel, bytes, &hash, &dest) {
                Some(row) => {
                    self.kept.fetch_add(1, Ordering::Relaxed);
                    row
                }
                None => {
                    fs::write(&dest, bytes).map_err(io_err("writing", &dest))?;
                    self.written.fetch_add(1, Ordering::Relaxed);
                    let meta = fs::symlink_metadata(&dest).map_err(io_err("reading", &dest))?;
                    row_of(hash.clone(), &meta)
                }
            }
        };
        row.inputs = inputs.to_string();
        self.record(rel, row);
        Ok(hash)
    }

    /// Keeps the previous output's file at `rel` without its bytes being
    /// made again, when the last build recorded it as made from `inputs` and
    /// it is still the file recorded (size, mtime, inode). `None` when it
    /// must be made (then hand it to [`Staging::put_made_from`]).
    pub fn keep_unchanged(&self, rel: &str, inputs: &str) -> Result<Option<Kept>, OutputError> {
        let (Some(previous), Some(row)) = (self.previous.as_ref(), self.cache.get(rel)) else {
            return Ok(None);
        };
        if inputs.is_empty() || row.inputs != inputs {
            return Ok(None);
        }
        let row = match self.in_place(rel, None) {
            Some(row) => row,
            None => {
                let old = previous.join(rel);
                if !fs::symlink_metadata(&old).is_ok_and(|m| m.is_file() && row.describes(&m)) {
                    return Ok(None);
                }
                let dest = self.clear(rel)?;
                if fs::hard_link(&old, &dest).is_err() {
                    return Ok(None);
                }
                row.clone()
            }
        };
        self.kept.fetch_add(1, Ordering::Relaxed);
        let kept = Kept {
            sha256: row.hash.clone(),
            size: row.size,
        };
        self.record(rel, row);
        Ok(Some(kept))
    }

    /// The previous output's row for `rel` when the spare already holds
    /// that very file (the last build kept it) and, given `hash`, its bytes
    /// are those.
    fn in_place(&self, rel: &str, hash: Option<&str>) -> Option<Row> {
        let live = self.cache.get(rel)?;
        (live.in_spare && hash.is_none_or(|h| h == live.hash)).then(|| Row {
            in_spare: false,
            ..live.clone()
        })
    }

    /// Makes room for a new file at `rel` and gives its path: its folder
    /// exists, and in the spare, what was there is gone (the spare's file
    /// may be a hard link to one of the output's: it is never written over
    /// in place).
    fn clear(&self, rel: &str) -> Result<PathBuf, OutputError> {
        let dest = self.tmp().join(rel);
        if self.reusing {
            // No other file of this build lies under a path that is one of
            // its files, so a folder there is the spare's to drop.
            let gone = match fs::symlink_metadata(&dest) {
                Ok(m) if m.is_dir() => fs::remove_dir_all(&dest),
                Ok(_) => fs::remove_file(&dest),
                Err(_) => Ok(()),
            };
            gone.map_err(io_err("replacing", &dest))?;
        }
        let Some(dir) = dest.parent() else {
            return Ok(dest);
        };
        if fs::create_dir_all(dir).is_err() && self.reusing {
            // A file of the spare's where this build has a folder.
            for above in dir.ancestors().take_while(|a| *a != self.tmp()) {
                if fs::symlink_metadata(above).is_ok_and(|m| !m.is_dir()) {
                    let _ = fs::remove_file(above);
                }
            }
        }
        fs::create_dir_all(dir).map_err(io_err("creating", dir))?;
        Ok(dest)
    }

    fn record(&self, rel: &str, row: Row) {
        if let Ok(mut rows) = self.rows.lock() {
            rows.push((rel.to_string(), row));
        }
    }

    /// Links the previous output's file at `rel` to `dest` when its bytes
    /// are `bytes`; its table row then.
    fn keep_previous(&self, rel: &str, bytes: &[u8], hash: &str, dest: &Path) -> Option<Row> {
        let old = self.previous.as_ref()?.join(rel);
        let meta = fs::symlink_metadata(&old).ok()?;
        if !meta.is_file() || meta.len() != bytes.len() as u64 {
            return None;
        }
        let recorded = row_of(hash.to_string(), &meta);
        let same = match self.cache.get(rel) {
            Some(row) if row.describes(&meta) => row.hash == hash,
            _ => fs::read(&old).is_ok_and(|b| b == bytes),
        };
        // Without hard links (some file systems) the file is written anew.
        (same && fs::hard_link(&old, dest).is_ok()).then_some(recorded)
    }

    /// Swaps the new output in, deletes the previous one and records the
    /// new output's table in the build cache.
    pub fn commit(mut self) -> Result<Written, OutputError> {
        pause(Point::BeforeSwap);
        let rows = std::mem::take(&mut *self.rows.lock().unwrap_or_else(|e| e.into_inner()));
        let new: std::collections::HashSet<&str> = rows.iter().map(|(p, _)| p.as_str()).collect();
        let removed = match &self.previous {
            Some(previous) => previous_files(previous, &self.cache)
                .iter()
                .filter(|p| !new.contains(p.as_str()))
                .count(),
            None => 0,
        };
        let Some(tmp) = self.tmp.take() else {
            return Ok(Written::default());
        };
        // The spare's files this build did not make are not part of it.
        let stale = self
            .cache
            .iter()
            .filter(|(p, row)| row.in_spare && !new.contains(p.as_str()));
        for (rel, _) in stale {
            remove_file_and_empty_folders(tmp.path(), rel)
                .map_err(io_err("removing", &tmp.path().join(rel)))?;
        }
        prune_folders(tmp.path(), &self.emptied);
        let staged = tmp.keep();
        let result = swap_in(&staged, &self.output, &self.parent, &self.name);
        let old = match result {
            Ok(old) => old,
            Err(e) => {
                let _ = remove_tree(&staged);
                return Err(e);
            }
        };
        if let Some(old) = old {
            // The folder now holds the previous build, which the table read
            // at the start describes.
            retire(&old, &self.parent, &self.name, !self.cache.is_empty())
                .map_err(io_err("removing", &old))?;
        }
        // A cache that cannot be written only makes the next build compare bytes.
        let _ = write_table(&self.parent, &self.name, &rows);
        Ok(Written {
            written: self.written.load(Ordering::Relaxed),
            kept: self.kept.load(Ordering::Relaxed),
            removed,
        })
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        // Not committed: a spare goes back to the cache; a new folder is deleted.
        if let Some(tmp) = self.tmp.take() {
            if self.reusing {
                put_back(tmp, &self.parent, &self.name);
            }
        }
    }
}

/// The test hook [`Point::Writing`] fires after this many files.
const PAUSE_AFTER: usize = 20;

/// Paths of the previous output's files: the cache's table when there is
/// one, else a walk of the folder (the stamp left out either way).
fn previous_files(dir: &Path, cache: &HashMap<String, Row>) -> Vec<String> {
    if !cache.is_empty() {
        return cache.keys().filter(|p| *p != STAMP).cloned().collect();
    }
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.file_name() != STAMP)
        .filter_map(|e| {
            let rel = e.path().strip_prefix(dir).ok()?;
            Some(rel.to_string_lossy().replace('\\', "/"))
        })
        .collect()
}

/// The SHA-256 of `bytes` in hex (64 digits).
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(unix)]
fn row_of(hash: String, meta: &fs::Metadata) -> Row {
    use std::os::unix::fs::MetadataExt;
    Row {
        hash,
        size: meta.len(),
        mtime_ns: i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec()),
        inode: meta.ino(),
        inputs: String::new(),
        in_spare: false,
    }
}

#[cfg(not(unix))]
fn row_of(hash: String, meta: &fs::Metadata) -> Row {
    let mtime_ns = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i128);
    Row {
        hash,
        size: meta.len(),
        mtime_ns,
        inode: 0,
        inputs: String::new(),
        in_spare: false,
    }
}

/// When the last build into `output` finished: the time its table in the
/// build cache was written. Unchanged files keep their old mtimes, so the
/// output's own files cannot tell; `None` without a cache.
pub fn last_build(output: &Path) -> Option<std::time::SystemTime> {
    let parent = output
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = output.file_name()?.to_str()?;
    fs::metadata(cache_table(parent, name))
        .and_then(|m| m.modified())
        .ok()
}

fn cache_table(parent: &Path, name: &str) -> PathBuf {
    parent.join(CACHE_DIR).join(name).join("files.tsv")
}

/// The table a previous build left; empty when missing or unreadable (the
/// cache is safe to delete).
fn read_table(path: &Path) -> HashMap<String, Row> {
    let Ok(text) = fs::read_to_string(path) else {
        return HashMap::new();
    };
    let mut lines = text.lines();
    if lines.next() != Some(CACHE_HEADER) {
        return HashMap::new();
    }
    lines
        .filter_map(|line| {
            let mut f = line.splitn(6, '\t');
            let hash = f.next()?.to_string();
            let size = f.next()?.parse().ok()?;
            let mtime_ns = f.next()?.parse().ok()?;
            let inode = f.next()?.parse().ok()?;
            let inputs = f.next()?.to_string();
            let path = f.next()?.to_string();
            Some((
                path,
                Row {
                    hash,
                    size,
                    mtime_ns,
                    inode,
                    inputs,
                    in_spare: false,
                },
            ))
        })
        .collect()
}

/// Writes the table (to a temporary file renamed over the old one, so a
/// killed build never leaves half a table).
fn write_table(parent: &Path, name: &str, rows: &[(String, Row)]) -> io::Result<()> {
    let cache = parent.join(CACHE_DIR);
    fs::create_dir_all(cache.join(name))?;
    // The cache ignores itself, wherever the output is.
    let ignore = cache.join(".gitignore");
    if !ignore.exists() {
        fs::write(&ignore, "# zhiku build cache: safe to delete\n*\n")?;
    }
    let mut text = String::with_capacity(rows.len() * 120);
    text.push_str(CACHE_HEADER);
    text.push('\n');
    for (path, r) in rows {
        // Paths with a tab or newline cannot be recorded; they are compared by bytes.
        if path.contains(['\t', '\n']) {
            continue;
        }
        text.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{path}\n",
            r.hash, r.size, r.mtime_ns, r.inode, r.inputs
        ));
    }
    let table = cache_table(parent, name);
    let tmp = table.with_extension("tsv.tmp");
    fs::write(&tmp, text)?;
    fs::rename(&tmp, &table)
}

/// Puts `staged` at `output`; gives the folder the previous output (if
/// any) is in now.
fn swap_in(
    staged: &Path,
    output: &Path,
    parent: &Path,
    name: &str,
) -> Result<Option<PathBuf>, OutputError> {
    let had_output = fs::symlink_metadata(output).is_ok();
    if !had_output {
        fs::rename(staged, output).map_err(io_err("moving into place", output))?;
        return Ok(None);
    }
    if exchange(staged, output).is_ok() {
        // `staged` now holds the previous build.
        pause(Point::AfterSwap);
        return Ok(Some(staged.to_path_buf()));
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
    Ok(Some(old))
}

/// A build's temporary folder: deleted when dropped, unless kept.
struct TmpDir(Option<PathBuf>);

impl TmpDir {
    fn path(&self) -> &Path {
        self.0.as_deref().unwrap_or(Path::new("."))
    }

    /// Gives up the folder without deleting it.
    fn keep(mut self) -> PathBuf {
        self.0.take().unwrap_or_default()
    }
}

impl Drop for TmpDir {
    fn drop(&mut self) {
        if let Some(dir) = self.0.take() {
            let _ = remove_tree(&dir);
        }
    }
}

/// Deletes a previous output, its second-level folders on every core (a
/// site of 10,000 pages is 10,000 folders; one thread spends most of a
/// rebuild's swap on them).
fn remove_tree(dir: &Path) -> io::Result<()> {
    use rayon::prelude::*;
    let mut parts = Vec::new();
    for e in fs::read_dir(dir)?.flatten() {
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            if let Ok(inner) = fs::read_dir(e.path()) {
                parts.extend(inner.flatten().map(|i| i.path()));
            }
        }
    }
    parts.par_iter().for_each(|p| {
        // Whatever fails here is retried by the final call, which reports it.
        let _ = match fs::symlink_metadata(p) {
            Ok(m) if m.is_dir() => fs::remove_dir_all(p),
            _ => fs::remove_file(p),
        };
    });
    fs::remove_dir_all(dir)
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

#[cfg(unix)]
type LockGuard = fs::File;
#[cfg(not(unix))]
type LockGuard = ();

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
