//! `zhiku build` writes atomically: a failed build leaves the previous
//! `public/` byte-for-byte as it was and leaves no temporary folder behind.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use common::snapshot;

use common::leftovers;

fn build(root: &Path) -> std::process::Output {
    common::zhiku(root, &["build"])
}

fn built_site() -> (tempfile::TempDir, BTreeMap<String, Vec<u8>>) {
    let site = common::valid_site();
    let first = build(site.path());
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let before = snapshot(&site.path().join("public"));
    assert!(before.contains_key("index.html"), "{:?}", before.keys());
    (site, before)
}

fn assert_unchanged(root: &Path, before: &BTreeMap<String, Vec<u8>>) {
    let after = snapshot(&root.join("public"));
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>(),
        "the set of files changed"
    );
    for (path, bytes) in before {
        assert!(after[path] == *bytes, "{path} changed");
    }
    assert!(leftovers(root).is_empty(), "{:?}", leftovers(root));
}

#[test]
fn content_error_leaves_public_untouched() {
    let (site, before) = built_site();
    common::copy_tree(&common::fixture("errors").join("broken-link"), site.path());
    let second = build(site.path());
    assert_eq!(second.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(stderr.contains("is unchanged"), "{stderr}");
    assert_unchanged(site.path(), &before);
}

#[test]
fn theme_error_leaves_public_untouched() {
    let (site, before) = built_site();
    // Valid content, but the entry template of the site's own theme no
    // longer compiles: the build fails while rendering, after validation passed.
    common::with_theme(site.path());
    let template = site.path().join("themes/default/templates/entry.html");
    fs::write(&template, "{% if %}broken").expect("writing");
    let second = build(site.path());
    assert_eq!(second.status.code(), Some(1));
    assert_unchanged(site.path(), &before);
}

#[test]
fn successful_rebuild_replaces_public_without_leftovers() {
    let (site, before) = built_site();
    let entry = site.path().join("content/faq/basics/how-long.md");
    let text = fs::read_to_string(&entry).expect("reading");
    fs::write(&entry, text.replace("备案要审核多久？", "备案审核要几天？")).expect("writing");
    // A stale file in public/ must not survive a rebuild.
    fs::write(site.path().join("public/stale.html"), "old").expect("writing");
    let second = build(site.path());
    assert!(second.status.success());
    let after = snapshot(&site.path().join("public"));
    assert!(!after.contains_key("stale.html"));
    // The search index is named by its content hash, so its name changes with
    // the content; so do the names (and the number) of its chunks, if any.
    let hashed = regex::Regex::new(r"\.[0-9a-f]{12}\.").expect("valid regex");
    let names = |files: &BTreeMap<String, Vec<u8>>| -> Vec<String> {
        files
            .keys()
            .filter(|k| !k.starts_with("search/chunks/"))
            .map(|k| hashed.replace(k, ".<hash>.").into_owned())
            .collect()
    };
    assert_eq!(names(&after), names(&before));
    let page = String::from_utf8_lossy(&after["faq/basics/how-long/index.html"]).into_owned();
    assert!(page.contains("备案审核要几天？"));
    assert!(
        leftovers(site.path()).is_empty(),
        "{:?}",
        leftovers(site.path())
    );
}
