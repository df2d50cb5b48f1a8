//! Querying (native and wasm): the hot file → a searcher, a request → ranked
//! hits, fetching the index chunks the request needs (see [`crate::lazy`]).
//!
//! Ranking is one tantivy query: BM25 over title, aliases and body with field
//! boosts and OR semantics, plus phrase clauses on adjacent query terms (so
//! text containing the query's words *together* wins), synonym expansions at
//! a lower weight, and CJK unigrams at a very low weight for one-character
//! queries.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tantivy::collector::TopDocs;
use tantivy::postings::TermInfo;
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{Index, ReloadPolicy, Searcher, TantivyDocument, Term as TantivyTerm};

use crate::charmap::CharMap;
use crate::schema::{fields_of, Fields};
use crate::snippet::{self, Marks};
use crate::tokenizer::{self, analyze, is_cjk, normalize, Mode, Term};
use crate::lazy::{self, LazyDirectory, Layout};
use crate::{blob, texts, Error};

/// Boost of a match in the title.
const TITLE: f32 = 3.0;
/// Boost of a match in the aliases.
const ALIASES: f32 = 2.0;
/// Boost of a match in the body.
const BODY: f32 = 1.0;
/// Extra weight of two adjacent query terms found adjacent in the text.
const PHRASE: f32 = 0.5;
/// Weight of terms that come from a synonym of a query word.
const SYNONYM: f32 = 0.45;
/// Weight of question filler (怎么, 什么, 吗…): present in almost every question, rarely the point.
const FILLER: f32 = 0.2;
/// Weight of single-character matches (only decisive for one-character queries).
const UNIGRAM: f32 = 0.1;
/// Most hits one request may ask for.
pub const MAX_LIMIT: usize = 100;
/// Characters of a query that are analysed; the rest of a pasted text is ignored
/// so one request stays cheap.
pub const MAX_QUERY_CHARS: usize = 200;

/// Bigrams of question words; their weight is cut to [`FILLER`].
const FILLER_GRAMS: &[&str] = &[
    "怎么", "什么", "如何", "怎样", "咋办", "么办", "为什", "为啥", "请问", "一下", "是不", "不是",
    "要不", "不要", "能不", "不能", "可不", "有没", "哪里", "哪些", "多少", "是否", "能否", "可以",
    "需要", "应该", "还是", "或者", "么样", "哪个",
];
/// Particles; a bigram containing one spans a word boundary and gets [`FILLER`].
const PARTICLES: &[char] = &[
    '吗', '呢', '吧', '啊', '呀', '么', '的', '了', '嘛', '咋', '啥',
];

fn default_limit() -> usize {
    10
}

/// One search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchRequest {
    /// What the user typed.
    pub query: String,
    /// Most hits to return (1..=[`MAX_LIMIT`]).
    #[serde(default = "default_limit")]
    pub limit: usize,
    /// Only this kind (faq, rejection, province, tool).
    #[serde(default)]
    pub kind: Option<String>,
    /// Only documents specific to this province id.
    #[serde(default)]
    pub province: Option<String>,
}

impl SearchRequest {
    /// A request for `query` with the default limit and no filters.
    pub fn new(query: &str) -> Self {
        SearchRequest {
            query: query.to_string(),
            limit: default_limit(),
            kind: None,
            province: None,
        }
    }
}

/// One ranked result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    /// Content id.
    pub id: String,
    /// Title as written.
    pub title: String,
    /// URL path.
    pub url: String,
    /// faq, rejection, province or tool.
    pub kind: String,
    /// Source section number (may be empty).
    pub section: String,
    /// Relevance score (higher is better).
    pub score: f32,
    /// Title, HTML-escaped, matches in `<mark>`.
    pub title_html: String,
    /// Body excerpt, HTML-escaped, matches in `<mark>`; empty while the
    /// page's text is not loaded (see `text_shard`).
    pub snippet_html: String,
    /// The text shard to load (`Engine::add_texts`) for this hit's snippet;
    /// absent when the snippet is already there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_shard: Option<u32>,
}

/// Most fetch rounds one search may take (a cold query takes three: term
/// dictionary blocks, then postings and field norms, then stored fields).
pub const MAX_ROUNDS: usize = 8;

/// What one attempt at a search gave.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// The ranked hits.
    Hits(Vec<Hit>),
    /// These chunks (names relative to the hot file) must be added with
    /// [`Engine::add_chunk`] before the search can go on; fetch them together.
    Need(Vec<String>),
}

/// An opened index, ready to answer queries.
pub struct Engine {
    searcher: Searcher,
    dir: LazyDirectory,
    fields: Fields,
    synonyms: Vec<Vec<String>>,
    /// The index's term encoding.
    map: Arc<CharMap>,
    /// Page texts loaded so far, by document id (for snippets).
    texts: HashMap<String, String>,
}

/// A query term with its weight.
#[derive(Debug, Clone)]
struct Weighted {
    terms: Vec<Term>,
    weight: f32,
}

fn filler_factor(text: &str) -> f32 {
    if FILLER_GRAMS.contains(&text) || text.chars().any(|c| PARTICLES.contains(&c)) {
        FILLER
    } else {
        1.0
    }
}

/// True when `word` occurs in `text` not glued to other Latin letters or digits.
fn contains_word(text: &str, word: &str) -> bool {
    if word.is_empty() {
        return false;
    }
    let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        let first = word.chars().next();
        let last = word.chars().next_back();
        let glued_before = alnum(first) && alnum(before);
        let glued_after = alnum(last) && alnum(after);
        !glued_before && !glued_after
    })
}

impl Engine {
    /// Opens a hot file written by `build_index`; chunks come later, as
    /// searches ask for them.
    pub fn open(hot: &[u8]) -> Result<Engine, Error> {
        let entries = blob::unpack(hot)?;
        let entry = |name: &str| entries.iter().find(|(n, _)| n == name).map(|(_, d)| *d);
        let format = entry(lazy::FORMAT_ENTRY).map(|f| String::from_utf8_lossy(f).into_owned());
        if format.as_deref() != Some(lazy::INDEX_FORMAT.to_string().as_str()) {
            return Err(Error::Format {
                found: format.unwrap_or_else(|| "1".into()),
                supported: lazy::INDEX_FORMAT,
            });
        }
        let layout: Layout = match entry(lazy::LAYOUT_ENTRY) {
            Some(l) => serde_json::from_slice(l).map_err(|e| Error::Json(e.to_string()))?,
            None => return Err(Error::Blob("no layout")),
        };
        let synonyms: Vec<Vec<String>> = match entry(blob::SYNONYMS) {
            Some(s) => serde_json::from_slice(s).map_err(|e| Error::Json(e.to_string()))?,
            None => Vec::new(),
        };
        let map = match entry(blob::CHARMAP) {
            Some(order) => CharMap::from_order(
                std::str::from_utf8(order).map_err(|_| Error::Blob("charmap is not UTF-8"))?,
            ),
            None => CharMap::default(),
        };
        let dir = LazyDirectory::new(&layout, entry)?;
        let opened = Self::open_dir(dir.clone());
        if !dir.missing().is_empty() {
            return Err(Error::Blob("the hot file lacks bytes opening the index reads"));
        }
        let (searcher, fields, map) = opened.map(|(s, f)| (s, f, map))?;
        let map = Arc::new(map);
        let synonyms = synonyms
            .into_iter()
            .map(|g| g.iter().map(|w| normalize(w)).collect())
            .collect();
        let engine = Engine {
            searcher,
            dir,
            fields,
            synonyms,
            map,
            texts: HashMap::new(),
        };
        tokenizer::register(engine.searcher.index(), &engine.map);
        Ok(engine)
    }

    fn open_dir(dir: LazyDirectory) -> Result<(Searcher, Fields), Error> {
        let index = Index::open(dir)?;
        let fields = fields_of(&index.schema())?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok((reader.searcher(), fields))
    }

    /// Adds a fetched chunk (`name` as [`Step::Need`] gave it); fails when the
    /// bytes are not that chunk's (truncated, corrupted, another file).
    pub fn add_chunk(&self, name: &str, bytes: &[u8]) -> Result<(), Error> {
        self.dir.add_chunk(name, bytes)
    }

    /// Number of index chunks loaded so far.
    pub fn loaded_chunks(&self) -> usize {
        self.dir.loaded_chunks()
    }

    /// Adds the page texts of one shard file (see [`texts`]); returns how many it held.
    pub fn add_texts(&mut self, shard: &[u8]) -> Result<usize, Error> {
        let texts = texts::parse(shard)?;
        let n = texts.len();
        self.texts.extend(texts);
        Ok(n)
    }

    /// Number of indexed documents.
    pub fn num_docs(&self) -> u64 {
        self.searcher.num_docs()
    }

    /// The query as analysed parts: the query itself, then synonym expansions.
    fn parts(&self, query: &str) -> Vec<Weighted> {
        let mut parts = vec![Weighted {
            terms: analyze(query, Mode::Grams),
            weight: 1.0,
        }];
        let q = normalize(query);
        for group in &self.synonyms {
            if !group.iter().any(|w| contains_word(&q, w)) {
                continue;
            }
            for w in group.iter().filter(|w| !contains_word(&q, w)) {
                parts.push(Weighted {
                    terms: analyze(w, Mode::Grams),
                    weight: SYNONYM,
                });
            }
        }
        parts
    }

    /// The index term for analysed `text` in a text field.
    fn term(&self, field: Field, text: &str) -> TantivyTerm {
        TantivyTerm::from_field_text(field, &self.map.encode(text))
    }

    fn term_query(&self, field: Field, text: &str, boost: f32) -> Box<dyn Query> {
        let q = TermQuery::new(self.term(field, text), IndexRecordOption::WithFreqs);
        Box::new(BoostQuery::new(Box::new(q), boost))
    }

    /// The scoring query and the marks for highlighting; `None` when the query has no terms.
    fn scoring_query(&self, query: &str) -> Option<(Box<dyn Query>, Marks)> {
        let f = &self.fields;
        let fields = [(f.title, TITLE), (f.aliases, ALIASES), (f.body, BODY)];
        let parts = self.parts(query);
        // BTreeMaps keep clause order stable, so scores sum in the same order everywhere.
        let mut terms: BTreeMap<String, f32> = BTreeMap::new();
        let mut pairs: BTreeMap<(String, String), f32> = BTreeMap::new();
        let mut marks = Marks::default();
        for part in &parts {
            for t in &part.terms {
                let w = part.weight * filler_factor(&t.text);
                let e = terms.entry(t.text.clone()).or_insert(0.0);
                *e = e.max(w);
                if w > FILLER * part.weight || part.terms.len() == 1 {
                    marks.grams.insert(t.text.clone());
                }
                let mut chars = t.text.chars();
                if let (Some(c), None) = (chars.next(), chars.next()) {
                    if is_cjk(c) {
                        marks.chars.insert(t.text.clone());
                    }
                }
            }
            for w in part.terms.windows(2) {
                if w[1].position == w[0].position + 1 {
                    let weight =
                        part.weight * filler_factor(&w[0].text).min(filler_factor(&w[1].text));
                    let e = pairs
                        .entry((w[0].text.clone(), w[1].text.clone()))
                        .or_insert(0.0);
                    *e = e.max(weight);
                }
            }
        }
        if terms.is_empty() {
            return None;
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (text, w) in &terms {
            for (field, boost) in fields {
                clauses.push((Occur::Should, self.term_query(field, text, boost * w)));
            }
        }
        for ((a, b), w) in &pairs {
            for (field, boost) in [(f.title, TITLE), (f.aliases, ALIASES)] {
                let q = PhraseQuery::new_with_offset(vec![
                    (0, self.term(field, a)),
                    (1, self.term(field, b)),
                ]);
                clauses.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(q), boost * PHRASE * w)),
                ));
            }
        }
        // Unigrams only for CJK characters the bigrams cannot cover (a lone
        // character between non-CJK text, or a one-character query): every
        // other character is already inside a query bigram, and common ones
        // (备, 案…) would make every document a candidate.
        let mut unigrams: Vec<&String> = marks.chars.iter().collect();
        unigrams.sort();
        for u in unigrams {
            clauses.push((Occur::Should, self.term_query(f.unigrams, u, UNIGRAM)));
        }
        Some((Box::new(BooleanQuery::new(clauses)), marks))
    }

    fn filter(field: Field, value: &str) -> (Occur, Box<dyn Query>) {
        let q = TermQuery::new(
            TantivyTerm::from_field_text(field, value),
            IndexRecordOption::Basic,
        );
        (
            Occur::Must,
            Box::new(ConstScoreQuery::new(Box::new(q), 0.0)),
        )
    }

    /// Runs a search, fetching what it needs with `fetch` (chunk name →
    /// bytes): the loop the browser's loader runs too, so both rank alike.
    pub fn search(
        &self,
        req: &SearchRequest,
        fetch: &mut dyn FnMut(&str) -> Result<Vec<u8>, Error>,
    ) -> Result<Vec<Hit>, Error> {
        for _ in 0..MAX_ROUNDS {
            match self.search_step(req)? {
                Step::Hits(hits) => return Ok(hits),
                Step::Need(names) => {
                    for name in names {
                        let bytes = fetch(&name)?;
                        self.add_chunk(&name, &bytes)?;
                    }
                }
            }
        }
        Err(Error::Chunk(format!(
            "search still missing chunks after {MAX_ROUNDS} rounds"
        )))
    }

    /// Reads what `query` will read, so one failed attempt names every chunk
    /// of its stage at once: term-dictionary blocks of every term, then (once
    /// those are in) their postings, positions and the fields' norms.
    fn warm(&self, query: &dyn Query) {
        let mut terms: Vec<(&TantivyTerm, bool)> = Vec::new();
        query.query_terms(&mut |t, positions| terms.push((t, positions)));
        let fields: BTreeSet<Field> = terms.iter().map(|(t, _)| t.field()).collect();
        for segment in self.searcher.segment_readers() {
            for &field in &fields {
                let _ = segment.get_fieldnorms_reader(field);
            }
            for &(term, positions) in &terms {
                let Ok(inv) = segment.inverted_index(term.field()) else {
                    continue;
                };
                if let Ok(Some(info)) = inv.get_term_info(term) {
                    let _ = inv.read_postings_from_terminfo(&info, IndexRecordOption::WithFreqs);
                    if positions {
                        // The positions alone (no postings: an empty list), so
                        // they are asked for in the same round as the postings.
                        let positions_only = TermInfo {
                            doc_freq: 0,
                            postings_range: 0..0,
                            positions_range: info.positions_range,
                        };
                        let _ = inv.read_postings_from_terminfo(
                            &positions_only,
                            IndexRecordOption::WithFreqsAndPositions,
                        );
                    }
                }
            }
        }
    }

    /// A tantivy error, or the chunks it was missing.
    fn fault(&self, e: tantivy::TantivyError) -> Result<Step, Error> {
        let missing = self.dir.missing();
        if missing.is_empty() {
            Err(e.into())
        } else {
            Ok(Step::Need(missing))
        }
    }

    /// One attempt at a search: the hits, or the chunks to fetch first. An
    /// empty or term-less query gives no hits.
    pub fn search_step(&self, req: &SearchRequest) -> Result<Step, Error> {
        self.dir.clear_missing();
        let query = match req.query.char_indices().nth(MAX_QUERY_CHARS) {
            Some((end, _)) => &req.query[..end],
            None => req.query.as_str(),
        };
        let Some((scoring, marks)) = self.scoring_query(query) else {
            return Ok(Step::Hits(Vec::new()));
        };
        let f = &self.fields;
        let mut clauses = vec![(Occur::Must, scoring)];
        if let Some(kind) = req.kind.as_deref().filter(|k| !k.is_empty()) {
            clauses.push(Self::filter(f.kind, kind));
        }
        if let Some(p) = req.province.as_deref().filter(|p| !p.is_empty()) {
            clauses.push(Self::filter(f.provinces, p));
        }
        let query = BooleanQuery::new(clauses);
        let limit = req.limit.clamp(1, MAX_LIMIT);
        let top = match self
            .searcher
            .search(&query, &TopDocs::with_limit(limit).order_by_score())
        {
            Ok(top) => top,
            Err(e) => {
                self.warm(&query);
                return self.fault(e);
            }
        };
        // Every hit's stored fields in one round.
        let mut docs: Vec<(f32, TantivyDocument)> = Vec::with_capacity(top.len());
        let mut failed = None;
        for (score, addr) in top {
            match self.searcher.doc::<TantivyDocument>(addr) {
                Ok(doc) => docs.push((score, doc)),
                Err(e) => failed = Some(e),
            }
        }
        if let Some(e) = failed {
            return self.fault(e);
        }
        let shards = texts::shard_count(self.searcher.num_docs() as usize);
        let mut hits = Vec::with_capacity(docs.len());
        for (score, doc) in docs {
            let get = |field: Field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            let title = get(f.title);
            let id = get(f.id);
            let (snippet_html, text_shard) = match self.texts.get(&id) {
                Some(text) => (snippet::snippet(text, &marks), None),
                None => (String::new(), Some(texts::shard_of(&id, shards))),
            };
            hits.push(Hit {
                id,
                title_html: snippet::highlight(&title, &marks),
                snippet_html,
                text_shard,
                title,
                url: get(f.url),
                kind: get(f.kind),
                section: get(f.section),
                score,
            });
        }
        Ok(Step::Hits(hits))
    }
}

#[cfg(all(test, feature = "writer"))]
mod tests {
    use super::*;
    use crate::{build_index, Doc, Kind, MemoryIndex};

    fn doc(id: &str, title: &str, body: &str, kind: Kind, provinces: &[&str]) -> Doc {
        Doc {
            id: id.into(),
            title: title.into(),
            aliases: Vec::new(),
            body: body.into(),
            section: String::new(),
            kind,
            chapter: String::new(),
            provinces: provinces.iter().map(|p| p.to_string()).collect(),
            url: format!("/{id}/"),
        }
    }

    fn engine() -> MemoryIndex {
        let docs = [
            doc(
                "a",
                "域名实名认证",
                "域名要先完成实名认证才能备案。",
                Kind::Faq,
                &[],
            ),
            doc(
                "b",
                "管局审核时间",
                "通信管理局审核一般需要 20 个工作日。",
                Kind::Faq,
                &[],
            ),
            doc(
                "c",
                "广东省规则",
                "广东的网站名称禁用词。",
                Kind::Province,
                &["guangdong"],
            ),
        ];
        let synonyms = vec![vec!["管局".to_string(), "通信管理局".to_string()]];
        let mut e = build_index(&docs, &synonyms).unwrap().open().unwrap();
        for shard in texts::shard_files(&docs).unwrap() {
            e.engine.add_texts(&shard).unwrap();
        }
        e
    }

    fn ids(e: &MemoryIndex, req: &SearchRequest) -> Vec<String> {
        e.search(req).unwrap().into_iter().map(|h| h.id).collect()
    }

    #[test]
    fn ranks_title_matches_first_and_marks_them() {
        let e = engine();
        let hits = e.search(&SearchRequest::new("实名认证怎么做")).unwrap();
        assert_eq!(hits[0].id, "a");
        assert_eq!(hits[0].title_html, "域名<mark>实名认证</mark>");
    }

    #[test]
    fn synonyms_expand_the_query() {
        // No document says 通信管理局; b's title says 管局, a synonym.
        let e = engine();
        assert_eq!(ids(&e, &SearchRequest::new("通信管理局")), ["b"]);
    }

    #[test]
    fn filters_restrict_results() {
        let e = engine();
        let mut req = SearchRequest::new("网站 名称 域名");
        req.kind = Some("province".into());
        assert_eq!(ids(&e, &req), ["c"]);
        req.kind = None;
        req.province = Some("guangdong".into());
        assert_eq!(ids(&e, &req), ["c"]);
    }

    #[test]
    fn snippets_wait_for_their_text_shard() {
        let docs = [doc(
            "a",
            "域名实名认证",
            "域名要先完成实名认证才能备案。",
            Kind::Faq,
            &[],
        )];
        let mut e = build_index(&docs, &[]).unwrap().open().unwrap();
        let hit = &e.search(&SearchRequest::new("实名认证")).unwrap()[0];
        assert_eq!((hit.snippet_html.as_str(), hit.text_shard), ("", Some(0)));
        let shards = texts::shard_files(&docs).unwrap();
        assert_eq!(e.engine.add_texts(&shards[0]).unwrap(), 1);
        let hit = &e.search(&SearchRequest::new("实名认证")).unwrap()[0];
        assert_eq!(hit.text_shard, None);
        assert!(
            hit.snippet_html.contains("<mark>实名认证</mark>"),
            "{}",
            hit.snippet_html
        );
        assert!(e.engine.add_texts(b"not json").is_err());
    }

    #[test]
    fn empty_and_huge_queries_are_safe() {
        let e = engine();
        assert!(ids(&e, &SearchRequest::new("")).is_empty());
        assert!(ids(&e, &SearchRequest::new("，。！")).is_empty());
        let huge = "域名".repeat(10_000);
        assert_eq!(ids(&e, &SearchRequest::new(&huge))[..1], ["a"]);
        let mut req = SearchRequest::new("域名");
        req.limit = 0;
        assert_eq!(e.search(&req).unwrap().len(), 1);
    }

    #[test]
    fn chunks_come_in_at_most_three_rounds_and_stay() {
        let e = engine();
        let req = SearchRequest::new("管局审核时间 实名认证");
        let mut rounds = 0;
        loop {
            match e.engine.search_step(&req).unwrap() {
                Step::Hits(hits) => {
                    assert_eq!(hits[0].id, "b");
                    break;
                }
                Step::Need(names) => {
                    rounds += 1;
                    for n in names {
                        e.engine.add_chunk(&n, e.chunk(&n).unwrap()).unwrap();
                    }
                }
            }
        }
        assert!((1..=3).contains(&rounds), "{rounds} rounds");
        let before = e.engine.loaded_chunks();
        assert!(matches!(e.engine.search_step(&req).unwrap(), Step::Hits(_)));
        assert_eq!(e.engine.loaded_chunks(), before);
    }

    #[test]
    fn wrong_or_foreign_chunks_are_refused() {
        let e = engine();
        let Step::Need(names) = e.engine.search_step(&SearchRequest::new("域名")).unwrap() else {
            panic!("a cold engine has no chunks");
        };
        let mut bad = e.chunk(&names[0]).unwrap().to_vec();
        bad[0] ^= 1;
        let err = e.engine.add_chunk(&names[0], &bad).unwrap_err();
        assert!(err.to_string().contains("corrupt"), "{err}");
        assert!(e.engine.add_chunk("chunks/0000000000000000.bin", b"x").is_err());
        // Still works afterwards.
        assert_eq!(ids(&e, &SearchRequest::new("域名"))[0], "a");
    }

    #[test]
    fn another_format_is_named() {
        let hot = blob::pack(&[(lazy::FORMAT_ENTRY.to_string(), b"99".to_vec())]);
        let err = Engine::open(&hot).err().unwrap().to_string();
        assert!(err.contains("99") && err.contains(&lazy::INDEX_FORMAT.to_string()), "{err}");
    }
}
