//! `zhiku serve`'s partial rebuilds must produce exactly what a full build of
//! the same files produces, and the live-reload script must stay out of
//! `zhiku build` output.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::SiteCopy;
use zhiku::build::{check, render_site, Paths};
use zhiku::serve::changes::Changes;
use zhiku::serve::live::{LiveSite, Outcome, SiteFiles};
use zhiku::serve::server::client_tag;

fn full(root: &Path) -> SiteFiles {
    let (live, outcome) = LiveSite::new(Paths::new(root), client_tag());
    if let Outcome::Failed(f) = outcome {
        panic!("full build failed:\n{}", f.text);
    }
    live.files().as_ref().clone()
}

fn changes_for(root: &Path, rels: &[&str]) -> Changes {
    let paths = Paths::new(root);
    let mut c = Changes::default();
    for rel in rels {
        c.add_path(&paths, &root.join(rel));
    }
    c
}

/// Applies `edit`, rebuilds incrementally and compares with a full build.
fn assert_incremental_matches(site: &SiteCopy, live: &mut LiveSite, rels: &[&str], what: &str) {
    let rebuilt = match live.rebuild(changes_for(site.root(), rels)) {
        Outcome::Ok(r) => r,
        Outcome::Failed(f) => panic!("{what}: rebuild failed:\n{}", f.text),
    };
    let expected = full(site.root());
    // Pages are right before the search index is rebuilt...
    let is_search = |p: &str| p.starts_with("search/") && !p.ends_with(".html");
    let diff = differing(&expected, &live.files(), &|p| !is_search(p));
    assert!(
        diff.is_empty(),
        "{what}: partial rebuild ({} pages rendered) differs from a full build in {diff:?}",
        rebuilt.rendered
    );
    assert!(
        !rebuilt.changed.is_empty(),
        "{what}: the edit changed no output"
    );
    // ...and everything is once it has been.
    if live.index_pending() {
        assert!(matches!(live.rebuild_search(), Some(Outcome::Ok(_))));
    }
    assert!(!live.index_pending());
    let diff = differing(&expected, &live.files(), &|_| true);
    assert!(
        diff.is_empty(),
        "{what}: after the search index rebuild, differs from a full build in {diff:?}"
    );
}

fn differing(a: &SiteFiles, b: &SiteFiles, keep: &dyn Fn(&str) -> bool) -> Vec<String> {
    let paths: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    paths
        .into_iter()
        .filter(|p| keep(p) && a.get(*p) != b.get(*p))
        .cloned()
        .collect()
}

#[test]
fn partial_rebuilds_equal_full_builds() {
    let site = SiteCopy::new();
    let (mut live, first) = LiveSite::new(Paths::new(site.root()), client_tag());
    assert!(matches!(first, Outcome::Ok(_)), "initial build failed");

    for (what, edit) in common::edit_kinds() {
        let touched = edit(&site);
        let rels: Vec<&str> = touched.iter().map(String::as_str).collect();
        assert_incremental_matches(&site, &mut live, &rels, what);
    }
}

#[test]
fn broken_edit_keeps_last_good_files_and_fix_recovers() {
    let site = SiteCopy::new();
    let (mut live, _) = LiveSite::new(Paths::new(site.root()), client_tag());
    let before = live.files();
    let (entry, _) = site.entry_with_related();
    let good = site.read(&entry);
    site.write(&entry, &good.replacen("+++\n", "+++\nbogus_field = 1\n", 1));
    let Outcome::Failed(f) = live.rebuild(changes_for(site.root(), &[&entry])) else {
        panic!("a broken file must fail the rebuild");
    };
    let d = f
        .diagnostics
        .iter()
        .find(|d| d.file == entry)
        .expect("a diagnostic about the broken file");
    assert_eq!((d.line, d.column), (2, 1), "{d:?}");
    // The text is exactly what `zhiku check` prints.
    assert_eq!(f.text, check(site.root()).1.render_plain());
    assert!(live.is_broken());
    assert!(
        std::sync::Arc::ptr_eq(&before, &live.files()),
        "old files stay live"
    );

    site.write(&entry, &format!("{good}\n修复后的段落。\n"));
    assert_incremental_matches(&site, &mut live, &[&entry], "fixed entry");
    assert!(!live.is_broken());
}

#[test]
fn serve_output_is_build_output_plus_client_script_only() {
    let site = SiteCopy::new();
    let paths = Paths::new(site.root());
    let (checked, report) = check(site.root());
    assert!(!report.has_errors());
    let checked = checked.expect("site");
    let built = render_site(&checked, &paths).expect("render");
    let served = full(site.root());
    let tag = client_tag();
    // The one other difference: the preview has no service worker (it must
    // never be served from a cache), so no sw.js, no `data-offline` and no
    // "available offline" line.
    let offline_attr = " data-offline=\"1\"";
    let offline_line = "<p class=\"offline-status\" hidden></p>";
    let built: Vec<_> = built
        .into_iter()
        .filter(|f| f.path != zhiku::render::offline::WORKER_PATH)
        .collect();
    let built_paths: BTreeSet<&str> = built.iter().map(|f| f.path.as_str()).collect();
    let served_paths: BTreeSet<&str> = served.keys().map(String::as_str).collect();
    assert_eq!(
        built_paths, served_paths,
        "serve must serve every built file"
    );
    let mut pages = 0;
    for f in &built {
        let text = String::from_utf8_lossy(&f.bytes);
        assert!(
            !text.contains("__zhiku"),
            "{} of `zhiku build` contains the live-reload client",
            f.path
        );
        let served_text = String::from_utf8_lossy(&served[&f.path]).into_owned();
        if f.path.ends_with(".html") {
            pages += 1;
            assert_eq!(served_text.matches(&tag).count(), 1, "{}", f.path);
            assert_eq!(
                served_text.replace(&tag, ""),
                text.replacen(offline_attr, "", 1)
                    .replacen(offline_line, "", 1),
                "{}",
                f.path
            );
        } else {
            assert_eq!(served_text, text, "{}", f.path);
        }
    }
    assert!(pages > 100, "only {pages} pages");
}

#[test]
fn broken_template_is_reported_and_fix_recovers() {
    let site = SiteCopy::new();
    let (mut live, _) = LiveSite::new(Paths::new(site.root()), client_tag());
    let base = "themes/default/templates/base.html";
    let good = site.read(base);
    site.write(base, &good.replace("</footer>", "{% if %}</footer>"));
    let Outcome::Failed(f) = live.rebuild(changes_for(site.root(), &[base])) else {
        panic!("a template that does not parse must fail the rebuild");
    };
    assert!(f.text.contains("base.html"), "{}", f.text);
    assert!(live.is_broken());
    site.write(
        base,
        &good.replace("</footer>", "<p>修好的模板</p></footer>"),
    );
    assert_incremental_matches(&site, &mut live, &[base], "fixed template");
    assert!(String::from_utf8_lossy(&live.files()["index.html"]).contains("修好的模板"));
}
