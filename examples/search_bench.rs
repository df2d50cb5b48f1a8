//! Search benchmark: index size, build and load time, query latency (native).
//!
//! `cargo run --release --example search_bench -- [--synthetic N] [--out DIR] [QUERIES.tsv...]`
//!
//! Indexes the real content (or N synthetic documents made from it), writes
//! the index to `--out` (`DIR/hot.bin`, `DIR/chunks/`, and all page texts in
//! `DIR/texts.json`, for the wasm benchmark in Node), then runs every query
//! of the TSV files (first column) once to load its chunks and 20 times
//! timed, and prints p50/p95.

use std::path::PathBuf;
use std::time::Instant;

use search_index::lazy::{ChunkSizes, Layout};
use search_index::{blob, build_index_with, texts, Doc, Engine, SearchRequest, Step};
use zhiku::build::check;
use zhiku::search::site_docs;

/// Small deterministic PRNG (xorshift64*), so synthetic sites are reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[(self.next() % v.len() as u64) as usize]
    }
}

/// `n` documents whose titles, aliases and sentences are drawn from the real ones.
fn synthetic(real: &[Doc], n: usize) -> Vec<Doc> {
    let sentences: Vec<&str> = real
        .iter()
        .flat_map(|d| d.body.split(['。', '；', '！', '？']))
        .filter(|s| s.chars().count() > 4)
        .collect();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    (0..n)
        .map(|i| {
            let base = rng.pick(real);
            let body: Vec<&str> = (0..(4 + rng.next() % 12))
                .map(|_| *rng.pick(&sentences))
                .collect();
            Doc {
                id: format!("synthetic/{i}"),
                title: format!("{}（{i}）", base.title),
                aliases: base.aliases.clone(),
                body: body.join("。"),
                section: base.section.clone(),
                kind: base.kind,
                chapter: base.chapter.clone(),
                provinces: base.provinces.clone(),
                url: format!("/synthetic/{i}/"),
            }
        })
        .collect()
}

/// Prints, round by round, which files' chunks a cold search for `q` fetches.
fn trace_query(
    files: &search_index::IndexFiles,
    q: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let entries = blob::unpack(&files.hot)?;
    let layout = entries
        .iter()
        .find(|(n, _)| n == search_index::lazy::LAYOUT_ENTRY)
        .ok_or("no layout")?;
    let layout = Layout::decode(layout.1)?;
    // A chunk's kind: the extensions of the files it holds parts of.
    let file_of = |name: &str| {
        let mut kinds: Vec<&str> = layout
            .chunks
            .iter()
            .filter(|c| c.name == name)
            .flat_map(|c| c.parts.iter())
            .map(|&(f, _, _)| layout.files[f].path.rsplit('.').next().unwrap_or_default())
            .collect();
        kinds.dedup();
        kinds.join("+")
    };
    let bytes: std::collections::HashMap<&str, &[u8]> = files
        .chunks
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let engine = Engine::open(&files.hot)?;
    let req = SearchRequest::new(q);
    println!("trace {q}");
    loop {
        match engine.search_step(&req)? {
            Step::Hits(h) => {
                println!("  {} hits", h.len());
                return Ok(());
            }
            Step::Need(names) => {
                let mut by: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
                for n in &names {
                    let e = by.entry(file_of(n)).or_default();
                    e.0 += 1;
                    e.1 += bytes[n.as_str()].len();
                    engine.add_chunk(n, bytes[n.as_str()])?;
                }
                println!("  round: {by:?}");
            }
        }
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut n_synthetic = None;
    let mut out = None;
    let mut sizes = ChunkSizes::default();
    let mut trace = Vec::new();
    let mut rounds_out = None;
    let mut query_files = Vec::new();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--synthetic" => {
                n_synthetic = Some(args.next().ok_or("--synthetic N")?.parse::<usize>()?)
            }
            "--out" => out = Some(PathBuf::from(args.next().ok_or("--out FILE")?)),
            "--chunk" => sizes.chunk = args.next().ok_or("--chunk BYTES")?.parse()?,
            "--store-chunk" => sizes.store = args.next().ok_or("--store-chunk BYTES")?.parse()?,
            "--bundle" => sizes.bundle = args.next().ok_or("--bundle BYTES")?.parse()?,
            "--lists-max" => sizes.lists_max = args.next().ok_or("--lists-max BYTES")?.parse()?,
            "--whole" => sizes.whole = args.next().ok_or("--whole BYTES")?.parse()?,
            "--trace" => trace.push(args.next().ok_or("--trace QUERY")?),
            "--rounds" => rounds_out = Some(PathBuf::from(args.next().ok_or("--rounds FILE")?)),
            _ => query_files.push(PathBuf::from(a)),
        }
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let (site, report) = check(&root);
    let site = site
        .filter(|_| !report.has_errors())
        .ok_or("content has errors")?;
    let vocab = zhiku::search::vocabulary(&site);
    let mut docs = site_docs(&site)?;
    if let Some(n) = n_synthetic {
        docs = synthetic(&docs, n);
    }

    let t = Instant::now();
    let files = build_index_with(&docs, &vocab, sizes)?;
    let build_ms = t.elapsed().as_secs_f64() * 1e3;
    let chunk_bytes: usize = files.chunks.iter().map(|(_, c)| c.len()).sum();
    println!(
        "docs {}  hot file bytes {}  chunks {} ({chunk_bytes} bytes)  build {build_ms:.0} ms",
        docs.len(),
        files.hot.len(),
        files.chunks.len(),
    );
    // Timed queries include snippets, as in the browser once a hit's text shard
    // is in: all texts go in one file (`DIR/texts.json`) for the wasm side.
    let all_texts: texts::Texts = docs
        .iter()
        .map(|d| (d.id.clone(), d.body.clone()))
        .collect();
    let all_texts = serde_json::to_vec(&all_texts)?;
    if let Some(dir) = &out {
        std::fs::create_dir_all(dir.join(search_index::lazy::CHUNK_DIR))?;
        std::fs::write(dir.join("hot.bin"), &files.hot)?;
        for (name, bytes) in &files.chunks {
            std::fs::write(dir.join(name), bytes)?;
        }
        std::fs::write(dir.join("texts.json"), &all_texts)?;
    }

    let mut loads = Vec::new();
    for _ in 0..7 {
        let t = Instant::now();
        std::hint::black_box(Engine::open(&files.hot)?);
        loads.push(t.elapsed().as_secs_f64() * 1e3);
    }
    loads.sort_by(f64::total_cmp);
    for q in &trace {
        trace_query(&files, q)?;
    }
    let n_chunks = files.chunks.len();
    let hot = files.hot.clone();
    let mut index = files.open()?;
    index.engine.add_texts(&all_texts)?;
    println!("load median {:.2} ms", percentile(&loads, 0.5));

    let mut queries = Vec::new();
    for f in &query_files {
        let text = std::fs::read_to_string(f)?;
        // The column headed `query` (typed-queries.tsv has `kind` first).
        let mut lines = text.lines();
        let col = lines
            .next()
            .and_then(|h| h.split('\t').position(|c| c == "query"))
            .unwrap_or(0);
        queries.extend(
            lines
                .filter_map(|l| l.split('\t').nth(col))
                .filter(|q| !q.trim().is_empty())
                .map(String::from),
        );
    }
    if queries.is_empty() {
        return Ok(());
    }
    if let Some(path) = &rounds_out {
        // Per query, on a cold engine: the chunk names of each fetch round
        // (8 hits, the dropdown), one JSON line each, for sizing with gzip.
        let mut lines = String::new();
        for q in &queries {
            let engine = Engine::open(&hot)?;
            let mut req = SearchRequest::new(q);
            req.limit = 8;
            let mut rounds: Vec<Vec<String>> = Vec::new();
            while let Step::Need(names) = engine.search_step(&req)? {
                for n in &names {
                    let bytes = index.chunk(n).ok_or("unknown chunk")?;
                    engine.add_chunk(n, bytes)?;
                }
                rounds.push(names);
                if rounds.len() > 8 {
                    return Err(format!("{q}: more than 8 rounds").into());
                }
            }
            lines.push_str(&serde_json::to_string(
                &serde_json::json!({"query": q, "rounds": rounds}),
            )?);
            lines.push('\n');
        }
        std::fs::write(path, lines)?;
    }
    // Warm: every query's chunks are in before timing.
    for q in &queries {
        index.search(&SearchRequest::new(q))?;
    }
    println!(
        "chunks fetched by all queries: {} of {n_chunks}",
        index.fetched()
    );
    let warm_fetched = index.fetched();
    let mut times = Vec::new();
    for _ in 0..20 {
        for q in &queries {
            let t = Instant::now();
            let hits = index.search(&SearchRequest::new(q))?;
            times.push(t.elapsed().as_secs_f64() * 1e3);
            std::hint::black_box(hits);
        }
    }
    times.sort_by(f64::total_cmp);
    println!(
        "chunks fetched while timing (warm, should be 0): {}",
        index.fetched() - warm_fetched
    );
    println!(
        "queries {} x20  p50 {:.3} ms  p95 {:.3} ms",
        queries.len(),
        percentile(&times, 0.5),
        percentile(&times, 0.95)
    );
    Ok(())
}
