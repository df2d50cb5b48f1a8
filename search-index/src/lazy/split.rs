//! Build side: a finished index → the hot file's ranges and the chunks.

use std::collections::BTreeMap;
use std::io;
use std::ops::{Bound, Range};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tantivy::directory::error::{DeleteError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, FileHandle, OwnedBytes, RamDirectory, WatchCallback, WatchHandle, WritePtr,
};
use tantivy::schema::IndexRecordOption;
use tantivy::{HasLen, Index, ReloadPolicy};

use super::{chunk_name, Chunk, FileLayout, Layout};
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

/// Chunk sizes of a split (see [`super::CHUNK_SIZE`] and its neighbours).
#[derive(Debug, Clone, Copy)]
pub struct ChunkSizes {
    /// Fixed cuts of bytes no query pattern claims.
    pub chunk: usize,
    /// Doc store.
    pub store: usize,
    /// Smallest bundle of dictionary blocks and their postings.
    pub bundle: usize,
    /// Largest postings and positions of one dictionary block that ride in
    /// its bundle.
    pub lists_max: usize,
    /// An index of at most this many bytes (all its files) is hot as a
    /// whole: no chunks.
    pub whole: usize,
}

impl Default for ChunkSizes {
    fn default() -> Self {
        ChunkSizes {
            chunk: super::CHUNK_SIZE,
            store: super::STORE_CHUNK_SIZE,
            bundle: super::BUNDLE_SIZE,
            lists_max: super::LISTS_MAX,
            whole: super::WHOLE_INDEX_MAX,
        }
    }
}

/// Byte ranges that are fetched together: `(file path, range)`.
type Unit = Vec<(PathBuf, Range<usize>)>;

/// A term's key (its bytes in the dictionary) and the unit of its lists.
type KeyedUnit = (Vec<u8>, Unit);

/// The reads `f` makes, by file (and forgets them).
fn reads_of<T>(reads: &Reads, f: impl FnOnce() -> T) -> Result<(T, Unit), Error> {
    reads
        .lock()
        .map_err(|_| Error::Blob("lock poisoned"))?
        .clear();
    let out = f();
    let mut taken = reads.lock().map_err(|_| Error::Blob("lock poisoned"))?;
    let unit = std::mem::take(&mut *taken)
        .into_iter()
        .flat_map(|(p, rs)| rs.into_iter().map(move |r| (p.clone(), r)))
        .collect();
    Ok((out, unit))
}

/// Where a field's slice of a composite file starts: the file and the
/// absolute offset of the relative position `relative`, from a read at it.
fn origin(unit: &Unit, ext: &str, relative: usize) -> Option<(PathBuf, usize)> {
    unit.iter()
        .find(|(p, _)| p.extension().is_some_and(|e| e == ext))
        .map(|(p, r)| (p.clone(), r.start - relative))
}

/// The query-shaped units of one field: a unit per dictionary block (the
/// block and, unless they are too heavy, its terms' postings and positions);
/// the lists of heavy blocks go to `heavy`, one unit per term, with the
/// term's key.
fn field_units(
    segment: &tantivy::SegmentReader,
    field: tantivy::schema::Field,
    reads: &Reads,
    sizes: ChunkSizes,
    blocks: &mut Vec<Unit>,
    heavy: &mut Vec<KeyedUnit>,
) -> Result<(), Error> {
    let inv = segment.inverted_index(field)?;
    let dict = inv.terms();
    // Every term's dictionary block (absolute, from the read of the block's
    // slice) and term info, in term order.
    let mut terms: Vec<(usize, tantivy::postings::TermInfo, Vec<u8>)> = Vec::new();
    let mut block_of: Vec<(PathBuf, Range<usize>)> = Vec::new();
    let mut stream = dict.stream()?;
    while stream.advance() {
        let key = stream.key();
        let bounds = (Bound::Included(key), Bound::Included(key));
        let (read, unit) = reads_of(reads, || {
            dict.file_slice_for_range(bounds, None).read_bytes()
        })?;
        read?;
        let Some(block) = unit.into_iter().next() else {
            continue;
        };
        if block_of.last() != Some(&block) {
            block_of.push(block);
        }
        terms.push((block_of.len() - 1, stream.value().clone(), key.to_vec()));
    }
    if terms.is_empty() {
        return Ok(());
    }
    let postings_at = match terms.iter().find(|(_, t, _)| !t.postings_range.is_empty()) {
        Some((_, t, _)) => {
            let (_, unit) = reads_of(reads, || {
                inv.read_postings_from_terminfo(t, IndexRecordOption::WithFreqs)
            })?;
            origin(&unit, "idx", t.postings_range.start)
        }
        None => None,
    };
    let positions_at = match terms.iter().find(|(_, t, _)| !t.positions_range.is_empty()) {
        Some((_, t, _)) => {
            let (_, unit) = reads_of(reads, || {
                inv.read_postings_from_terminfo(t, IndexRecordOption::WithFreqsAndPositions)
            })?;
            origin(&unit, "pos", t.positions_range.start)
        }
        None => None,
    };
    // Per block: the dictionary block, then each term's lists.
    let mut per_block: Vec<(Unit, Vec<KeyedUnit>)> = Vec::new();
    let mut current: Option<usize> = None;
    for (block, info, key) in terms {
        if current != Some(block) {
            current = Some(block);
            per_block.push((vec![block_of[block].clone()], Vec::new()));
        }
        let Some((_, lists)) = per_block.last_mut() else {
            continue;
        };
        let mut unit = Vec::new();
        for (at, r) in [
            (&postings_at, &info.postings_range),
            (&positions_at, &info.positions_range),
        ] {
            if let (Some((p, at)), false) = (at, r.is_empty()) {
                unit.push((p.clone(), at + r.start..at + r.end));
            }
        }
        if !unit.is_empty() {
            lists.push((key, unit));
        }
    }
    for (dict_block, lists) in per_block {
        let weight: usize = lists
            .iter()
            .flat_map(|(_, u)| u)
            .map(|(_, r)| r.len())
            .sum();
        if weight <= sizes.lists_max {
            let lists = lists.into_iter().map(|(_, u)| u);
            blocks.push(join(std::iter::once(dict_block).chain(lists)));
        } else {
            // Heavy lists stay apart, cut at term boundaries (fetched in the
            // next round, for the terms a query looks up).
            blocks.push(dict_block);
            heavy.extend(lists);
        }
    }
    Ok(())
}

/// One unit of `units`' ranges in order, contiguous ranges of a file merged.
fn join(units: impl IntoIterator<Item = Unit>) -> Unit {
    let mut out: Unit = Vec::new();
    for (p, r) in units.into_iter().flatten() {
        match out.iter_mut().rev().find(|(q, _)| *q == p) {
            Some((_, last)) if last.end == r.start => last.end = r.end,
            _ => out.push((p, r)),
        }
    }
    out
}

/// `unit`'s ranges in file order, contiguous ones merged: a chunk of several
/// fields' lists holds each field's run of terms as one part, so the layout
/// stays small.
fn coalesce(mut unit: Unit) -> Unit {
    unit.sort_by(|(p, r), (q, s)| (p, r.start).cmp(&(q, s.start)));
    let mut out: Unit = Vec::new();
    for (p, r) in unit {
        match out.last_mut() {
            Some((q, last)) if *q == p && last.end == r.start => last.end = r.end,
            _ => out.push((p, r)),
        }
    }
    out
}

/// Concatenates consecutive units until each holds at least `min` bytes.
fn bundle(units: Vec<Unit>, min: usize) -> Vec<Unit> {
    let mut out: Vec<Vec<Unit>> = Vec::new();
    let mut size = usize::MAX;
    for unit in units {
        let len: usize = unit.iter().map(|(_, r)| r.len()).sum();
        match out.last_mut() {
            Some(last) if size < min => {
                last.push(unit);
                size += len;
            }
            _ => {
                out.push(vec![unit]);
                size = len;
            }
        }
    }
    out.into_iter().map(join).collect()
}

/// `ranges` (sorted, disjoint) minus `cut` (sorted, disjoint).
fn subtract(ranges: &[(usize, usize)], cut: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for &(mut s, e) in ranges {
        for &(cs, ce) in cut {
            if ce <= s || cs >= e {
                continue;
            }
            if cs > s {
                out.push((s, cs));
            }
            s = s.max(ce);
        }
        if s < e {
            out.push((s, e));
        }
    }
    out
}

/// Cuts `files` (tantivy's files, by path) into hot ranges and chunks: the
/// hot ranges are what opening the index and every field's inverted index
/// reads; the chunks follow the way a query reads the rest (see the module
/// documentation).
pub fn split(files: Vec<(String, Vec<u8>)>, sizes: ChunkSizes) -> Result<Split, Error> {
    let ram = RamDirectory::create();
    // Each file is freed once copied in, and read back from there (without a
    // copy), so an index's files are held once.
    let files = files
        .into_iter()
        .map(|(path, data)| {
            ram.atomic_write(Path::new(&path), &data)?;
            drop(data);
            let bytes = ram.open_read(Path::new(&path))?.read_bytes()?;
            Ok((path, bytes))
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let reads: Reads = Arc::default();
    let dir = Recording {
        inner: ram,
        reads: Arc::clone(&reads),
    };
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
    let opening = std::mem::take(&mut *reads.lock().map_err(|_| Error::Blob("lock poisoned"))?);
    // What queries read together.
    let mut units: Vec<Unit> = Vec::new();
    let mut norms: Vec<Unit> = Vec::new();
    for segment in searcher.segment_readers() {
        let mut heavy = Vec::new();
        for (field, entry) in schema.fields() {
            if !entry.is_indexed() {
                continue;
            }
            let mut blocks = Vec::new();
            field_units(segment, field, &reads, sizes, &mut blocks, &mut heavy)?;
            units.extend(bundle(blocks, sizes.bundle));
            if entry.has_fieldnorms() {
                let (_, unit) = reads_of(&reads, || segment.get_fieldnorms_reader(field))?;
                norms.push(unit);
            }
        }
        // A query looks each term up in every text field: a term's heavy
        // lists of all fields travel in one chunk (fewer requests in the
        // lists' round; the sort is stable, so fields keep their order).
        heavy.sort_by(|a, b| a.0.cmp(&b.0));
        let mut per_term: Vec<KeyedUnit> = Vec::new();
        for (key, unit) in heavy {
            match per_term.last_mut() {
                Some((k, u)) if *k == key => u.extend(unit),
                _ => per_term.push((key, unit)),
            }
        }
        let lists = bundle(per_term.into_iter().map(|(_, u)| u).collect(), sizes.chunk);
        units.extend(lists.into_iter().map(coalesce));
    }
    // Every field's norms in one chunk: a query reads most of them, and
    // they are small (a byte per document and field).
    units.extend(bundle(norms, usize::MAX));

    let index_of: BTreeMap<&str, usize> = files
        .iter()
        .enumerate()
        .map(|(i, (p, _))| (p.as_str(), i))
        .collect();
    let mut split = Split::default();
    let all_whole = files.iter().map(|(_, d)| d.len()).sum::<usize>() <= sizes.whole;
    for (path, data) in &files {
        let whole = all_whole || data.len() <= SMALL_FILE || path.ends_with(".json");
        let hot = if whole {
            vec![(0, data.len())]
        } else {
            merge(opening.get(Path::new(path)).cloned().unwrap_or_default())
        };
        let mut bytes = Vec::new();
        for &(s, e) in &hot {
            bytes.extend_from_slice(&data[s..e]);
        }
        split.hot.push((path.clone(), bytes));
        split.layout.files.push(FileLayout {
            path: path.clone(),
            len: data.len(),
            hot,
        });
    }
    // Each unit's parts, minus what is hot (units do not overlap: each is
    // its own dictionary blocks, posting lists or norms).
    let mut taken: Vec<Vec<Range<usize>>> = split
        .layout
        .files
        .iter()
        .map(|f| f.hot.iter().map(|&(s, e)| s..e).collect())
        .collect();
    let mut chunk_parts: Vec<Vec<(usize, usize, usize)>> = Vec::new();
    for unit in units {
        let mut parts = Vec::new();
        for (path, r) in unit {
            let Some(&f) = path.to_str().and_then(|p| index_of.get(p)) else {
                continue;
            };
            for (s, e) in subtract(&[(r.start, r.end)], &split.layout.files[f].hot) {
                parts.push((f, s, e));
                taken[f].push(s..e);
            }
        }
        if !parts.is_empty() {
            chunk_parts.push(parts);
        }
    }
    // The rest of every file: fixed cuts.
    for (f, (path, data)) in files.iter().enumerate() {
        let taken = merge(std::mem::take(&mut taken[f]));
        let size = if path.ends_with(".store") {
            sizes.store
        } else {
            sizes.chunk
        }
        .max(1);
        for (s, e) in subtract(&[(0, data.len())], &taken) {
            let mut at = s;
            while at < e {
                let end = (at + size).min(e);
                chunk_parts.push(vec![(f, at, end)]);
                at = end;
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    for parts in chunk_parts {
        let mut bytes = Vec::new();
        for &(f, s, e) in &parts {
            bytes.extend_from_slice(&files[f].1.as_slice()[s..e]);
        }
        let name = chunk_name(&bytes);
        if seen.insert(name.clone()) {
            split.chunks.push((name.clone(), bytes));
        }
        split.layout.chunks.push(Chunk { name, parts });
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

    #[test]
    fn ranges_subtract() {
        assert_eq!(
            subtract(&[(0, 10)], &[(2, 3), (5, 7)]),
            [(0, 2), (3, 5), (7, 10)]
        );
        assert_eq!(subtract(&[(0, 10)], &[(0, 10)]), []);
        assert_eq!(subtract(&[(4, 6)], &[(0, 5)]), [(5, 6)]);
    }
}
