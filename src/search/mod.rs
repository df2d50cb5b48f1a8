//! The search index and runtime written under `public/search/`.
//!
//! Every FAQ entry, rejection, province and tool page becomes a
//! [`search_index::Doc`]; the index (a hot file and content-hashed chunks
//! under `search/chunks/`, see [`search_index::lazy`]), its text shards, the wasm runtime
//! (search and checker modules, committed under
//! `themes/default/search-runtime/` and embedded here, so building a site
//! never needs the wasm toolchain) and the loader get content-hashed names.

mod docs;
pub mod parts;

use search_index::lazy::ChunkSizes;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::content::Site;
use crate::render::{OutputFile, SearchAssets};

pub use docs::{site_docs, take_site_docs};

/// The wasm module (wasm-bindgen output, optimised).
pub const RUNTIME_WASM: &[u8] =
    include_bytes!("../../themes/default/search-runtime/zhiku_search_bg.wasm");
/// The wasm-bindgen JS glue (an ES module).
pub const RUNTIME_GLUE: &[u8] =
    include_bytes!("../../themes/default/search-runtime/zhiku_search.js");
/// The rule checkers' wasm module (wasm-bindgen output, optimised).
pub const TOOLS_WASM: &[u8] =
    include_bytes!("../../themes/default/search-runtime/zhiku_tools_bg.wasm");
/// The checkers' wasm-bindgen JS glue (an ES module).
pub const TOOLS_GLUE: &[u8] = include_bytes!("../../themes/default/search-runtime/zhiku_tools.js");
/// The loader pages use (`window.zhikuSearch`).
pub const RUNTIME_LOADER: &[u8] = include_bytes!("../../themes/default/search-runtime/loader.js");

/// Folder of the search files inside the output.
pub const DIR: &str = "search";

/// Search files for the output and the URLs templates need.
pub struct SearchOutput {
    /// URLs for templates.
    pub assets: SearchAssets,
    /// Files to write.
    pub files: Vec<OutputFile>,
}

/// What `manifest.<hash>.json` holds: where the runtime's parts are, as URLs
/// relative to the manifest.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct Manifest {
    /// Format version.
    pub version: u32,
    /// Format of the index files ([`search_index::lazy::INDEX_FORMAT`]): a
    /// runtime that reads another one says so instead of failing obscurely.
    pub index_format: u32,
    /// URL of the index's hot file; the chunk names the engine asks for are
    /// relative to it.
    pub index: String,
    /// URL of the wasm module.
    pub wasm: String,
    /// URL of the wasm-bindgen JS glue (ES module).
    pub glue: String,
    /// URLs of the text shards (page texts for snippets), in shard order.
    pub texts: Vec<String>,
    /// URL of the checkers' wasm module.
    pub tools_wasm: String,
    /// URL of the checkers' JS glue (ES module).
    pub tools_glue: String,
    /// Number of indexed documents.
    pub docs: usize,
    /// A query the loader runs once the index is open and no search is
    /// waiting (the first document's title), so the module's code is compiled
    /// before someone types: browsers compile wasm functions when first
    /// called. Empty (and left out) for a site without documents.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub warm: String,
}

/// First 12 hex digits of the SHA-256 of `bytes` (cache-busting file names).
pub fn content_hash(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().take(6).map(|b| format!("{b:02x}")).collect()
}

fn hashed(stem: &str, ext: &str, bytes: &[u8]) -> String {
    format!("{DIR}/{stem}.{}.{ext}", content_hash(bytes))
}

/// The line of the committed loader that the build fills in with the
/// runtime's file names (see [`loader`]).
const LOADER_RUNTIME_LINE: &str = "var RUNTIME = null;";

/// The runtime's files (content-hashed names in `search/`): the search module
/// and the checkers' module, each wasm and glue.
struct RuntimeFiles {
    wasm: String,
    glue: String,
    tools_wasm: String,
    tools_glue: String,
}

fn runtime_files() -> RuntimeFiles {
    RuntimeFiles {
        wasm: hashed("zhiku-search", "wasm", RUNTIME_WASM),
        glue: hashed("zhiku-search", "js", RUNTIME_GLUE),
        tools_wasm: hashed("zhiku-tools", "wasm", TOOLS_WASM),
        tools_glue: hashed("zhiku-tools", "js", TOOLS_GLUE),
    }
}

/// The loader as the build writes it: the committed one with the runtime's
/// file names (relative to the loader, which sits beside them) filled in, so
/// it starts the module's download at once instead of after the manifest.
/// They depend on the binary only, so the loader's name stays the same from
/// build to build and pages do not change with the index.
fn loader() -> &'static [u8] {
    static LOADER: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    LOADER.get_or_init(|| {
        let files = runtime_files();
        let names = serde_json::json!({
            "wasm": beside_manifest(&files.wasm),
            "glue": beside_manifest(&files.glue),
            "tools_wasm": beside_manifest(&files.tools_wasm),
            "tools_glue": beside_manifest(&files.tools_glue),
        });
        let text = String::from_utf8_lossy(RUNTIME_LOADER);
        text.replacen(LOADER_RUNTIME_LINE, &format!("var RUNTIME = {names};"), 1)
            .into_bytes()
    })
}

/// Version of [`Manifest`]; 3: file URLs relative to the manifest, so the
/// site works under any path; 4: `index` is a hot file with chunks beside
/// it, and `index_format` names their format.
pub const MANIFEST_VERSION: u32 = 4;

/// The URL of an output file of `search/` relative to the manifest beside it.
fn beside_manifest(path: &str) -> String {
    path.strip_prefix(&format!("{DIR}/"))
        .unwrap_or(path)
        .to_string()
}

/// What the site's search files add to its documents: synonyms, the English
/// glossary and every province's names.
pub fn vocabulary(site: &Site) -> search_index::Vocabulary {
    search_index::Vocabulary {
        synonyms: site.synonyms.word_groups(),
        glossary: site
            .glossary
            .terms
            .iter()
            .map(|t| search_index::GlossaryEntry {
                en: t.en.clone(),
                zh: t.zh.clone(),
            })
            .collect(),
        provinces: site
            .provinces
            .iter()
            .map(|p| search_index::ProvinceName {
                id: p.data.id.clone(),
                name: p.data.name.clone(),
                short_name: p.data.short_name.clone(),
            })
            .collect(),
    }
}

/// The index files of a site, exactly as [`build_assets`] writes them.
pub fn index_blob(site: &Site) -> Result<search_index::IndexFiles, String> {
    search_index::build_index_from(
        site_docs(site).map_err(|e| e.to_string())?,
        &vocabulary(site),
        chunk_sizes(&site.config.search),
    )
    .map_err(|e| e.to_string())
}

/// How the site's `[search]` settings cut the index.
pub fn chunk_sizes(config: &crate::content::SearchConfig) -> ChunkSizes {
    ChunkSizes {
        whole: usize::try_from(config.whole_index_kb.saturating_mul(1024)).unwrap_or(usize::MAX),
        ..ChunkSizes::default()
    }
}

/// Builds the search index and runtime files for a site.
pub fn build_assets(site: &Site) -> Result<SearchOutput, String> {
    build_assets_with(site, None)
}

/// [`build_assets`] taking the index parts that did not change from `parts`
/// (and storing the others there).
pub fn build_assets_with(
    site: &Site,
    parts: Option<&parts::PartStore>,
) -> Result<SearchOutput, String> {
    let files = write_files(
        site_docs(site).map_err(|e| e.to_string())?,
        &vocabulary(site),
        chunk_sizes(&site.config.search),
        None,
        parts,
        Ok::<_, std::convert::Infallible>,
    )
    .map_err(|e| match e {
        WriteError::Index(message) => message,
        WriteError::Put(never) => match never {},
    })?;
    Ok(SearchOutput {
        assets: assets(),
        files,
    })
}

/// What decides the search files' contents: the documents, the site's
/// vocabulary ([`vocabulary`]: synonyms, glossary, province names) and the
/// runtime (whose hash changes with the index code, see
/// `scripts/check-runtime.sh`) and the chunk sizes. A previous build's index
/// is reused when its key is the same (see [`write_files`]).
pub fn input_key(
    digests: &[[u8; 32]],
    vocabulary: &search_index::Vocabulary,
    sizes: ChunkSizes,
) -> String {
    let mut h = Sha256::new();
    h.update(MANIFEST_VERSION.to_le_bytes());
    h.update(search_index::lazy::INDEX_FORMAT.to_le_bytes());
    for size in [
        sizes.chunk,
        sizes.store,
        sizes.bundle,
        sizes.lists_max,
        sizes.whole,
    ] {
        h.update((size as u64).to_le_bytes());
    }
    for part in [
        RUNTIME_WASM,
        RUNTIME_GLUE,
        TOOLS_WASM,
        TOOLS_GLUE,
        RUNTIME_LOADER,
    ] {
        h.update(content_hash(part));
    }
    // The documents, by their parts' digests (see [`parts::digests`]).
    for d in digests {
        h.update(d);
    }
    // Streamed into the hash. Serialising plain strings and vectors cannot fail.
    let _ = serde_json::to_writer(HashWriter(&mut h), vocabulary);
    content_hash(&h.finalize())
}

/// Feeds what is written to it into a SHA-256.
struct HashWriter<'a>(&'a mut Sha256);

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The URLs pages embed for the search files. The manifest's name is the
/// same in every build (the loader revalidates it), so pages do not change
/// when only the index does: a one-entry edit rewrites that entry's pages,
/// not the whole site. Everything the manifest names is content-hashed.
pub fn assets() -> SearchAssets {
    SearchAssets {
        loader: format!("/{}", hashed("loader", "js", loader())),
        manifest: format!("/{DIR}/manifest.json"),
    }
}

/// The index of a previous build in `output` made from the same inputs (its
/// manifest copy has the same name), read back so an unchanged index is
/// neither rebuilt nor given new bytes: its hot file and every chunk its
/// layout names, each checked against its name.
fn previous_index(output: &std::path::Path, key: &str) -> Option<search_index::IndexFiles> {
    let dir = output.join(DIR);
    let bytes = std::fs::read(dir.join(format!("manifest.{key}.json"))).ok()?;
    let manifest: Manifest = serde_json::from_slice(&bytes).ok()?;
    let hot = std::fs::read(dir.join(&manifest.index)).ok()?;
    if !manifest.index.contains(&content_hash(&hot)) {
        return None;
    }
    let chunks = search_index::lazy::chunk_names(&hot)
        .ok()?
        .into_iter()
        .map(|name| {
            let bytes = std::fs::read(dir.join(&name)).ok()?;
            (search_index::lazy::chunk_name(&bytes) == name).then_some((name, bytes))
        })
        .collect::<Option<Vec<_>>>()?;
    Some(search_index::IndexFiles { hot, chunks })
}

/// Why [`write_files`] stopped.
#[derive(Debug)]
pub enum WriteError<E> {
    /// The index or its text shards could not be made.
    Index(String),
    /// Storing a file failed.
    Put(E),
}

impl<E> From<search_index::Error> for WriteError<E> {
    fn from(e: search_index::Error) -> Self {
        WriteError::Index(e.to_string())
    }
}

/// Makes the search files for `docs` and hands each to `put` as soon as it
/// is made: the text shards first, then the index, which frees each document
/// once indexed (a large site's texts are not held while its index is cut);
/// gives what `put` returned in the order the files are listed (index,
/// runtime, loader, manifests, text shards, chunks), the same in every build.
/// With `previous` (the output folder about to be replaced) an index built
/// there from the same inputs is reused; with `cache` the index parts whose
/// documents did not change are taken from there ([`parts`]); the index is
/// cut by `sizes`.
pub fn write_files<T, E>(
    docs: Vec<search_index::Doc>,
    vocabulary: &search_index::Vocabulary,
    sizes: ChunkSizes,
    previous: Option<&std::path::Path>,
    cache: Option<&parts::PartStore>,
    mut put: impl FnMut(OutputFile) -> Result<T, E>,
) -> Result<Vec<T>, WriteError<E>> {
    let mut put =
        |path: String, bytes: Vec<u8>| put(OutputFile { path, bytes }).map_err(WriteError::Put);
    let ranges = search_index::writer::part_ranges(&docs);
    let digests = parts::digests(&docs, &ranges);
    let key = input_key(&digests, vocabulary, sizes);
    let doc_count = docs.len();
    let warm = docs.first().map(|d| d.title.clone()).unwrap_or_default();
    let mut texts = Vec::new();
    let mut text_puts = Vec::new();
    let mut write_texts = |docs: &[search_index::Doc]| {
        search_index::texts::write_shards::<WriteError<E>>(docs, |bytes| {
            let path = hashed(&format!("text-{}", texts.len()), "json", &bytes);
            texts.push(beside_manifest(&path));
            text_puts.push(put(path, bytes)?);
            Ok(())
        })
    };
    let reused = previous.and_then(|p| previous_index(p, &key));
    let built = match reused {
        Some(built) => {
            write_texts(&docs)?;
            built
        }
        // One part: its index takes the documents whole, after the texts
        // (a 50,000-entry build's peak memory would not hold a copy).
        None if ranges.len() == 1 => {
            write_texts(&docs)?;
            build_one_part(docs, vocabulary, sizes).map_err(|e| WriteError::Index(e.to_string()))?
        }
        // Several parts: the text shards are written while the parts are
        // made and merged (a one-entry edit's longest path otherwise waits
        // on both in turn); a part's documents are copied only to index it.
        None => {
            let built = std::thread::scope(|s| {
                let index =
                    s.spawn(|| build_parts(&docs, &ranges, &digests, vocabulary, sizes, cache));
                let texts = write_texts(&docs);
                let built = index
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                texts.map(|()| built)
            })?;
            built.map_err(|e| WriteError::Index(e.to_string()))?
        }
    };
    let index = hashed("index", "bin", &built.hot);
    let index_put = put(index.clone(), built.hot)?;
    // Chunk names are content hashes relative to the hot file (in `search/`).
    let chunks = built
        .chunks
        .into_iter()
        .map(|(name, bytes)| put(format!("{DIR}/{name}"), bytes))
        .collect::<Result<Vec<_>, _>>()?;
    let RuntimeFiles {
        wasm,
        glue,
        tools_wasm,
        tools_glue,
    } = runtime_files();
    let assets = assets();
    let loader_path = assets.loader.trim_start_matches('/').to_string();
    let manifest = Manifest {
        version: MANIFEST_VERSION,
        index_format: search_index::lazy::INDEX_FORMAT,
        index: beside_manifest(&index),
        wasm: beside_manifest(&wasm),
        glue: beside_manifest(&glue),
        texts,
        tools_wasm: beside_manifest(&tools_wasm),
        tools_glue: beside_manifest(&tools_glue),
        docs: doc_count,
        warm,
    };
    let manifest_bytes =
        serde_json::to_vec_pretty(&manifest).map_err(|e| WriteError::Index(e.to_string()))?;
    let mut out = vec![
        index_put,
        put(wasm, RUNTIME_WASM.to_vec())?,
        put(glue, RUNTIME_GLUE.to_vec())?,
        put(tools_wasm, TOOLS_WASM.to_vec())?,
        put(tools_glue, TOOLS_GLUE.to_vec())?,
        put(loader_path, loader().to_vec())?,
        // What pages, the loader and the CLI read.
        put(
            assets.manifest.trim_start_matches('/').to_string(),
            manifest_bytes.clone(),
        )?,
        // The same, named by the inputs: how the next build finds an index
        // it can reuse (`previous_index`).
        put(format!("{DIR}/manifest.{key}.json"), manifest_bytes)?,
    ];
    out.extend(text_puts);
    out.extend(chunks);
    Ok(out)
}

/// The index of a one-part site's `docs`, handed over whole: a copy of
/// every document would cost another 10 MB at a 50,000-entry build's peak.
/// (A one-part site's part is its whole index: the reuse of an unchanged
/// index covers it, and a part cache would only take room.)
fn build_one_part(
    docs: Vec<search_index::Doc>,
    vocabulary: &search_index::Vocabulary,
    sizes: ChunkSizes,
) -> Result<search_index::IndexFiles, search_index::Error> {
    let made = vec![search_index::writer::index_part(docs)?];
    search_index::writer::finish(made, vocabulary, sizes)
}

/// The index of `docs`, made part by part (`ranges`, whose documents'
/// digests are `digests`); with `cache`, the unchanged parts come from the
/// build cache and the others are stored there.
fn build_parts(
    docs: &[search_index::Doc],
    ranges: &[std::ops::Range<usize>],
    digests: &[[u8; 32]],
    vocabulary: &search_index::Vocabulary,
    sizes: ChunkSizes,
    cache: Option<&parts::PartStore>,
) -> Result<search_index::IndexFiles, search_index::Error> {
    use rayon::prelude::*;
    let groups = search_index::writer::part_groups(ranges.len());
    let cache = cache.map(|store| parts::PartCache::new(store, digests, &groups));
    // The parts are independent: they are made on the threads that render
    // the pages, in order; so are the groups they are merged in.
    let part = |i: usize| {
        let docs = || docs[ranges[i].clone()].to_vec();
        match &cache {
            Some(cache) => cache.part(i, docs),
            None => search_index::writer::index_part(docs()),
        }
    };
    let group_parts = |g: &std::ops::Range<usize>| {
        g.clone()
            .into_par_iter()
            .map(part)
            .collect::<Result<Vec<_>, _>>()
    };
    let made = groups
        .par_iter()
        .enumerate()
        .map(|(j, g)| match &cache {
            Some(cache) => cache.group(j, || group_parts(g)),
            None => search_index::writer::merge_parts(group_parts(g)?),
        })
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(cache) = &cache {
        cache.prune();
    }
    search_index::writer::finish(made, vocabulary, sizes)
}

/// Why the built index could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A file could not be read.
    #[error("reading {path}")]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The manifest is not valid JSON.
    #[error("{path}: {message}")]
    Manifest {
        /// The manifest file.
        path: std::path::PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The index blob did not load.
    #[error(transparent)]
    Index(#[from] search_index::Error),
}

/// Path of the un-hashed manifest inside an output folder.
pub fn manifest_path(output: &std::path::Path) -> std::path::PathBuf {
    output.join(DIR).join("manifest.json")
}

/// The newest file under `content` modified after the index in `output` was
/// last built, if any: the index may no longer reflect the content.
pub fn newer_than_index(
    content: &std::path::Path,
    output: &std::path::Path,
) -> Option<std::path::PathBuf> {
    let written = std::fs::metadata(manifest_path(output))
        .and_then(|m| m.modified())
        .ok()?;
    // A rebuild that left the index as it was keeps the manifest's old mtime
    // (incremental output), so the build cache tells when the last build
    // was; without a cache (deleted, or an output copied in), the manifest's
    // own time.
    let built = crate::output::last_build(output).map_or(written, |t| t.max(written));
    let mut newest: Option<(std::time::SystemTime, std::path::PathBuf)> = None;
    let mut stack = vec![content.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(meta) = entry.metadata() else {
                continue;
            };
            if meta.is_dir() {
                stack.push(path);
            } else if let Ok(t) = meta.modified() {
                if t > built && newest.as_ref().is_none_or(|(n, _)| t > *n) {
                    newest = Some((t, path));
                }
            }
        }
    }
    newest.map(|(_, p)| p)
}

/// The index of a built site, read from its files the way the browser reads
/// them: the hot file first, then only the chunks and text shards a search
/// needs (a local-file fetcher in place of HTTP).
pub struct SiteSearch {
    engine: search_index::Engine,
    /// `<output>/search`: the manifest's URLs are relative to it.
    dir: std::path::PathBuf,
    /// Text shard URLs, in shard order.
    texts: Vec<String>,
}

fn read_file(path: std::path::PathBuf) -> Result<Vec<u8>, LoadError> {
    std::fs::read(&path).map_err(|source| LoadError::Io { path, source })
}

/// The local-file fetcher of a built site's `search/` folder: what the
/// browser's loader does over HTTP.
fn chunk_reader(
    dir: &std::path::Path,
) -> impl FnMut(&str) -> Result<Vec<u8>, search_index::Error> + '_ {
    move |name: &str| {
        read_file(dir.join(name))
            .map_err(|e| search_index::Error::Chunk(crate::diagnostics::error_chain(&e)))
    }
}

impl SiteSearch {
    /// Runs a search; fills in every hit's snippet.
    pub fn search(
        &mut self,
        req: &search_index::SearchRequest,
    ) -> Result<Vec<search_index::Hit>, LoadError> {
        let mut fetch = chunk_reader(&self.dir);
        let hits = self.engine.search(req, &mut fetch)?;
        let mut shards: Vec<u32> = hits.iter().filter_map(|h| h.text_shard).collect();
        if shards.is_empty() {
            return Ok(hits);
        }
        shards.sort_unstable();
        shards.dedup();
        for n in shards {
            let url =
                self.texts
                    .get(n as usize)
                    .ok_or(LoadError::Index(search_index::Error::Blob(
                        "a hit names a text shard the manifest lacks",
                    )))?;
            self.engine.add_texts(&read_file(self.dir.join(url))?)?;
        }
        Ok(self.engine.search(req, &mut fetch)?)
    }

    /// Pages to offer when `req` has no good match ([`search_index::Engine::suggestions`]).
    pub fn suggestions(
        &self,
        req: &search_index::SearchRequest,
    ) -> Result<Vec<search_index::Hit>, LoadError> {
        let mut fetch = chunk_reader(&self.dir);
        Ok(self.engine.suggestions(req, &mut fetch)?)
    }

    /// The province id a filter names ([`search_index::Engine::province_id`]).
    pub fn province_id(&self, form: &str) -> Result<String, search_index::Error> {
        self.engine.province_id(form)
    }

    /// Number of indexed documents.
    pub fn num_docs(&self) -> u64 {
        self.engine.num_docs()
    }

    /// Number of index chunks read so far.
    pub fn loaded_chunks(&self) -> usize {
        self.engine.loaded_chunks()
    }
}

/// Opens the index of a built site (`<output>/search/manifest.json`).
pub fn load_engine(output: &std::path::Path) -> Result<SiteSearch, LoadError> {
    let path = manifest_path(output);
    let manifest: Manifest =
        serde_json::from_slice(&read_file(path.clone())?).map_err(|e| LoadError::Manifest {
            path: path.clone(),
            message: format!(
                "{e} (written by another zhiku version? this one reads manifest version {MANIFEST_VERSION}; rebuild the site)"
            ),
        })?;
    if manifest.version != MANIFEST_VERSION {
        return Err(LoadError::Manifest {
            path,
            message: format!(
                "index format {} was written by another zhiku version (this one reads {MANIFEST_VERSION}); rebuild the site",
                manifest.version
            ),
        });
    }
    if manifest.index_format != search_index::lazy::INDEX_FORMAT {
        return Err(LoadError::Manifest {
            path,
            message: format!(
                "the search index is format {}, this zhiku reads format {}; rebuild the site with this version",
                manifest.index_format,
                search_index::lazy::INDEX_FORMAT
            ),
        });
    }
    let dir = output.join(DIR);
    let engine = search_index::Engine::open(&read_file(dir.join(&manifest.index))?)?;
    Ok(SiteSearch {
        engine,
        dir,
        texts: manifest.texts,
    })
}

/// Plain text of a highlighted fragment (tags dropped, entities decoded).
pub fn plain_text(html: &str) -> String {
    html.replace("<mark>", "")
        .replace("</mark>", "")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_written_loader_names_the_runtime_it_was_built_with() {
        let text = String::from_utf8(loader().to_vec()).unwrap();
        assert!(!text.contains(LOADER_RUNTIME_LINE), "placeholder left");
        let files = runtime_files();
        for name in [files.wasm, files.glue, files.tools_wasm, files.tools_glue] {
            assert!(
                text.contains(&format!("\"{}\"", beside_manifest(&name))),
                "{name}"
            );
        }
        // Named by what it holds.
        assert!(assets().loader.contains(&content_hash(loader())));
    }
}
