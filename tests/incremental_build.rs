//! `zhiku build` into an existing output (issue #17): the result is byte for
//! byte a full build into a new folder and a build on one thread, over the
//! edit kinds the serve tests use; files whose bytes did not change keep
//! their inode and mtime, changed ones are written anew, stale ones go; the
//! build cache `.zhiku-cache/` is safe to delete.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::Command;

use common::{append_to_string_field, SiteCopy};

/// Runs `zhiku build --output <out>`, on `threads` rayon threads when given.
fn build(root: &Path, out: &Path, threads: Option<usize>) {
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
    assert!(
        o.status.success(),
        "zhiku build failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// (inode, mtime in ns) of every file of a build.
fn stamps(dir: &Path) -> BTreeMap<String, (u64, i128)> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.expect("walking"))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let m = e.metadata().expect("metadata");
            let rel = e.path().strip_prefix(dir).expect("inside");
            (
                rel.to_string_lossy().into_owned(),
                (
                    m.ino(),
                    i128::from(m.mtime()) * 1_000_000_000 + i128::from(m.mtime_nsec()),
                ),
            )
        })
        .collect()
}

fn docs(out: &Path) -> u64 {
    zhiku::search::load_engine(out)
        .expect("the index loads")
        .num_docs()
}

/// Rebuilds `public/` in place after an edit and checks it against a full
/// build into a new folder: same files, same bytes; unchanged files kept
/// (same inode and mtime), changed ones rewritten.
fn check_rebuild(site: &SiteCopy, what: &str) {
    let public = site.path("public");
    let before = common::snapshot(&public);
    let before_stamps = stamps(&public);
    build(site.root(), &public, None);
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
    let now = stamps(&public);
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
}

#[test]
fn rebuilds_into_the_old_output_equal_full_and_single_threaded_builds() {
    let site = SiteCopy::new();
    let public = site.path("public");
    build(site.root(), &public, None);

    // The same content rebuilt: nothing is written, the index is reused.
    let first = stamps(&public);
    let bytes = common::snapshot(&public);
    build(site.root(), &public, None);
    assert_eq!(stamps(&public), first, "an unchanged rebuild rewrote files");
    assert_eq!(common::snapshot(&public), bytes);

    // One thread gives the same output as all of them.
    let serial = tempfile::tempdir().expect("temp dir");
    build(site.root(), &serial.path().join("public"), Some(1));
    assert!(common::snapshot(&serial.path().join("public")) == common::snapshot(&public));

    let (entry, _) = site.entry_with_related();
    let text = site.read(&entry);
    site.write(&entry, &format!("{text}\n\n增量构建测试段落。\n"));
    check_rebuild(&site, "entry body");

    let text = site.read(&entry);
    site.write(&entry, &append_to_string_field(&text, "title", "（改）"));
    check_rebuild(&site, "entry title");

    let (popular, _) = site.most_referenced_entry();
    let text = site.read(&popular);
    site.write(
        &popular,
        &append_to_string_field(&text, "title", "（热门改）"),
    );
    check_rebuild(&site, "most referenced entry title");

    let text = site.read(&entry);
    let start = text.find("\nrelated = [").expect("related");
    let end = start + 1 + text[start + 1..].find('\n').expect("line end");
    site.write(&entry, &format!("{}{}", &text[..start], &text[end..]));
    check_rebuild(&site, "entry related removed");

    let rejection = site.first_in("content/rejections", ".md");
    let text = site.read(&rejection);
    site.write(
        &rejection,
        &append_to_string_field(&text, "title", "（改）"),
    );
    check_rebuild(&site, "rejection title");

    let province = site.first_in("content/provinces", ".toml");
    let text = site.read(&province);
    site.write(
        &province,
        &format!("# edited\n{}", text.replacen("name = \"", "name = \"改", 1)),
    );
    check_rebuild(&site, "province name");

    let chapter_index = format!(
        "{}/_index.md",
        Path::new(&entry).parent().expect("chapter").display()
    );
    let text = site.read(&chapter_index);
    site.write(
        &chapter_index,
        &append_to_string_field(&text, "title", "（改）"),
    );
    check_rebuild(&site, "chapter title");

    // A template edit changes pages but not the search documents: the index is reused.
    let index_before: Vec<String> = common::snapshot(&public)
        .into_keys()
        .filter(|p| p.starts_with("search/"))
        .collect();
    let base = "themes/default/templates/base.html";
    let text = site.read(base);
    site.write(base, &text.replace("</footer>", "<p>模板改动</p></footer>"));
    check_rebuild(&site, "template");
    let index_after: Vec<String> = common::snapshot(&public)
        .into_keys()
        .filter(|p| p.starts_with("search/"))
        .collect();
    assert_eq!(
        index_before, index_after,
        "a template edit renamed search files"
    );

    let new_entry = format!(
        "{}/zz-build-test.md",
        Path::new(&entry).parent().expect("chapter").display()
    );
    site.write(
        &new_entry,
        "+++\ntitle = \"测试新条目\"\nsection = \"7.1\"\norder = 99999\naliases = [\"测试\"]\n+++\n\n新条目正文。\n",
    );
    check_rebuild(&site, "new entry");
    let page = new_entry
        .trim_start_matches("content/")
        .trim_end_matches(".md")
        .to_string()
        + "/index.html";
    assert!(public.join(&page).is_file(), "{page}");
    fs::remove_file(site.path(&new_entry)).expect("delete");
    check_rebuild(&site, "deleted entry");
    assert!(!public.join(&page).exists(), "stale {page} survived");
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
    let first = stamps(&public);

    fs::remove_dir_all(&cache).expect("delete the cache");
    build(root, &public, None);
    assert_eq!(
        stamps(&public),
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
