//! Reading `content/` into a [`Site`], recording every problem in a [`Report`].

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::frontmatter;
use super::scan::{rel, scan, Rule};
use super::*;
use crate::diagnostics::{FileId, Report};
use serde::de::DeserializeOwned;

/// Reads and checks `content/site.toml` alone (what `zhiku search` needs to
/// print links); `None` when it is unusable, with the problems in `report`.
pub fn load_site_config(root: &Path, report: &mut Report) -> Option<(SiteConfig, FileId)> {
    let path = root.join("content").join("site.toml");
    load_toml_file::<SiteConfig>(root, &path, report).inspect(|(c, f)| {
        if let Err(message) = check_base_url(&c.base_url) {
            let span = find_span_in(report.sources.text(*f), &c.base_url);
            report
                .error(*f, span, format!("`base_url`: {message}"))
                .label("not a usable base URL");
        }
        if let Some(fb) = &c.feedback {
            if let Err(message) = fb.check() {
                let needle = fb.issue_url.as_deref().or(fb.email.as_deref());
                let text = report.sources.text(*f);
                let span = needle.map_or_else(
                    || find_span_in(text, "[feedback]"),
                    |n| find_span_in(text, n),
                );
                report
                    .error(*f, span, format!("`[feedback]`: {message}"))
                    .label("not a usable feedback target");
            }
        }
    })
}

/// Reads every content file under `root/content`. Problems go to `report`;
/// files that cannot be parsed are left out. Returns `None` only when
/// `site.toml` itself is unusable.
pub fn load_site(root: &Path, report: &mut Report) -> Option<Site> {
    let content = root.join("content");
    // `git log` waits on its own process; it runs while the files are read.
    let dates = std::thread::spawn({
        let content = content.clone();
        move || super::dates::git_dates(&content)
    });
    let config = load_site_config(root, report);
    let raw = config
        .as_ref()
        .map(|(c, _)| c.markdown.raw_html)
        .unwrap_or_default();

    let mut chapters = Vec::new();
    let mut entries = Vec::new();
    // Ids of items whose file exists but did not load, so links to them are
    // not reported a second time as broken (and folders that could not be read).
    let mut unloaded = Vec::new();
    let faq_dir = content.join("faq");
    let faq = scan(&faq_dir, &FAQ_RULE, root, report);
    unloaded.extend(faq.unreadable.iter().map(|d| prefix_id("faq", &faq_dir, d)));
    // Read and parse on every core, then register and report in file order.
    let prepared: Vec<(PathBuf, Faq)> = faq
        .files
        .into_par_iter()
        .map(|path| {
            let prepared = if stem(&path) == "_index" {
                Faq::Chapter(prepare_markdown::<ChapterFront>(&path, raw))
            } else {
                Faq::Entry(prepare_markdown::<EntryFront>(&path, raw))
            };
            (path, prepared)
        })
        .collect();
    for (path, prepared) in prepared {
        let Some(chapter) = path
            .parent()
            .and_then(|p| p.file_name())
            .and_then(|n| n.to_str())
        else {
            continue;
        };
        let chapter = chapter.to_string();
        let stem = stem(&path);
        match prepared {
            Faq::Chapter(p) => match finish_markdown(root, &path, p, report) {
                Some((front, front_offset, body)) => chapters.push(Chapter {
                    id: format!("faq/{chapter}"),
                    slug: chapter,
                    front,
                    front_offset,
                    body,
                }),
                None => unloaded.push(format!("faq/{chapter}")),
            },
            Faq::Entry(p) => match finish_markdown(root, &path, p, report) {
                Some((front, front_offset, body)) => entries.push(Entry {
                    id: format!("faq/{chapter}/{stem}"),
                    chapter,
                    slug: stem,
                    front,
                    front_offset,
                    body,
                }),
                None => unloaded.push(format!("faq/{chapter}/{stem}")),
            },
        }
    }

    let mut rejections = Vec::new();
    let rejections_dir = content.join("rejections");
    let found = scan(&rejections_dir, &REJECTION_RULE, root, report);
    if !found.unreadable.is_empty() {
        unloaded.push("rejection/".to_string());
    }
    let prepared: Vec<(PathBuf, PreparedMd<RejectionFront>)> = found
        .files
        .into_par_iter()
        .map(|path| {
            let p = prepare_markdown(&path, raw);
            (path, p)
        })
        .collect();
    for (path, prepared) in prepared {
        let slug = stem(&path);
        match finish_markdown(root, &path, prepared, report) {
            Some((front, front_offset, body)) => rejections.push(Rejection {
                id: format!("rejection/{slug}"),
                slug,
                front,
                front_offset,
                body,
            }),
            None => unloaded.push(format!("rejection/{slug}")),
        }
    }

    let mut provinces = Vec::new();
    let found = scan(
        &content.join("provinces"),
        &toml_rule("provinces/<pinyin>.toml"),
        root,
        report,
    );
    if !found.unreadable.is_empty() {
        unloaded.push("province/".to_string());
    }
    for path in found.files {
        let slug = stem(&path);
        match load_toml_file::<search_index::province::Province>(root, &path, report) {
            Some((mut data, file)) => {
                data.id = slug.clone();
                provinces.push(ProvinceFile {
                    id: format!("province/{slug}"),
                    data,
                    file,
                });
            }
            None => unloaded.push(format!("province/{slug}")),
        }
    }

    let mut trees = Vec::new();
    let found = scan(
        &content.join("decision"),
        &toml_rule("decision/<name>.toml"),
        root,
        report,
    );
    if !found.unreadable.is_empty() {
        unloaded.push("decision/".to_string());
    }
    for path in found.files {
        let slug = stem(&path);
        match load_toml_file::<DecisionFile>(root, &path, report) {
            Some((data, file)) => trees.push(DecisionTree {
                id: format!("decision/{slug}"),
                slug,
                data,
                file,
            }),
            None => unloaded.push(format!("decision/{slug}")),
        }
    }

    let synonyms_path = content.join("search").join("synonyms.toml");
    let (synonyms, synonyms_file) = if synonyms_path.exists() {
        match load_toml_file::<SynonymsFile>(root, &synonyms_path, report) {
            Some((s, f)) => (s, Some(f)),
            None => (SynonymsFile::default(), None),
        }
    } else {
        (SynonymsFile::default(), None)
    };
    let glossary_path = content.join("search").join("glossary.toml");
    let (glossary, glossary_file) = if glossary_path.exists() {
        match load_toml_file::<GlossaryFile>(root, &glossary_path, report) {
            Some((g, f)) => (g, Some(f)),
            None => (GlossaryFile::default(), None),
        }
    } else {
        (GlossaryFile::default(), None)
    };

    let chapter_order: BTreeMap<String, i64> = chapters
        .iter()
        .map(|c| (c.slug.clone(), c.front.order))
        .collect();
    chapters.sort_by(|a, b| (a.front.order, &a.slug).cmp(&(b.front.order, &b.slug)));
    // A chapter with groups orders its entries as the groups list them;
    // entries a group does not list (an error of validation) go last.
    let listed: HashMap<(&str, &str), usize> = chapters
        .iter()
        .flat_map(|c| {
            c.front
                .groups
                .iter()
                .flat_map(|g| &g.entries)
                .enumerate()
                .map(|(i, slug)| ((c.slug.as_str(), slug.get_ref().as_str()), i))
        })
        .collect();
    let key = |e: &Entry| {
        (
            chapter_order.get(&e.chapter).copied().unwrap_or(i64::MAX),
            e.chapter.clone(),
            listed
                .get(&(e.chapter.as_str(), e.slug.as_str()))
                .copied()
                .unwrap_or(usize::MAX),
            e.front.order,
            e.slug.clone(),
        )
    };
    entries.sort_by_cached_key(key);
    rejections.sort_by(|a, b| {
        (a.front.stage, a.front.order, &a.slug).cmp(&(b.front.stage, b.front.order, &b.slug))
    });
    provinces.sort_by(|a, b| a.id.cmp(&b.id));
    trees.sort_by(|a, b| (a.data.order, &a.slug).cmp(&(b.data.order, &b.slug)));

    let file_dates = dates
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    let (config, config_file) = config?;
    Some(Site {
        config,
        config_file,
        chapters,
        entries,
        rejections,
        provinces,
        trees,
        synonyms,
        synonyms_file,
        glossary,
        glossary_file,
        unloaded,
        file_dates,
        held_sources: None,
    })
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_string()
}

/// A file of `faq/`, prepared: a chapter's `_index.md` or an entry.
enum Faq {
    Chapter(PreparedMd<ChapterFront>),
    Entry(PreparedMd<EntryFront>),
}

/// FAQ chapters and entries: `faq/<chapter>/<slug>.md`.
const FAQ_RULE: Rule = Rule {
    ext: "md",
    look_alike: &["markdown", "mdown", "mkd"],
    depth: 2,
    layout: "content/faq/<chapter>/<slug>.md (and content/faq/<chapter>/_index.md)",
    special_stems: &["_index"],
};

/// Rejection reasons: `rejections/<slug>.md`.
const REJECTION_RULE: Rule = Rule {
    ext: "md",
    look_alike: &["markdown", "mdown", "mkd"],
    depth: 1,
    layout: "content/rejections/<slug>.md",
    special_stems: &[],
};

fn toml_rule(layout: &str) -> Rule<'_> {
    Rule {
        ext: "toml",
        look_alike: &["tml"],
        depth: 1,
        layout,
        special_stems: &[],
    }
}

/// The id prefix of an unreadable folder below `faq/`, e.g. `faq/basics/`.
fn prefix_id(kind: &str, base: &Path, dir: &Path) -> String {
    let rel = dir.strip_prefix(base).unwrap_or(dir);
    let mut id = kind.to_string();
    for part in rel.components() {
        id.push('/');
        id.push_str(&part.as_os_str().to_string_lossy());
    }
    id.push('/');
    id
}

/// A content file as read from disk, before it is registered in the report
/// (reading runs on every core; registering, in file order, on one).
enum Read {
    /// A symbolic link, not followed.
    Symlink,
    /// The OS refused.
    Unreadable(std::io::Error),
    /// Not UTF-8.
    NotUtf8(std::string::FromUtf8Error),
    /// The file's text.
    Text(String),
}

impl Read {
    fn of(path: &Path) -> Read {
        // `fs::read` would follow a link anywhere on the machine.
        if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
            return Read::Symlink;
        }
        match fs::read(path) {
            Err(e) => Read::Unreadable(e),
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => Read::Text(text),
                Err(e) => Read::NotUtf8(e),
            },
        }
    }

    fn text(&self) -> Option<&str> {
        match self {
            Read::Text(t) => Some(t),
            _ => None,
        }
    }
}

/// Reads a file as UTF-8 and registers it; reports unreadable or non-UTF-8 files.
fn read_source(root: &Path, path: &Path, report: &mut Report) -> Option<FileId> {
    register(root, path, Read::of(path), report)
}

/// Registers what [`Read::of`] found, reporting a file that is no text.
fn register(root: &Path, path: &Path, read: Read, report: &mut Report) -> Option<FileId> {
    let display = rel(root, path);
    match read {
        Read::Symlink => {
            let file = report.sources.add(&display, String::new());
            report
                .error(
                    file,
                    0..0,
                    "symbolic link not followed: zhiku reads only real files inside the site",
                )
                .label("symlink")
                .note("replace the link with the file itself");
            None
        }
        Read::Unreadable(e) => {
            let file = report.sources.add(&display, String::new());
            report
                .error(file, 0..0, format!("cannot read file: {e}"))
                .label("unreadable");
            None
        }
        Read::Text(text) => Some(report.sources.add(&display, text)),
        Read::NotUtf8(e) => {
            let at = e.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            // Point at the replacement character that stands for the first bad byte.
            let pos = String::from_utf8_lossy(&e.as_bytes()[..at]).len();
            let file = report.sources.add(&display, lossy);
            report
                .error(
                    file,
                    pos..pos + 3,
                    format!("invalid UTF-8 at byte {at}: content files must be UTF-8"),
                )
                .label("not UTF-8")
                .note("re-save the file as UTF-8 (without GBK/GB2312 encoding)");
            None
        }
    }
}

fn load_toml_file<T: DeserializeOwned>(
    root: &Path,
    path: &Path,
    report: &mut Report,
) -> Option<(T, FileId)> {
    let file = read_source(root, path, report)?;
    let text = report.sources.text(file).to_string();
    parse_toml(&text, 0, file, report).map(|v| (v, file))
}

/// A Markdown file read and parsed (front matter and [`Outline`]) off the
/// main thread; [`finish_markdown`] reports its problems.
///
/// [`Outline`]: crate::render::markdown::Outline
struct PreparedMd<T> {
    read: Read,
    parsed: Option<MdParse<T>>,
}

enum MdParse<T> {
    /// No usable `+++` front matter.
    NoFront(String),
    /// The front matter is not valid TOML for `T`; its offset in the file.
    Toml(toml::de::Error, usize),
    /// Front matter, its offset, the body's offset and its outline.
    Ok(T, usize, usize, crate::render::markdown::Outline),
}

fn prepare_markdown<T: DeserializeOwned>(path: &Path, raw: RawHtml) -> PreparedMd<T> {
    let read = Read::of(path);
    let parsed = read.text().map(|text| match frontmatter::split(text) {
        Err(e) => MdParse::NoFront(e.to_string()),
        Ok(split) => match toml::from_str::<T>(split.front) {
            Err(e) => MdParse::Toml(e, split.front_offset),
            Ok(front) => MdParse::Ok(
                front,
                split.front_offset,
                split.body_offset,
                crate::render::markdown::outline(split.body, raw),
            ),
        },
    });
    PreparedMd { read, parsed }
}

fn finish_markdown<T>(
    root: &Path,
    path: &Path,
    prepared: PreparedMd<T>,
    report: &mut Report,
) -> Option<(T, usize, Body)> {
    let file = register(root, path, prepared.read, report)?;
    let text = report.sources.text(file);
    match prepared.parsed? {
        MdParse::NoFront(message) => {
            let span = 0..text.find('\n').unwrap_or(text.len());
            report.error(file, span, message).label("expected `+++`");
            None
        }
        MdParse::Toml(e, offset) => {
            report_toml(&e, offset, file, report);
            None
        }
        MdParse::Ok(front, front_offset, body_offset, outline) => {
            let body = Body::new(file, path.to_path_buf(), text, body_offset, outline);
            Some((front, front_offset, body))
        }
    }
}

/// Parses TOML, turning syntax and type errors into diagnostics at the right place.
fn parse_toml<T: DeserializeOwned>(
    text: &str,
    offset: usize,
    file: FileId,
    report: &mut Report,
) -> Option<T> {
    match toml::from_str::<T>(text) {
        Ok(v) => Some(v),
        Err(e) => {
            report_toml(&e, offset, file, report);
            None
        }
    }
}

/// Reports a TOML error of text that starts `offset` bytes into `file`.
fn report_toml(e: &toml::de::Error, offset: usize, file: FileId, report: &mut Report) {
    let span = e.span().unwrap_or(0..0);
    let (start, end) = (span.start + offset, span.end + offset);
    let message = e.message().trim().to_string();
    let label = if message.starts_with("missing field") {
        "in this table"
    } else if message.starts_with("invalid type") {
        "wrong type"
    } else if message.starts_with("unknown") {
        "not allowed here"
    } else {
        "here"
    };
    report.error(file, start..end, message).label(label);
}

/// Byte range of the first quoted occurrence of `needle` in `text` (or of the bare text).
pub(crate) fn find_span_in(text: &str, needle: &str) -> std::ops::Range<usize> {
    let quoted = format!("\"{needle}\"");
    if let Some(i) = text.find(&quoted) {
        return i..i + quoted.len();
    }
    text.find(needle).map_or(0..0, |i| i..i + needle.len())
}
