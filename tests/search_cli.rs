//! `zhiku search` on a copy of the real content: the stale-index warning and
//! `--rebuild`, every province form in `--province`, `--offset`, and the
//! pages offered when nothing matches well.

mod common;

use std::time::{Duration, SystemTime};

use common::{zhiku, SiteCopy};
use serde_json::Value;

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn hits(o: &std::process::Output) -> Vec<Value> {
    assert!(o.status.success(), "{}", stderr(o));
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON hit per line"))
        .collect()
}

fn ids(o: &std::process::Output) -> Vec<String> {
    hits(o)
        .iter()
        .map(|h| h["id"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn a_stale_index_is_reported_and_rebuild_refreshes_it() {
    let site = SiteCopy::new();
    let root = site.root();
    // No index yet: the first search builds the site, silently otherwise.
    let first = zhiku(root, &["search", "--json", "备案号"]);
    assert!(!hits(&first).is_empty());
    assert!(!stderr(&first).contains("warning"), "{}", stderr(&first));
    let again = zhiku(root, &["search", "--json", "备案号"]);
    assert!(!stderr(&again).contains("warning"), "{}", stderr(&again));

    // Edit an entry after the build (its time set ahead, so the test does not
    // depend on the clock's resolution).
    let rel = "content/faq/basics/api.md";
    let text = site.read(rel);
    site.write(
        rel,
        &text.replacen("title = \"", "title = \"蓝鲸测试词 ", 1),
    );
    let file = std::fs::File::options()
        .write(true)
        .open(site.path(rel))
        .expect("open entry");
    file.set_modified(SystemTime::now() + Duration::from_secs(30))
        .expect("set mtime");
    let stale = zhiku(root, &["search", "--json", "蓝鲸测试词"]);
    let err = stderr(&stale);
    assert!(err.contains("warning") && err.contains("api.md"), "{err}");
    assert!(err.contains("--rebuild"), "{err}");
    assert!(!ids(&stale).contains(&"faq/basics/api".to_string()));

    let rebuilt = zhiku(root, &["search", "--json", "--rebuild", "蓝鲸测试词"]);
    assert_eq!(
        ids(&rebuilt).first().map(String::as_str),
        Some("faq/basics/api")
    );
    // The entry's time is still ahead of the new index: a plain search warns
    // again, because the index may not reflect that file.
    let err = stderr(&zhiku(root, &["search", "--json", "蓝鲸测试词"]));
    assert!(err.contains("warning"), "{err}");
}

#[test]
fn an_incremental_rebuild_that_keeps_the_index_clears_the_warning() {
    let site = SiteCopy::new();
    let root = site.root();
    let public = site.path("public");
    common::build_ok(root, &public);
    // An index built a minute ago, an entry edited since (a front-matter
    // comment: its search document stays the same). Times are set, not
    // waited for.
    let set_time = |path: &std::path::Path, t: SystemTime| {
        std::fs::File::options()
            .write(true)
            .open(path)
            .expect("open")
            .set_modified(t)
            .expect("set mtime");
    };
    let now = SystemTime::now();
    // Content written two minutes ago, built one minute ago.
    for e in walkdir::WalkDir::new(site.path("content")) {
        let e = e.expect("walking content");
        if e.file_type().is_file() {
            set_time(e.path(), now - Duration::from_secs(120));
        }
    }
    let manifest = public.join("search/manifest.json");
    set_time(&manifest, now - Duration::from_secs(60));
    // The build cache's table is written at the end of every build.
    set_time(
        &site.path(".zhiku-cache/public/files.tsv"),
        now - Duration::from_secs(60),
    );
    let rel = "content/faq/basics/api.md";
    let text = site.read(rel);
    site.write(rel, &text.replacen("+++\n", "+++\n# 注释\n", 1));
    set_time(&site.path(rel), now - Duration::from_secs(30));
    let err = stderr(&zhiku(root, &["search", "--json", "备案号"]));
    assert!(err.contains("warning") && err.contains("api.md"), "{err}");

    // The rebuild keeps the index files as they were, old mtime included;
    // the index is current all the same, so no warning.
    common::build_ok(root, &public);
    let kept = std::fs::metadata(&manifest)
        .and_then(|m| m.modified())
        .expect("manifest time");
    assert_eq!(
        kept,
        now - Duration::from_secs(60),
        "the index was rewritten"
    );
    let err = stderr(&zhiku(root, &["search", "--json", "备案号"]));
    assert!(!err.contains("warning"), "{err}");
}

#[test]
fn province_takes_every_form_offset_pages_and_weak_queries_get_suggestions() {
    let site = SiteCopy::new();
    let root = site.root();
    let base = ids(&zhiku(
        root,
        &["search", "--json", "--province", "guangdong", "前置审批"],
    ));
    assert!(!base.is_empty());
    for form in ["广东省", "广东", "粤", "GUANGDONG", "廣東"] {
        let got = ids(&zhiku(
            root,
            &["search", "--json", "--province", form, "前置审批"],
        ));
        assert_eq!(got, base, "--province {form}");
    }
    let bad = zhiku(root, &["search", "--province", "广州", "前置审批"]);
    assert_eq!(bad.status.code(), Some(2));
    let err = stderr(&bad);
    assert!(
        err.contains("广州") && err.contains("guangdong") && err.contains("粤"),
        "{err}"
    );
    assert!(
        err.contains("xinjiang") && err.contains("新疆维吾尔自治区"),
        "{err}"
    );

    // --offset continues the ranking where --limit stopped.
    let all = hits(&zhiku(root, &["search", "--json", "--limit", "8", "备案"]));
    let page = hits(&zhiku(
        root,
        &["search", "--json", "--limit", "4", "--offset", "4", "备案"],
    ));
    let id = |h: &Value| h["id"].as_str().unwrap_or_default().to_string();
    assert_eq!(
        page.iter().map(id).collect::<Vec<_>>(),
        all[4..].iter().map(id).collect::<Vec<_>>()
    );
    assert_eq!(page[0]["rank"], 5);

    // A query nothing answers gets the tool pages and the rejection index.
    let weak = zhiku(root, &["search", "量子纠缠"]);
    let err = stderr(&weak);
    assert!(err.contains("no close match"), "{err}");
    assert!(
        err.contains("/decision/") && err.contains("/rejections/"),
        "{err}"
    );
    let good = zhiku(root, &["search", "备案号"]);
    assert!(
        !stderr(&good).contains("no close match"),
        "{}",
        stderr(&good)
    );
}
