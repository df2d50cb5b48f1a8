//! The service worker (`sw.js`) that keeps a built site readable offline.
//!
//! The build knows every file and its size, so the precache list is made
//! here, in a fixed order, until `[offline] budget_kb` is spent:
//!
//! 1. the shell (home, search and 404 pages, the theme's static files, icons)
//!    and the search runtime — always, since nothing works offline without them;
//! 2. whatever the search manifest lists (the index's hot file, text shards),
//!    the index's chunks, then the other pages, index pages before entries.
//!
//! At run time the worker also keeps every page visited and every file
//! fetched under `search/` (lazily loaded parts of the index). The cache name
//! carries a hash of the precached files, so a deploy that changes anything
//! changes `sw.js`; the new worker fills a new cache and deletes the old one.

use std::collections::{HashMap, HashSet};

use serde_json::{json, Value};

use super::OutputFile;
use crate::content::Site;

/// The worker's code; the build puts its settings in front of it.
const WORKER: &str = include_str!("sw.js");

/// Path of the worker in the output (at the site's root, so its scope is the site).
pub const WORKER_PATH: &str = "sw.js";

/// What the worker needs to know of one output file. The build streams files
/// to disk as they are made, so it keeps this much of each, not its bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct FileSummary {
    /// Path in the output (`faq/x/index.html`).
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// Hash of the bytes, as [`crate::search::content_hash`] gives it.
    pub hash: String,
    /// A redirect page of a moved entry (tiny, only ever followed online).
    pub redirect: bool,
    /// The bytes, kept only for the search manifest (`search/manifest.json`),
    /// whose list of files the precache follows.
    pub bytes: Option<Vec<u8>>,
}

impl FileSummary {
    /// Hands `file` to `put`, which stores it and gives its SHA-256 in hex
    /// (the output folder computes it anyway, to compare the file with the
    /// previous build's), and gives the file's summary.
    pub fn put<E>(
        file: OutputFile,
        put: impl FnOnce(OutputFile) -> Result<String, E>,
    ) -> Result<FileSummary, E> {
        let mut summary = FileSummary::unhashed(&file);
        let sha256 = put(file)?;
        // content_hash is the first 12 hex digits of the SHA-256.
        summary.hash = sha256.chars().take(12).collect();
        Ok(summary)
    }

    /// The summary of a page kept from the previous build as it was.
    pub fn kept_page(path: String, kept: &crate::output::Kept) -> FileSummary {
        FileSummary {
            path,
            size: kept.size,
            hash: kept.sha256.chars().take(12).collect(),
            // Redirect pages are extras, never kept this way.
            redirect: false,
            bytes: None,
        }
    }

    /// The summary of `file`, hashing its bytes.
    pub fn of(file: &OutputFile) -> FileSummary {
        FileSummary {
            hash: crate::search::content_hash(&file.bytes),
            ..FileSummary::unhashed(file)
        }
    }

    fn unhashed(file: &OutputFile) -> FileSummary {
        // Redirect pages are a few hundred bytes; no need to scan real pages.
        let redirect = is_page(&file.path)
            && file.bytes.len() < 4096
            && file.bytes.windows(19).any(|w| w == b"http-equiv=\"refresh");
        FileSummary {
            path: file.path.clone(),
            size: file.bytes.len() as u64,
            hash: String::new(),
            redirect,
            bytes: (file.path == manifest_json()).then(|| file.bytes.clone()),
        }
    }
}

/// Path of the un-hashed search manifest in the output.
fn manifest_json() -> String {
    format!("{}/manifest.json", crate::search::DIR)
}

fn is_page(path: &str) -> bool {
    path.ends_with("index.html") || path == "404.html"
}

/// What the worker precaches: URLs relative to the worker, and their total size.
#[derive(Debug, Clone, PartialEq)]
pub struct Precache {
    /// URLs relative to the site root (`""` is the home page, `faq/x/`).
    pub urls: Vec<String>,
    /// Bytes of those files.
    pub bytes: u64,
    /// Pages left to be kept on visit because the budget was spent.
    pub skipped: usize,
}

/// The URL of an output file as the worker fetches it (`faq/x/index.html` → `faq/x/`).
fn url_of(path: &str) -> String {
    match path.strip_suffix("index.html") {
        Some(dir) if dir.is_empty() || dir.ends_with('/') => dir.to_string(),
        _ => path.to_string(),
    }
}

/// Every string value in a JSON document.
fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(o) => o.values().for_each(|x| strings(x, out)),
        _ => {}
    }
}

/// Files the search manifest (`search/manifest.json`) names, as output paths.
fn manifest_files(by_path: &HashMap<&str, &FileSummary>) -> Vec<String> {
    let dir = crate::search::DIR;
    let Some(bytes) = by_path
        .get(manifest_json().as_str())
        .and_then(|m| m.bytes.as_ref())
    else {
        return vec![];
    };
    let Ok(v) = serde_json::from_slice::<Value>(bytes) else {
        return vec![];
    };
    let mut found = Vec::new();
    strings(&v, &mut found);
    found
        .into_iter()
        .map(|s| format!("{dir}/{}", s.trim_start_matches("./")))
        .filter(|p| by_path.contains_key(p.as_str()))
        .collect()
}

/// Orders the files of a build into the precache list under `budget` bytes.
/// `files` are in the order the build made them; the shell's files all come
/// from its one-thread parts (extras, search and static files), so their
/// order is the same in every build.
pub fn precache(files: &[FileSummary], budget: u64) -> Precache {
    let dir = crate::search::DIR;
    let by_path: HashMap<&str, &FileSummary> = files.iter().map(|f| (f.path.as_str(), f)).collect();
    let size = |p: &str| by_path.get(p).map_or(0, |f| f.size);
    let mut shell: Vec<String> = vec![
        "index.html".into(),
        "search/index.html".into(),
        "404.html".into(),
    ];
    shell.extend(
        files
            .iter()
            .filter(|f| {
                f.path.starts_with("static/")
                    || f.path == "favicon.ico"
                    || f.path == "manifest.webmanifest"
                    || f.path.starts_with(&format!("{dir}/loader."))
                    || f.path == manifest_json()
            })
            .map(|f| f.path.clone()),
    );
    let in_shell: HashSet<&str> = shell.iter().map(String::as_str).collect();
    let mut optional = manifest_files(&by_path);
    // The index's chunks (named by the hot file, not the manifest): an
    // offline search may need any of them.
    optional.extend(
        files
            .iter()
            .filter(|f| f.path.starts_with(&format!("{dir}/chunks/")))
            .map(|f| f.path.clone()),
    );
    let mut pages: Vec<&FileSummary> = files
        .iter()
        .filter(|f| is_page(&f.path) && !f.redirect && !in_shell.contains(f.path.as_str()))
        .collect();
    // Index pages (chapters, tools, lists) before the many answer pages.
    pages.sort_by_key(|f| {
        let answer = f.path.starts_with("faq/") && f.path.matches('/').count() > 2;
        (answer, f.path.clone())
    });
    optional.extend(pages.iter().map(|f| f.path.clone()));

    let mut out: Vec<String> = Vec::new();
    let mut taken: HashSet<String> = HashSet::new();
    let mut bytes = 0;
    for p in shell.iter().filter(|p| by_path.contains_key(p.as_str())) {
        if taken.insert(p.clone()) {
            bytes += size(p);
            out.push(p.clone());
        }
    }
    let mut skipped = 0;
    for p in optional {
        if taken.contains(&p) {
            continue;
        }
        let s = size(&p);
        if bytes + s > budget {
            skipped += 1;
            continue;
        }
        bytes += s;
        taken.insert(p.clone());
        out.push(p);
    }
    Precache {
        urls: out.iter().map(|p| url_of(p)).collect(),
        bytes,
        skipped,
    }
}

/// The worker file for a build's `files`; `None` when `[offline]` is off.
pub fn worker(site: &Site, files: &[FileSummary]) -> Option<OutputFile> {
    let cfg = &site.config.offline;
    if !cfg.enabled {
        return None;
    }
    let list = precache(files, cfg.budget_kb.saturating_mul(1024));
    let by_path: HashMap<&str, &FileSummary> = files.iter().map(|f| (f.path.as_str(), f)).collect();
    // The version covers the content of every precached file and the worker.
    let mut hashed: Vec<u8> = WORKER.as_bytes().to_vec();
    for u in &list.urls {
        let path = if u.is_empty() || u.ends_with('/') {
            format!("{u}index.html")
        } else {
            u.clone()
        };
        if let Some(f) = by_path.get(path.as_str()) {
            hashed.extend(path.as_bytes());
            hashed.extend(f.hash.as_bytes());
        }
    }
    let settings = json!({
        "version": crate::search::content_hash(&hashed),
        "precache": list.urls,
        "search": format!("{}/", crate::search::DIR),
        "offline": "404.html",
    });
    let code = format!(
        "// Written by zhiku build: settings, then the worker.\nself.ZHIKU_OFFLINE = {};\n{WORKER}",
        super::inline_json::script_json(&settings)
    );
    Some(OutputFile {
        path: WORKER_PATH.into(),
        bytes: code.into_bytes(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, n: usize) -> OutputFile {
        OutputFile {
            path: path.into(),
            bytes: vec![b'x'; n],
        }
    }

    #[test]
    fn shell_always_then_manifest_then_pages_within_budget() {
        let manifest = br#"{"version":3,"index":"index.1.bin","texts":["text-0.2.json"],"docs":3}"#;
        let files = vec![
            file("index.html", 10),
            file("search/index.html", 10),
            file("404.html", 10),
            file("static/style.css", 10),
            file("search/loader.1.js", 10),
            OutputFile {
                path: "search/manifest.json".into(),
                bytes: manifest.to_vec(),
            },
            OutputFile {
                path: "search/manifest.9.json".into(),
                bytes: manifest.to_vec(),
            },
            file("search/index.1.bin", 100),
            file("search/text-0.2.json", 50),
            file("search/text-1.3.json", 50),
            file("tools/index.html", 10),
            file("faq/a/b/index.html", 30),
            file("faq/a/c/index.html", 30),
            OutputFile {
                path: "faq/a/old/index.html".into(),
                bytes: br#"<meta http-equiv="refresh" content="0; url=../b/">"#.to_vec(),
            },
        ];
        let files: Vec<FileSummary> = files.iter().map(FileSummary::of).collect();
        // Only the manifest's bytes are kept.
        assert_eq!(files.iter().filter(|f| f.bytes.is_some()).count(), 1);
        let shell = 50 + manifest.len() as u64;
        let all = precache(&files, 10_000);
        assert_eq!(all.skipped, 0);
        assert!(all.urls.contains(&"".to_string()) && all.urls.contains(&"search/".to_string()));
        assert!(all.urls.contains(&"search/index.1.bin".to_string()));
        // Not in the manifest: left to be cached when fetched.
        assert!(!all.urls.contains(&"search/text-1.3.json".to_string()));
        // Pages name the manifest by its fixed URL; the copy named by the
        // index's inputs is for the next build only.
        assert!(all.urls.contains(&"search/manifest.json".to_string()));
        assert!(!all.urls.contains(&"search/manifest.9.json".to_string()));
        let pos = |u: &str| all.urls.iter().position(|x| x == u).unwrap();
        assert!(pos("tools/") < pos("faq/a/b/"));
        // Redirect pages are followed online only.
        assert!(!all.urls.contains(&"faq/a/old/".to_string()));
        // A budget of the shell, the index and one text shard plus 40 bytes:
        // the tools page fits, one answer page does not.
        let tight = precache(&files, shell + 150 + 40);
        assert!(tight.urls.contains(&"tools/".to_string()));
        assert!(tight.urls.contains(&"faq/a/b/".to_string()));
        assert!(!tight.urls.contains(&"faq/a/c/".to_string()));
        assert_eq!(tight.skipped, 1);
        assert!(tight.bytes <= shell + 190);
        // Even a zero budget keeps the shell.
        assert!(precache(&files, 0)
            .urls
            .contains(&"static/style.css".to_string()));
    }

    #[test]
    fn summaries_hash_as_content_hash_does() {
        let f = OutputFile {
            path: "faq/a/b/index.html".into(),
            bytes: b"<p>page</p>".to_vec(),
        };
        let s = FileSummary::put(f.clone(), |f| {
            Ok::<_, ()>(crate::output::sha256_hex(&f.bytes))
        })
        .expect("put");
        assert_eq!(s.hash, crate::search::content_hash(&f.bytes));
        assert_eq!(s, FileSummary::of(&f));
        assert_eq!((s.size, s.redirect, s.bytes), (11, false, None));
    }
}
