//! The build cache of index parts (`.zhiku-cache/<output>/index-parts/`, or
//! memory in `zhiku serve`).
//!
//! A large site's index is made in parts ([`search_index::writer::part_ranges`])
//! that are merged at the end. Each part is kept here under a key of what it
//! was made from, so a build after editing one entry indexes that entry's
//! part again and takes the others from the cache. Groups of consecutive
//! parts, merged, are kept the same way, so that edit merges its own group's
//! parts and then the groups, not every part. A part file starts with
//! the SHA-256 of the rest: a garbled or cut file is not trusted, its part is
//! indexed again. The folder is safe to delete.

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use search_index::writer::{index_part, Part};
use search_index::Doc;
use sha2::{Digest, Sha256};

/// Folder of the parts inside an output's cache folder.
pub const DIR: &str = "index-parts";

/// Version of the part files and of their keys: another one is not read.
const PART_FORMAT: u32 = 1;

/// Extension of a part file.
const EXT: &str = "part";

/// Where index parts are kept between builds.
pub enum PartStore {
    /// In a folder (`zhiku build`: the output's build cache folder).
    Folder(PathBuf),
    /// In memory (`zhiku serve`, which rebuilds the index after each save).
    Memory(Mutex<HashMap<String, Part>>),
}

/// The parts of one build, and their groups, taken from a [`PartStore`] or
/// made and stored.
pub struct PartCache<'a> {
    store: &'a PartStore,
    /// The key of each part of this build, in order.
    keys: Vec<String>,
    /// The key of each group of parts ([`search_index::writer::part_groups`]),
    /// in order. The store's other entries go in [`PartCache::prune`].
    group_keys: Vec<String>,
}

/// The SHA-256 of each part's documents (in order), whose concatenation
/// identifies all of them.
pub fn digests(docs: &[Doc], ranges: &[Range<usize>]) -> Vec<[u8; 32]> {
    use rayon::prelude::*;
    // Every document's text is hashed for this: on every core.
    ranges
        .par_iter()
        .map(|r| {
            let mut h = Sha256::new();
            for d in &docs[r.clone()] {
                feed(&mut h, d);
            }
            h.finalize().into()
        })
        .collect()
}

/// Feeds every field of `d` to `h`, each string after its length, so no
/// two lists of documents feed the same bytes. (Serialising them as JSON
/// for this cost 4 % of an edit's CPU, in escaping.)
fn feed(h: &mut Sha256, d: &Doc) {
    // No `..`: a field added to `Doc` must be fed here before this compiles.
    let Doc {
        id,
        title,
        aliases,
        body,
        section,
        kind,
        chapter,
        provinces,
        url,
    } = d;
    for s in [id, title, body, section, kind.as_str(), chapter, url] {
        feed_text(h, s);
    }
    for list in [aliases, provinces] {
        h.update((list.len() as u64).to_le_bytes());
        for s in list {
            feed_text(h, s);
        }
    }
}

fn feed_text(h: &mut Sha256, s: &str) {
    h.update((s.len() as u64).to_le_bytes());
    h.update(s.as_bytes());
}

impl PartStore {
    /// The store in an output's build cache folder `cache_dir` (created
    /// when a part is stored).
    pub fn folder(cache_dir: &Path) -> PartStore {
        PartStore::Folder(cache_dir.join(DIR))
    }

    /// An empty store in memory.
    pub fn memory() -> PartStore {
        PartStore::Memory(Mutex::default())
    }

    fn get(&self, key: &str) -> Option<Part> {
        match self {
            PartStore::Folder(dir) => read_part(&dir.join(format!("{key}.{EXT}"))),
            PartStore::Memory(parts) => lock(parts).get(key).cloned(),
        }
    }

    fn put(&self, key: &str, part: &Part) {
        match self {
            // A cache that cannot be written only makes the next build slower.
            PartStore::Folder(dir) => {
                let _ = write_part(&dir.join(format!("{key}.{EXT}")), part);
            }
            PartStore::Memory(parts) => {
                lock(parts).insert(key.to_string(), part.clone());
            }
        }
    }

    /// Removes the parts whose key is not in `keep` (and, in a folder, what
    /// a killed build left), so the store holds one site's parts, not every
    /// version's.
    fn retain(&self, keep: &[String]) {
        match self {
            PartStore::Folder(dir) => {
                let Ok(entries) = fs::read_dir(dir) else {
                    return;
                };
                for entry in entries.flatten() {
                    let path = entry.path();
                    let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
                        continue;
                    };
                    let stale = match path.extension().and_then(|e| e.to_str()) {
                        Some(EXT) => !keep.iter().any(|k| k == stem),
                        // Left by a killed build.
                        Some("tmp") => true,
                        _ => false,
                    };
                    if stale {
                        let _ = fs::remove_file(&path);
                    }
                }
            }
            PartStore::Memory(parts) => lock(parts).retain(|k, _| keep.contains(k)),
        }
    }

    /// How many parts the store holds.
    pub fn len(&self) -> usize {
        match self {
            PartStore::Folder(dir) => fs::read_dir(dir).map_or(0, |e| {
                e.flatten()
                    .filter(|e| e.path().extension().is_some_and(|x| x == EXT))
                    .count()
            }),
            PartStore::Memory(parts) => lock(parts).len(),
        }
    }

    /// Whether the store holds no part.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl<'a> PartCache<'a> {
    /// This build's parts in `store`: those whose documents have `digests`,
    /// and their `groups`.
    pub fn new(
        store: &'a PartStore,
        digests: &[[u8; 32]],
        groups: &[Range<usize>],
    ) -> PartCache<'a> {
        let code = code_stamp();
        let group_keys = groups
            .iter()
            .map(|g| {
                // A group is named by its parts' documents.
                let mut h = Sha256::new();
                h.update(b"group");
                for d in &digests[g.clone()] {
                    h.update(d);
                }
                part_key(&code, &h.finalize().into())
            })
            .collect();
        PartCache {
            store,
            keys: digests.iter().map(|d| part_key(&code, d)).collect(),
            group_keys,
        }
    }

    /// Group `j`, from the store or merged from the parts `parts` gives
    /// (and then stored).
    pub fn group(
        &self,
        j: usize,
        parts: impl FnOnce() -> Result<Vec<Part>, search_index::Error>,
    ) -> Result<Part, search_index::Error> {
        if let Some(group) = self.store.get(&self.group_keys[j]) {
            return Ok(group);
        }
        let group = search_index::writer::merge_parts(parts()?)?;
        self.store.put(&self.group_keys[j], &group);
        Ok(group)
    }

    /// Part `i`, from the store or indexed from the documents `docs` gives
    /// (and then stored); they are asked for only when it is indexed.
    pub fn part(
        &self,
        i: usize,
        docs: impl FnOnce() -> Vec<Doc>,
    ) -> Result<Part, search_index::Error> {
        if let Some(part) = self.store.get(&self.keys[i]) {
            return Ok(part);
        }
        let part = index_part(docs())?;
        self.store.put(&self.keys[i], &part);
        Ok(part)
    }

    /// Removes the store's parts and groups this build does not use (the
    /// parts of a stored group stay: an edit in it merges them again).
    pub fn prune(&self) {
        let keep: Vec<String> = self.keys.iter().chain(&self.group_keys).cloned().collect();
        self.store.retain(&keep);
    }
}

/// What every part's bytes depend on besides its documents: this version of
/// zhiku, its index code and the renumbering's table (hashed once per build).
fn code_stamp() -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(PART_FORMAT.to_le_bytes());
    h.update(env!("CARGO_PKG_VERSION"));
    h.update(search_index::lazy::INDEX_FORMAT.to_le_bytes());
    // The search module's hash changes with the index code it shares with the writer.
    h.update(super::content_hash(super::RUNTIME_WASM));
    h.update(search_index::charmap::COMMON);
    h.finalize().into()
}

/// The key of the part whose documents have `digest`, made by the code
/// [`code_stamp`] stands for.
fn part_key(code: &[u8; 32], digest: &[u8; 32]) -> String {
    let mut h = Sha256::new();
    h.update(code);
    h.update(digest);
    super::content_hash(&h.finalize())
}

/// A stored part whose checksum holds.
fn read_part(path: &Path) -> Option<Part> {
    let bytes = fs::read(path).ok()?;
    let (sum, rest) = bytes.split_at_checked(32)?;
    if Sha256::digest(rest).as_slice() != sum {
        return None;
    }
    Part::from_bytes(rest).ok()
}

/// Stores a part: its checksum, then its bytes, written to a temporary file
/// renamed into place (a killed build leaves no half file under the key).
fn write_part(path: &Path, part: &Part) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    let bytes = part.to_bytes();
    let tmp = path.with_extension("tmp");
    let mut file = fs::File::create(&tmp)?;
    file.write_all(&Sha256::digest(&bytes))?;
    file.write_all(&bytes)?;
    drop(file);
    fs::rename(&tmp, path)
}
