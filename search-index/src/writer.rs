//! Index building (native only): documents → tantivy index in RAM → the hot
//! file and its chunks (see [`crate::lazy`]).

use std::cell::Cell;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use tantivy::directory::{Directory, RamDirectory};
use tantivy::store::Compressor;
use tantivy::{Index, IndexSettings, TantivyDocument};

use crate::blob;
use crate::charmap::CharMap;
use crate::lazy::{self, ChunkSizes};
use crate::pinyin::PinyinTable;
use crate::schema::{schema, Doc};
use crate::vocab::Vocabulary;
use crate::{tokenizer, Engine, Error, Hit, SearchRequest};

/// Segment id written into the blob instead of tantivy's random one, so the
/// same documents always give the same bytes (and the same content hash).
const FIXED_SEGMENT: &str = "0000000000004000800000005a484b55";

/// Doc store block size: small, so showing a hit fetches one small chunk.
const STORE_BLOCK: usize = 1024;

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
    let (schema, f) = schema();
    let dir = RamDirectory::create();
    let settings = IndexSettings {
        // Chunks travel gzip/brotli-compressed; an uncompressed store
        // compresses far better over the wire than lz4 blocks do.
        docstore_compression: Compressor::None,
        docstore_blocksize: STORE_BLOCK,
        ..IndexSettings::default()
    };
    let index = Index::create(dir.clone(), schema, settings)?;
    let map = Arc::new(CharMap::from_texts(docs.iter().flat_map(|d| {
        [d.title.as_str(), d.body.as_str()]
            .into_iter()
            .chain(d.aliases.iter().map(String::as_str))
    })));
    tokenizer::register(&index, &map);
    let pinyin = PinyinTable::for_texts(docs.iter().flat_map(|d| {
        std::iter::once(d.title.as_str()).chain(d.aliases.iter().map(String::as_str))
    }));
    // One thread keeps document ids in input order (ties rank the same everywhere).
    let mut writer = index.writer_with_num_threads::<TantivyDocument>(1, 50_000_000)?;
    // Each document is dropped as soon as the writer has its own copy.
    for d in docs {
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
        writer.add_document(doc)?;
    }
    writer.commit()?;
    let ids = index.searchable_segment_ids()?;
    if ids.len() > 1 {
        writer.merge(&ids).wait()?;
    }
    writer.wait_merging_threads()?;

    let metas = index.load_metas()?;
    let segments = &metas.segments;
    let rename: Option<String> = match segments.as_slice() {
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
        files.push((fix(path.to_string_lossy().into_owned()), data));
    }
    // `files` are copies: the writer's own go before the split makes more.
    drop(index);
    drop(dir);
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
