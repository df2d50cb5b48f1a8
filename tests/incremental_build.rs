//! `zhiku build` into an existing output (issue #17): the result is byte for
//! byte a full build into a new folder and a build on one thread, over the
//! edit kinds the serve tests use; files whose bytes did not change keep
//! their inode and mtime, changed ones are written anew, stale ones go; the
//! build cache `.zhiku-cache/` is safe to delete.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;

use common::SiteCopy;

/// Runs `zhiku build --output <out>`, on `threads` rayon threads when given;
/// gives how many pages it rendered, and how many the site has.
fn build(root: &Path, out: &Path, threads: Option<usize>) -> (usize, usize) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_zhiku"));
    cmd.arg("--root")
        .arg(root)
        .arg("build")
        .arg("--output")
        .arg(out);
    if let Some(n) = threads {
        cmd.env("RAYON_NUM_THREADS", n.to_string());
    }
    let o = cmd.output().expect("running zhiku");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "zhiku build failed:\n{stderr}");
    // "…; 12 of 445 pages rendered; …"
    let counts = stderr
        .split("; ")
        .find_map(|part| {
            let (rendered, rest) = part.split_once(" of ")?;
            let pages = rest.strip_suffix(" pages rendered")?;
            Some((rendered.parse().ok()?, pages.parse().ok()?))
        })
        .unwrap_or_else(|| panic!("no page count in:\n{stderr}"));
    counts
}

fn docs(out: &Path) -> u64 {
    zhiku::search::load_engine(out)
        .expect("the index loads")
        .num_docs()
}

/// Rebuilds `public/` in place after an edit and checks it against a full
/// build into a new folder: same files, same bytes; unchanged files kept
/// (same inode and mtime), changed ones rewritten.
fn check_rebuild(site: &SiteCopy, what: &str) -> (usize, usize) {
    let public = site.path("public");
    let before = common::snapshot(&public);
    let before_stamps = common::stamps(&public);
    let counts = build(site.root(), &public, None);
    let fresh = tempfile::tempdir().expect("temp dir");
    let full = fresh.path().join("public");
    build(site.root(), &full, None);
    let after = common::snapshot(&public);
    assert_ne!(before, after, "{what}: the edit changed no output");
    let (a, b) = (&after, common::snapshot(&full));
    let differing: Vec<&String> = a
        .keys()
        .chain(b.keys())
        .filter(|p| a.get(*p) != b.get(*p))
        .collect();
    assert!(
        differing.is_empty(),
        "{what}: the rebuild into the old output differs from a full build in {differing:?}"
    );
    assert_eq!(docs(&public), docs(&full), "{what}: index documents");
    let now = common::stamps(&public);
    for (path, bytes) in &after {
        match before.get(path) {
            Some(old) if old == bytes => assert_eq!(
                now[path], before_stamps[path],
                "{what}: {path} did not change but was written again"
            ),
            Some(_) => assert_ne!(
                now[path].0, before_stamps[path].0,
                "{what}: {path} changed but kept its old file"
            ),
            None => {}
        }
    }
    assert!(common::leftovers(site.root()).is_empty());
    counts
}

#[test]
fn rebuilds_into_the_old_output_equal_full_and_single_threaded_builds() {
    let site = SiteCopy::new();
    let public = site.path("public");
    build(site.root(), &public, None);

    // The same content rebuilt: nothing is written or rendered, the index is reused.
    let first = common::stamps(&public);
    let bytes = common::snapshot(&public);
    let (rendered, pages) = build(site.root(), &public, None);
    assert_eq!(rendered, 0, "an unchanged rebuild rendered pages");
    assert!(pages > 400);
    assert_eq!(
        common::stamps(&public),
        first,
        "an unchanged rebuild rewrote files"
    );
    assert_eq!(common::snapshot(&public), bytes);

    // One thread gives the same output as all of them.
    let serial = tempfile::tempdir().expect("temp dir");
    build(site.root(), &serial.path().join("public"), Some(1));
    assert!(common::snapshot(&serial.path().join("public")) == common::snapshot(&public));

    let search_files = |public: &Path| -> Vec<String> {
        common::snapshot(public)
            .into_keys()
            .filter(|p| p.starts_with("search/"))
            .collect()
    };
    for (what, edit) in common::edit_kinds() {
        let before = search_files(&public);
        let touched = edit(&site);
        let (rendered, pages) = check_rebuild(&site, what);
        if what == "entry body" {
            // Its page, its chapter's pages (they list it) and the list
            // pages; not the site.
            assert!(
                rendered * 4 < pages,
                "an entry body edit rendered {rendered} of {pages} pages"
            );
        }
        if what == "template" {
            // Pages changed, the search documents did not: the index is reused.
            assert_eq!(
                before,
                search_files(&public),
                "a template edit renamed search files"
            );
        }
        if what.ends_with("entry") && !what.starts_with("most") {
            let page = touched[0]
                .trim_start_matches("content/")
                .trim_end_matches(".md")
                .to_string()
                + "/index.html";
            let exists = public.join(&page).is_file();
            assert_eq!(exists, what == "new entry", "{what}: {page}");
        }
    }
}

#[test]
fn the_build_cache_is_safe_to_delete_or_garble() {
    let site = common::valid_site();
    let root = site.path();
    let public = root.join("public");
    build(root, &public, None);
    let cache = root.join(".zhiku-cache");
    assert!(cache.join("public/files.tsv").is_file());
    // The cache ignores itself in git, wherever the output is.
    assert!(fs::read_to_string(cache.join(".gitignore"))
        .expect("ignore file")
        .contains('*'));
    let first = common::stamps(&public);

    fs::remove_dir_all(&cache).expect("delete the cache");
    build(root, &public, None);
    assert_eq!(
        common::stamps(&public),
        first,
        "without a cache, files were rewritten"
    );

    // A table that lies (wrong hashes) is not trusted once a file was touched,
    // and a garbled one is ignored.
    fs::write(cache.join("public/files.tsv"), "garbage\n\t\t\n").expect("garble");
    let home = public.join("index.html");
    let good = fs::read(&home).expect("home");
    fs::write(&home, b"edited by hand").expect("edit output");
    build(root, &public, None);
    assert_eq!(fs::read(&home).expect("home"), good, "a hand edit survived");
    assert!(cache.join("public/files.tsv").is_file());
}

#[test]
fn the_spare_folder_brings_in_nothing_the_build_did_not_make() {
    let site = common::valid_site();
    let root = site.path();
    let public = root.join("public");
    build(root, &public, None);
    build(root, &public, None);
    let spare = root.join(".zhiku-cache/public/spare");
    assert!(
        spare.is_dir(),
        "the previous build was not kept as the spare"
    );
    let good = common::snapshot(&public);
    let first = common::stamps(&public);

    // Hand edits in the output: a new file, and a page written over in
    // place (its inode is shared with the spare's copy).
    fs::write(public.join("stray.txt"), "not made by zhiku").expect("stray file");
    fs::create_dir_all(public.join("stray-folder")).expect("stray folder");
    fs::write(public.join("stray-folder/a.txt"), "nor this").expect("stray file");
    fs::write(public.join("index.html"), b"edited by hand").expect("edit output");
    // Two builds: the second writes into the folder the hand edits were in.
    for round in 1..=2 {
        build(root, &public, None);
        assert!(
            common::snapshot(&public) == good,
            "build {round} after the hand edits differs from the build before them"
        );
        assert!(!public.join("stray-folder").exists(), "build {round}");
        let now = common::stamps(&public);
        for (path, stamp) in &first {
            if path != "index.html" {
                assert_eq!(&now[path], stamp, "build {round}: {path} was written again");
            }
        }
    }
    assert!(common::leftovers(root).is_empty());

    // A build that fails on its content leaves the spare in the cache.
    let config = root.join("content/site.toml");
    let good_config = fs::read(&config).expect("site.toml");
    fs::write(&config, "title = [unclosed").expect("break site.toml");
    let failed = Command::new(env!("CARGO_BIN_EXE_zhiku"))
        .arg("--root")
        .arg(root)
        .arg("build")
        .output()
        .expect("running zhiku");
    assert!(!failed.status.success());
    assert!(spare.is_dir(), "a failed build deleted the spare");
    assert!(common::leftovers(root).is_empty());
    fs::write(&config, good_config).expect("mend site.toml");
    build(root, &public, None);
    assert!(common::snapshot(&public) == good);

    // Files changed or added in the spare itself are not published.
    fs::write(spare.join("stray.txt"), "in the spare").expect("stray file");
    let page = fs::read_dir(&spare)
        .expect("the spare")
        .filter_map(Result::ok)
        .map(|e| e.path().join("index.html"))
        .find(|p| p.is_file())
        .expect("a page in the spare");
    fs::remove_file(&page).expect("unlink");
    fs::write(&page, "replaced in the spare").expect("replace");
    build(root, &public, None);
    assert!(common::snapshot(&public) == good);
    // Without the output's table the spare is not used.
    fs::remove_file(root.join(".zhiku-cache/public/files.tsv")).expect("delete table");
    build(root, &public, None);
    assert!(common::snapshot(&public) == good);
}
