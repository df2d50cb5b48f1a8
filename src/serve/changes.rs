//! What changed on disk, reduced to what a rebuild needs to know: which
//! content ids, whether the theme or config changed, which stylesheets.

use std::collections::BTreeSet;
use std::path::{Component, Path};

use crate::build::Paths;

/// The accumulated effect of some file-system events.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Changes {
    /// Templates, site config or an unrecognised content file changed:
    /// every page must be rendered again.
    pub full: bool,
    /// Content was touched, so content must be reloaded and the search index rebuilt.
    pub content: bool,
    /// Ids of the content items whose files changed (e.g. `faq/basics/what`).
    pub ids: BTreeSet<String>,
    /// Output paths of changed theme stylesheets (e.g. `static/style.css`).
    pub css: BTreeSet<String>,
    /// A theme static file other than a stylesheet changed.
    pub assets: bool,
}

impl Changes {
    /// True when nothing relevant changed.
    pub fn is_empty(&self) -> bool {
        !self.full && !self.content && self.css.is_empty() && !self.assets
    }

    /// True when only stylesheets changed, so pages can swap them without reloading.
    pub fn css_only(&self) -> bool {
        !self.full && !self.content && !self.assets && !self.css.is_empty()
    }

    /// True when theme static files changed.
    pub fn touches_static(&self) -> bool {
        self.assets || !self.css.is_empty()
    }

    /// Folds another set of changes into this one.
    pub fn merge(&mut self, other: Changes) {
        self.full |= other.full;
        self.content |= other.content;
        self.ids.extend(other.ids);
        self.css.extend(other.css);
        self.assets |= other.assets;
    }

    /// Records one changed path (absolute, or relative to the working directory
    /// like the watched folders). Paths outside the site are ignored.
    pub fn add_path(&mut self, paths: &Paths, path: &Path) {
        if is_editor_scratch(path) {
            return;
        }
        let content = paths.root.join("content");
        if let Some(rel) = strip(path, &content) {
            self.content = true;
            match content_id(&rel) {
                // Chapter titles and decision trees feed navigation lists a
                // theme may show on any page: render everything.
                Some(ContentKind::Item(id))
                    if id.starts_with("decision/")
                        || id.matches('/').count() == 1 && id.starts_with("faq/") =>
                {
                    self.ids.insert(id);
                    self.full = true;
                }
                Some(ContentKind::Item(id)) => {
                    self.ids.insert(id);
                }
                Some(ContentKind::SearchOnly) => {}
                None => self.full = true,
            }
        } else if let Some(rel) = strip(path, &paths.themes) {
            // `<theme>/static/…`, `<theme>/templates/…`: any site theme.
            let mut parts = rel.components();
            parts.next();
            match parts.next() {
                Some(Component::Normal(dir)) if dir == "static" => {
                    let rest: Vec<String> = parts
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect();
                    let out = format!("static/{}", rest.join("/"));
                    if path.extension().is_some_and(|e| e == "css") {
                        self.css.insert(out);
                    } else {
                        self.assets = true;
                    }
                }
                _ => self.full = true,
            }
        }
    }
}

/// Relative path of `path` under `dir`, comparing canonical forms when the
/// plain prefix does not match (watchers may report symlink-resolved paths).
fn strip(path: &Path, dir: &Path) -> Option<std::path::PathBuf> {
    if let Ok(rel) = path.strip_prefix(dir) {
        return Some(rel.to_path_buf());
    }
    let dir = dir.canonicalize().ok()?;
    if let Ok(rel) = path.strip_prefix(&dir) {
        return Some(rel.to_path_buf());
    }
    // The file may be gone (deleted), so canonicalise its parent only.
    let parent = path.parent()?.canonicalize().ok()?;
    let full = parent.join(path.file_name()?);
    full.strip_prefix(&dir).ok().map(Path::to_path_buf)
}

enum ContentKind {
    /// A page-producing item with this id.
    Item(String),
    /// Only the search index uses it.
    SearchOnly,
}

/// The id a content file defines, following `content/README.md`.
fn content_id(rel: &Path) -> Option<ContentKind> {
    let parts: Vec<&str> = rel
        .components()
        .map(|c| match c {
            Component::Normal(s) => s.to_str(),
            _ => None,
        })
        .collect::<Option<_>>()?;
    let stem = |name: &str, ext: &str| name.strip_suffix(ext).map(str::to_string);
    let id = match parts.as_slice() {
        ["faq", chapter, "_index.md"] => format!("faq/{chapter}"),
        ["faq", chapter, file] => format!("faq/{chapter}/{}", stem(file, ".md")?),
        ["rejections", file] => format!("rejection/{}", stem(file, ".md")?),
        ["provinces", file] => format!("province/{}", stem(file, ".toml")?),
        ["decision", file] => format!("decision/{}", stem(file, ".toml")?),
        ["search", ..] => return Some(ContentKind::SearchOnly),
        _ => return None,
    };
    Some(ContentKind::Item(id))
}

/// Swap, backup and lock files editors write next to the real one.
fn is_editor_scratch(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    name.starts_with(".#")
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name == "4913"
        || (name.starts_with('.') && name.ends_with(".tmp"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn changes(paths: &[&str]) -> Changes {
        let p = Paths::new(Path::new("/site"));
        let mut c = Changes::default();
        for path in paths {
            c.add_path(&p, &PathBuf::from(path));
        }
        c
    }

    #[test]
    fn content_files_map_to_ids() {
        let c = changes(&[
            "/site/content/faq/basics/what.md",
            "/site/content/faq/basics/_index.md",
            "/site/content/rejections/bad-name.md",
            "/site/content/provinces/beijing.toml",
            "/site/content/decision/need.toml",
        ]);
        assert!(c.content && c.full, "chapters and trees render everything");
        let ids: Vec<&str> = c.ids.iter().map(String::as_str).collect();
        assert_eq!(
            ids,
            [
                "decision/need",
                "faq/basics",
                "faq/basics/what",
                "province/beijing",
                "rejection/bad-name"
            ]
        );
    }

    #[test]
    fn entry_edits_are_partial() {
        let c = changes(&[
            "/site/content/faq/basics/what.md",
            "/site/content/provinces/beijing.toml",
        ]);
        assert!(c.content && !c.full);
        assert_eq!(c.ids.len(), 2);
    }

    #[test]
    fn config_templates_and_unknown_files_need_everything() {
        assert!(changes(&["/site/content/site.toml"]).full);
        assert!(changes(&["/site/themes/default/templates/base.html"]).full);
        assert!(changes(&["/site/content/faq/basics"]).full, "a folder");
        let s = changes(&["/site/content/search/synonyms.toml"]);
        assert!(s.content && !s.full && s.ids.is_empty());
    }

    #[test]
    fn stylesheets_are_css_only() {
        let c = changes(&["/site/themes/default/static/style.css"]);
        assert!(c.css_only());
        assert_eq!(
            c.css.iter().next().map(String::as_str),
            Some("static/style.css")
        );
        let js = changes(&["/site/themes/default/static/site.js"]);
        assert!(js.assets && !js.css_only());
    }

    #[test]
    fn scratch_files_and_outside_paths_are_ignored() {
        assert!(changes(&[
            "/site/content/faq/basics/.what.md.swp",
            "/site/content/faq/basics/what.md~",
            "/site/content/faq/basics/4913",
            "/elsewhere/file.md",
            "/site/public/index.html",
        ])
        .is_empty());
    }
}
