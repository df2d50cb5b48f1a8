//! The index as the browser fetches it: one small *hot* file plus
//! content-hashed chunks, loaded only when a query touches them.
//!
//! The build writes tantivy's files (SSTable term dictionary, tantivy's
//! `quickwit` feature) and records every byte range that opening the index
//! reads: segment metadata, footers, the term dictionaries' block indexes, the
//! doc store's skip index. Those ranges go into the hot file. The rest is cut
//! into chunks named by their hash, along the way a query reads: one *bundle*
//! per run of term-dictionary blocks holding those blocks and the postings
//! and positions of their terms (a term looked up brings what scoring it
//! reads), one for the field norms, small fixed cuts of the doc store. A
//! query thus takes two rounds after the hot file: bundles (and norms), then
//! the hits' stored fields. At query time
//! [`LazyDirectory`] serves reads from the hot ranges and the chunks loaded so
//! far; a read that needs a missing chunk records its name and fails, and the
//! engine reports what is missing ([`crate::engine::Step::Need`]) so the caller
//! (the browser's loader or the CLI's local-file fetcher) fetches those chunks
//! in one parallel round and asks again. No synchronous I/O, no Range requests:
//! plain GETs of whole, immutable files.
//!
//! Hot file layout: a [`crate::blob`] container with the entries
//! [`FORMAT_ENTRY`] (the index format number, decimal), [`LAYOUT_ENTRY`]
//! ([`Layout`], binary: see [`Layout::encode`]), one entry per tantivy file with its hot ranges'
//! bytes concatenated, and the synonym and term-encoding entries.

mod directory;
mod layout;
#[cfg(feature = "writer")]
mod split;

pub use directory::LazyDirectory;
#[cfg(feature = "writer")]
pub use split::{split, ChunkSizes, Split};

/// Version of the index format (hot file + chunks). A runtime refuses an index
/// of another format with [`crate::Error::Format`]. 4: the layout in binary,
/// a term's heavy lists of every field in one chunk (3 was a JSON layout, 2
/// fixed cuts per file, 1 the single-blob index).
pub const INDEX_FORMAT: u32 = 4;

/// Hot-file entry holding the format number.
pub const FORMAT_ENTRY: &str = "zhiku/format";
/// Hot-file entry holding the [`Layout`] (JSON).
pub const LAYOUT_ENTRY: &str = "zhiku/layout.bin";
/// Folder of the chunk files, relative to the hot file.
pub const CHUNK_DIR: &str = "chunks";

/// Size of the fixed cuts of bytes no query pattern claims (fast fields,
/// unread footers): rarely read, so their size hardly matters.
pub const CHUNK_SIZE: usize = 4 * 1024;
/// Chunk size of the doc store (about four 1 KB store blocks: a hit costs
/// one small chunk, and 8 hits fewer files than with 2 KB chunks).
pub const STORE_CHUNK_SIZE: usize = 4 * 1024;
/// Bundles of consecutive term-dictionary blocks (with their terms' postings
/// and positions) grow until they hold at least this many bytes (chosen by
/// measurement, see BENCHMARKS.md).
pub const BUNDLE_SIZE: usize = 8 * 1024;
/// A dictionary block's bundle holds its terms' postings and positions when
/// they weigh at most this many bytes; heavier lists (a larger site's) are
/// cut apart and fetched in a round of their own, for the terms a query
/// looks up only (chosen by measurement, see BENCHMARKS.md).
pub const LISTS_MAX: usize = 32 * 1024;
/// An index whose files total at most this many bytes goes whole into the
/// hot file, with no chunks: on a small site a query reads most of the index
/// anyway, and two fetch rounds cost more than the bytes they save (see
/// BENCHMARKS.md). Sites set it with `[search] whole_index_kb`.
pub const WHOLE_INDEX_MAX: usize = 640 * 1024;

/// Where each tantivy file's bytes are.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Layout {
    /// The files of the index.
    pub files: Vec<FileLayout>,
    /// The chunk files, each a concatenation of byte ranges of the files.
    pub chunks: Vec<Chunk>,
}

/// One tantivy file and its hot ranges (in the hot file).
#[derive(Debug, Clone, PartialEq)]
pub struct FileLayout {
    /// Path inside tantivy's directory.
    pub path: String,
    /// Length in bytes.
    pub len: usize,
    /// Byte ranges held in the hot file, sorted and disjoint (`[start, end)`).
    pub hot: Vec<(usize, usize)>,
}

/// One chunk file: what it holds, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Chunk {
    /// File name, relative to the hot file ([`chunk_name`]).
    pub name: String,
    /// `(file index in [`Layout::files`], start, end)`: the chunk's bytes are
    /// these ranges concatenated.
    pub parts: Vec<(usize, usize, usize)>,
}

impl Chunk {
    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.parts
            .iter()
            .map(|&(_, s, e)| e.saturating_sub(s))
            .sum()
    }

    /// True when the chunk holds no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The file name of a chunk with these bytes: `chunks/<16 hex digits>.bin`,
/// the FNV-1a 64 hash of its bytes (a check against truncated or mixed-up
/// files, not against forgery: the site itself is trusted).
pub fn chunk_name(bytes: &[u8]) -> String {
    format!("{CHUNK_DIR}/{:016x}.bin", fnv64(bytes))
}

/// The chunk names a hot file's layout lists, in the layout's order (the
/// generator reads a previous build's index back with them).
pub fn chunk_names(hot: &[u8]) -> Result<Vec<String>, crate::Error> {
    let entries = crate::blob::unpack(hot)?;
    let layout = entries
        .iter()
        .find(|(n, _)| n == LAYOUT_ENTRY)
        .map(|(_, d)| *d)
        .ok_or(crate::Error::Blob("no layout"))?;
    let layout = Layout::decode(layout)?;
    // A chunk listed twice (the same bytes) is one file.
    let mut seen = std::collections::HashSet::new();
    Ok(layout
        .chunks
        .into_iter()
        .map(|c| c.name)
        .filter(|n| seen.insert(n.clone()))
        .collect())
}

fn fnv64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunk_names_follow_the_bytes() {
        assert_eq!(chunk_name(b"abc"), chunk_name(b"abc"));
        assert_ne!(chunk_name(b"abc"), chunk_name(b"abd"));
        assert!(chunk_name(b"").starts_with("chunks/") && chunk_name(b"").ends_with(".bin"));
        assert_eq!(chunk_name(b"").len(), "chunks/".len() + 16 + 4);
    }
}
