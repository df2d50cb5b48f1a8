//! Page texts for snippets, shipped beside the index in small shards.
//!
//! The index blob holds what ranking needs plus the short stored fields a
//! result shows (title, url, section, kind). The page texts snippets are cut
//! from are a third of the download, so they live in shards of about
//! [`DOCS_PER_SHARD`] documents: the browser shows the first results as soon as
//! the index is in, then fetches only the shards of the hits on screen. Which
//! shard holds a document follows from its id and the document count alone,
//! so the index does not have to store it.

use std::collections::BTreeMap;

use crate::{Doc, Error};

/// Target number of documents per shard.
pub const DOCS_PER_SHARD: usize = 16;

/// Number of shards for an index of `docs` documents.
pub fn shard_count(docs: usize) -> usize {
    docs.div_ceil(DOCS_PER_SHARD).max(1)
}

/// The shard holding document `id` (FNV-1a of the id, so the same everywhere).
pub fn shard_of(id: &str, shards: usize) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in id.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h % shards.max(1) as u32
}

/// Texts by document id: what one shard file holds (JSON object).
pub type Texts = BTreeMap<String, String>;

/// The shard files for `docs`, in shard order (JSON, deterministic bytes).
pub fn shard_files(docs: &[Doc]) -> Result<Vec<Vec<u8>>, Error> {
    let mut files = Vec::new();
    write_shards(docs, |bytes| {
        files.push(bytes);
        Ok::<_, Error>(())
    })?;
    Ok(files)
}

/// [`shard_files`] one at a time: each shard is made from borrowed texts and
/// handed to `put` before the next, so a large site's texts are not copied
/// whole nor all held as files at once.
pub fn write_shards<E: From<Error>>(
    docs: &[Doc],
    mut put: impl FnMut(Vec<u8>) -> Result<(), E>,
) -> Result<(), E> {
    let n = shard_count(docs.len());
    let mut members: Vec<Vec<&Doc>> = vec![Vec::new(); n];
    for d in docs {
        members[shard_of(&d.id, n) as usize].push(d);
    }
    for docs in members {
        // A later document of the same id wins, as in a map insert.
        let texts: BTreeMap<&str, &str> = docs
            .iter()
            .map(|d| (d.id.as_str(), d.body.as_str()))
            .collect();
        put(serde_json::to_vec(&texts).map_err(|e| Error::Json(e.to_string()))?)?;
    }
    Ok(())
}

/// Parses one shard file (or any JSON object of id → text).
pub fn parse(bytes: &[u8]) -> Result<Texts, Error> {
    serde_json::from_slice(bytes).map_err(|e| Error::Json(format!("text shard: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Kind;

    fn doc(id: &str) -> Doc {
        Doc {
            id: id.into(),
            title: id.into(),
            aliases: Vec::new(),
            body: format!("{id} 的正文"),
            section: String::new(),
            kind: Kind::Faq,
            chapter: String::new(),
            provinces: Vec::new(),
            url: format!("/{id}/"),
        }
    }

    #[test]
    fn every_document_is_in_the_shard_its_id_names() {
        let docs: Vec<Doc> = (0..100).map(|i| doc(&format!("faq/c/e{i}"))).collect();
        let files = shard_files(&docs).unwrap();
        assert_eq!(files.len(), shard_count(100));
        assert_eq!(files.len(), 7);
        let mut seen = 0;
        for (n, f) in files.iter().enumerate() {
            for (id, text) in parse(f).unwrap() {
                assert_eq!(shard_of(&id, files.len()) as usize, n);
                assert_eq!(text, format!("{id} 的正文"));
                seen += 1;
            }
        }
        assert_eq!(seen, 100);
    }

    #[test]
    fn shards_are_stable_and_not_lopsided() {
        assert_eq!(
            shard_of("faq/basics/what-is-icp", 28),
            shard_of("faq/basics/what-is-icp", 28)
        );
        let docs: Vec<Doc> = (0..448).map(|i| doc(&format!("faq/c/e{i}"))).collect();
        let sizes: Vec<usize> = shard_files(&docs)
            .unwrap()
            .iter()
            .map(|f| parse(f).unwrap().len())
            .collect();
        assert!(
            sizes.iter().all(|&s| s > 0 && s < 3 * DOCS_PER_SHARD),
            "{sizes:?}"
        );
    }

    #[test]
    fn bad_shards_are_errors() {
        assert!(parse(b"[1, 2]").is_err());
        assert!(parse(b"{\"a\": ").is_err());
        assert_eq!(shard_count(0), 1);
    }
}
