//! Helpers shared by the integration tests: fixture sites in temporary
//! folders and running the real `zhiku` binary.

#![allow(dead_code)] // each test crate uses a different subset

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

/// The repository root (where Cargo.toml, content/ and themes/ live).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `tests/fixtures/<name>`.
pub fn fixture(name: &str) -> PathBuf {
    repo_root().join("tests").join("fixtures").join(name)
}

/// Copies a folder tree, overwriting files that already exist.
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walking a fixture");
        let rel = entry.path().strip_prefix(from).expect("inside the tree");
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            fs::create_dir_all(&dest).expect("creating a folder");
        } else {
            fs::copy(entry.path(), &dest).expect("copying a file");
        }
    }
}

/// A site root in a temporary folder holding a copy of the valid fixture's
/// `content/` (rendered with the built-in theme).
pub fn valid_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    copy_tree(&fixture("valid"), dir.path());
    dir
}

/// The valid fixture with the files of `tests/fixtures/errors/<case>/` laid over it.
pub fn error_site(case: &str) -> tempfile::TempDir {
    let dir = valid_site();
    let overlay = fixture("errors").join(case);
    assert!(overlay.is_dir(), "missing fixture {}", overlay.display());
    copy_tree(&overlay, dir.path());
    dir
}

/// Gives the site at `root` a theme of its own to edit: a copy of the
/// built-in theme's sources in `root/themes/default`, named in site.toml.
pub fn with_theme(root: &Path) {
    copy_tree(
        &repo_root().join("themes").join("default"),
        &root.join("themes").join("default"),
    );
    let toml = root.join("content/site.toml");
    let text = fs::read_to_string(&toml).expect("site.toml");
    fs::write(&toml, format!("theme = \"default\"\n{text}")).expect("site.toml");
}

/// Runs `zhiku --root <root> <args>`.
pub fn zhiku(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zhiku"))
        .arg("--root")
        .arg(root)
        .args(args)
        .output()
        .expect("running zhiku")
}

/// Builds `root` into `out` and panics with the diagnostics if it fails.
pub fn build_ok(root: &Path, out: &Path) {
    let o = zhiku(root, &["build", "--output", &out.to_string_lossy()]);
    assert!(
        o.status.success(),
        "zhiku build failed for {}:\n{}",
        root.display(),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// A temporary copy of the repository's `content/` and `themes/`.
pub struct SiteCopy {
    /// Keeps the folder alive.
    pub dir: tempfile::TempDir,
}

impl SiteCopy {
    /// Copies the real content and the built-in theme's sources into a fresh
    /// temp folder, as a site with its own theme (`theme = "default"`), so
    /// tests can edit templates and stylesheets.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        copy_tree(&repo.join("content"), &dir.path().join("content"));
        with_theme(dir.path());
        SiteCopy { dir }
    }

    /// The site root.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// A path under the root.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Reads a file under the root.
    pub fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.path(rel)).expect("read site file")
    }

    /// Writes a file under the root (creating folders).
    pub fn write(&self, rel: &str, text: &str) {
        let p = self.path(rel);
        fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        fs::write(p, text).expect("write site file");
    }

    /// The first FAQ entry (sorted by path) whose front matter lists related items,
    /// as (path relative to the root, id).
    pub fn entry_with_related(&self) -> (String, String) {
        let mut files: Vec<PathBuf> = walkdir::WalkDir::new(self.path("content/faq"))
            .into_iter()
            .filter_map(Result::ok)
            .map(|e| e.into_path())
            .filter(|p| p.extension().is_some_and(|e| e == "md"))
            .filter(|p| p.file_name().is_some_and(|n| n != "_index.md"))
            .collect();
        files.sort();
        for f in files {
            let text = fs::read_to_string(&f).expect("read entry");
            if text.contains("related = [\"@") {
                let rel = f
                    .strip_prefix(self.root())
                    .expect("under root")
                    .to_string_lossy()
                    .into_owned();
                let id = rel
                    .trim_start_matches("content/")
                    .trim_end_matches(".md")
                    .to_string();
                return (rel, id);
            }
        }
        panic!("no FAQ entry with related items in the content");
    }

    /// The FAQ entry other content refers to most (`@id` occurrences), as
    /// (path relative to the root, id): editing it touches the most pages.
    pub fn most_referenced_entry(&self) -> (String, String) {
        let texts: Vec<String> = walkdir::WalkDir::new(self.path("content"))
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .filter_map(|e| fs::read_to_string(e.path()).ok())
            .collect();
        let mut best: Option<(usize, String)> = None;
        for e in walkdir::WalkDir::new(self.path("content/faq"))
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
        {
            let p = e.path();
            if p.extension().is_none_or(|x| x != "md") || p.ends_with("_index.md") {
                continue;
            }
            let rel = p.strip_prefix(self.root()).expect("under root");
            let rel = rel.to_string_lossy().into_owned();
            let id = rel
                .trim_start_matches("content/")
                .trim_end_matches(".md")
                .to_string();
            let needle = format!("@{id}");
            let n: usize = texts.iter().map(|t| t.matches(&needle).count()).sum();
            if best.as_ref().is_none_or(|(m, _)| n > *m) {
                best = Some((n, rel));
            }
        }
        let rel = best.expect("a FAQ entry").1;
        let id = rel
            .trim_start_matches("content/")
            .trim_end_matches(".md")
            .to_string();
        (rel, id)
    }

    /// The first file (sorted) in a content folder with the given extension.
    pub fn first_in(&self, folder: &str, ext: &str) -> String {
        let mut names: Vec<String> = fs::read_dir(self.path(folder))
            .expect("content folder")
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(ext) && !n.starts_with('_'))
            .collect();
        names.sort();
        format!("{folder}/{}", names.first().expect("a file"))
    }
}

/// Replaces the first `key = "value"` line's value by `value` + `suffix`.
pub fn append_to_string_field(text: &str, key: &str, suffix: &str) -> String {
    let needle = format!("\n{key} = \"");
    let start = text.find(&needle).expect("field present") + needle.len();
    let end = start + text[start..].find('"').expect("closing quote");
    format!("{}{}{}", &text[..end], suffix, &text[end..])
}

/// Starts `zhiku serve --port 0` on a site; returns the process and the URL it
/// printed (ends with `/`).
pub fn spawn_serve(root: &Path) -> (Child, String) {
    spawn_serve_with(root, &[])
}

/// Like [`spawn_serve`], with extra `serve` options.
pub fn spawn_serve_with(root: &Path, extra: &[&str]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zhiku"))
        .arg("--root")
        .arg(root)
        .args(["serve", "--port", "0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start zhiku serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("read the URL line");
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .to_string();
    (child, url)
}

/// Every file under `dir` with its bytes, keyed by relative path.
pub fn snapshot(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.expect("walking a folder"))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .expect("inside")
                .to_string_lossy()
                .into_owned();
            (rel, fs::read(e.path()).expect("reading"))
        })
        .collect()
}

/// Names in the site root that look like build leftovers (`.public.*`).
pub fn leftovers(root: &Path) -> Vec<String> {
    fs::read_dir(root)
        .expect("reading the root")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".public"))
        .collect()
}

/// (inode, mtime in ns) of every file under `dir`, keyed by relative path:
/// what tells a file kept from one written anew.
pub fn stamps(dir: &Path) -> std::collections::BTreeMap<String, (u64, i128)> {
    use std::os::unix::fs::MetadataExt;
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.expect("walking a folder"))
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

/// One edit of a [`SiteCopy`] that incremental rebuilds must get right: its
/// name, and what applies it (returning the paths it touched).
pub type Edit = (&'static str, fn(&SiteCopy) -> Vec<String>);

/// The folder (relative to the root) of the chapter of the first entry with `related`.
fn edited_chapter(site: &SiteCopy) -> String {
    let (entry, _) = site.entry_with_related();
    Path::new(&entry)
        .parent()
        .expect("chapter")
        .display()
        .to_string()
}

/// The edit kinds the serve and build tests replay, in order (each applies
/// to the site as the previous ones left it): entry body, title, the most
/// referenced entry's title, related list, rejection, province, chapter,
/// template, new entry, deleted entry.
pub fn edit_kinds() -> Vec<Edit> {
    vec![
        ("entry body", |site| {
            let (entry, _) = site.entry_with_related();
            let text = site.read(&entry);
            site.write(&entry, &format!("{text}\n\n增量构建测试段落。\n"));
            vec![entry]
        }),
        ("entry title", |site| {
            let (entry, _) = site.entry_with_related();
            let text = site.read(&entry);
            site.write(&entry, &append_to_string_field(&text, "title", "（改）"));
            vec![entry]
        }),
        ("most referenced entry title", |site| {
            let (popular, _) = site.most_referenced_entry();
            let text = site.read(&popular);
            site.write(
                &popular,
                &append_to_string_field(&text, "title", "（热门改）"),
            );
            vec![popular]
        }),
        // Dropping the related list changes what other pages show as backlinks.
        ("entry related removed", |site| {
            let (entry, _) = site.entry_with_related();
            let text = site.read(&entry);
            let start = text.find("\nrelated = [").expect("related");
            let end = start + 1 + text[start + 1..].find('\n').expect("line end");
            site.write(&entry, &format!("{}{}", &text[..start], &text[end..]));
            vec![entry]
        }),
        ("rejection title", |site| {
            let rejection = site.first_in("content/rejections", ".md");
            let text = site.read(&rejection);
            site.write(
                &rejection,
                &append_to_string_field(&text, "title", "（改）"),
            );
            vec![rejection]
        }),
        ("province name", |site| {
            let province = site.first_in("content/provinces", ".toml");
            let text = site.read(&province);
            site.write(
                &province,
                &format!("# edited\n{}", text.replacen("name = \"", "name = \"改", 1)),
            );
            vec![province]
        }),
        ("chapter title", |site| {
            let chapter_index = format!("{}/_index.md", edited_chapter(site));
            let text = site.read(&chapter_index);
            site.write(
                &chapter_index,
                &append_to_string_field(&text, "title", "（改）"),
            );
            vec![chapter_index]
        }),
        ("template", |site| {
            let base = "themes/default/templates/base.html";
            let text = site.read(base);
            site.write(base, &text.replace("</footer>", "<p>模板改动</p></footer>"));
            vec![base.to_string()]
        }),
        // A new entry adds a page; deleting it removes the page again.
        ("new entry", |site| {
            let new_entry = format!("{}/{NEW_ENTRY}", edited_chapter(site));
            site.write(
                &new_entry,
                "+++\ntitle = \"测试新条目\"\nsection = \"7.1\"\norder = 99999\naliases = [\"测试\"]\n+++\n\n新条目正文。\n",
            );
            vec![new_entry]
        }),
        ("deleted entry", |site| {
            let new_entry = format!("{}/{NEW_ENTRY}", edited_chapter(site));
            fs::remove_file(site.path(&new_entry)).expect("delete");
            vec![new_entry]
        }),
    ]
}

/// File name of the entry the "new entry" edit adds.
pub const NEW_ENTRY: &str = "zz-edit-test.md";
