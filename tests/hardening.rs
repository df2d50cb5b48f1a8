//! Regression tests for the defects of issue #14, each built from its
//! reproduction on a copy of the real site (`content/` and `themes/`).

mod common;

use std::fs;
use std::path::Path;

use common::{zhiku, SiteCopy};
use serde_json::Value;

/// `check --json`: exit code and every diagnostic.
fn check_json(root: &Path) -> (i32, Vec<Value>) {
    let out = zhiku(root, &["check", "--json"]);
    let stdout = String::from_utf8(out.stdout).expect("UTF-8");
    let items = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    (out.status.code().unwrap_or(-1), items)
}

fn errors(items: &[Value]) -> Vec<&Value> {
    items.iter().filter(|d| d["severity"] == "error").collect()
}

/// Runs `zhiku check --json` on a site that must fail with exactly one
/// error, and returns that error.
fn single_error(root: &Path) -> Value {
    let (code, items) = check_json(root);
    assert_eq!(code, 1);
    let errs = errors(&items);
    assert_eq!(errs.len(), 1, "{errs:?}");
    errs[0].clone()
}

fn warnings(items: &[Value]) -> Vec<&Value> {
    items
        .iter()
        .filter(|d| d["severity"] == "warning")
        .collect()
}

/// 1-based line of the first line of `text` that contains `needle`.
fn line_of(text: &str, needle: &str) -> u64 {
    let i = text
        .lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} not in the file"));
    i as u64 + 1
}

fn build(root: &Path, output: &Path) -> std::process::Output {
    zhiku(root, &["build", "--output", &output.to_string_lossy()])
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

// 1. `--output` never replaces the sources or a folder it did not write.

#[test]
fn output_refuses_the_site_root_content_themes_and_parents() {
    let site = SiteCopy::new();
    let root = site.root();
    for target in [
        root.to_path_buf(),
        root.join("content"),
        root.join("themes"),
        root.join("themes/default"),
        root.join("content/faq"),
        root.parent().expect("parent").to_path_buf(),
    ] {
        let o = build(root, &target);
        assert!(!o.status.success(), "{} was accepted", target.display());
        assert!(stderr(&o).contains("refusing"), "{}", stderr(&o));
    }
    // `--output .` relative to the working directory, as the issue ran it.
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_zhiku"))
        .current_dir(root)
        .args(["build", "--output", "."])
        .output()
        .expect("run zhiku");
    assert!(!o.status.success(), "{}", stderr(&o));
    assert!(root.join("content/site.toml").is_file());
    assert!(root.join("themes/default/templates").is_dir());
}

#[test]
fn output_refuses_a_foreign_folder_but_replaces_its_own_builds() {
    let site = SiteCopy::new();
    let out = tempfile::tempdir().expect("temp");
    let foreign = out.path().join("docs");
    fs::create_dir_all(&foreign).expect("mkdir");
    fs::write(foreign.join("notes.txt"), "mine").expect("write");
    let o = build(site.root(), &foreign);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("not a previous zhiku build"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        fs::read_to_string(foreign.join("notes.txt")).expect("kept"),
        "mine"
    );

    // An empty folder is fine, and a stamped build may be replaced.
    let fresh = out.path().join("site");
    fs::create_dir_all(&fresh).expect("mkdir");
    for _ in 0..2 {
        let o = build(site.root(), &fresh);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    assert!(fresh.join(".zhiku-build").is_file());
    assert!(fresh.join("index.html").is_file());
}

#[test]
fn a_public_folder_from_before_stamps_is_still_replaced() {
    let site = SiteCopy::new();
    let out = tempfile::tempdir().expect("temp");
    let public = out.path().join("public");
    assert!(build(site.root(), &public).status.success());
    fs::remove_file(public.join(".zhiku-build")).expect("unstamp");
    let o = build(site.root(), &public);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(public.join(".zhiku-build").is_file());
}

// 2. Two files may not take one id.

#[test]
fn nested_files_that_would_share_an_id_are_errors() {
    let site = SiteCopy::new();
    let text = site.read("content/rejections/br-domain-expired.md");
    site.write("content/rejections/sub/br-domain-expired.md", &text);
    let text = site.read("content/faq/process/review-duration.md");
    site.write("content/faq/basics/process/review-duration.md", &text);
    let (code, items) = check_json(site.root());
    assert_eq!(code, 1);
    let errs = errors(&items);
    let files: Vec<&str> = errs.iter().filter_map(|d| d["file"].as_str()).collect();
    assert!(
        files.contains(&"content/rejections/sub/br-domain-expired.md"),
        "{files:?}"
    );
    assert!(
        files.contains(&"content/faq/basics/process/review-duration.md"),
        "{files:?}"
    );
    assert_eq!(errs.len(), 2, "{errs:?}");
    let out = tempfile::tempdir().expect("temp");
    assert!(!build(site.root(), &out.path().join("public"))
        .status
        .success());
}

// 5. Raw HTML and script URLs.

/// The entry the raw-HTML and inline-JSON tests edit.
const ENTRY: &str = "content/faq/process/review-duration.md";

/// Sets `[markdown] raw_html` of the site.
fn set_raw_html(site: &SiteCopy, mode: &str) {
    let config = site.read("content/site.toml");
    site.write(
        "content/site.toml",
        &format!("{config}\n[markdown]\nraw_html = \"{mode}\"\n"),
    );
}

/// Builds the site (which must succeed) and returns the HTML of [`ENTRY`]'s page.
fn build_entry_page(site: &SiteCopy) -> String {
    let out = tempfile::tempdir().expect("temp");
    let o = build(site.root(), &out.path().join("public"));
    assert!(o.status.success(), "{}", stderr(&o));
    fs::read_to_string(
        out.path()
            .join("public/faq/process/review-duration/index.html"),
    )
    .expect("page")
}

const HOSTILE: &str = "\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(2)> <iframe src=\"javascript:alert(3)\"></iframe>\n\n<a href=\"JaVaScRiPt:alert(4)\">a</a> <a href=\"jav&#x61;script:alert(5)\">b</a> <a href=\"DATA:text/html,x\">c</a>\n\n按 <kbd>Ctrl</kbd>，H<sub>2</sub>O，<mark>注意</mark>\n";

#[test]
fn raw_html_is_sanitized_by_default() {
    let site = SiteCopy::new();
    let rel = ENTRY;
    let text = site.read(rel);
    site.write(rel, &format!("{text}{HOSTILE}"));
    let page = build_entry_page(&site);
    let body = &page[page.find("class=\"body\"").expect("body")..];
    let body = &body[..body.find("</article>").unwrap_or(body.len())];
    for bad in ["alert", "onerror", "<iframe", "javascript:", "data:"] {
        assert!(!body.to_lowercase().contains(bad), "{bad} survived: {body}");
    }
    assert!(body.contains("<kbd>Ctrl</kbd>"), "{body}");
    assert!(body.contains("<sub>2</sub>") && body.contains("<mark>注意</mark>"));
}

#[test]
fn raw_html_can_be_escaped() {
    let site = SiteCopy::new();
    set_raw_html(&site, "escape");
    let rel = ENTRY;
    let text = site.read(rel);
    site.write(rel, &format!("{text}{HOSTILE}"));
    let page = build_entry_page(&site);
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!page.contains("<script>alert"));
    assert!(!page.contains("<kbd>"));
}

#[test]
fn raw_html_can_be_allowed_for_trusted_writers() {
    let site = SiteCopy::new();
    set_raw_html(&site, "allow");
    let rel = ENTRY;
    let text = site.read(rel);
    site.write(
        rel,
        &format!("{text}{HOSTILE}\n[点我](javascript:void(0))\n"),
    );
    let page = build_entry_page(&site);
    assert!(page.contains("<script>alert(1)</script>"));
    assert!(page.contains("href=\"javascript:void(0)\""));
}

#[test]
fn script_urls_and_external_images_are_errors_in_any_case() {
    let site = SiteCopy::new();
    let rel = ENTRY;
    let text = site.read(rel);
    let added = "\n\n[点我](JavaScript:alert(1))\n\n[数据](DATA:text/html;base64,PHNjcmlwdD4=)\n\n![图](HTTPS://example.com/a.png)\n\n<img src=\"https://example.com/b.png\">\n\n<IMG SRC=\"//example.com/c.png\">\n";
    site.write(rel, &format!("{text}{added}"));
    let (code, items) = check_json(site.root());
    assert_eq!(code, 1);
    let errs = errors(&items);
    let snippets: Vec<&str> = errs.iter().filter_map(|d| d["snippet"].as_str()).collect();
    for expect in [
        "JavaScript:alert(1)",
        "DATA:text/html",
        "HTTPS://example.com/a.png",
        "https://example.com/b.png",
        "//example.com/c.png",
    ] {
        assert!(
            snippets.iter().any(|s| s.contains(expect)),
            "{expect} not reported: {snippets:?}"
        );
    }
    assert_eq!(errs.len(), 5, "{errs:?}");
    for d in &errs {
        assert_eq!(d["file"], rel);
        assert!(d["line"].as_u64().expect("line") > 1);
    }
}

// 6. Inline JSON cannot change how the page parses.

#[test]
fn comment_opener_in_a_title_does_not_blank_the_page() {
    let site = SiteCopy::new();
    let rel = ENTRY;
    let text = site.read(rel);
    let title_line = text
        .lines()
        .find(|l| l.starts_with("title = "))
        .expect("title")
        .to_string();
    site.write(
        rel,
        &text.replacen(
            &title_line,
            "title = \"审核要多久 <!--<script> & </script>\"",
            1,
        ),
    );
    let page = build_entry_page(&site);
    let start = page.find("application/ld+json").expect("JSON-LD");
    let script = &page[start..];
    let script =
        &script[script.find('>').expect("tag end") + 1..script.find("</script>").expect("end")];
    assert!(!script.contains(['<', '>', '&']), "{script}");
    let json: Value = serde_json::from_str(script).expect("valid JSON");
    assert!(json["mainEntity"][0]["name"]
        .as_str()
        .expect("name")
        .contains("<!--<script>"));
    // The HTML parser still sees the page body after the script.
    let doc = scraper::Html::parse_document(&page);
    let body = scraper::Selector::parse("div.body").expect("selector");
    assert_eq!(doc.select(&body).count(), 1);
}

// 9. Positions.

#[test]
fn bad_chapter_section_is_reported_on_its_own_line() {
    let site = SiteCopy::new();
    let rel = "content/faq/process/_index.md";
    let text = site
        .read(rel)
        .replace("section = \"15\"", "section = \"7a\"");
    site.write(rel, &text);
    let err = single_error(site.root());
    assert_eq!(err["file"], rel);
    assert_eq!(err["line"], line_of(&text, "section = \"7a\""));
    assert_eq!(err["snippet"], "\"7a\"");
}

#[test]
fn empty_forbidden_word_points_at_the_empty_string() {
    let site = SiteCopy::new();
    let rel = "content/provinces/guangdong.toml";
    let text = site.read(rel).replace(
        "forbidden_name_words = [\"媒体\",",
        "forbidden_name_words = [\"媒体\", \"\",",
    );
    assert!(text.contains("\"\","));
    site.write(rel, &text);
    let err = single_error(site.root());
    assert_eq!(err["line"], line_of(&text, "forbidden_name_words"));
    assert_eq!(err["snippet"], "\"\"");
    assert!(err["column"].as_u64().expect("column") > 20);
}

// 10. What `build` rejects, `check` rejects.

/// The copy names its own theme (`theme = "default"`); without the folder,
/// `check` fails on that line of site.toml, as `build` would. (A site that
/// names no theme needs no folder: the built-in theme serves.)
#[test]
fn check_rejects_a_missing_theme() {
    let site = SiteCopy::new();
    fs::remove_dir_all(site.path("themes")).expect("rm themes");
    let (code, items) = check_json(site.root());
    assert_eq!(code, 1);
    let e = &errors(&items)[0];
    assert_eq!(e["file"], "content/site.toml");
    assert!(e["message"]
        .as_str()
        .expect("message")
        .contains("theme `default` not found"));
}

#[test]
fn toml_file_names_are_validated() {
    let site = SiteCopy::new();
    let province = site.read("content/provinces/guangdong.toml");
    site.write("content/provinces/index.html.toml", &province);
    let tree = site.read("content/decision/rejected.toml");
    site.write("content/decision/rejected 中 ..toml", &tree);
    let (code, items) = check_json(site.root());
    assert_eq!(code, 1);
    let files: Vec<&str> = errors(&items)
        .iter()
        .filter_map(|d| d["file"].as_str())
        .collect();
    assert!(
        files.contains(&"content/provinces/index.html.toml"),
        "{files:?}"
    );
    assert!(
        files.contains(&"content/decision/rejected 中 ..toml"),
        "{files:?}"
    );
}

// 11. Nothing is dropped without a word; one cause, one error.

#[test]
fn files_zhiku_will_not_read_are_named() {
    let site = SiteCopy::new();
    let text = site.read("content/faq/process/review-duration.md");
    site.write("content/faq/process/upper-case.MD", &text);
    site.write("content/faq/process/long-name.markdown", &text);
    fs::create_dir_all(site.path("content/faq/process/a-folder.md")).expect("mkdir");
    let outside = tempfile::tempdir().expect("temp");
    fs::write(outside.path().join("secret.md"), &text).expect("write");
    std::os::unix::fs::symlink(
        outside.path().join("secret.md"),
        site.path("content/faq/process/linked.md"),
    )
    .expect("symlink");
    let (code, items) = check_json(site.root());
    assert_eq!(code, 0, "{items:?}");
    let named: Vec<&str> = warnings(&items)
        .iter()
        .filter_map(|d| d["file"].as_str())
        .collect();
    for f in [
        "content/faq/process/upper-case.MD",
        "content/faq/process/long-name.markdown",
        "content/faq/process/a-folder.md",
        "content/faq/process/linked.md",
    ] {
        assert!(named.contains(&f), "{f} not named: {named:?}");
    }
}

#[test]
fn a_symlinked_site_toml_is_not_followed() {
    let site = SiteCopy::new();
    let outside = tempfile::tempdir().expect("temp");
    let target = outside.path().join("site.toml");
    fs::rename(site.path("content/site.toml"), &target).expect("move");
    std::os::unix::fs::symlink(&target, site.path("content/site.toml")).expect("symlink");
    let err = single_error(site.root());
    assert_eq!(err["file"], "content/site.toml");
    assert!(err["message"]
        .as_str()
        .expect("msg")
        .contains("symbolic link"));
}

#[test]
fn a_file_that_fails_to_parse_causes_one_error_not_broken_links() {
    let site = SiteCopy::new();
    let rel = ENTRY;
    let text = site
        .read(rel)
        .replacen("\norder = ", "\nupdated = 2024-13-45\norder = ", 1);
    site.write(rel, &text);
    let err = single_error(site.root());
    assert_eq!(err["file"], rel);
    assert_eq!(err["line"], line_of(&text, "updated = 2024-13-45"));
}

#[test]
fn primary_errors_print_before_the_rest() {
    let site = SiteCopy::new();
    // A parse error in a late file and a broken link in an early one.
    let rel = "content/rejections/br-domain-expired.md";
    let text = site.read(rel);
    site.write(rel, &text.replacen("+++", "+++\norder = \"x\"", 1));
    let early = "content/faq/account-realname/_index.md";
    let early_text = site.read(early);
    site.write(early, &format!("{early_text}\n[坏链接](@faq/none/none)\n"));
    let o = zhiku(site.root(), &["check"]);
    let err = stderr(&o);
    let parse = err.find("br-domain-expired.md").expect("parse error shown");
    let link = err
        .find("account-realname/_index.md")
        .expect("link error shown");
    assert!(parse < link, "{err}");
}

#[test]
fn unreadable_chapter_folder_is_named_once() {
    use std::os::unix::fs::PermissionsExt;
    let site = SiteCopy::new();
    let dir = site.path("content/faq/process");
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o000)).expect("chmod");
    if fs::read_dir(&dir).is_ok() {
        // Running as root: permissions do not stop reading, nothing to test here.
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).expect("chmod");
        eprintln!("skipped: this user can read a mode-000 folder");
        return;
    }
    let (code, items) = check_json(site.root());
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).expect("chmod");
    assert_eq!(code, 1);
    let errs = errors(&items);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0]["file"], "content/faq/process");
}

// 12. Small ones.

#[test]
fn search_limit_zero_is_refused() {
    let site = SiteCopy::new();
    let o = zhiku(site.root(), &["search", "备案", "--limit", "0"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn yaml_fence_suggests_toml_fence() {
    let site = SiteCopy::new();
    let rel = ENTRY;
    site.write(rel, "---\ntitle: 审核要多久\n---\n正文\n");
    let err = single_error(site.root());
    assert!(err["message"].as_str().expect("msg").contains("+++"));
}

#[test]
fn stray_file_in_faq_is_told_where_to_go() {
    let site = SiteCopy::new();
    let text = site.read("content/faq/process/review-duration.md");
    site.write("content/faq/stray.md", &text);
    let err = single_error(site.root());
    assert_eq!(err["file"], "content/faq/stray.md");
    let text = format!("{}", err);
    assert!(!text.contains("faq/faq"), "{text}");
    assert!(text.contains("content/faq/<chapter>/<slug>.md"), "{text}");
}
