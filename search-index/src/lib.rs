//! Shared code of zhiku's generator and browser runtime: province rule data,
//! the filing-rule checkers ([`rules`]),
//! the Chinese analyser, the index schema, index building (feature `writer`)
//! and the query engine (native and wasm32).

pub mod blob;
pub mod charmap;
pub mod engine;
pub mod lazy;
pub mod meta;
pub mod nfkc;
pub mod pinyin;
pub mod prime;
pub mod province;
pub mod rules;
pub mod schema;
pub mod snippet;
pub mod t2s;
pub mod texts;
pub mod tokenizer;
pub mod vocab;
#[cfg(feature = "writer")]
pub mod writer;

// Two browser modules from one crate: search (the default) and, with the
// `tools-runtime` feature, the checkers, so neither page downloads the other's code.
#[cfg(all(target_arch = "wasm32", not(feature = "tools-runtime")))]
mod wasm;
#[cfg(all(target_arch = "wasm32", feature = "tools-runtime"))]
mod wasm_rules;

pub use engine::{Engine, Hit, SearchRequest, Step};
pub use schema::{Doc, Kind};
pub use vocab::{GlossaryEntry, ProvinceName, Vocabulary};
#[cfg(feature = "writer")]
pub use writer::{build_index, build_index_from, build_index_with, IndexFiles, MemoryIndex};

/// Why building or querying an index failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// tantivy reported an error.
    #[error("tantivy: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    /// The index blob is malformed.
    #[error("index blob: {0}")]
    Blob(&'static str),
    /// A directory operation failed.
    #[error("index directory: {0}")]
    Directory(String),
    /// An index chunk is missing, corrupt or not one of this index's.
    #[error("index chunk: {0}")]
    Chunk(String),
    /// The index was written in a format this runtime does not read.
    #[error("the search index is format {found}, this search runtime reads format {supported}: the site and the runtime come from different zhiku versions (reload the page; if it persists, rebuild the site)")]
    Format {
        /// The index's format.
        found: String,
        /// The format this runtime reads.
        supported: u32,
    },
    /// JSON (synonyms, requests) did not parse.
    #[error("json: {0}")]
    Json(String),
    /// A province filter names no province of the site.
    #[error("unknown province {query:?}; use an id, full name, name or abbreviation:\n{valid}")]
    UnknownProvince {
        /// What was asked for.
        query: String,
        /// One line per province: id, full name, abbreviation.
        valid: String,
    },
}

impl From<tantivy::directory::error::OpenReadError> for Error {
    fn from(e: tantivy::directory::error::OpenReadError) -> Self {
        Error::Directory(e.to_string())
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Directory(e.to_string())
    }
}

/// Test support shared by the generated tables' freshness tests.
#[cfg(test)]
pub(crate) mod generated {
    /// Fails unless the committed file at `path` (relative to the crate) is
    /// `generated`; with `ZHIKU_BLESS` set it is rewritten first. `filter`
    /// is the `cargo test` filter that regenerates it, for the message.
    pub(crate) fn assert_current(rel: &str, generated: &str, filter: &str) {
        assert_current_bytes(rel, generated.as_bytes(), filter);
    }

    /// [`assert_current`] for a generated binary file.
    pub(crate) fn assert_current_bytes(rel: &str, generated: &[u8], filter: &str) {
        let path = format!("{}/{rel}", env!("CARGO_MANIFEST_DIR"));
        if std::env::var_os("ZHIKU_BLESS").is_some() {
            std::fs::write(&path, generated).expect("write the generated file");
        }
        let current = std::fs::read(&path).unwrap_or_default();
        assert!(
            current == generated,
            "{path} is stale: run `ZHIKU_BLESS=1 cargo test -p search-index {filter}`"
        );
    }
}
