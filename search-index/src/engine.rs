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
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, Index, ReloadPolicy, Searcher, Term as TantivyTerm};

use crate::charmap::CharMap;
use crate::lazy::{self, Layout, LazyDirectory};
use crate::pinyin::PinyinTable;
use crate::schema::{fields_of, Fields, Kind, StoredTexts};
use crate::snippet::{self, Marks};
use crate::tokenizer::{self, analyze, is_cjk, normalize, Mode, Term};
use crate::vocab::{find_by_forms, GlossaryEntry, ProvinceName};
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
/// Weight of the Chinese words an English glossary term stands for.
const GLOSSARY: f32 = 0.8;
/// Weight of a pinyin match in title or aliases: it must rank below the
/// same words matched as characters.
const PINYIN: f32 = 0.7;
/// Hits whose titles decide whether a query has a good match.
const GOOD_MATCH_RANKS: usize = 3;
/// Most pages [`Engine::suggestions`] offers.
const MAX_SUGGESTIONS: usize = 5;
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
    // Greetings, thanks and the framing of a message a support agent pastes.
    "你好", "您好", "谢谢", "感谢", "麻烦", "帮忙", "客户", "户说", "咨询", "现在", "我们", "这个",
    "那个", "就是", "已经", "然后", "但是", "因为", "所以", "一直", "还没", "没有", "我想", "想问",
    "问一", "下我", "请帮", "帮我", "我这", "这边", "边的", "有个", "个客", "好客", "好请", "谢了",
    "老师", "情况", "正常",
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
    /// Only documents specific to this province: its id, full name, name
    /// or abbreviation (guangdong, 广东省, 广东, 粤).
    #[serde(default)]
    pub province: Option<String>,
    /// Ranked hits to skip (the next page starts at `offset`).
    #[serde(default)]
    pub offset: usize,
}

impl SearchRequest {
    /// A request for `query` with the default limit and no filters.
    pub fn new(query: &str) -> Self {
        SearchRequest {
            query: query.to_string(),
            limit: default_limit(),
            kind: None,
            province: None,
            offset: 0,
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
/// dictionary blocks, then postings, positions and field norms, then stored
/// fields).
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
    /// English glossary: each entry's English terms as analysed term
    /// sequences, and the Chinese words they expand to.
    glossary: Vec<(Vec<Vec<String>>, Vec<String>)>,
    /// Every province a filter may name.
    provinces: Vec<ProvinceName>,
    /// Pinyin of the site's characters.
    pinyin: PinyinTable,
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
        let json_err = |e: serde_json::Error| Error::Json(e.to_string());
        let layout: Layout = match entry(lazy::LAYOUT_ENTRY) {
            Some(l) => Layout::decode(l)?,
            None => return Err(Error::Blob("no layout")),
        };
        let mut synonyms: Vec<Vec<String>> = Vec::new();
        let mut glossary: Vec<GlossaryEntry> = Vec::new();
        let mut provinces: Vec<ProvinceName> = Vec::new();
        if let Some(d) = entry(blob::SYNONYMS) {
            synonyms = serde_json::from_slice(d).map_err(json_err)?;
        }
        if let Some(d) = entry(blob::GLOSSARY) {
            glossary = serde_json::from_slice(d).map_err(json_err)?;
        }
        if let Some(d) = entry(blob::PROVINCES) {
            provinces = serde_json::from_slice(d).map_err(json_err)?;
        }
        let pinyin = match entry(blob::PINYIN) {
            Some(d) => PinyinTable::parse(
                std::str::from_utf8(d).map_err(|_| Error::Blob("pinyin is not UTF-8"))?,
            ),
            None => PinyinTable::default(),
        };
        let map = match entry(blob::CHARMAP) {
            Some(order) => CharMap::from_order(
                std::str::from_utf8(order).map_err(|_| Error::Blob("charmap is not UTF-8"))?,
            ),
            None => CharMap::default(),
        };
        let dir = LazyDirectory::new(&layout, entry)?;
        #[cfg(all(target_arch = "wasm32", feature = "patched-tantivy"))]
        crate::meta::install();
        let opened = Index::open(dir.clone());
        if !dir.missing().is_empty() {
            return Err(Error::Blob(
                "the hot file lacks bytes opening the index reads",
            ));
        }
        let index = opened?;
        let map = Arc::new(map);
        tokenizer::register(&index, &map);
        let fields = fields_of(&index.schema())?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let synonyms = synonyms
            .into_iter()
            .map(|g| g.iter().map(|w| normalize(w)).collect())
            .collect();
        let glossary = glossary
            .into_iter()
            .map(|g| {
                let en = g.en.iter().map(|t| term_texts(t)).collect();
                (en, g.zh)
            })
            .collect();
        let searcher = reader.searcher();
        if !dir.missing().is_empty() {
            return Err(Error::Blob(
                "the hot file lacks bytes opening the index reads",
            ));
        }
        Ok(Engine {
            searcher,
            dir,
            fields,
            synonyms,
            glossary,
            provinces,
            pinyin,
            map,
            texts: HashMap::new(),
        })
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

    /// Runs `step` until it gives hits, fetching the chunks it names with
    /// `fetch` (chunk name → bytes): the loop the browser's loader runs too.
    fn fetching(
        &self,
        fetch: &mut dyn FnMut(&str) -> Result<Vec<u8>, Error>,
        step: impl Fn() -> Result<Step, Error>,
    ) -> Result<Vec<Hit>, Error> {
        for _ in 0..MAX_ROUNDS {
            match step()? {
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

    /// Runs a search, fetching what it needs with `fetch` (chunk name → bytes).
    pub fn search(
        &self,
        req: &SearchRequest,
        fetch: &mut dyn FnMut(&str) -> Result<Vec<u8>, Error>,
    ) -> Result<Vec<Hit>, Error> {
        self.fetching(fetch, || self.search_step(req))
    }

    /// [`Self::suggestions_step`], fetching what it needs with `fetch`.
    pub fn suggestions(
        &self,
        req: &SearchRequest,
        fetch: &mut dyn FnMut(&str) -> Result<Vec<u8>, Error>,
    ) -> Result<Vec<Hit>, Error> {
        self.fetching(fetch, || self.suggestions_step(req))
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

    /// The chunks reads have asked for, or `err` when none is missing.
    fn fault(&self, err: Error) -> Result<Step, Error> {
        let missing = self.dir.missing();
        if missing.is_empty() {
            Err(err)
        } else {
            Ok(Step::Need(missing))
        }
    }

    /// Runs `query` for the top `limit` after `offset` and makes hits of
    /// them, or names the chunks that are missing (all of one stage at once).
    fn run(
        &self,
        query: &dyn Query,
        limit: usize,
        offset: usize,
        marks: &Marks,
    ) -> Result<Step, Error> {
        if !self.dir.missing().is_empty() {
            // Building the query already looked terms up and missed some.
            self.warm(query);
            return Ok(Step::Need(self.dir.missing()));
        }
        let collector = TopDocs::with_limit(limit)
            .and_offset(offset)
            .order_by_score();
        let top = match self.searcher.search(query, &collector) {
            Ok(top) => top,
            Err(e) => {
                self.warm(query);
                return self.fault(e.into());
            }
        };
        // Every hit's stored fields in one round.
        let shards = texts::shard_count(self.searcher.num_docs() as usize);
        let mut hits = Vec::with_capacity(top.len());
        let mut failed = None;
        for (score, addr) in top {
            match self.hit(score, addr, marks, shards) {
                Ok(hit) => hits.push(hit),
                Err(e) => failed = Some(e),
            }
        }
        match failed {
            Some(e) => self.fault(e),
            None => Ok(Step::Hits(hits)),
        }
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

    /// The province id a filter names in any of its forms, or an error listing them all.
    pub fn province_id(&self, form: &str) -> Result<String, Error> {
        // An index without province names (a site without the provinces
        // module) filters on the id as given.
        if self.provinces.is_empty() {
            return Ok(form.trim().to_string());
        }
        find_by_forms(
            &self.provinces,
            |p| (p.id.as_str(), p.name.as_str(), p.short_name.as_str()),
            &normalize(form),
        )
        .map(|p| p.id.clone())
        .ok_or_else(|| Error::UnknownProvince {
            query: form.to_string(),
            valid: self
                .provinces
                .iter()
                .map(ProvinceName::describe)
                .collect::<Vec<_>>()
                .join("\n"),
        })
    }

    /// The query as analysed parts: the query itself, then glossary and synonym expansions.
    fn parts(&self, query: &str) -> Vec<Weighted> {
        let terms = analyze(query, Mode::Grams);
        let texts: Vec<String> = terms.iter().map(|t| t.text.clone()).collect();
        let mut parts = vec![Weighted { terms, weight: 1.0 }];
        // English terms are matched as whole analysed words (so `filings`
        // meets `filing`, and `ip` never matches inside `ipv6`).
        for (en, zh) in &self.glossary {
            if en
                .iter()
                .any(|t| !t.is_empty() && texts.windows(t.len()).any(|w| w == &t[..]))
            {
                for w in zh {
                    parts.push(Weighted {
                        terms: analyze(w, Mode::Grams),
                        weight: GLOSSARY,
                    });
                }
            }
        }
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
        // A lone CJK character (号 in 备案号 的) is only highlighted when it
        // is the whole query: elsewhere it would light up everywhere.
        let one_char = parts[0].terms.len() == 1 && parts[0].terms[0].text.chars().count() == 1;
        // BTreeMaps keep clause order stable, so scores sum in the same order everywhere.
        let mut terms: BTreeMap<String, f32> = BTreeMap::new();
        let mut pairs: BTreeMap<(String, String), f32> = BTreeMap::new();
        let mut marks = Marks::default();
        for part in &parts {
            for t in &part.terms {
                // A Latin word that reads as pinyin (`beian`) is pinyin, not a word to match literally.
                let literal = if self.pinyin.is_pinyin_word(&t.text) {
                    PINYIN
                } else {
                    1.0
                };
                let w = part.weight * filler_factor(&t.text) * literal;
                let e = terms.entry(t.text.clone()).or_insert(0.0);
                *e = e.max(w);
                let lone_cjk = t.text.chars().count() == 1 && t.text.chars().all(is_cjk);
                if (w > FILLER * part.weight || part.terms.len() == 1) && (!lone_cjk || one_char) {
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
        // Pinyin only for bigrams no title or alias has (those are the slips).
        let exact = |bigram: &str| {
            // Question filler (怎么, 的时…) is no slip either.
            if filler_factor(bigram) < 1.0 {
                return true;
            }
            let encoded = self.map.encode(bigram);
            [f.title, f.aliases].iter().any(|&field| {
                let term = TantivyTerm::from_field_text(field, &encoded);
                self.searcher.doc_freq(&term).is_ok_and(|n| n > 0)
            })
        };
        for p in self.pinyin.query_terms(query, &exact) {
            let q = TermQuery::new(
                TantivyTerm::from_field_text(f.pinyin, &p),
                IndexRecordOption::WithFreqs,
            );
            clauses.push((
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(q), TITLE * PINYIN)),
            ));
        }
        if !one_char {
            marks.chars.clear();
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

    /// Pages to offer when `req` has no good match (no title among its first
    /// hits holds a query term): the tool pages (decision trees, checkers),
    /// in index order. Empty when the query is answered. One attempt, as
    /// [`Self::search_step`].
    pub fn suggestions_step(&self, req: &SearchRequest) -> Result<Step, Error> {
        let first = SearchRequest {
            limit: GOOD_MATCH_RANKS,
            offset: 0,
            ..req.clone()
        };
        let hits = match self.search_step(&first)? {
            Step::Hits(hits) => hits,
            need => return Ok(need),
        };
        if hits.iter().any(|h| h.title_html.contains("<mark>")) {
            return Ok(Step::Hits(Vec::new()));
        }
        self.dir.clear_missing();
        let tools = TermQuery::new(
            TantivyTerm::from_field_text(self.fields.kind, Kind::Tool.as_str()),
            IndexRecordOption::Basic,
        );
        // One constant score: ties come out in index order.
        let tools = ConstScoreQuery::new(Box::new(tools), 0.0);
        self.run(&tools, MAX_SUGGESTIONS, 0, &Marks::default())
    }

    /// The hit for one document, its title and snippet marked with `marks`.
    fn hit(
        &self,
        score: f32,
        addr: DocAddress,
        marks: &Marks,
        shards: usize,
    ) -> Result<Hit, Error> {
        let f = &self.fields;
        let doc: StoredTexts = self.searcher.doc(addr)?;
        let get = |field: Field| doc.first(field).to_string();
        let title = get(f.title);
        let id = get(f.id);
        let (snippet_html, text_shard) = match self.texts.get(&id) {
            Some(text) => (snippet::snippet(text, marks), None),
            None => (String::new(), Some(texts::shard_of(&id, shards))),
        };
        Ok(Hit {
            id,
            title_html: snippet::highlight(&title, marks),
            snippet_html,
            text_shard,
            title,
            url: get(f.url),
            kind: get(f.kind),
            section: get(f.section),
            score,
        })
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
        if let Some(p) = req.province.as_deref().filter(|p| !p.trim().is_empty()) {
            clauses.push(Self::filter(f.provinces, &self.province_id(p)?));
        }
        let query = BooleanQuery::new(clauses);
        let limit = req.limit.clamp(1, MAX_LIMIT);
        self.run(&query, limit, req.offset, &marks)
    }
}

/// The analysed term texts of `text`, in order.
fn term_texts(text: &str) -> Vec<String> {
    analyze(text, Mode::Grams)
        .into_iter()
        .map(|t| t.text)
        .collect()
}

#[cfg(all(test, feature = "writer"))]
mod tests {
    use super::*;
    use crate::lazy::ChunkSizes;
    use crate::{build_index, build_index_with, Doc, Kind, MemoryIndex, Vocabulary};

    /// Chunk sizes that cut even a tiny index into chunks (the default keeps
    /// a small index whole in its hot file).
    fn lazy_sizes() -> ChunkSizes {
        ChunkSizes {
            whole: 0,
            ..ChunkSizes::default()
        }
    }

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
        let vocab = Vocabulary {
            synonyms: vec![vec!["管局".to_string(), "通信管理局".to_string()]],
            glossary: vec![GlossaryEntry {
                en: vec!["real-name verification".into(), "real name".into()],
                zh: vec!["实名认证".into()],
            }],
            provinces: vec![ProvinceName {
                id: "guangdong".into(),
                name: "广东省".into(),
                short_name: "粤".into(),
            }],
        };
        let mut e = build_index_with(&docs, &vocab, lazy_sizes())
            .unwrap()
            .open()
            .unwrap();
        for shard in texts::shard_files(&docs).unwrap() {
            e.add_texts(&shard).unwrap();
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
    fn english_glossary_terms_expand_to_the_chinese_words() {
        let e = engine();
        // Whole words, case and plurals folded: "Real-Name Verifications".
        let hits = e
            .search(&SearchRequest::new("Real-Name Verifications"))
            .unwrap();
        assert_eq!(hits.first().map(|h| h.id.as_str()), Some("a"));
        // "name" alone is not the glossary term.
        assert!(ids(&e, &SearchRequest::new("name")).is_empty());
    }

    #[test]
    fn province_filter_takes_every_form_and_lists_them_for_unknown_ones() {
        let e = engine();
        for form in ["guangdong", "GuangDong", "广东省", "广东", "粤", "廣東"] {
            let mut req = SearchRequest::new("网站 名称");
            req.province = Some(form.into());
            assert_eq!(ids(&e, &req), ["c"], "{form}");
            // Kind and province together.
            req.kind = Some("province".into());
            assert_eq!(ids(&e, &req), ["c"], "{form} with kind");
        }
        let mut req = SearchRequest::new("网站");
        req.province = Some("火星".into());
        let err = e.search(&req).unwrap_err().to_string();
        assert!(
            err.contains("火星") && err.contains("guangdong") && err.contains("粤"),
            "{err}"
        );
    }

    #[test]
    fn offset_pages_through_the_ranking() {
        let e = engine();
        let all = ids(&e, &SearchRequest::new("域名 管局 网站"));
        assert_eq!(all.len(), 3);
        let mut req = SearchRequest::new("域名 管局 网站");
        req.offset = 1;
        req.limit = 1;
        assert_eq!(ids(&e, &req), all[1..2]);
        req.offset = 3;
        assert!(ids(&e, &req).is_empty());
    }

    #[test]
    fn traditional_and_pinyin_queries_meet_simplified_titles() {
        let e = engine();
        assert_eq!(ids(&e, &SearchRequest::new("域名實名認證"))[..1], ["a"]);
        assert_eq!(ids(&e, &SearchRequest::new("shiming renzheng"))[..1], ["a"]);
        // A homophone slip (时间 → 实践) reaches b through its pinyin only,
        // and ranks below the exact match of the same words.
        assert_eq!(ids(&e, &SearchRequest::new("审核实践"))[..1], ["b"]);
        let hits = e.search(&SearchRequest::new("管局审核")).unwrap();
        let slip = e.search(&SearchRequest::new("管局审合")).unwrap();
        assert_eq!((hits[0].id.as_str(), slip[0].id.as_str()), ("b", "b"));
        assert!(slip[0].score < hits[0].score);
    }

    #[test]
    fn lone_characters_are_only_marked_for_one_character_queries() {
        let e = engine();
        let hits = e.search(&SearchRequest::new("域名 的")).unwrap();
        assert!(
            !hits[0].snippet_html.contains("<mark>的</mark>"),
            "{}",
            hits[0].snippet_html
        );
        let hits = e.search(&SearchRequest::new("名")).unwrap();
        assert!(
            hits[0].title_html.contains("<mark>名</mark>"),
            "{}",
            hits[0].title_html
        );
    }

    #[test]
    fn a_query_without_a_good_match_gets_the_tool_pages() {
        let docs = [
            doc("a", "域名实名认证", "域名要先实名。", Kind::Faq, &[]),
            doc("t", "自助判断", "回答几个问题。", Kind::Tool, &[]),
        ];
        let e = build_index(&docs, &Vocabulary::default())
            .unwrap()
            .open()
            .unwrap();
        assert!(e
            .suggestions(&SearchRequest::new("实名认证"))
            .unwrap()
            .is_empty());
        // Only a body word matches: no title holds a query term.
        let s = e.suggestions(&SearchRequest::new("问题")).unwrap();
        assert_eq!(s.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(), ["t"]);
        assert_eq!(e.suggestions(&SearchRequest::new("火星")).unwrap().len(), 1);
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
        let mut e = build_index(&docs, &Vocabulary::default())
            .unwrap()
            .open()
            .unwrap();
        let hit = &e.search(&SearchRequest::new("实名认证")).unwrap()[0];
        assert_eq!((hit.snippet_html.as_str(), hit.text_shard), ("", Some(0)));
        let shards = texts::shard_files(&docs).unwrap();
        assert_eq!(e.add_texts(&shards[0]).unwrap(), 1);
        let hit = &e.search(&SearchRequest::new("实名认证")).unwrap()[0];
        assert_eq!(hit.text_shard, None);
        assert!(
            hit.snippet_html.contains("<mark>实名认证</mark>"),
            "{}",
            hit.snippet_html
        );
        assert!(e.add_texts(b"not json").is_err());
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
    fn a_small_index_answers_in_at_most_two_rounds_and_keeps_its_chunks() {
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
        // Bundles (dictionary blocks with their lists, norms), then stored
        // fields; this tiny index keeps some whole files in its hot file.
        assert!((1..=2).contains(&rounds), "{rounds} rounds");
        let before = e.engine.loaded_chunks();
        assert!(matches!(e.engine.search_step(&req).unwrap(), Step::Hits(_)));
        assert_eq!(e.engine.loaded_chunks(), before);
    }

    #[test]
    fn a_small_index_is_whole_in_its_hot_file() {
        let docs = [doc("a", "域名实名认证", "域名要先实名。", Kind::Faq, &[])];
        let files = build_index(&docs, &Vocabulary::default()).unwrap();
        assert!(files.chunks.is_empty());
        let e = files.open().unwrap();
        match e.engine.search_step(&SearchRequest::new("实名")).unwrap() {
            Step::Hits(hits) => assert_eq!(hits[0].id, "a"),
            Step::Need(names) => panic!("a whole index needs no chunks, asked for {names:?}"),
        }
        assert_eq!(e.engine.loaded_chunks(), 0);
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
        assert!(e
            .engine
            .add_chunk("chunks/0000000000000000.bin", b"x")
            .is_err());
        // Still works afterwards.
        assert_eq!(ids(&e, &SearchRequest::new("域名"))[0], "a");
    }

    #[test]
    fn another_format_is_named() {
        let hot = blob::pack(&[(lazy::FORMAT_ENTRY.to_string(), b"99".to_vec())]);
        let err = Engine::open(&hot).err().unwrap().to_string();
        assert!(
            err.contains("99") && err.contains(&lazy::INDEX_FORMAT.to_string()),
            "{err}"
        );
    }
}
