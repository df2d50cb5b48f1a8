//! A read-only tantivy `Directory` over the hot file and the chunks loaded so far.

use std::collections::{BTreeSet, HashMap};
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, OwnedBytes, WatchCallback, WatchHandle, WritePtr,
};
use tantivy::HasLen;

use super::{chunk_name, Layout};
use crate::Error;

/// Chunks loaded so far and those a failed read asked for.
#[derive(Debug, Default)]
struct Chunks {
    loaded: RwLock<HashMap<String, OwnedBytes>>,
    missing: Mutex<BTreeSet<String>>,
}

/// The message of the I/O error a read of a missing chunk fails with.
const MISSING: &str = "zhiku: index chunk not loaded yet";

/// Where one stretch of a file's bytes is.
#[derive(Debug)]
enum Source {
    /// Index into [`LazyFile::hot`].
    Hot(usize),
    /// Index into [`LazyDirectory`]'s chunk names, and the stretch's offset in that chunk.
    Chunk(usize, usize),
}

/// A stretch `[start, end)` of a file and where its bytes are.
#[derive(Debug)]
struct Stretch {
    start: usize,
    end: usize,
    source: Source,
}

#[derive(Debug)]
struct LazyFile {
    path: String,
    len: usize,
    /// The hot ranges' bytes.
    hot: Vec<OwnedBytes>,
    /// Sorted, disjoint; together they cover the file.
    stretches: Vec<Stretch>,
    names: Arc<Vec<String>>,
    chunks: Arc<Chunks>,
}

impl HasLen for LazyFile {
    fn len(&self) -> usize {
        self.len
    }
}

impl LazyFile {
    fn out_of_range(&self, range: &Range<usize>) -> io::Error {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("zhiku: {} has no bytes {range:?}", self.path),
        )
    }
}

impl FileHandle for LazyFile {
    fn read_bytes(&self, range: Range<usize>) -> io::Result<OwnedBytes> {
        if range.is_empty() {
            return Ok(OwnedBytes::empty());
        }
        let first = self.stretches.partition_point(|s| s.end <= range.start);
        let mut touched = Vec::new();
        let mut at = range.start;
        for s in &self.stretches[first..] {
            if s.start >= range.end {
                break;
            }
            if s.start > at {
                break;
            }
            touched.push(s);
            at = s.end;
        }
        if at < range.end {
            return Err(self.out_of_range(&range));
        }
        let loaded = self.chunks.loaded.read().map_err(|_| poisoned())?;
        let absent: Vec<&String> = touched
            .iter()
            .filter_map(|s| match s.source {
                Source::Chunk(c, _) if !loaded.contains_key(&self.names[c]) => Some(&self.names[c]),
                _ => None,
            })
            .collect();
        if !absent.is_empty() {
            let mut missing = self.chunks.missing.lock().map_err(|_| poisoned())?;
            missing.extend(absent.into_iter().cloned());
            return Err(io::Error::other(MISSING));
        }
        // The bytes of stretch `s` from `from` to `to` (file offsets).
        let piece = |s: &Stretch, from: usize, to: usize| -> OwnedBytes {
            let (bytes, at) = match s.source {
                Source::Hot(h) => (&self.hot[h], 0),
                Source::Chunk(c, offset) => (&loaded[&self.names[c]], offset),
            };
            bytes.slice(at + from - s.start..at + to - s.start)
        };
        if let [one] = touched.as_slice() {
            return Ok(piece(one, range.start, range.end));
        }
        // A read across stretches: copied into one buffer.
        let mut out = Vec::with_capacity(range.len());
        for s in touched {
            let (from, to) = (s.start.max(range.start), s.end.min(range.end));
            out.extend_from_slice(piece(s, from, to).as_slice());
        }
        Ok(OwnedBytes::new(out))
    }
}

fn poisoned() -> io::Error {
    io::Error::other("zhiku: chunk table lock poisoned")
}

/// tantivy's files served from the hot file and the chunks added so far
/// (read-only; writes fail).
#[derive(Debug, Clone)]
pub struct LazyDirectory {
    files: Arc<HashMap<PathBuf, Arc<LazyFile>>>,
    chunks: Arc<Chunks>,
    /// Every chunk name of the index with its expected length.
    sizes: Arc<HashMap<String, usize>>,
}

impl LazyDirectory {
    /// A directory for `layout`; `hot(path)` gives a file's hot bytes (its hot
    /// ranges concatenated).
    pub fn new<'a>(
        layout: &Layout,
        mut hot: impl FnMut(&str) -> Option<&'a [u8]>,
    ) -> Result<LazyDirectory, Error> {
        let chunks = Arc::new(Chunks::default());
        let names: Arc<Vec<String>> =
            Arc::new(layout.chunks.iter().map(|c| c.name.clone()).collect());
        let mut stretches: Vec<Vec<Stretch>> = layout.files.iter().map(|_| Vec::new()).collect();
        let mut sizes = HashMap::new();
        for (c, chunk) in layout.chunks.iter().enumerate() {
            let mut offset = 0;
            for &(file, start, end) in &chunk.parts {
                let list = stretches
                    .get_mut(file)
                    .ok_or(Error::Blob("chunk part of a file the index lacks"))?;
                if end < start || end > layout.files[file].len {
                    return Err(Error::Blob("chunk part outside its file"));
                }
                list.push(Stretch {
                    start,
                    end,
                    source: Source::Chunk(c, offset),
                });
                offset += end - start;
            }
            sizes.insert(chunk.name.clone(), chunk.len());
        }
        let mut files = HashMap::new();
        for (f, mut list) in layout.files.iter().zip(stretches) {
            let bytes = hot(&f.path).unwrap_or_default();
            let mut at = 0;
            let mut ranges = Vec::with_capacity(f.hot.len());
            for (h, &(start, end)) in f.hot.iter().enumerate() {
                let len = end.checked_sub(start).ok_or(Error::Blob("bad hot range"))?;
                let part = bytes
                    .get(at..at + len)
                    .ok_or(Error::Blob("hot bytes shorter than their ranges"))?;
                ranges.push(OwnedBytes::new(part.to_vec()));
                list.push(Stretch {
                    start,
                    end,
                    source: Source::Hot(h),
                });
                at += len;
            }
            list.retain(|s| s.start < s.end);
            list.sort_by_key(|s| s.start);
            if list.windows(2).any(|w| w[0].end > w[1].start) {
                return Err(Error::Blob("overlapping ranges in the index layout"));
            }
            let file = LazyFile {
                path: f.path.clone(),
                len: f.len,
                hot: ranges,
                stretches: list,
                names: Arc::clone(&names),
                chunks: Arc::clone(&chunks),
            };
            files.insert(PathBuf::from(&f.path), Arc::new(file));
        }
        Ok(LazyDirectory {
            files: Arc::new(files),
            chunks,
            sizes: Arc::new(sizes),
        })
    }

    /// Adds a fetched chunk after checking it is the one its name promises.
    pub fn add_chunk(&self, name: &str, bytes: &[u8]) -> Result<(), Error> {
        let Some(&len) = self.sizes.get(name) else {
            return Err(Error::Chunk(format!("{name} is not a chunk of this index")));
        };
        if bytes.len() != len || chunk_name(bytes) != name {
            return Err(Error::Chunk(format!(
                "{name} is corrupt ({} bytes, content does not match its name)",
                bytes.len()
            )));
        }
        let mut loaded = self.chunks.loaded.write().map_err(|_| poisoned())?;
        loaded.insert(name.to_string(), OwnedBytes::new(bytes.to_vec()));
        Ok(())
    }

    /// True when the chunk is loaded.
    pub fn has_chunk(&self, name: &str) -> bool {
        self.chunks
            .loaded
            .read()
            .is_ok_and(|l| l.contains_key(name))
    }

    /// Number of chunks loaded.
    pub fn loaded_chunks(&self) -> usize {
        self.chunks.loaded.read().map_or(0, |l| l.len())
    }

    /// Forgets the chunks earlier reads asked for.
    pub fn clear_missing(&self) {
        if let Ok(mut m) = self.chunks.missing.lock() {
            m.clear();
        }
    }

    /// The chunks reads asked for since [`Self::clear_missing`], sorted.
    pub fn missing(&self) -> Vec<String> {
        self.chunks
            .missing
            .lock()
            .map(|m| m.iter().cloned().collect())
            .unwrap_or_default()
    }

    fn file(&self, path: &Path) -> Result<&Arc<LazyFile>, OpenReadError> {
        self.files
            .get(path)
            .ok_or_else(|| OpenReadError::FileDoesNotExist(path.to_path_buf()))
    }
}

fn read_only(path: &Path) -> Arc<io::Error> {
    Arc::new(io::Error::new(
        io::ErrorKind::PermissionDenied,
        format!("zhiku's index directory is read-only ({})", path.display()),
    ))
}

impl Directory for LazyDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        let file: Arc<dyn FileHandle> = self.file(path)?.clone();
        Ok(file)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        Err(DeleteError::IoError {
            io_error: read_only(path),
            filepath: path.to_path_buf(),
        })
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        Ok(self.files.contains_key(path))
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        Err(OpenWriteError::IoError {
            io_error: read_only(path),
            filepath: path.to_path_buf(),
        })
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        let file = self.file(path)?;
        file.read_bytes(0..file.len)
            .map(|b| b.as_slice().to_vec())
            .map_err(|e| OpenReadError::wrap_io_error(e, path.to_path_buf()))
    }

    fn atomic_write(&self, path: &Path, _data: &[u8]) -> io::Result<()> {
        Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            read_only(path).to_string(),
        ))
    }

    fn sync_directory(&self) -> io::Result<()> {
        Ok(())
    }

    fn acquire_lock(&self, _lock: &Lock) -> Result<DirectoryLock, LockError> {
        // Nothing writes here: every lock is granted at once.
        Ok(DirectoryLock::from(Box::new(())))
    }

    fn watch(&self, _watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        Ok(WatchHandle::empty())
    }
}
