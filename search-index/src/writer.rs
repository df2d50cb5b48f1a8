//! Index building (native only): documents → tantivy index in RAM → the hot
//! file and its chunks (see [`crate::lazy`]).

use std::cell::Cell;
use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use tantivy::directory::{Directory, RamDirectory};
use tantivy::{Index, TantivyDocument};

use crate::blob;
use crate::charmap::CharMap;
use crate::lazy::{self, ChunkSizes};
use crate::pinyin::PinyinTable;
use crate::schema::{index_settings, schema, Doc};
use crate::vocab::Vocabulary;
use crate::{tokenizer, Engine, Error, Hit, SearchRequest};

/// Segment id written into the blob instead of tantivy's random one, so the
/// same documents always give the same bytes (and the same content hash).
const FIXED_SEGMENT: &str = "0000000000004000800000005a484b55";

/// A built index: the hot file and the chunks it names.
#[derive(Debug)]
pub struct IndexFiles {
    /// The hot file (what opening the index needs).
    pub hot: Vec<u8>,
    /// Chunk files: name (relative to the hot file, `chunks/….bin`) and bytes.
    pub chunks: Vec<(String, Vec<u8>)>,
}

impl IndexFiles {
    /// Opens the index with its chunks held in memory, fetched from there as
    /// a search asks for them (tests, benchmarks).
    pub fn open(self) -> Result<MemoryIndex, Error> {
        Ok(MemoryIndex {
            engine: Engine::open(&self.hot)?,
            chunks: self.chunks.into_iter().collect(),
            fetched: Cell::new(0),
        })
    }
}

/// An index whose chunks are in memory: searches go through the same fetch
/// loop as the browser's and the CLI's, counting the chunks they fetch.
pub struct MemoryIndex {
    /// The engine (add text shards to it directly).
    pub engine: Engine,
    chunks: HashMap<String, Vec<u8>>,
    fetched: Cell<usize>,
}

impl MemoryIndex {
    /// Runs a search, fetching chunks from memory.
    pub fn search(&self, req: &SearchRequest) -> Result<Vec<Hit>, Error> {
        self.engine.search(req, &mut |name| self.fetch(name))
    }

    /// [`Engine::suggestions`], fetching chunks from memory.
    pub fn suggestions(&self, req: &SearchRequest) -> Result<Vec<Hit>, Error> {
        self.engine.suggestions(req, &mut |name| self.fetch(name))
    }

    /// One chunk from memory, counted.
    fn fetch(&self, name: &str) -> Result<Vec<u8>, Error> {
        self.fetched.set(self.fetched.get() + 1);
        self.chunks
            .get(name)
            .cloned()
            .ok_or_else(|| Error::Chunk(format!("{name} is not in this index")))
    }

    /// [`Engine::add_texts`].
    pub fn add_texts(&mut self, shard: &[u8]) -> Result<usize, Error> {
        self.engine.add_texts(shard)
    }

    /// The bytes of chunk `name`.
    pub fn chunk(&self, name: &str) -> Option<&[u8]> {
        self.chunks.get(name).map(Vec::as_slice)
    }

    /// Chunks fetched so far.
    pub fn fetched(&self) -> usize {
        self.fetched.get()
    }
}

/// Indexes `docs` (in order) with the default chunk sizes.
pub fn build_index(docs: &[Doc], vocab: &Vocabulary) -> Result<IndexFiles, Error> {
    build_index_with(docs, vocab, ChunkSizes::default())
}

/// Indexes `docs` (in order) and cuts the index, the site's vocabulary and
/// the pinyin of its characters into the hot file and chunks of the given sizes.
pub fn build_index_with(
    docs: &[Doc],
    vocab: &Vocabulary,
    sizes: ChunkSizes,
) -> Result<IndexFiles, Error> {
    build_index_from(docs.to_vec(), vocab, sizes)
}

/// [`build_index_with`] taking the documents: each is freed once the writer
/// has it, so a large site's texts are not all held while its index is cut.
pub fn build_index_from(
    docs: Vec<Doc>,
    vocab: &Vocabulary,
    sizes: ChunkSizes,
) -> Result<IndexFiles, Error> {
    let ranges = part_ranges(&docs);
    let mut docs = docs.into_iter();
    let mut parts = ranges
        .iter()
        .map(|r| index_part(docs.by_ref().take(r.len())))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter();
    let groups = part_groups(ranges.len())
        .into_iter()
        .map(|g| merge_parts(parts.by_ref().take(g.len()).collect()))
        .collect::<Result<Vec<_>, _>>()?;
    finish(groups, vocab, sizes)
}

/// A part may end only once it has this many documents.
const PART_MIN: usize = 512;
/// One document id in this many ends a part (once it has [`PART_MIN`]).
const PART_CUT: u64 = 512;
/// Parts merged into one group, which a build cache keeps too: an edit
/// indexes its part (about a thousand documents) again, merges its group,
/// then merges the few groups, instead of merging every part (the cost of a
/// merge grows with the number of segments: BENCHMARKS.md, stop 29).
const GROUP_PARTS: usize = 4;
/// A site with fewer documents is indexed as one part, so nothing is merged.
const ONE_PART_BELOW: usize = 2048;
/// A site with more documents is indexed as one part too: at 50,000
/// documents, parts built 12 % faster but their merge, beside the last pages
/// rendering, took the peak memory some 16 MB over the 500 MB the build
/// stays within as one part (BENCHMARKS.md, stop 17).
const ONE_PART_ABOVE: usize = 30_000;

/// Where the documents' parts are: each part is indexed on its own (and can
/// be kept by a build cache), then the parts are merged in order. Sites of
/// fewer than [`ONE_PART_BELOW`] or more than [`ONE_PART_ABOVE`] documents
/// are one part. A part ends
/// after a document chosen by a hash of its id, not at a fixed count, so
/// adding or removing one document changes the part it is in and no other.
pub fn part_ranges(docs: &[Doc]) -> Vec<Range<usize>> {
    if docs.len() < ONE_PART_BELOW || docs.len() > ONE_PART_ABOVE {
        return std::iter::once(0..docs.len()).collect();
    }
    let mut ranges = Vec::new();
    let mut start = 0;
    for (i, d) in docs.iter().enumerate() {
        if i + 1 - start >= PART_MIN && fnv1a(d.id.as_bytes()).is_multiple_of(PART_CUT) {
            ranges.push(start..i + 1);
            start = i + 1;
        }
    }
    if start < docs.len() {
        ranges.push(start..docs.len());
    }
    ranges
}

/// The groups of [`part_ranges`]'s parts (ranges of their indices), in
/// order: [`GROUP_PARTS`] parts each, the last one fewer. The index is the
/// groups merged ([`merge_parts`], then [`finish`]).
pub fn part_groups(parts: usize) -> Vec<Range<usize>> {
    (0..parts)
        .step_by(GROUP_PARTS)
        .map(|start| start..(start + GROUP_PARTS).min(parts))
        .collect()
}

/// FNV-1a: a hash that stays the same across Rust releases.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Entry of a part's blob naming the characters its texts renumber (a
/// [`CharMap`]'s ranking).
const PART_CHARMAP: &str = "zhiku/part-charmap.txt";
/// Entry of a part's blob listing the characters of its titles and aliases
/// (what the pinyin table needs).
const PART_TITLE_CHARS: &str = "zhiku/part-title-chars.txt";

/// One part of an index: the files of a one-segment tantivy index of some
/// documents, which [`finish`] merges with the others, and what the hot
/// file needs of their texts. Its bytes depend on its own documents only: a
/// character's code comes from a fixed table ([`crate::charmap::COMMON`])
/// and a title's pinyin from its own characters.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    files: Vec<(String, Vec<u8>)>,
    map: CharMap,
    title_chars: String,
}

impl Part {
    /// The part as one blob (what a build cache stores).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut entries = vec![
            (
                PART_CHARMAP.to_string(),
                self.map.order().as_bytes().to_vec(),
            ),
            (
                PART_TITLE_CHARS.to_string(),
                self.title_chars.as_bytes().to_vec(),
            ),
        ];
        entries.extend(self.files.iter().cloned());
        blob::pack(&entries)
    }

    /// A part from [`Part::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Part, Error> {
        let mut entries = blob::unpack(bytes)?.into_iter();
        let mut text = |name: &str| match entries.next() {
            Some((n, data)) if n == name => std::str::from_utf8(data)
                .map(str::to_string)
                .map_err(|_| Error::Blob("a part's text is not UTF-8")),
            _ => Err(Error::Blob("not an index part")),
        };
        let map = CharMap::from_order(&text(PART_CHARMAP)?);
        let title_chars = text(PART_TITLE_CHARS)?;
        let files = entries.map(|(name, data)| (name, data.to_vec())).collect();
        Ok(Part {
            files,
            map,
            title_chars,
        })
    }

    /// The part's files in a directory of their own, opened as an index.
    fn open(self) -> Result<Index, Error> {
        let dir = RamDirectory::create();
        for (path, data) in self.files {
            dir.atomic_write(Path::new(&path), &data)?;
        }
        Ok(Index::open(dir)?)
    }
}

/// Indexes one part's documents, in order; each is dropped as soon as the
/// writer has its own copy.
pub fn index_part(docs: impl IntoIterator<Item = Doc>) -> Result<Part, Error> {
    let docs: Vec<Doc> = docs.into_iter().collect();
    let map = Arc::new(CharMap::from_texts(docs.iter().flat_map(|d| {
        [d.title.as_str(), d.body.as_str()]
            .into_iter()
            .chain(d.aliases.iter().map(String::as_str))
    })));
    let mut title_chars: Vec<char> = docs
        .iter()
        .flat_map(|d| std::iter::once(&d.title).chain(&d.aliases))
        .flat_map(|t| tokenizer::normalize(t).chars().collect::<Vec<_>>())
        .filter(|&c| tokenizer::is_cjk(c))
        .collect();
    title_chars.sort_unstable();
    title_chars.dedup();
    let title_chars: String = title_chars.into_iter().collect();
    let pinyin = PinyinTable::for_texts([title_chars.as_str()]);

    let (schema, f) = schema();
    let dir = RamDirectory::create();
    let index = Index::create(dir.clone(), schema, index_settings())?;
    tokenizer::register(&index, &map);
    // One thread keeps document ids in input order (ties rank the same everywhere).
    let mut writer = index.writer_with_num_threads::<TantivyDocument>(1, 50_000_000)?;
    // Segments are merged here, once, not by a background policy that could
    // take some of them first.
    writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
    for d in docs {
        writer.add_document(document(&f, &pinyin, d))?;
    }
    writer.commit()?;
    let ids = index.searchable_segment_ids()?;
    if ids.len() > 1 {
        writer.merge(&ids).wait()?;
    }
    writer.wait_merging_threads()?;
    Ok(Part {
        files: index_files(&index, &dir)?,
        map: Arc::unwrap_or_clone(map),
        title_chars,
    })
}

/// The tantivy document of `d`.
fn document(f: &crate::schema::Fields, pinyin: &PinyinTable, d: Doc) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(f.id, &d.id);
    doc.add_text(f.title, &d.title);
    for a in &d.aliases {
        doc.add_text(f.aliases, a);
    }
    doc.add_text(f.body, &d.body);
    doc.add_text(f.unigrams, &d.title);
    for a in &d.aliases {
        doc.add_text(f.unigrams, a);
    }
    let pinyin_terms: Vec<String> = std::iter::once(&d.title)
        .chain(&d.aliases)
        .flat_map(|t| pinyin.doc_terms(t))
        .collect();
    doc.add_text(f.pinyin, pinyin_terms.join(" "));
    doc.add_text(f.section, &d.section);
    doc.add_text(f.kind, d.kind.as_str());
    doc.add_text(f.chapter, &d.chapter);
    for p in &d.provinces {
        doc.add_text(f.provinces, p);
    }
    doc.add_text(f.url, &d.url);
    doc
}

/// Merges `parts` (in order) into one segment and cuts it, the site's
/// vocabulary, the pinyin table and the renumbering of all the parts'
/// characters into the hot file and chunks.
pub fn finish(
    parts: Vec<Part>,
    vocab: &Vocabulary,
    sizes: ChunkSizes,
) -> Result<IndexFiles, Error> {
    let map = CharMap::union(parts.iter().map(|p| &p.map));
    let pinyin = PinyinTable::for_texts(parts.iter().map(|p| p.title_chars.as_str()));
    let files = merged_files(parts)?;
    let split = lazy::split(files, sizes)?;
    let mut entries = vec![
        (
            lazy::FORMAT_ENTRY.to_string(),
            lazy::INDEX_FORMAT.to_string().into_bytes(),
        ),
        (lazy::LAYOUT_ENTRY.to_string(), split.layout.encode()?),
    ];
    entries.extend(split.hot);
    entries.push((blob::SYNONYMS.to_string(), json(&vocab.synonyms)?));
    entries.push((blob::GLOSSARY.to_string(), json(&vocab.glossary)?));
    entries.push((blob::PROVINCES.to_string(), json(&vocab.provinces)?));
    entries.push((blob::PINYIN.to_string(), pinyin.to_text().into_bytes()));
    entries.push((blob::CHARMAP.to_string(), map.order().as_bytes().to_vec()));
    Ok(IndexFiles {
        hot: blob::pack(&entries),
        chunks: split.chunks,
    })
}

/// Merges `parts` (in order) into one part: their documents in one
/// segment, and their characters. (The bytes depend on how the parts were
/// grouped before: tantivy's merges are not associative byte for byte, so
/// every build groups the same parts the same way, [`part_groups`].)
pub fn merge_parts(parts: Vec<Part>) -> Result<Part, Error> {
    let map = CharMap::union(parts.iter().map(|p| &p.map));
    let mut chars: Vec<char> = parts.iter().flat_map(|p| p.title_chars.chars()).collect();
    chars.sort_unstable();
    chars.dedup();
    Ok(Part {
        files: merged_files(parts)?,
        map,
        title_chars: chars.into_iter().collect(),
    })
}

/// The files of the one-segment index of `parts` (merged in order).
fn merged_files(parts: Vec<Part>) -> Result<Vec<(String, Vec<u8>)>, Error> {
    match <[Part; 1]>::try_from(parts) {
        Ok([one]) => Ok(one.files),
        Err(parts) => {
            let indices = parts
                .into_iter()
                .map(Part::open)
                .collect::<Result<Vec<_>, _>>()?;
            let dir = RamDirectory::create();
            let merged = tantivy::indexer::merge_indices(&indices, dir.clone())?;
            drop(indices);
            index_files(&merged, &dir)
        }
    }
}

/// The files of a one-segment index in `dir` (taken out of it), its segment renamed to
/// [`FIXED_SEGMENT`] so the same documents always give the same bytes.
fn index_files(index: &Index, dir: &RamDirectory) -> Result<Vec<(String, Vec<u8>)>, Error> {
    let metas = index.load_metas()?;
    let rename: Option<String> = match metas.segments.as_slice() {
        [one] => Some(one.id().uuid_string()),
        _ => None,
    };
    let fix = |s: String| match &rename {
        Some(old) => s
            .replace(old.as_str(), FIXED_SEGMENT)
            .replace(&hyphenated(old), &hyphenated(FIXED_SEGMENT)),
        None => s,
    };
    let mut files = Vec::new();
    let meta = dir.atomic_read(Path::new("meta.json"))?;
    let meta = String::from_utf8(meta).map_err(|_| Error::Blob("meta.json is not UTF-8"))?;
    files.push(("meta.json".to_string(), fix(meta).into_bytes()));
    let mut paths: Vec<_> = metas.list_segment_files().into_iter().collect();
    paths.sort();
    for path in paths {
        if !dir.exists(&path)? {
            continue;
        }
        let data = dir.atomic_read(&path)?;
        // The directory's copy goes at once: a large index is not held twice.
        dir.delete(&path)
            .map_err(|e| Error::Directory(e.to_string()))?;
        files.push((fix(path.to_string_lossy().into_owned()), data));
    }
    Ok(files)
}

/// `8-4-4-4-12` form of a 32-hex-digit uuid (how meta.json spells segment ids).
fn hyphenated(simple: &str) -> String {
    let (a, rest) = simple.split_at(8);
    let (b, rest) = rest.split_at(4);
    let (c, rest) = rest.split_at(4);
    let (d, e) = rest.split_at(4);
    format!("{a}-{b}-{c}-{d}-{e}")
}

fn json<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, Error> {
    serde_json::to_vec(value).map_err(|e| Error::Json(e.to_string()))
}

/// An index part opened from memory, with its `meta.json` (tests reading
/// what tantivy wrote).
#[cfg(test)]
pub(crate) fn part_in_ram(docs: Vec<Doc>) -> (Index, String) {
    use tantivy::directory::{Directory, RamDirectory};
    let part = index_part(docs).unwrap().to_bytes();
    let dir = RamDirectory::create();
    let mut meta = String::new();
    for (name, data) in crate::blob::unpack(&part).unwrap() {
        if name == "meta.json" {
            meta = String::from_utf8(data.to_vec()).unwrap();
        }
        if !name.starts_with("zhiku/") {
            dir.atomic_write(std::path::Path::new(&name), data).unwrap();
        }
    }
    (Index::open(dir).unwrap(), meta)
}
