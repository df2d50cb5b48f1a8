//! The typed tantivy schema and the document type the generator indexes.

use serde::{Deserialize, Serialize};
use tantivy::schema::document::{DeserializeError, DocumentDeserialize, DocumentDeserializer};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, STORED, STRING,
};
use tantivy::store::Compressor;
use tantivy::IndexSettings;

use crate::tokenizer::{GRAMS, PINYIN, UNIGRAMS};

/// What a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A FAQ entry.
    Faq,
    /// A rejection reason.
    Rejection,
    /// A province page.
    Province,
    /// A tool page (decision tree, comparison).
    Tool,
}

impl Kind {
    /// Stable lower-case name, as stored in the index.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Faq => "faq",
            Kind::Rejection => "rejection",
            Kind::Province => "province",
            Kind::Tool => "tool",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Kind> {
        Some(match s {
            "faq" => Kind::Faq,
            "rejection" => Kind::Rejection,
            "province" => Kind::Province,
            "tool" => Kind::Tool,
            _ => return None,
        })
    }
}

/// One document to index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Doc {
    /// Content id, e.g. `faq/basics/overseas-server`.
    pub id: String,
    /// Title shown in results.
    pub title: String,
    /// Other phrasings and keywords (weighted like the title).
    pub aliases: Vec<String>,
    /// Plain text of the page.
    pub body: String,
    /// Source section number (may be empty).
    pub section: String,
    /// What it is.
    pub kind: Kind,
    /// FAQ chapter slug (empty for other kinds).
    pub chapter: String,
    /// Province ids it is specific to.
    pub provinces: Vec<String>,
    /// URL path of the page.
    pub url: String,
}

/// Handles of every field of the schema.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// Content id (stored only: no query looks it up, and indexing it cost ~4 KB gzip).
    pub id: Field,
    /// Title (bigrams, stored).
    pub title: Field,
    /// Aliases and tags (bigrams).
    pub aliases: Field,
    /// Body text (bigrams; not stored: snippets come from the text shards).
    pub body: Field,
    /// Title and aliases as CJK unigrams, for characters no bigram covers
    /// (one-character queries). Body unigrams would cost ~50 KB of postings.
    pub unigrams: Field,
    /// Pinyin terms of title and aliases (see [`crate::pinyin`]).
    pub pinyin: Field,
    /// Source section number (stored only, shown with results).
    pub section: Field,
    /// Kind (exact, stored).
    pub kind: Field,
    /// Chapter slug (exact).
    pub chapter: Field,
    /// Province ids (exact, multi-valued).
    pub provinces: Field,
    /// URL path (stored only).
    pub url: Field,
}

fn text(tokenizer: &str, record: IndexRecordOption, stored: bool) -> TextOptions {
    let opts = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(record),
    );
    if stored {
        opts.set_stored()
    } else {
        opts
    }
}

/// Builds the schema.
pub fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let pos = IndexRecordOption::WithFreqsAndPositions;
    let fields = Fields {
        id: b.add_text_field("id", STORED),
        title: b.add_text_field("title", text(GRAMS, pos, true)),
        aliases: b.add_text_field("aliases", text(GRAMS, pos, false)),
        body: b.add_text_field("body", text(GRAMS, IndexRecordOption::WithFreqs, false)),
        unigrams: b.add_text_field("unigrams", text(UNIGRAMS, IndexRecordOption::Basic, false)),
        pinyin: b.add_text_field("pinyin", text(PINYIN, IndexRecordOption::WithFreqs, false)),
        section: b.add_text_field("section", STORED),
        kind: b.add_text_field("kind", STRING | STORED),
        chapter: b.add_text_field("chapter", STRING),
        provinces: b.add_text_field("provinces", STRING),
        url: b.add_text_field("url", STORED),
    };
    (b.build(), fields)
}

/// Doc store block size: small, so showing a hit fetches one small chunk.
pub const STORE_BLOCK: usize = 1024;

/// The settings every index is written with.
pub fn index_settings() -> IndexSettings {
    IndexSettings {
        // Chunks travel gzip/brotli-compressed; an uncompressed store
        // compresses far better over the wire than lz4 blocks do.
        docstore_compression: Compressor::None,
        docstore_blocksize: STORE_BLOCK,
        ..IndexSettings::default()
    }
}

/// A hit's stored fields as the engine reads them: every stored field is
/// text, so its values are read as strings only. (tantivy's own document
/// type reads any value, JSON objects included, which puts serde_json's
/// value code into the browser module.)
#[derive(Debug, Default)]
pub struct StoredTexts(Vec<(Field, String)>);

impl StoredTexts {
    /// The first value of `field`, or "" when the document has none.
    pub fn first(&self, field: Field) -> &str {
        self.0
            .iter()
            .find(|(f, _)| *f == field)
            .map_or("", |(_, v)| v.as_str())
    }
}

impl DocumentDeserialize for StoredTexts {
    fn deserialize<'de, D>(mut deserializer: D) -> Result<Self, DeserializeError>
    where
        D: DocumentDeserializer<'de>,
    {
        let mut values = Vec::with_capacity(deserializer.size_hint());
        while let Some(entry) = deserializer.next_field::<String>()? {
            values.push(entry);
        }
        Ok(StoredTexts(values))
    }
}

/// Looks the fields up in an existing schema by name.
pub fn fields_of(schema: &Schema) -> tantivy::Result<Fields> {
    let f = |name: &str| schema.get_field(name);
    Ok(Fields {
        id: f("id")?,
        title: f("title")?,
        aliases: f("aliases")?,
        body: f("body")?,
        unigrams: f("unigrams")?,
        pinyin: f("pinyin")?,
        section: f("section")?,
        kind: f("kind")?,
        chapter: f("chapter")?,
        provinces: f("provinces")?,
        url: f("url")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The browser runtime is built with tantivy's fast-field fallback of
    /// TermQuery removed (scripts/runtime-patches/): that is only sound while
    /// no field is a fast field and every field a query names is indexed.
    #[test]
    fn no_fast_fields_and_every_queried_field_is_indexed() {
        let (schema, f) = schema();
        assert!(schema.fields().all(|(_, e)| !e.is_fast()));
        for field in [
            f.title,
            f.aliases,
            f.body,
            f.unigrams,
            f.pinyin,
            f.kind,
            f.provinces,
        ] {
            assert!(schema.get_field_entry(field).is_indexed());
        }
    }
}

#[cfg(all(test, feature = "writer"))]
mod stored_tests {
    use super::*;
    use tantivy::schema::Value;
    use tantivy::{DocAddress, TantivyDocument};

    /// The engine's reader of stored fields gives what tantivy's own
    /// document type reads, field by field.
    #[test]
    fn stored_texts_read_what_tantivy_reads() {
        let doc = crate::Doc {
            id: "faq/a/1".into(),
            title: "网站备案要多久 \"引号\" <b>".into(),
            aliases: vec!["备案时长".into()],
            body: "正文".into(),
            section: "第 1 节".into(),
            kind: Kind::Rejection,
            chapter: "a".into(),
            provinces: vec!["广东".into()],
            url: "/faq/a/1/".into(),
        };
        let (index, _) = crate::writer::part_in_ram(vec![doc]);
        let searcher = index.reader().unwrap().searcher();
        let addr = DocAddress::new(0, 0);
        let ours: StoredTexts = searcher.doc(addr).unwrap();
        let theirs: TantivyDocument = searcher.doc(addr).unwrap();
        let f = fields_of(&index.schema()).unwrap();
        for field in [f.id, f.title, f.section, f.kind, f.url, f.body] {
            let expected = theirs
                .get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or("");
            assert_eq!(ours.first(field), expected);
        }
        assert_eq!(ours.first(f.title), "网站备案要多久 \"引号\" <b>");
        assert_eq!(ours.first(f.kind), "rejection");
        assert_eq!(ours.first(f.body), "", "the body is not stored");
    }
}
