//! The index's `meta.json` read without tantivy's serde readers.
//!
//! The browser runtime's tantivy is patched
//! (`scripts/runtime-patches/tantivy-meta-reader.patch`) to take meta.json
//! from [`read`] instead of deserializing `IndexMeta` and `Schema` itself:
//! that code was 20 KB of the 285 KB gzip module. Only what varies is read
//! from the file (segments, opstamp); the schema and settings are this
//! crate's own ([`schema`], [`index_settings`]), which is sound because
//! every schema change bumps the index format (`the_schema_is_the_one_of_its_index_format`),
//! and a runtime refuses an index of another format. Native builds read
//! meta.json through tantivy as published; a test checks both readings agree.

use serde::Deserialize;
use tantivy::index::SegmentId;
use tantivy::schema::Schema;
use tantivy::IndexSettings;

use crate::schema::{index_settings, schema};

/// What opening an index needs of its meta.json.
#[derive(Debug, Clone, PartialEq)]
pub struct Meta {
    /// The index settings (this crate's).
    pub settings: IndexSettings,
    /// Each segment's id and document count.
    pub segments: Vec<(SegmentId, u32)>,
    /// The schema (this crate's).
    pub schema: Schema,
    /// The last commit's opstamp.
    pub opstamp: u64,
}

#[derive(Deserialize)]
struct File {
    segments: Vec<SegmentEntry>,
    opstamp: u64,
}

#[derive(Deserialize)]
struct SegmentEntry {
    segment_id: String,
    max_doc: u32,
    deletes: Option<serde::de::IgnoredAny>,
}

/// Reads `meta.json` as tantivy wrote it for this crate's schema; an index
/// with deleted documents (which zhiku never writes) is refused.
pub fn read(json: &str) -> Result<Meta, String> {
    // from_slice, as the rest of the index's JSON is read: one JSON reader
    // in the browser module.
    let file: File = serde_json::from_slice(json.as_bytes()).map_err(|e| e.to_string())?;
    let segments = file
        .segments
        .into_iter()
        .map(|s| {
            if s.deletes.is_some() {
                return Err(format!("segment {} has deleted documents", s.segment_id));
            }
            let id = SegmentId::from_uuid_string(&s.segment_id).map_err(|e| e.to_string())?;
            Ok((id, s.max_doc))
        })
        .collect::<Result<_, String>>()?;
    Ok(Meta {
        settings: index_settings(),
        segments,
        schema: schema().0,
        opstamp: file.opstamp,
    })
}

/// Makes the patched tantivy of the browser runtime read meta.json with [`read`].
#[cfg(all(target_arch = "wasm32", feature = "patched-tantivy"))]
pub fn install() {
    // Already set by an earlier open: the same function.
    let _ = tantivy::index::META_READER.set(|json| {
        read(json).map(|m| tantivy::index::MetaParts {
            index_settings: m.settings,
            segments: m.segments,
            schema: m.schema,
            opstamp: m.opstamp,
        })
    });
}

#[cfg(all(test, feature = "writer"))]
mod tests {
    use super::*;
    use crate::lazy::INDEX_FORMAT;

    /// The schema as JSON, with the index format it belongs to.
    const SNAPSHOT: &str = include_str!("schema-of-format.json");

    /// A runtime takes the schema from its own code, not from the index: a
    /// changed schema must come with a new index format, which older
    /// runtimes refuse with a clear message.
    #[test]
    fn the_schema_is_the_one_of_its_index_format() {
        let now = format!(
            "{{\"format\": {INDEX_FORMAT}, \"schema\": {}}}\n",
            serde_json::to_string(&schema().0).unwrap()
        );
        if std::env::var_os("ZHIKU_BLESS").is_some() {
            let path = concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/src/meta/schema-of-format.json"
            );
            std::fs::write(path, &now).unwrap();
            return;
        }
        assert_eq!(
            SNAPSHOT, now,
            "the schema or the index format changed: a changed schema needs a new \
             lazy::INDEX_FORMAT; then ZHIKU_BLESS=1 cargo test -p search-index --features writer meta"
        );
    }

    /// The reading of [`read`] is tantivy's own, for an index this crate built.
    #[test]
    fn read_agrees_with_tantivy() {
        let docs: Vec<crate::Doc> = (0..3)
            .map(|i| crate::Doc {
                id: format!("faq/a/{i}"),
                title: format!("备案问题 {i}"),
                aliases: vec![],
                body: "网站备案需要多久".into(),
                section: String::new(),
                kind: crate::Kind::Faq,
                chapter: "a".into(),
                provinces: vec![],
                url: format!("/faq/a/{i}/"),
            })
            .collect();
        let (index, json) = crate::writer::part_in_ram(docs);
        let ours = read(&json).unwrap();
        let theirs = index.load_metas().unwrap();
        assert_eq!(ours.settings, theirs.index_settings);
        assert_eq!(ours.schema, theirs.schema);
        assert_eq!(ours.opstamp, theirs.opstamp);
        let segments: Vec<(SegmentId, u32)> = theirs
            .segments
            .iter()
            .map(|s| (s.id(), s.max_doc()))
            .collect();
        assert_eq!(ours.segments, segments);
        assert!(theirs.segments.iter().all(|s| !s.has_deletes()));
        assert!(theirs.payload.is_none() && theirs.persisted_custom_extensions.is_empty());
    }
}
