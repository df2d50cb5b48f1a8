//! The build writes the search index and runtime under `public/search/` with
//! content-hashed names, pages point at them, and the CLI side can load them.

mod common;

use std::path::{Path, PathBuf};

use zhiku::build::{build, Paths};
use zhiku::search::{content_hash, load_engine, manifest_path, Manifest};

fn build_site(root: &Path, dir: &Path) -> PathBuf {
    let mut paths = Paths::new(root);
    paths.output = dir.join("public");
    build(&paths).map_err(|(e, _)| e).expect("site builds");
    paths.output
}

fn build_into(dir: &Path) -> PathBuf {
    build_site(Path::new(env!("CARGO_MANIFEST_DIR")), dir)
}

/// The chunk files of a built site, each checked to be named by its bytes.
fn chunk_files(out: &Path) -> Vec<PathBuf> {
    let Ok(dir) = std::fs::read_dir(out.join("search/chunks")) else {
        return Vec::new();
    };
    let chunks: Vec<PathBuf> = dir.map(|e| e.unwrap().path()).collect();
    for path in &chunks {
        let name = format!("chunks/{}", path.file_name().unwrap().to_string_lossy());
        assert_eq!(
            search_index::lazy::chunk_name(&std::fs::read(path).unwrap()),
            name
        );
    }
    chunks
}

/// A copy of the real site whose index is always cut into chunks, built:
/// (the copy, the output's temp folder, the output).
fn build_cut_site() -> (common::SiteCopy, tempfile::TempDir, PathBuf) {
    let site = common::SiteCopy::new();
    let config = site.read("content/site.toml");
    site.write(
        "content/site.toml",
        &format!("{config}\n[search]\nwhole_index_kb = 0\n"),
    );
    let tmp = tempfile::tempdir().unwrap();
    let out = build_site(site.root(), tmp.path());
    (site, tmp, out)
}

#[test]
fn build_writes_hashed_search_files_that_load() {
    let tmp = tempfile::tempdir().unwrap();
    let out = build_into(tmp.path());
    let manifest: Manifest =
        serde_json::from_slice(&std::fs::read(manifest_path(&out)).unwrap()).unwrap();
    assert_eq!(
        manifest.texts.len(),
        search_index::texts::shard_count(manifest.docs)
    );
    for url in [
        &manifest.index,
        &manifest.wasm,
        &manifest.glue,
        &manifest.tools_wasm,
        &manifest.tools_glue,
    ]
    .into_iter()
    .chain(&manifest.texts)
    {
        // Manifest URLs are relative to the manifest, in search/.
        let bytes = std::fs::read(out.join("search").join(url)).unwrap();
        assert!(
            url.contains(&content_hash(&bytes)),
            "{url} is not named by its content hash"
        );
    }
    assert!(manifest.docs > 400, "{} docs", manifest.docs);

    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    let loader = home
        .split("data-loader=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("search box carries data-loader");
    assert!(loader.starts_with("/search/loader.") && loader.ends_with(".js"));
    assert!(out.join(loader.trim_start_matches('/')).is_file());

    // This site's index is small enough to be whole in its hot file: a
    // first query needs no chunk round.
    assert_eq!(
        chunk_files(&out).len(),
        0,
        "the real site's index outgrew [search] whole_index_kb"
    );
    let mut engine = load_engine(&out).unwrap();
    assert_eq!(engine.num_docs() as usize, manifest.docs);
    let hits = engine
        .search(&search_index::SearchRequest::new("二级域名要备案吗"))
        .unwrap();
    assert!(hits.iter().take(3).any(|h| h.section == "7.7"), "{hits:?}");
    // The CLI reads the text shards of its hits, so every hit has its snippet.
    assert!(
        hits.iter()
            .all(|h| h.text_shard.is_none() && h.snippet_html.contains("<mark>")),
        "{hits:?}"
    );
    assert_eq!(engine.loaded_chunks(), 0);
}

#[test]
fn a_cut_index_loads_only_the_chunks_a_query_needs() {
    let (_site, _tmp, out) = build_cut_site();
    let chunks = chunk_files(&out);
    assert!(chunks.len() > 20, "{} chunks", chunks.len());
    let mut engine = load_engine(&out).unwrap();
    let hits = engine
        .search(&search_index::SearchRequest::new("二级域名要备案吗"))
        .unwrap();
    assert!(hits.iter().take(3).any(|h| h.section == "7.7"), "{hits:?}");
    assert!(
        hits.iter().all(|h| h.snippet_html.contains("<mark>")),
        "{hits:?}"
    );
    // Only the chunks the query needs, as the browser does.
    let read = engine.loaded_chunks();
    assert!(
        read > 0 && read < chunks.len() / 2,
        "{read} of {}",
        chunks.len()
    );
    // The same ranked hits as the whole index gives.
    let whole = tempfile::tempdir().unwrap();
    let mut whole = load_engine(&build_into(whole.path())).unwrap();
    let req = search_index::SearchRequest::new("备案 域名 实名认证");
    let ids = |hits: Vec<search_index::Hit>| -> Vec<(String, String)> {
        hits.into_iter()
            .map(|h| (h.id, format!("{:.6}", h.score)))
            .collect()
    };
    assert_eq!(
        ids(engine.search(&req).unwrap()),
        ids(whole.search(&req).unwrap())
    );
}

#[test]
fn an_index_of_another_format_is_named() {
    let (_site, _tmp, out) = build_cut_site();
    let path = manifest_path(&out);
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    manifest["index_format"] = 99.into();
    std::fs::write(&path, manifest.to_string()).unwrap();
    let err = load_engine(&out).err().expect("refused").to_string();
    assert!(err.contains("format 99"), "{err}");

    // A chunk that is missing on disk is an error naming it, not a panic.
    manifest["index_format"] = search_index::lazy::INDEX_FORMAT.into();
    std::fs::write(&path, manifest.to_string()).unwrap();
    std::fs::remove_dir_all(out.join("search/chunks")).unwrap();
    let mut engine = load_engine(&out).unwrap();
    let err = engine
        .search(&search_index::SearchRequest::new("备案"))
        .unwrap_err();
    assert!(
        zhiku::diagnostics::error_chain(&err).contains("chunks/"),
        "{err}"
    );
}

#[test]
fn the_index_is_reproducible() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let ma = std::fs::read(manifest_path(&build_into(a.path()))).unwrap();
    let mb = std::fs::read(manifest_path(&build_into(b.path()))).unwrap();
    // Same content → same index bytes → same hashed names.
    assert_eq!(
        String::from_utf8(ma).unwrap(),
        String::from_utf8(mb).unwrap()
    );
}

/// The build takes each body's plain text out of its outline for the search
/// documents ([`zhiku::search::take_site_docs`]): the documents are the same
/// as those made from a borrowed site (whose bodies are read from the files
/// again), and no outline keeps its text.
#[test]
fn taken_search_documents_are_the_borrowed_ones() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (site, report) = zhiku::build::check(root);
    let mut site = site
        .filter(|_| !report.has_errors())
        .expect("content loads");
    let borrowed = zhiku::search::site_docs(&site).expect("bodies read");
    let mut report = report;
    let taken = zhiku::search::take_site_docs(&mut site, &mut report).expect("bodies held");
    assert_eq!(taken.len(), borrowed.len());
    assert!(taken.iter().any(|d| !d.body.is_empty()));
    assert!(
        taken == borrowed,
        "taken documents differ from borrowed ones"
    );
    assert!(site.entries.iter().all(|e| e.body.outline.text.is_empty()));
    assert!(site
        .rejections
        .iter()
        .all(|r| r.body.outline.text.is_empty()));
}

/// A build holds a small site's sources and renders its bodies from them
/// (`zhiku::build::HOLD_SOURCES_BYTES`); a large site's pages read their
/// bodies from the files again, as `render_site` always does. Both write the
/// same bytes.
#[test]
fn bodies_read_again_from_files_render_as_held_ones() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().expect("temp dir");
    let out = build_into(dir.path());
    let (site, report) = zhiku::build::check(root);
    let site = site
        .filter(|_| !report.has_errors())
        .expect("content loads");
    assert!(site.held_sources.is_none(), "checking holds no sources");
    let files = zhiku::build::render_site(&site, &Paths::new(root)).expect("renders");
    let built = common::snapshot(&out);
    let rendered: std::collections::BTreeSet<&str> =
        files.iter().map(|f| f.path.as_str()).collect();
    // The build's own record of what it wrote is no page of the site.
    let written: std::collections::BTreeSet<&str> = built
        .keys()
        .map(String::as_str)
        .filter(|p| !p.starts_with(".zhiku"))
        .collect();
    assert_eq!(
        rendered.symmetric_difference(&written).collect::<Vec<_>>(),
        Vec::<&&str>::new(),
        "the same files"
    );
    for f in &files {
        assert!(built[&f.path] == f.bytes, "{} differs", f.path);
    }
}
