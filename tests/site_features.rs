//! The reader-facing features of a built site that come from `site.toml` and
//! the content's history: per-page dates (writer's `updated`, else the last
//! git commit), the Atom feed, chapter groups, the feedback block, the
//! service worker and its precache budget, favicon and web-app manifest.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;

use scraper::{Html, Selector};

fn page(public: &Path, rel: &str) -> Html {
    Html::parse_document(&fs::read_to_string(public.join(rel)).expect(rel))
}

fn texts(doc: &Html, css: &str) -> Vec<String> {
    let sel = Selector::parse(css).expect("selector");
    doc.select(&sel)
        .map(|e| e.text().collect::<String>().trim().to_string())
        .collect()
}

fn attrs(doc: &Html, css: &str, attr: &str) -> Vec<String> {
    let sel = Selector::parse(css).expect("selector");
    doc.select(&sel)
        .filter_map(|e| e.value().attr(attr).map(str::to_string))
        .collect()
}

fn git(root: &Path, args: &[&str], date: &str) {
    let o = Command::new("git")
        .arg("-C")
        .arg(root)
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.cn",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .env("GIT_COMMITTER_DATE", date)
        .env("GIT_AUTHOR_DATE", date)
        .output()
        .expect("git runs");
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn build(root: &Path) -> tempfile::TempDir {
    let out = tempfile::tempdir().expect("output folder");
    common::build_ok(root, out.path());
    out
}

fn append(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    let old = fs::read_to_string(&p).expect(rel);
    fs::write(&p, format!("{old}{text}")).expect(rel);
}

/// Dates: `updated` where the writer set one, the file's last commit
/// otherwise (one `git log` for the whole site), none outside git; the feed
/// lists the dated answers newest first.
#[test]
fn page_dates_come_from_updated_then_git_and_feed_the_atom_feed() {
    let site = common::valid_site();
    let root = site.path();
    // Outside git: no date on an entry without `updated`, and no feed.
    let out = build(root);
    let doc = page(out.path(), "faq/basics/how-long/index.html");
    assert!(texts(&doc, ".meta .updated").is_empty());
    let feed = fs::read_to_string(out.path().join("feed.xml")).expect("feed.xml");
    assert_eq!(
        roxmltree_like(&feed),
        ["https://fixture.example.cn/faq/basics/need-filing/"],
        "only the dated entry"
    );

    git(root, &["init", "-q"], "2026-01-02T03:04:05+08:00");
    git(root, &["add", "."], "2026-01-02T03:04:05+08:00");
    git(
        root,
        &["commit", "-q", "-m", "first"],
        "2026-01-02T03:04:05+08:00",
    );
    append(root, "content/faq/basics/how-long.md", "\n更多说明。\n");
    git(
        root,
        &["commit", "-q", "-am", "second"],
        "2026-03-04T05:06:07+00:00",
    );
    let need = root.join("content/faq/basics/need-filing.md");
    let text = fs::read_to_string(&need).expect("entry");
    fs::write(
        &need,
        text.replace("updated = 2024-01-17", "updated = 2025-12-31"),
    )
    .expect("entry");
    git(
        root,
        &["commit", "-q", "-am", "third"],
        "2026-05-06T00:00:00+00:00",
    );

    let out = build(root);
    let how = page(out.path(), "faq/basics/how-long/index.html");
    assert_eq!(
        attrs(&how, ".meta .updated time", "datetime"),
        ["2026-03-04T05:06:07Z"]
    );
    assert_eq!(texts(&how, ".meta .updated time"), ["2026-03-04"]);
    let need_page = page(out.path(), "faq/basics/need-filing/index.html");
    assert_eq!(
        texts(&need_page, ".meta .updated time"),
        ["2025-12-31"],
        "the writer's date wins"
    );
    // Rejection, province and decision pages show their file's date too.
    for rel in [
        "provinces/guangdong/index.html",
        "decision/need-filing/index.html",
    ] {
        let doc = page(out.path(), rel);
        assert_eq!(texts(&doc, ".updated time"), ["2026-01-02"], "{rel}");
    }

    let feed = fs::read_to_string(out.path().join("feed.xml")).expect("feed.xml");
    let doc = roxmltree_like(&feed);
    assert!(
        doc.first().is_some_and(|e| e.contains("how-long")),
        "newest first: {doc:?}"
    );
    assert!(feed.contains("<updated>2026-03-04T05:06:07Z</updated>"));
    assert!(feed.contains("<updated>2025-12-31T00:00:00Z</updated>"));
    assert!(feed.contains("<id>https://fixture.example.cn/faq/basics/how-long/</id>"));
    let home = page(out.path(), "index.html");
    assert_eq!(attrs(&home, "link[rel=alternate]", "href"), ["/feed.xml"]);

    // A shallow clone would date every file by its one commit: no dates then.
    let clone = tempfile::tempdir().expect("clone folder");
    let url = format!("file://{}", root.display());
    let o = Command::new("git")
        .args(["clone", "-q", "--depth", "1", &url])
        .arg(clone.path().join("c"))
        .output()
        .expect("git clone");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = build(&clone.path().join("c"));
    let how = page(out.path(), "faq/basics/how-long/index.html");
    assert!(
        texts(&how, ".meta .updated").is_empty(),
        "no dates from a shallow clone"
    );
}

/// The entry paths of a feed, in order (a light reading of the XML; the
/// browser test parses it with a real XML parser).
fn roxmltree_like(feed: &str) -> Vec<String> {
    feed.split("<entry>")
        .skip(1)
        .map(|e| {
            e.split("<id>")
                .nth(1)
                .unwrap_or("")
                .split("</id>")
                .next()
                .unwrap_or("")
                .to_string()
        })
        .collect()
}

/// Groups in a chapter's `_index.md` become sub-sections and fix the order;
/// every mistake in them is an error at its line.
#[test]
fn chapter_groups_order_entries_and_are_checked() {
    let site = common::valid_site();
    let root = site.path();
    let index = "content/faq/basics/_index.md";
    let original = fs::read_to_string(root.join(index)).expect("_index.md");
    // Tables go last in the front matter, before its closing `+++`.
    let with_groups = |groups: &str| original.replacen("\n+++\n", &format!("\n{groups}+++\n"), 1);
    fs::write(
        root.join(index),
        with_groups("\n[[group]]\ntitle = \"先看这条\"\nentries = [\"how-long\"]\n\n[[group]]\ntitle = \"再看\"\nentries = [\"need-filing\"]\n"),
    )
    .expect("write");
    let out = build(root);
    let doc = page(out.path(), "faq/basics/index.html");
    assert_eq!(texts(&doc, ".entry-group h2"), ["先看这条", "再看"]);
    let order = attrs(&doc, ".entry-group a", "href");
    assert_eq!(
        order,
        ["/faq/basics/how-long/", "/faq/basics/need-filing/"],
        "group order, not `order`"
    );
    // prev/next follow the groups too.
    let how = page(out.path(), "faq/basics/how-long/index.html");
    assert_eq!(
        attrs(&how, "a[rel=next]", "href"),
        ["/faq/basics/need-filing/"]
    );

    for (groups, message) in [
        ("\n[[group]]\ntitle = \"A\"\nentries = [\"how-long\", \"nope\"]\n", "lists `nope`, which is no entry"),
        ("\n[[group]]\ntitle = \"A\"\nentries = [\"how-long\"]\n", "do not list `need-filing`"),
        ("\n[[group]]\ntitle = \"A\"\nentries = [\"how-long\", \"need-filing\"]\n[[group]]\ntitle = \"B\"\nentries = [\"how-long\"]\n", "listed twice"),
    ] {
        let text = with_groups(groups);
        fs::write(root.join(index), &text).expect("write");
        let err = error_with(root, message);
        assert_eq!(err["file"], index, "names the file: {err}");
        if message.contains("nope") {
            let line = text.lines().position(|l| l.contains("\"nope\"")).expect("line") + 1;
            assert_eq!(err["line"], line, "names the line: {err}");
        }
    }
}

/// `[feedback]`: links prefilled with the page's title and URL; none when
/// unset; a bad target is an error in site.toml.
#[test]
fn feedback_links_follow_site_toml() {
    let site = common::valid_site();
    let root = site.path();
    let out = build(root);
    assert!(
        texts(
            &page(out.path(), "faq/basics/how-long/index.html"),
            ".feedback"
        )
        .is_empty(),
        "absent when unset"
    );

    append(
        root,
        "content/site.toml",
        "\n[feedback]\nemail = \"kb@fixture.example.cn\"\n",
    );
    let out = build(root);
    let doc = page(out.path(), "faq/basics/how-long/index.html");
    let links = attrs(&doc, ".feedback a", "href");
    assert_eq!(links.len(), 3);
    assert!(links
        .iter()
        .all(|l| l.starts_with("mailto:kb@fixture.example.cn?subject=")));
    assert!(
        links[2].contains("https%3A%2F%2Ffixture.example.cn%2Ffaq%2Fbasics%2Fhow-long%2F"),
        "{}",
        links[2]
    );
    assert!(
        links[2].contains(&url_encode("备案要审核多久？")),
        "{}",
        links[2]
    );
    // Pages that state no answer ask for none.
    assert!(texts(&page(out.path(), "index.html"), ".feedback").is_empty());

    let toml = fs::read_to_string(root.join("content/site.toml")).expect("site.toml");
    let toml = toml.replace(
        "email = \"kb@fixture.example.cn\"",
        "issue_url = \"https://git.example.cn/kb/issues/new\"",
    );
    fs::write(root.join("content/site.toml"), &toml).expect("site.toml");
    let out = build(root);
    let links = attrs(
        &page(out.path(), "rejections/ir-name-word/index.html"),
        ".feedback a",
        "href",
    );
    assert!(
        links
            .iter()
            .all(|l| l.starts_with("https://git.example.cn/kb/issues/new?title=")),
        "{links:?}"
    );
    assert!(
        links[0].contains("&body=https%3A%2F%2Ffixture.example.cn%2Frejections%2Fir-name-word%2F")
    );

    let bad = toml.replace(
        "issue_url = \"https://git.example.cn/kb/issues/new\"",
        "issue_url = \"git.example.cn/new\"",
    );
    fs::write(root.join("content/site.toml"), &bad).expect("site.toml");
    let err = error_with(root, "`[feedback]`");
    let line = bad
        .lines()
        .position(|l| l.starts_with("issue_url"))
        .expect("line")
        + 1;
    assert_eq!(err["file"], "content/site.toml");
    assert_eq!(err["line"], line, "{err}");
}

/// The diagnostics of `zhiku check --json`.
fn diagnostics(root: &Path) -> Vec<serde_json::Value> {
    let o = common::zhiku(root, &["check", "--json"]);
    assert!(!o.status.success());
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .chain(String::from_utf8_lossy(&o.stderr).lines())
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v.get("message").is_some())
        .collect()
}

/// The one error whose message contains `needle`.
fn error_with(root: &Path, needle: &str) -> serde_json::Value {
    let all = diagnostics(root);
    all.iter()
        .find(|d| d["message"].as_str().is_some_and(|m| m.contains(needle)))
        .cloned()
        .unwrap_or_else(|| panic!("no error with {needle:?} in {all:?}"))
}

fn url_encode(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

/// The service worker precaches the shell always and pages within the
/// budget; `enabled = false` leaves it out; favicon and manifest exist.
#[test]
fn service_worker_budget_and_icons() {
    let site = common::valid_site();
    let root = site.path();
    let out = build(root);
    let sw = fs::read_to_string(out.path().join("sw.js")).expect("sw.js");
    let settings = |sw: &str| -> serde_json::Value {
        let line = sw
            .lines()
            .find(|l| l.starts_with("self.ZHIKU_OFFLINE = "))
            .expect("settings line");
        serde_json::from_str(
            line.trim_start_matches("self.ZHIKU_OFFLINE = ")
                .trim_end_matches(';'),
        )
        .expect("JSON")
    };
    let all = settings(&sw);
    let urls: Vec<&str> = all["precache"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    for want in ["", "search/", "static/style.css", "faq/basics/how-long/"] {
        assert!(urls.contains(&want), "precaches {want:?}: {urls:?}");
    }
    assert!(
        urls.iter()
            .any(|u| u.starts_with("search/index.") && u.ends_with(".bin")),
        "the index the manifest names"
    );
    assert!(
        !urls.contains(&"faq/process/how-long/"),
        "no redirect pages"
    );
    let home = page(out.path(), "index.html");
    assert_eq!(attrs(&home, "html", "data-offline"), ["1"]);
    assert_eq!(
        attrs(&home, "link[rel=manifest]", "href"),
        ["/manifest.webmanifest"]
    );
    assert!(fs::read(out.path().join("favicon.ico"))
        .expect("favicon.ico")
        .starts_with(&[0, 0, 1, 0]));
    let manifest: serde_json::Value = serde_json::from_slice(
        &fs::read(out.path().join("manifest.webmanifest")).expect("manifest"),
    )
    .expect("JSON");
    assert_eq!(manifest["name"], "测试知库");

    append(root, "content/site.toml", "\n[offline]\nbudget_kb = 1\n");
    let out = build(root);
    let tight = settings(&fs::read_to_string(out.path().join("sw.js")).expect("sw.js"));
    let urls: Vec<&str> = tight["precache"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert!(
        urls.contains(&"static/style.css") && urls.contains(&""),
        "the shell is always precached"
    );
    assert!(
        !urls.contains(&"faq/basics/how-long/"),
        "pages beyond the budget are cached on visit only"
    );
    assert_ne!(
        tight["version"], all["version"],
        "another list, another cache version"
    );

    let toml = fs::read_to_string(root.join("content/site.toml")).expect("site.toml");
    fs::write(
        root.join("content/site.toml"),
        toml.replace("budget_kb = 1", "enabled = false"),
    )
    .expect("site.toml");
    let out = build(root);
    assert!(!out.path().join("sw.js").exists());
    assert!(attrs(&page(out.path(), "index.html"), "html", "data-offline").is_empty());
}
