//! A tiny built-in index the browser searches while the site's index is
//! still downloading.
//!
//! Browsers compile a wasm function when it is first called, so the first
//! `open` and the first search of a page cost several times what later ones
//! do (BENCHMARKS.md, "Where a cold answer's time goes"). The module usually
//! arrives before the site's hot file: opening this index and searching it
//! then compiles the same code while the page waits on the network anyway.
//!
//! `hot.bin` is generated from [`docs`] by the writer and checked current by
//! a test (`ZHIKU_BLESS=1 cargo test -p search-index prime` rewrites it).

use crate::{Engine, Error, SearchRequest, Step};

/// The built-in index's hot file (whole: it has no chunks).
pub const HOT: &[u8] = include_bytes!("hot.bin");

/// What [`prime`] searches: a colloquial question, a traditional-script one
/// with a province, an English phrase and pinyin, so each path of the
/// analyser and the query builder runs once.
pub const QUERIES: &[&str] = &[
    "个人网站备案需要多久",
    "廣東服務器備案",
    "real name verification",
    "beian",
];

/// The built-in index searched one step at a time, so a browser can stop
/// between steps once the site's index is in: step 0 opens it, each later
/// step runs one of [`QUERIES`].
#[derive(Default)]
pub struct Primer {
    engine: Option<Engine>,
    next: usize,
    hits: usize,
}

impl Primer {
    /// Runs the next step; returns whether steps remain. The engine is
    /// dropped after the last.
    pub fn step(&mut self) -> Result<bool, Error> {
        match self.engine.as_ref() {
            None if self.next == 0 => self.engine = Some(Engine::open(HOT)?),
            None => return Ok(false),
            Some(engine) => {
                let query = QUERIES[self.next - 1];
                match engine.search_step(&SearchRequest::new(query))? {
                    Step::Hits(h) => self.hits += h.len(),
                    Step::Need(_) => return Err(Error::Blob("the built-in index lacks a chunk")),
                }
            }
        }
        self.next += 1;
        if self.next > QUERIES.len() {
            self.engine = None;
        }
        Ok(self.engine.is_some())
    }

    /// Hits the queries run so far found.
    pub fn hits(&self) -> usize {
        self.hits
    }
}

/// Runs every [`Primer`] step; returns how many hits the queries found.
pub fn prime() -> Result<usize, Error> {
    let mut primer = Primer::default();
    while primer.step()? {}
    Ok(primer.hits())
}

/// The built-in index's documents and vocabulary: more than one postings
/// block (128 documents) for its commonest terms, like a real site's, every
/// kind, a province, a synonym and a glossary entry.
#[cfg(feature = "writer")]
pub fn docs() -> (Vec<crate::Doc>, crate::Vocabulary) {
    use crate::{Doc, GlossaryEntry, Kind, ProvinceName, Vocabulary};
    const TOPICS: [&str; 6] = [
        "需要多久",
        "服务器",
        "实名认证",
        "幕布照片",
        "网站名称",
        "注销",
    ];
    const KINDS: [Kind; 4] = [Kind::Faq, Kind::Rejection, Kind::Province, Kind::Tool];
    let docs = (0..140)
        .map(|i| {
            let topic = TOPICS[i % TOPICS.len()];
            Doc {
                id: format!("p/{i}"),
                title: format!("个人网站备案{topic}"),
                aliases: vec![format!("备案{topic}吗")],
                body: format!("网站备案第{i}条：{topic}，广东的服务器也要备案。"),
                section: String::new(),
                kind: KINDS[i % KINDS.len()],
                chapter: "basics".into(),
                provinces: if i % 7 == 0 {
                    vec!["guangdong".into()]
                } else {
                    vec![]
                },
                url: format!("/p/{i}/"),
            }
        })
        .collect();
    let vocab = Vocabulary {
        synonyms: vec![vec!["备案".into(), "ICP备案".into()]],
        glossary: vec![GlossaryEntry {
            en: vec!["real name verification".into()],
            zh: vec!["实名认证".into()],
        }],
        provinces: vec![ProvinceName {
            id: "guangdong".into(),
            name: "广东省".into(),
            short_name: "粤".into(),
        }],
    };
    (docs, vocab)
}

/// Builds [`HOT`] from [`docs`]. The pinyin table keeps the lines of the
/// documents' own characters (a site's lists every common one, ~13 KB).
#[cfg(feature = "writer")]
pub fn build_hot() -> Result<Vec<u8>, Error> {
    use std::collections::HashSet;
    let (docs, vocab) = docs();
    let files = crate::build_index(&docs, &vocab)?;
    if !files.chunks.is_empty() {
        return Err(Error::Blob("the built-in index must be whole"));
    }
    let used: HashSet<char> = docs
        .iter()
        .flat_map(|d| {
            d.title
                .chars()
                .chain(d.aliases.iter().flat_map(|a| a.chars()))
        })
        .collect();
    let entries: Vec<(String, Vec<u8>)> = crate::blob::unpack(&files.hot)?
        .into_iter()
        .map(|(name, data)| {
            if name != crate::blob::PINYIN {
                return (name, data.to_vec());
            }
            let text = String::from_utf8_lossy(data);
            let lines: Vec<String> = text
                .lines()
                .filter_map(|line| {
                    let (syllable, chars) = line.split_once(' ')?;
                    let kept: String = chars.chars().filter(|c| used.contains(c)).collect();
                    (!kept.is_empty()).then(|| format!("{syllable} {kept}\n"))
                })
                .collect();
            (name, lines.concat().into_bytes())
        })
        .collect();
    Ok(crate::blob::pack(&entries))
}

#[cfg(all(test, feature = "writer"))]
mod tests {
    use super::*;

    #[test]
    fn prime_index_is_current() {
        let hot = build_hot().expect("build the built-in index");
        crate::generated::assert_current_bytes("src/prime/hot.bin", &hot, "prime");
    }

    #[test]
    fn prime_finds_something_for_every_query() {
        let engine = Engine::open(HOT).expect("open the built-in index");
        for q in QUERIES {
            match engine.search_step(&SearchRequest::new(q)).expect("search") {
                Step::Hits(h) => assert!(!h.is_empty(), "no hit for {q}"),
                Step::Need(n) => panic!("{q} asked for chunks {n:?}"),
            }
        }
        assert!(prime().expect("prime") >= QUERIES.len());
        // One step opens, one per query; then nothing is left.
        let mut primer = Primer::default();
        let mut steps = 1;
        while primer.step().expect("step") {
            steps += 1;
        }
        assert_eq!(steps, 1 + QUERIES.len());
        assert!(!primer.step().expect("after the last step"));
    }
}
