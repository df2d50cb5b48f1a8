//! Benchmark of `zhiku serve` (ignored; run by hand, figures go in BENCHMARKS.md):
//!
//! ```text
//! cargo test --release --test serve_bench -- --ignored --nocapture
//! ```
//!
//! Measures on a copy of the real content: edit-to-reload latency (file
//! written → `reload` event received by an SSE client of the real binary)
//! for an entry edit and a template edit, and in-process rebuild times
//! (partial after an entry edit vs full).

mod common;

use std::io::{BufRead, BufReader};

use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::SiteCopy;
use zhiku::build::Paths;
use zhiku::serve::changes::Changes;
use zhiku::serve::live::{LiveSite, Outcome};
use zhiku::serve::server::client_tag;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn summary(name: &str, mut ms: Vec<f64>) {
    ms.sort_by(|a, b| a.total_cmp(b));
    println!(
        "{name}: n={} p50={:.1} ms p95={:.1} ms min={:.1} ms max={:.1} ms",
        ms.len(),
        percentile(&ms, 0.5),
        percentile(&ms, 0.95),
        ms[0],
        ms[ms.len() - 1]
    );
}

#[test]
#[ignore = "benchmark; run by hand with --release"]
fn serve_benchmark() {
    let site = SiteCopy::new();
    let (entry, _) = site.entry_with_related();
    let good_entry = site.read(&entry);
    let template = "themes/default/templates/base.html";
    let good_template = site.read(template);

    // In-process rebuild times.
    let paths = Paths::new(site.root());
    let mut full = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let (_, outcome) = LiveSite::new(paths.clone(), client_tag());
        assert!(matches!(outcome, Outcome::Ok(_)));
        full.push(t.elapsed().as_secs_f64() * 1e3);
    }
    summary("full build (in memory)", full);
    let (mut live, _) = LiveSite::new(paths.clone(), client_tag());
    let mut partial = Vec::new();
    let mut index = Vec::new();
    let mut rendered = 0;
    for i in 0..30 {
        site.write(&entry, &format!("{good_entry}\n\n基准-{i}\n"));
        let mut c = Changes::default();
        c.add_path(&paths, &site.path(&entry));
        let t = Instant::now();
        let Outcome::Ok(r) = live.rebuild(c) else {
            panic!("rebuild failed")
        };
        partial.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        if let Some(Outcome::Ok(r)) = live.rebuild_search() {
            if !r.changed.is_empty() {
                index.push(t.elapsed().as_secs_f64() * 1e3);
            }
        }
        rendered = r.rendered;
    }
    summary(
        &format!("partial rebuild after an entry edit ({rendered} pages rendered)"),
        partial,
    );
    if !index.is_empty() {
        summary("search index rebuild after an entry edit", index);
    }

    // Edit-to-reload latency through the real binary.
    let (mut child, url) = common::spawn_serve(site.root());
    let resp = reqwest::blocking::Client::builder()
        .timeout(None)
        .build()
        .expect("client")
        .get(format!("{url}__zhiku/events"))
        .send()
        .expect("events");
    let (tx, rx) = mpsc::channel::<(String, Instant)>();
    std::thread::spawn(move || {
        for l in BufReader::new(resp).lines() {
            let Ok(l) = l else { return };
            if let Some(name) = l.strip_prefix("event: ") {
                if tx.send((name.to_string(), Instant::now())).is_err() {
                    return;
                }
            }
        }
    });
    // Milliseconds from `since` to the next event called `name`.
    let wait_event = |name: &str, since: Instant, timeout: Duration| -> Option<f64> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let (n, at) = rx.recv_timeout(left).ok()?;
            if n == name {
                return Some(at.duration_since(since).as_secs_f64() * 1e3);
            }
        }
    };
    let measure = |rel: &str, good: &str, edit: &dyn Fn(&str, usize) -> String, n: usize| {
        let (mut reload, mut index) = (Vec::new(), Vec::new());
        for i in 0..n {
            std::thread::sleep(Duration::from_millis(250));
            while rx.try_recv().is_ok() {}
            let text = edit(good, i);
            let t = Instant::now();
            std::fs::write(site.path(rel), text).expect("write");
            reload.push(wait_event("reload", t, Duration::from_secs(30)).expect("reload event"));
            // The search index follows the reload (only when the site has one).
            if let Some(ms) = wait_event("search", t, Duration::from_secs(2)) {
                index.push(ms);
            }
        }
        (reload, index)
    };
    let (entry_ms, index_ms) = measure(
        &entry,
        &good_entry,
        &|g, i| format!("{g}\n\n延迟测试-{i}\n"),
        30,
    );
    summary("edit-to-reload, entry edit", entry_ms);
    if !index_ms.is_empty() {
        summary("edit-to-search-index, entry edit", index_ms);
    }
    let (template_ms, _) = measure(
        template,
        &good_template,
        &|g, i| g.replace("</footer>", &format!("<p>模板-{i}</p></footer>")),
        30,
    );
    summary("edit-to-reload, template edit", template_ms);
    let _ = child.kill();
    let _ = child.wait();
}
