//! A time-bounded fuzzer of content loading and validation (issue #14),
//! run by plain `cargo test` on stable.
//!
//! Each case takes one file of a small valid site (the `valid` fixture,
//! with real `content/` files as alternative seeds), mutates it with
//! proptest-generated edits (byte-level cuts and copies, and tokens that
//! matter to front matter, TOML and Markdown), and runs `check` and `build`
//! in process. It asserts: no panic, no case slower than a time bound, every
//! diagnostic has a file and a line (and none sits at a bare 1:1 of a file
//! with text unless the file's start is the problem), and `check` passes
//! exactly when `build` succeeds.
//!
//! `ZHIKU_FUZZ_SECONDS` sets the budget (default 30), `ZHIKU_FUZZ_SEED` a
//! fixed seed (default: random, printed). A failing case is written under
//! `target/fuzz-failures/` and its seed printed, so it can be replayed.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{RngAlgorithm, TestRng, TestRunner};

use zhiku::build::{self, Paths};

/// Slowest acceptable case (a debug build of a small site takes well under a second).
const CASE_LIMIT: Duration = Duration::from_secs(20);

/// Text that matters to the formats being parsed.
const TOKENS: &[&str] = &[
    "+++",
    "+++\n",
    "---\n",
    "\n",
    "\r\n",
    "\"",
    "'",
    "[",
    "]",
    "{",
    "}",
    "=",
    "#",
    "##",
    "## 标题\n",
    "\\",
    "\\u",
    "\u{feff}",
    "\u{0}",
    "🙂",
    "中",
    "\t",
    " ",
    "title = \"x\"\n",
    "order = 1\n",
    "order = \"x\"\n",
    "section = \"7a\"\n",
    "updated = 2024-13-45\n",
    "updated = 2024-01-17\n",
    "aliases = []\n",
    "related = [\"@faq/basics/need-filing\"]\n",
    "@faq/basics/need-filing",
    "@faq/none/none",
    "@faq/basics/need-filing#nope",
    "@rejection/br-contact",
    "@province/guangdong",
    "[x](@faq/basics/how-long)",
    "[x](@faq/nowhere)",
    "![](HTTPS://example.com/a.png)",
    "![](/static/a.png)",
    "[x](JavaScript:alert(1))",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<img src=\"https://example.com/x.png\">",
    "<!--",
    "-->",
    "<details><summary>s</summary>d</details>",
    "{#id}",
    "[^1]",
    "[^1]: n\n",
    "```toml\n",
    "```\n",
    "|a|b|\n|-|-|\n",
    "[[node]]\n",
    "[[outcome]]\n",
    "[[node.option]]\n",
    "next = \"start\"\n",
    "outcome = \"yes\"\n",
    "id = \"start\"\n",
    "forbidden_name_words = [\"\"]\n",
    "[markdown]\nraw_html = \"escape\"\n",
    "[markdown]\nraw_html = \"allow\"\n",
    "1e400",
    "9999999999999999999999",
    "-",
    "0",
    "true",
    "\"\"\"",
    "'''",
];

/// One edit of a file's bytes; positions are fractions of the length.
#[derive(Debug, Clone)]
enum Edit {
    Insert(f64, usize),
    Delete(f64, usize),
    Duplicate(f64, usize),
    SwapLines(f64, f64),
    Byte(f64, u8),
}

fn edit_strategy() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (0.0..1.0f64, 0..TOKENS.len()).prop_map(|(p, t)| Edit::Insert(p, t)),
        2 => (0.0..1.0f64, 1usize..40).prop_map(|(p, n)| Edit::Delete(p, n)),
        1 => (0.0..1.0f64, 1usize..200).prop_map(|(p, n)| Edit::Duplicate(p, n)),
        1 => (0.0..1.0f64, 0.0..1.0f64).prop_map(|(a, b)| Edit::SwapLines(a, b)),
        1 => (0.0..1.0f64, any::<u8>()).prop_map(|(p, b)| Edit::Byte(p, b)),
    ]
}

/// A case: which file, which seed text for it, which edits.
#[derive(Debug, Clone)]
struct Case {
    target: usize,
    seed: usize,
    edits: Vec<Edit>,
    /// Index into [`PLACES`]: where the mutated file is put (0: its own place).
    place: usize,
}

/// Where a case may put its file instead of its own path (`{stem}`, `{ext}`,
/// `{name}` are the original's); `+` keeps the original too (a copy).
const PLACES: &[&str] = &[
    "{name}",
    "{stem}.MD",
    "{stem}.markdown",
    "sub/{name}",
    "{stem} 中 .{ext}",
    "index.html.{ext}",
    "Upper-{stem}.{ext}",
    "+copy-{name}",
    "+sub/{name}",
];

fn case_strategy(targets: usize) -> impl Strategy<Value = Case> {
    (
        0..targets,
        0usize..1000,
        prop::collection::vec(edit_strategy(), 0..6),
        // Mostly the file's own place; one case in four moves or copies it.
        prop_oneof![3 => Just(0usize), 1 => 1..PLACES.len()],
    )
        .prop_map(|(target, seed, edits, place)| Case {
            target,
            seed,
            edits,
            place,
        })
}

fn at(len: usize, p: f64) -> usize {
    ((len as f64) * p) as usize
}

fn apply(mut bytes: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        let len = bytes.len();
        match *e {
            Edit::Insert(p, t) => {
                let i = at(len, p).min(len);
                bytes.splice(i..i, TOKENS[t].bytes());
            }
            Edit::Delete(p, n) => {
                let i = at(len, p).min(len);
                bytes.drain(i..(i + n).min(len));
            }
            Edit::Duplicate(p, n) => {
                let i = at(len, p).min(len);
                let copy: Vec<u8> = bytes[i..(i + n).min(len)].to_vec();
                bytes.splice(i..i, copy);
            }
            Edit::SwapLines(a, b) => {
                let mut lines: Vec<Vec<u8>> =
                    bytes.split(|&c| c == b'\n').map(<[u8]>::to_vec).collect();
                let n = lines.len();
                if n > 1 {
                    lines.swap(at(n, a).min(n - 1), at(n, b).min(n - 1));
                }
                bytes = lines.join(&b'\n');
            }
            Edit::Byte(p, b) => {
                if len > 0 {
                    bytes[at(len, p).min(len - 1)] = b;
                }
            }
        }
    }
    bytes
}

/// A site file and the texts it may start from (its own, plus real
/// content files of the same kind).
struct Target {
    rel: String,
    seeds: Vec<Vec<u8>>,
}

fn real_files(dir: &Path, ext: &str, limit: usize) -> Vec<Vec<u8>> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .map(walkdir::DirEntry::into_path)
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    out.truncate(limit);
    out.iter().filter_map(|p| fs::read(p).ok()).collect()
}

fn targets(site: &Path) -> Vec<Target> {
    let real = common::repo_root().join("content");
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(site.join("content"))
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
    {
        let rel = e
            .path()
            .strip_prefix(site)
            .expect("inside")
            .to_string_lossy()
            .into_owned();
        let mut seeds = vec![fs::read(e.path()).expect("read seed")];
        let extra = if rel.contains("/provinces/") {
            real_files(&real.join("provinces"), "toml", 6)
        } else if rel.contains("/decision/") {
            real_files(&real.join("decision"), "toml", 2)
        } else if rel.contains("/rejections/") {
            real_files(&real.join("rejections"), "md", 6)
        } else if rel.ends_with("_index.md") {
            real_files(&real.join("faq/basics"), "md", 1)
        } else if rel.contains("/faq/") {
            real_files(&real.join("faq/process"), "md", 6)
        } else if rel.ends_with("site.toml") {
            vec![fs::read(real.join("site.toml")).expect("real site.toml")]
        } else {
            Vec::new()
        };
        seeds.extend(extra);
        out.push(Target { rel, seeds });
    }
    out
}

/// The path a case puts its file at, `None` for its own place.
fn place(path: &Path, pattern: &str) -> Option<PathBuf> {
    if pattern == "{name}" {
        return None;
    }
    let name = path.file_name()?.to_str()?;
    let stem = path.file_stem()?.to_str()?;
    let ext = path.extension()?.to_str()?;
    let rel = pattern
        .trim_start_matches('+')
        .replace("{name}", name)
        .replace("{stem}", stem)
        .replace("{ext}", ext);
    Some(path.parent()?.join(rel))
}

/// What one case found wrong, if anything; `Ok(true)` when the site was valid.
fn run_case(root: &Path, out: &Path) -> Result<bool, String> {
    let (site, report) = build::check(root);
    for d in report.located() {
        if d.file.is_empty() || d.line == 0 || d.column == 0 {
            return Err(format!("diagnostic without a position: {d:?}"));
        }
    }
    // A bare 1:1 in a file with text is a position in name only, unless the
    // problem is the file's first line itself.
    for d in &report.items {
        let whole_file = [
            "missing front matter",
            "unclosed front matter",
            "front matter must be TOML",
        ];
        if d.span == (0..0)
            && !report.sources.text(d.file).is_empty()
            && !whole_file.iter().any(|w| d.message.starts_with(w))
        {
            return Err(format!(
                "diagnostic at 1:1 of {} without pointing at anything: {}",
                report.sources.path(d.file).display(),
                d.message
            ));
        }
    }
    let check_ok = site.is_some() && !report.has_errors();
    let mut paths = Paths::new(root);
    paths.output = out.to_path_buf();
    let built = build::build(&paths);
    match (check_ok, &built) {
        (true, Err((e, _))) => Err(format!("check passed but build failed: {e}")),
        (false, Ok(_)) => Err(format!(
            "check failed but build succeeded:\n{}",
            report.render_plain()
        )),
        _ => Ok(check_ok),
    }
}

#[test]
fn fuzz_check_and_build() {
    let seconds: u64 = std::env::var("ZHIKU_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    let seed: u64 = std::env::var("ZHIKU_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        });
    eprintln!("fuzz: seed {seed} (replay with ZHIKU_FUZZ_SEED={seed}), {seconds} s");
    let site = common::valid_site();
    let root = site.path().to_path_buf();
    let out = tempfile::tempdir().expect("temp");
    let out_dir = out.path().join("public");
    let targets = targets(&root);
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut runner = TestRunner::new_with_rng(
        proptest::test_runner::Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes),
    );
    let strategy = case_strategy(targets.len());
    let started = Instant::now();
    let mut cases = 0u64;
    let mut valid = 0u64;
    let mut failures: Vec<String> = Vec::new();
    // The checks run on a worker thread so a hang is seen, not waited for.
    let (job_tx, job_rx) = mpsc::channel::<()>();
    let (done_tx, done_rx) = mpsc::channel::<Result<bool, String>>();
    let (worker_root, worker_out) = (root.clone(), out_dir.clone());
    std::thread::spawn(move || {
        while job_rx.recv().is_ok() {
            let r = std::panic::catch_unwind(|| run_case(&worker_root, &worker_out))
                .unwrap_or_else(|p| {
                    let msg = p
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_default();
                    Err(format!("panic: {msg}"))
                });
            if done_tx.send(r).is_err() {
                return;
            }
        }
    });
    while started.elapsed() < Duration::from_secs(seconds) && failures.len() < 3 {
        let case = strategy.new_tree(&mut runner).expect("a case").current();
        let t = &targets[case.target];
        let original = &t.seeds[0];
        let start_from = &t.seeds[case.seed % t.seeds.len()];
        let mutated = apply(start_from.clone(), &case.edits);
        let path = root.join(&t.rel);
        let placed = place(&path, PLACES[case.place]);
        if let Some(p) = &placed {
            fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            fs::write(p, &mutated).expect("write case");
            if !PLACES[case.place].starts_with('+') {
                fs::remove_file(&path).expect("move away");
            }
        } else {
            fs::write(&path, &mutated).expect("write case");
        }
        job_tx.send(()).expect("worker alive");
        let result = match done_rx.recv_timeout(CASE_LIMIT) {
            Ok(r) => r,
            Err(_) => Err(format!("hang: no result within {CASE_LIMIT:?}")),
        };
        cases += 1;
        if result == Ok(true) {
            valid += 1;
        }
        if let Err(why) = result {
            let dir = common::repo_root()
                .join("target/fuzz-failures")
                .join(format!("{seed}-{cases}"));
            let _ = fs::create_dir_all(&dir);
            let _ = fs::write(dir.join(t.rel.replace('/', "__")), &mutated);
            failures.push(format!(
                "case {cases} ({} at {}): {why}\n  edits: {:?}\n  file kept in {}",
                t.rel,
                PLACES[case.place],
                case.edits,
                dir.display()
            ));
            if why.starts_with("hang") {
                break;
            }
        }
        if let Some(p) = &placed {
            let _ = fs::remove_file(p);
            if let Some(dir) = p.parent().filter(|d| d.ends_with("sub")) {
                let _ = fs::remove_dir_all(dir);
            }
        }
        fs::write(&path, original).expect("restore");
    }
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "fuzz: {cases} cases ({valid} valid sites, built) in {secs:.1} s ({:.1} executions/s), {} failure(s)",
        cases as f64 / secs,
        failures.len()
    );
    assert!(cases > 0, "no case ran");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
