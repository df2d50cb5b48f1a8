//! Builds the valid fixture and the real `content/` with the real binary and
//! checks the output as a browser and a crawler would see it: every internal
//! link and fragment resolves, nothing is fetched from elsewhere, entry pages
//! carry FAQPage JSON-LD, the sitemap lists every page, and decision-tree pages
//! hold every node and outcome.

mod common;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use percent_encoding::percent_decode_str;
use scraper::{Html, Selector};
use serde_json::Value;

/// One HTML page of the output.
struct Page {
    /// Path relative to the output root, with `/` separators.
    rel: String,
    /// URL path the page is served at (`/faq/x/` for `faq/x/index.html`).
    url: String,
    doc: Html,
    /// Where a redirect page (`noindex` + meta refresh, written at the old
    /// URL of a moved entry) sends the reader; `None` for ordinary pages.
    redirect: Option<String>,
}

/// A built site ready to inspect.
struct Output {
    root: PathBuf,
    /// Path the site is hosted under (`/`, `/kb/`): every link must stay inside it.
    mount: String,
    pages: Vec<Page>,
    /// `id` attributes of every page, by relative path.
    ids: HashMap<String, HashSet<String>>,
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).expect("valid selector")
}

/// Every `href` of the `<a>` elements of one output page.
fn hrefs_of<'a>(out: &'a Output, rel: &str) -> HashSet<&'a str> {
    let page = out.pages.iter().find(|p| p.rel == rel).expect("page");
    page.doc
        .select(&sel("a[href]"))
        .filter_map(|a| a.value().attr("href"))
        .collect()
}

fn url_of(rel: &str) -> String {
    match rel.strip_suffix("index.html") {
        Some(dir) => format!("/{dir}"),
        None => format!("/{rel}"),
    }
}

fn load_output(root: &Path, mount: &str) -> Output {
    let id_sel = sel("[id]");
    let mut pages = Vec::new();
    let mut ids = HashMap::new();
    for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
        let entry = entry.expect("walking the output");
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("html") {
            continue;
        }
        let rel = path
            .strip_prefix(root)
            .expect("inside the output")
            .to_string_lossy()
            .replace('\\', "/");
        let doc = Html::parse_document(&fs::read_to_string(path).expect("HTML is UTF-8"));
        let page_ids = doc
            .select(&id_sel)
            .filter_map(|e| e.value().attr("id"))
            .map(str::to_string)
            .collect();
        ids.insert(rel.clone(), page_ids);
        let noindex = doc
            .select(&sel(r#"meta[name="robots"]"#))
            .any(|m| m.value().attr("content") == Some("noindex"));
        let redirect = doc
            .select(&sel(r#"meta[http-equiv="refresh"]"#))
            .filter_map(|m| m.value().attr("content"))
            .find_map(|c| c.split_once("url=").map(|(_, u)| u.trim().to_string()))
            .filter(|_| noindex);
        pages.push(Page {
            url: url_of(&rel),
            rel,
            doc,
            redirect,
        });
    }
    assert!(!pages.is_empty(), "no HTML in {}", root.display());
    Output {
        root: root.to_path_buf(),
        mount: mount.to_string(),
        pages,
        ids,
    }
}

/// The output file a URL path refers to (directory URLs serve `index.html`).
fn file_for(root: &Path, url_path: &str) -> Option<String> {
    let decoded = percent_decode_str(url_path).decode_utf8().ok()?;
    let rel = decoded.trim_start_matches('/');
    if rel.split('/').any(|p| p == "..") {
        return None;
    }
    let candidate = if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else if root.join(rel).is_dir() {
        format!("{rel}/index.html")
    } else {
        rel.to_string()
    };
    root.join(&candidate).is_file().then_some(candidate)
}

/// Resolves a relative reference against the URL of the page it is on.
fn absolute(page_url: &str, link: &str) -> String {
    if link.starts_with('/') {
        return link.to_string();
    }
    let base = &page_url[..page_url.rfind('/').map_or(0, |i| i + 1)];
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for seg in link.split('/') {
        match seg {
            "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    format!("/{}", parts.join("/"))
}

fn is_external(link: &str) -> bool {
    let l = link.to_ascii_lowercase();
    l.starts_with("http://") || l.starts_with("https://") || l.starts_with("//")
}

/// Every internal `href`/`src` names an existing file, and every `#fragment`
/// an existing `id` on the target page. Returns the problems found.
fn broken_links(out: &Output) -> Vec<String> {
    let with_link = sel("[href], [src]");
    let mut problems = Vec::new();
    for page in &out.pages {
        for el in page.doc.select(&with_link) {
            for attr in ["href", "src"] {
                let Some(link) = el.value().attr(attr) else {
                    continue;
                };
                let lower = link.to_ascii_lowercase();
                if is_external(link)
                    || lower.starts_with("mailto:")
                    || lower.starts_with("tel:")
                    || lower.starts_with("data:")
                {
                    continue;
                }
                let (before_frag, fragment) = match link.split_once('#') {
                    Some((p, f)) => (p, Some(f)),
                    None => (link, None),
                };
                let path = before_frag.split('?').next().unwrap_or_default();
                if link.contains("&#x2F;") {
                    problems.push(format!("{}: {attr}=\"{link}\" is entity-escaped", page.rel));
                }
                let target = if path.is_empty() {
                    Some(page.rel.clone())
                } else {
                    let served_at = format!("{}{}", out.mount, &page.url[1..]);
                    let url = absolute(&served_at, path);
                    let Some(site_path) = url.strip_prefix(&out.mount) else {
                        problems.push(format!(
                            "{}: {attr}=\"{link}\" leaves {}",
                            page.rel, out.mount
                        ));
                        continue;
                    };
                    file_for(&out.root, &format!("/{site_path}"))
                };
                let Some(target) = target else {
                    problems.push(format!("{}: {attr}=\"{link}\" names no file", page.rel));
                    continue;
                };
                if let Some(f) = fragment.filter(|f| !f.is_empty()) {
                    let f = percent_decode_str(f).decode_utf8_lossy();
                    let known = out.ids.get(&target).is_some_and(|ids| ids.contains(&*f));
                    if !known {
                        problems.push(format!(
                            "{}: {attr}=\"{link}\": {target} has no id \"{f}\"",
                            page.rel
                        ));
                    }
                }
            }
        }
    }
    problems
}

/// Anything the browser would fetch from another host: scripts, styles,
/// images, media, frames, fonts and CSS `url()`/`@import`.
fn external_requests(out: &Output) -> Vec<String> {
    let fetched = sel(
        "script[src], img[src], img[srcset], source[src], source[srcset], video[src], \
         audio[src], iframe[src], embed[src], object[data], link[href], [style]",
    );
    let mut problems = Vec::new();
    for page in &out.pages {
        for el in page.doc.select(&fetched) {
            let v = el.value();
            if v.name() == "link" {
                // Only links the browser fetches; canonical/alternate are metadata.
                let rel = v.attr("rel").unwrap_or_default().to_ascii_lowercase();
                let fetches = rel.split_whitespace().any(|r| {
                    [
                        "stylesheet",
                        "icon",
                        "preload",
                        "prefetch",
                        "modulepreload",
                        "manifest",
                        "apple-touch-icon",
                    ]
                    .contains(&r)
                });
                if fetches && v.attr("href").is_some_and(is_external) {
                    problems.push(format!(
                        "{}: <link rel={rel}> to {:?}",
                        page.rel,
                        v.attr("href")
                    ));
                }
                continue;
            }
            for attr in ["src", "srcset", "data"] {
                if let Some(link) = v.attr(attr) {
                    if link.split([',', ' ']).any(is_external) {
                        problems.push(format!("{}: <{} {attr}={link:?}>", page.rel, v.name()));
                    }
                }
            }
            if let Some(style) = v.attr("style") {
                if css_fetches_elsewhere(style) {
                    problems.push(format!("{}: inline style {style:?}", page.rel));
                }
            }
        }
        for style in page.doc.select(&sel("style")) {
            if css_fetches_elsewhere(&style.inner_html()) {
                problems.push(format!("{}: <style> fetches from another host", page.rel));
            }
        }
    }
    for entry in walkdir::WalkDir::new(&out.root) {
        let entry = entry.expect("walking the output");
        if entry.path().extension().and_then(|e| e.to_str()) == Some("css") {
            let css = fs::read_to_string(entry.path()).expect("CSS is UTF-8");
            if css_fetches_elsewhere(&css) {
                problems.push(format!(
                    "{} fetches from another host",
                    entry.path().display()
                ));
            }
        }
    }
    problems
}

fn css_fetches_elsewhere(css: &str) -> bool {
    let re = regex::Regex::new(r#"(?i)(url\(\s*['"]?|@import\s+['"])\s*(https?:)?//"#)
        .expect("valid regex");
    re.is_match(css)
}

fn check_lang_and_canonical(out: &Output, base_url: &str, language: &str) -> Vec<String> {
    let html = sel("html");
    let canonical = sel(r#"link[rel="canonical"]"#);
    let mut problems = Vec::new();
    for page in &out.pages {
        let lang = page
            .doc
            .select(&html)
            .next()
            .and_then(|h| h.value().attr("lang"));
        if lang != Some(language) {
            problems.push(format!("{}: <html lang={lang:?}>", page.rel));
        }
        let links: Vec<&str> = page
            .doc
            .select(&canonical)
            .filter_map(|l| l.value().attr("href"))
            .collect();
        // A redirect page's canonical URL is the page it redirects to.
        let want = match &page.redirect {
            Some(to) => format!(
                "{base_url}/{}",
                to.strip_prefix(out.mount.as_str()).unwrap_or(to)
            ),
            None => format!("{base_url}{}", page.url),
        };
        if links != [want.as_str()] {
            problems.push(format!("{}: canonical {links:?}, want {want}", page.rel));
        }
    }
    problems
}

/// Entry pages (`faq/<chapter>/<slug>/index.html`) carry one FAQPage whose
/// question is the page's title and whose URL is the canonical one.
fn check_jsonld(out: &Output, base_url: &str, entries: usize) {
    let script = sel(r#"script[type="application/ld+json"]"#);
    let h1 = sel("h1");
    let mut seen = 0;
    for page in &out.pages {
        let depth = page.rel.split('/').count();
        if !(page.rel.starts_with("faq/") && depth == 4) || page.redirect.is_some() {
            continue;
        }
        seen += 1;
        let blocks: Vec<String> = page.doc.select(&script).map(|s| s.inner_html()).collect();
        assert_eq!(blocks.len(), 1, "{}: JSON-LD blocks {blocks:?}", page.rel);
        let v: Value = serde_json::from_str(&blocks[0])
            .unwrap_or_else(|e| panic!("{}: JSON-LD does not parse: {e}", page.rel));
        assert_eq!(v["@context"], "https://schema.org", "{}", page.rel);
        assert_eq!(v["@type"], "FAQPage", "{}", page.rel);
        assert_eq!(v["url"], format!("{base_url}{}", page.url), "{}", page.rel);
        let q = &v["mainEntity"][0];
        assert_eq!(q["@type"], "Question", "{}", page.rel);
        let title: String = page
            .doc
            .select(&h1)
            .next()
            .map(|h| h.text().collect())
            .unwrap_or_default();
        assert_eq!(q["name"].as_str(), Some(title.trim()), "{}", page.rel);
        assert_eq!(q["acceptedAnswer"]["@type"], "Answer", "{}", page.rel);
        let answer = q["acceptedAnswer"]["text"].as_str().unwrap_or_default();
        assert!(!answer.trim().is_empty(), "{}: empty answer", page.rel);
    }
    assert_eq!(seen, entries, "one entry page per FAQ entry");
}

/// The sitemap lists exactly the pages served at directory URLs (every
/// `index.html`), each once.
fn check_sitemap(out: &Output, base_url: &str) {
    let xml = fs::read_to_string(out.root.join("sitemap.xml")).expect("sitemap.xml");
    let loc = regex::Regex::new(r"<loc>([^<]*)</loc>").expect("valid regex");
    let listed: Vec<String> = loc
        .captures_iter(&xml)
        .map(|c| c[1].replace("&amp;", "&"))
        .collect();
    let unique: BTreeSet<&String> = listed.iter().collect();
    assert_eq!(unique.len(), listed.len(), "sitemap lists a page twice");
    let pages: BTreeSet<String> = out
        .pages
        .iter()
        .filter(|p| p.rel.ends_with("index.html") && p.redirect.is_none())
        .map(|p| format!("{base_url}{}", p.url))
        .collect();
    let listed: BTreeSet<String> = listed.into_iter().collect();
    let missing: Vec<_> = pages.difference(&listed).collect();
    let extra: Vec<_> = listed.difference(&pages).collect();
    assert!(
        missing.is_empty(),
        "pages missing from the sitemap: {missing:?}"
    );
    assert!(
        extra.is_empty(),
        "sitemap lists pages that do not exist: {extra:?}"
    );
    let robots = fs::read_to_string(out.root.join("robots.txt")).expect("robots.txt");
    assert!(
        robots.contains(&format!("Sitemap: {base_url}/sitemap.xml")),
        "robots.txt: {robots}"
    );
}

/// Each decision tree's page has an element for every node and outcome, and
/// every option is a plain link to the next step (works without JavaScript).
fn check_trees(out: &Output, site: &zhiku::content::Site) {
    for tree in &site.trees {
        let rel = format!("decision/{}/index.html", tree.slug);
        let ids = out.ids.get(&rel).unwrap_or_else(|| panic!("no page {rel}"));
        for id in tree
            .data
            .nodes
            .iter()
            .map(|n| n.id.get_ref())
            .chain(tree.data.outcomes.iter().map(|o| o.id.get_ref()))
        {
            assert!(ids.contains(id), "{rel} lacks #{id}");
        }
        let hrefs = hrefs_of(out, &rel);
        for node in &tree.data.nodes {
            for opt in &node.options {
                let to = opt.next.as_ref().or(opt.outcome.as_ref()).expect("target");
                let href = format!("#{}", to.get_ref());
                assert!(hrefs.contains(href.as_str()), "{rel}: no link {href}");
            }
        }
    }
}

/// Every `moved_from` id of an entry has a redirect page at its old URL that
/// sends readers (meta refresh and a plain link) to the entry's URL, and is
/// not listed in the sitemap (see [`check_sitemap`]).
fn check_redirects(out: &Output, site: &zhiku::content::Site) -> usize {
    let mut n = 0;
    for e in &site.entries {
        let new_url = zhiku::content::ids::url_for(&e.id).expect("valid id");
        let want = format!("{}{}", out.mount, new_url.trim_start_matches('/'));
        for old in &e.front.moved_from {
            let old_url = zhiku::content::ids::url_for(old.get_ref().trim_start_matches('@'))
                .expect("valid old id");
            let rel = format!("{}index.html", old_url.trim_start_matches('/'));
            let page = out
                .pages
                .iter()
                .find(|p| p.rel == rel)
                .unwrap_or_else(|| panic!("no redirect page {rel} for {}", e.id));
            assert_eq!(page.redirect.as_deref(), Some(want.as_str()), "{rel}");
            assert!(
                hrefs_of(out, &rel).contains(want.as_str()),
                "{rel}: no plain link"
            );
            assert!(
                file_for(&out.root, &new_url).is_some(),
                "{rel}: target missing"
            );
            n += 1;
        }
    }
    n
}

/// Loads `root/content` through the library (the same data the build used).
fn load(root: &Path) -> zhiku::content::Site {
    let mut report = zhiku::diagnostics::Report::default();
    let site = zhiku::content::load_site(root, &mut report).expect("site loads");
    assert!(!report.has_errors(), "{}", report.render_plain());
    site
}

/// Builds `root` (with `--base-url` when given) and checks the output;
/// returns the output folder (alive while the returned guard is).
fn check_everything(
    root: &Path,
    expect_trees: bool,
    base_url: Option<&str>,
) -> (tempfile::TempDir, PathBuf) {
    let mut site = load(root);
    let tmp = tempfile::tempdir().expect("temporary folder");
    let public = tmp.path().join("public");
    let mut args = vec!["build", "--output", public.to_str().expect("UTF-8 path")];
    if let Some(url) = base_url {
        args.extend(["--base-url", url]);
        site.config.base_url = url.to_string();
    }
    let o = common::zhiku(root, &args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mount = site.config.mount();
    let out = load_output(&public, &mount);
    let base = site.config.base_url.trim_end_matches('/').to_string();

    let broken = broken_links(&out);
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
    let external = external_requests(&out);
    assert!(
        external.is_empty(),
        "external requests:\n{}",
        external.join("\n")
    );
    let meta = check_lang_and_canonical(&out, &base, &site.config.language);
    assert!(meta.is_empty(), "{}", meta.join("\n"));
    check_jsonld(&out, &base, site.entries.len());
    check_sitemap(&out, &base);
    if expect_trees {
        assert!(!site.trees.is_empty(), "the site has a decision tree");
    }
    check_trees(&out, &site);
    let redirects = check_redirects(&out, &site);
    let moved: usize = site.entries.iter().map(|e| e.front.moved_from.len()).sum();
    assert_eq!(redirects, moved, "one redirect page per moved_from id");

    // The home page and the 404 page list every chapter.
    for rel in ["index.html", "404.html"] {
        let hrefs = hrefs_of(&out, rel);
        for c in &site.chapters {
            let url = format!("{mount}faq/{}/", c.slug);
            assert!(hrefs.contains(url.as_str()), "{rel} does not list {url}");
        }
    }

    // Every content item has its page.
    for id in site
        .entries
        .iter()
        .map(|e| &e.id)
        .chain(site.rejections.iter().map(|r| &r.id))
        .chain(site.provinces.iter().map(|p| &p.id))
        .chain(site.trees.iter().map(|t| &t.id))
    {
        let url = zhiku::content::ids::url_for(id).expect("valid id");
        assert!(
            file_for(&public, &url).is_some(),
            "no page for {id} at {url}"
        );
    }
    (tmp, public)
}

#[test]
fn fixture_site_output_is_sound() {
    let site = common::valid_site();
    check_everything(site.path(), true, None);
}

/// A copy of the real site (its content; the theme is the built-in one) in a temporary folder.
fn real_site_copy() -> tempfile::TempDir {
    let root = tempfile::tempdir().expect("temporary folder");
    common::copy_tree(
        &common::repo_root().join("content"),
        &root.path().join("content"),
    );
    root
}

#[test]
fn real_content_output_is_sound() {
    let root = real_site_copy();
    check_everything(root.path(), true, None);
}

/// Hosted under a path (a project site, `/help/icp/` on a company site):
/// every link, asset and fragment resolves inside that path.
#[test]
fn real_content_output_is_sound_under_a_subpath() {
    let root = real_site_copy();
    check_everything(root.path(), true, Some("https://example.cn/kb/"));
}

/// The search runtime finds its files relative to its manifest, so it works
/// under any path; the manifest says which format it is.
#[test]
fn search_manifest_urls_are_relative() {
    let site = common::valid_site();
    let tmp = tempfile::tempdir().expect("temporary folder");
    let public = tmp.path().join("public");
    common::build_ok(site.path(), &public);
    let text = fs::read_to_string(public.join("search/manifest.json")).expect("manifest");
    let m: Value = serde_json::from_str(&text).expect("manifest is JSON");
    assert_eq!(m["version"], zhiku::search::MANIFEST_VERSION);
    for key in ["index", "wasm", "glue", "tools_wasm", "tools_glue"] {
        let url = m[key].as_str().expect("a URL");
        assert!(!url.starts_with('/'), "{key}: {url}");
        assert!(public.join("search").join(url).is_file(), "{key}: {url}");
    }
}

/// The checker itself notices a broken link, a missing fragment and an
/// external script (so the green results above mean something).
#[test]
fn checker_catches_planted_problems() {
    let site = common::valid_site();
    let tmp = tempfile::tempdir().expect("temporary folder");
    let public = tmp.path().join("public");
    common::build_ok(site.path(), &public);
    let page = public.join("faq/basics/how-long/index.html");
    let html = fs::read_to_string(&page).expect("entry page");
    let planted = html.replacen(
        "</main>",
        r##"<a href="/faq/nope/">x</a><a href="/faq/basics/need-filing/#missing">y</a><script src="https://cdn.example.com/x.js"></script></main>"##,
        1,
    );
    assert_ne!(planted, html, "the page has a </main>");
    fs::write(&page, planted).expect("writing");
    let out = load_output(&public, "/");
    let broken = broken_links(&out);
    assert!(
        broken.iter().any(|p| p.contains("/faq/nope/")),
        "{broken:?}"
    );
    assert!(broken.iter().any(|p| p.contains("#missing")), "{broken:?}");
    let external = external_requests(&out);
    assert!(
        external.iter().any(|p| p.contains("cdn.example.com")),
        "{external:?}"
    );
    // The same root-hosted pages, checked as if hosted under /kb/: every
    // site link leaves that path.
    let under_kb = broken_links(&load_output(&public, "/kb/"));
    assert!(
        under_kb
            .iter()
            .any(|p| p.contains("href=\"/faq/basics/\" leaves /kb/")),
        "{under_kb:?}"
    );
}

// ------------------------------------------------------- a generic site

/// Module pages a site without provinces, rejections or checkers must not have.
const MODULE_PATHS: &[&str] = &[
    "provinces/",
    "rejections/",
    "tools/name-check/",
    "tools/preapproval/",
    "provinces/compare/",
];

/// The site has none of the ICP modules' pages, links or sitemap entries.
fn assert_no_icp_modules(public: &Path) {
    for p in MODULE_PATHS {
        assert!(!public.join(p).exists(), "{p} was generated");
    }
    let out = load_output(public, "/");
    for page in &out.pages {
        for href in page
            .doc
            .select(&sel("a[href]"))
            .filter_map(|a| a.value().attr("href"))
        {
            assert!(
                !MODULE_PATHS.iter().any(|p| href.contains(p)),
                "{} links {href}",
                page.rel
            );
        }
    }
    let sitemap = fs::read_to_string(public.join("sitemap.xml")).expect("sitemap");
    for p in MODULE_PATHS {
        assert!(!sitemap.contains(p), "the sitemap lists {p}");
    }
}

/// The English example site (a help centre that is not about ICP filing)
/// passes every check and has none of the ICP modules.
#[test]
fn example_site_output_is_sound_and_generic() {
    let root = common::repo_root().join("examples/help-center");
    let (_tmp, public) = check_everything(&root, true, None);
    assert_no_icp_modules(&public);
    let home = fs::read_to_string(public.join("index.html")).expect("home page");
    assert!(home.contains("<html lang=\"en\""), "lang follows site.toml");
    assert!(home.contains("How can we help?"), "heading from site.toml");
    assert!(
        home.contains("12 questions"),
        "stats line from the English strings"
    );
    for icp in ["备案", "ICP", "管局", "工信部", "beian.miit.gov.cn"] {
        assert!(!home.contains(icp), "the home page mentions {icp}");
    }
}

/// `zhiku init` → `check` → `build` → link check → `serve`, in each starter language.
#[test]
fn init_check_build_and_serve_a_new_site() {
    for lang in zhiku::init::STARTER_LANGUAGES {
        let tmp = tempfile::tempdir().expect("temporary folder");
        let root = tmp.path().join("mykb");
        let o = common::zhiku(
            tmp.path(),
            &["init", root.to_str().expect("UTF-8"), "--lang", lang],
        );
        assert!(
            o.status.success(),
            "{lang}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("serve"),
            "init says what to do next"
        );
        assert!(!root.join("themes").exists(), "the theme is not copied");
        let o = common::zhiku(&root, &["check"]);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "{lang}: {stderr}");
        assert!(
            stderr.contains("0 error(s), 0 warning(s)"),
            "{lang}: {stderr}"
        );
        let (_out, public) = check_everything(&root, false, None);
        assert_no_icp_modules(&public);
        let home = fs::read_to_string(public.join("index.html")).expect("home page");
        assert!(home.contains(&format!("<html lang=\"{lang}\"")), "{lang}");

        let (mut child, url) = common::spawn_serve(&root);
        let page =
            reqwest::blocking::get(format!("{url}faq/getting-started/")).and_then(|r| r.text());
        let _ = child.kill();
        let _ = child.wait();
        let page = page.expect("serve answers");
        assert!(page.contains("what-is-this"), "{lang}: {page}");

        // A second init into the same folder is refused, and changes nothing.
        let o = common::zhiku(tmp.path(), &["init", root.to_str().expect("UTF-8")]);
        assert_eq!(o.status.code(), Some(1), "{lang}");
        assert!(String::from_utf8_lossy(&o.stderr).contains("not empty"));
    }
}

/// No ICP-specific wording is left in the built-in theme's templates and
/// scripts: sites about anything else get none of it.
#[test]
fn built_in_templates_and_scripts_say_nothing_about_icp_filing() {
    let theme = common::repo_root().join("themes/default");
    let mut checked = 0;
    for dir in ["templates", "static"] {
        for entry in walkdir::WalkDir::new(theme.join(dir)) {
            let entry = entry.expect("walking the theme");
            let path = entry.path();
            if !matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("html" | "js")
            ) {
                continue;
            }
            let text = fs::read_to_string(path).expect("UTF-8");
            for word in ["备案", "ICP", "管局", "工信部"] {
                assert!(!text.contains(word), "{} contains {word}", path.display());
            }
            checked += 1;
        }
    }
    assert!(checked > 15, "only {checked} files checked");
}

/// A site theme that overrides only `base.html` and one string gets every
/// other template, the stylesheet and the other strings from the built-in theme.
#[test]
fn a_site_theme_overrides_only_what_it_has() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let root = tmp.path();
    let o = common::zhiku(root, &["init", root.to_str().expect("UTF-8"), "--force"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let base = r#"<!DOCTYPE html><html lang="{{ site.language }}" data-root="/"><head><meta charset="utf-8"><title>{{ title }}</title><link rel="canonical" href="{{ canonical }}"><link rel="stylesheet" href="/static/style.css"></head>
<body><p class="mine">MY-OWN-BASE {{ t(k="search_button") }}</p><main id="main">{% block content %}{% endblock content %}</main></body></html>"#;
    let theme = root.join("themes/mine");
    fs::create_dir_all(theme.join("templates")).expect("mkdir");
    fs::write(theme.join("templates/base.html"), base).expect("write");
    let toml = fs::read_to_string(root.join("content/site.toml")).expect("site.toml");
    fs::write(
        root.join("content/site.toml"),
        format!("theme = \"mine\"\n{toml}\n[strings]\nsearch_button = \"Find\"\n"),
    )
    .expect("write");
    let public = root.join("public");
    common::build_ok(root, &public);
    let entry = fs::read_to_string(public.join("faq/getting-started/what-is-this/index.html"))
        .expect("entry page");
    assert!(
        entry.contains("MY-OWN-BASE Find"),
        "the site's base.html and string"
    );
    assert!(
        entry.contains("class=\"entry\""),
        "entry.html from the built-in theme"
    );
    let css = fs::read(public.join("static/style.css")).expect("style.css");
    assert_eq!(
        css,
        fs::read(common::repo_root().join("themes/default/static/style.css"))
            .expect("built-in CSS")
    );
}

/// Bad site settings are errors in site.toml with a position, exit 1, nothing written.
#[test]
fn bad_language_theme_and_strings_are_reported_in_site_toml() {
    for (line, want) in [
        ("language = \"fr\"", "no interface strings for `fr`"),
        ("theme = \"nope\"", "theme `nope` not found"),
        (
            "[strings]\nno_such_key = \"x\"",
            "`strings.no_such_key` is not an interface string",
        ),
    ] {
        let tmp = tempfile::tempdir().expect("temporary folder");
        let root = tmp.path();
        let o = common::zhiku(root, &["init", root.to_str().expect("UTF-8"), "--force"]);
        assert!(o.status.success());
        let toml = fs::read_to_string(root.join("content/site.toml")).expect("site.toml");
        let toml = if let Some(rest) = line.strip_prefix("language = ") {
            toml.replace("language = \"en\"", &format!("language = {rest}"))
        } else if line.starts_with('[') {
            format!("{toml}\n{line}\n")
        } else {
            format!("{line}\n{toml}")
        };
        fs::write(root.join("content/site.toml"), toml).expect("write");
        for cmd in ["check", "build"] {
            let o = common::zhiku(root, &[cmd]);
            let stderr = String::from_utf8_lossy(&o.stderr);
            assert_eq!(o.status.code(), Some(1), "{line} / {cmd}: {stderr}");
            assert!(stderr.contains(want), "{line} / {cmd}: {stderr}");
            assert!(
                stderr.contains("content/site.toml:"),
                "{line}: a position: {stderr}"
            );
        }
        assert!(!root.join("public").exists(), "{line}: nothing written");
    }
}

/// An entry naming a province on a site without the provinces module gets
/// one clear error, not a list of known provinces that is empty.
#[test]
fn a_province_without_the_provinces_module_is_one_clear_error() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let root = tmp.path();
    let o = common::zhiku(root, &["init", root.to_str().expect("UTF-8"), "--force"]);
    assert!(o.status.success());
    let path = root.join("content/faq/getting-started/what-is-this.md");
    let text = fs::read_to_string(&path).expect("entry");
    fs::write(
        &path,
        text.replacen("order = 10", "order = 10\nprovinces = [\"guangdong\"]", 1),
    )
    .expect("write");
    let o = common::zhiku(root, &["check"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("this site has no provinces module"),
        "{stderr}"
    );
    assert!(stderr.contains("what-is-this.md:4:"), "{stderr}");
}

/// `zhiku theme eject` copies the whole built-in theme; a site using the
/// copy builds exactly the same files as one on the built-in theme.
#[test]
fn an_ejected_theme_builds_the_same_site() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let root = tmp.path();
    let o = common::zhiku(root, &["init", root.to_str().expect("UTF-8"), "--force"]);
    assert!(o.status.success());
    let built_in = root.join("built-in");
    common::build_ok(root, &built_in);
    let o = common::zhiku(root, &["theme", "eject", "mine"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(root.join("themes/mine/templates/base.html").is_file());
    assert!(root.join("themes/mine/i18n/en.toml").is_file());
    let o = common::zhiku(root, &["theme", "eject", "mine"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "a second eject does not overwrite"
    );
    let toml = fs::read_to_string(root.join("content/site.toml")).expect("site.toml");
    fs::write(
        root.join("content/site.toml"),
        format!("theme = \"mine\"\n{toml}"),
    )
    .expect("write");
    let ejected = root.join("ejected");
    common::build_ok(root, &ejected);
    assert_eq!(common::snapshot(&built_in), common::snapshot(&ejected));
}

/// `language = "zh-TW"` gets the traditional-Chinese interface and `<html lang>`.
#[test]
fn a_traditional_chinese_site_gets_its_own_interface() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let root = tmp.path();
    let o = common::zhiku(
        root,
        &[
            "init",
            root.to_str().expect("UTF-8"),
            "--lang",
            "zh-CN",
            "--force",
        ],
    );
    assert!(o.status.success());
    let toml = fs::read_to_string(root.join("content/site.toml")).expect("site.toml");
    fs::write(
        root.join("content/site.toml"),
        toml.replace("language = \"zh-CN\"", "language = \"zh-TW\""),
    )
    .expect("write");
    let public = root.join("public");
    common::build_ok(root, &public);
    let home = fs::read_to_string(public.join("index.html")).expect("home page");
    assert!(home.contains("<html lang=\"zh-TW\""), "{home}");
    assert!(
        home.contains("搜尋"),
        "the zh-TW label of the search button"
    );
    let strings = fs::read_to_string(public.join("static/strings.js")).expect("strings.js");
    assert!(
        strings.contains("搜尋"),
        "scripts get the zh-TW strings too"
    );
}

/// Scope labels: the fixture's `mixed` entry shows its scope label and its
/// provider callout as a labelled blockquote; a `national` entry its own label.
#[test]
fn scope_labels_and_callouts_are_rendered() {
    let site = common::valid_site();
    let tmp = tempfile::tempdir().expect("temporary folder");
    let public = tmp.path().join("public");
    common::build_ok(site.path(), &public);
    let read =
        |rel: &str| Html::parse_document(&fs::read_to_string(public.join(rel)).expect("page"));
    let mixed = read("faq/basics/how-long/index.html");
    let label: Vec<String> = mixed
        .select(&sel("p.scope-label.scope-mixed"))
        .map(|e| e.text().collect())
        .collect();
    assert_eq!(label.len(), 1, "{label:?}");
    assert!(label[0].contains("华为云"), "{label:?}");
    let callout: Vec<String> = mixed
        .select(&sel("blockquote.scope-callout .scope-label"))
        .map(|e| e.text().collect())
        .collect();
    assert_eq!(callout, ["以下为华为云的办理方式"]);
    let html = mixed.root_element().html();
    assert!(!html.contains("[华为云]"), "the raw marker is replaced");
    let national = read("faq/basics/need-filing/index.html");
    let label: Vec<String> = national
        .select(&sel("p.scope-label.scope-national"))
        .map(|e| e.text().collect())
        .collect();
    assert_eq!(label, ["通用规则：适用于所有申请人"]);
}
