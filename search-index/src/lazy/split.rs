//! Build side: a finished index → the hot file's ranges and the chunks.

use std::collections::BTreeMap;
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tantivy::directory::error::{DeleteError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, FileHandle, OwnedBytes, RamDirectory, WatchCallback, WatchHandle, WritePtr,
};
use tantivy::{HasLen, Index, ReloadPolicy};

use super::{chunk_name, FileLayout, Layout};
use crate::Error;

/// Files shorter than this are kept whole in the hot file (a chunk request
/// costs more than their bytes).
const SMALL_FILE: usize = 512;

/// Byte ranges read, by file.
type Reads = Arc<Mutex<BTreeMap<PathBuf, Vec<Range<usize>>>>>;

/// A directory that records which byte ranges of which files are read.
#[derive(Debug, Clone)]
struct Recording {
    inner: RamDirectory,
    reads: Reads,
}

#[derive(Debug)]
struct RecordingFile {
    path: PathBuf,
    inner: Arc<dyn FileHandle>,
    reads: Reads,
}

impl HasLen for RecordingFile {
    fn len(&self) -> usize {
        self.inner.len()
    }
}

impl FileHandle for RecordingFile {
    fn read_bytes(&self, range: Range<usize>) -> io::Result<OwnedBytes> {
        if let Ok(mut reads) = self.reads.lock() {
            reads
                .entry(self.path.clone())
                .or_default()
                .push(range.clone());
        }
        self.inner.read_bytes(range)
    }
}

impl Directory for Recording {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        Ok(Arc::new(RecordingFile {
            path: path.to_path_buf(),
            inner: self.inner.get_file_handle(path)?,
            reads: Arc::clone(&self.reads),
        }))
    }
    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.inner.delete(path)
    }
    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }
    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.inner.open_write(path)
    }
    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }
    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        self.inner.atomic_write(path, data)
    }
    fn sync_directory(&self) -> io::Result<()> {
        Ok(())
    }
    fn watch(&self, _watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        Ok(WatchHandle::empty())
    }
}

/// An index cut into its hot file's parts and its chunks.
#[derive(Debug, Default)]
pub struct Split {
    /// Where every file's bytes are.
    pub layout: Layout,
    /// Each file's hot bytes (its hot ranges concatenated), by path.
    pub hot: Vec<(String, Vec<u8>)>,
    /// Chunk files: name and bytes, each name once.
    pub chunks: Vec<(String, Vec<u8>)>,
}

/// Sorted, merged ranges.
fn merge(mut ranges: Vec<Range<usize>>) -> Vec<(usize, usize)> {
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut out: Vec<(usize, usize)> = Vec::new();
    for r in ranges.into_iter().filter(|r| !r.is_empty()) {
        match out.last_mut() {
            Some(last) if r.start <= last.1 => last.1 = last.1.max(r.end),
            _ => out.push((r.start, r.end)),
        }
    }
    out
}

/// Chunk sizes of a split (see [`super::CHUNK_SIZE`]).
#[derive(Debug, Clone, Copy)]
pub struct ChunkSizes {
    /// Term dictionary, postings, positions, field norms.
    pub chunk: usize,
    /// Doc store.
    pub store: usize,
}

impl Default for ChunkSizes {
    fn default() -> Self {
        ChunkSizes {
            chunk: super::CHUNK_SIZE,
            store: super::STORE_CHUNK_SIZE,
        }
    }
}

/// Cuts `files` (tantivy's files, by path) into hot ranges and chunks: the
/// hot ranges are what opening the index and every field's inverted index
/// reads, so a query only ever fetches term-dictionary blocks, postings,
/// positions, field norms and store blocks.
pub fn split(files: &[(String, Vec<u8>)], sizes: ChunkSizes) -> Result<Split, Error> {
    let ram = RamDirectory::create();
    for (path, data) in files {
        ram.atomic_write(Path::new(path), data)?;
    }
    let reads: Reads = Arc::default();
    let dir = Recording {
        inner: ram,
        reads: Arc::clone(&reads),
    };
    {
        let index = Index::open(dir)?;
        let schema = index.schema();
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let searcher = reader.searcher();
        for segment in searcher.segment_readers() {
            for (field, entry) in schema.fields() {
                if entry.is_indexed() {
                    segment.inverted_index(field)?;
                }
            }
        }
    }
    let reads = std::mem::take(&mut *reads.lock().map_err(|_| Error::Blob("lock poisoned"))?);
    let mut split = Split::default();
    let mut seen = std::collections::HashSet::new();
    for (path, data) in files {
        let whole = data.len() <= SMALL_FILE || path.ends_with(".json");
        let hot = if whole {
            vec![(0, data.len())]
        } else {
            merge(reads.get(Path::new(path)).cloned().unwrap_or_default())
        };
        let size = if path.ends_with(".store") {
            sizes.store
        } else {
            sizes.chunk
        };
        let mut chunks = Vec::new();
        if !whole {
            for part in data.chunks(size.max(1)) {
                let name = chunk_name(part);
                if seen.insert(name.clone()) {
                    split.chunks.push((name.clone(), part.to_vec()));
                }
                chunks.push(name);
            }
        }
        let mut bytes = Vec::new();
        for &(s, e) in &hot {
            bytes.extend_from_slice(&data[s..e]);
        }
        split.hot.push((path.clone(), bytes));
        split.layout.files.push(FileLayout {
            path: path.clone(),
            len: data.len(),
            hot,
            chunk: size,
            chunks,
        });
    }
    Ok(split)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_merge() {
        assert_eq!(
            merge(vec![5..9, 0..2, 1..3, 9..10, 4..4]),
            [(0, 3), (5, 10)]
        );
    }
}
