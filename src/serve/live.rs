//! The site as `zhiku serve` holds it: every output file in memory, rebuilt
//! incrementally after each change. A failed rebuild keeps the last good files.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use serde::Serialize;

use super::changes::Changes;
use crate::build::{check_site, static_files, BuildError, Paths};
use crate::content::Site;
use crate::diagnostics::{Located, Report};
use crate::render::{depends_on, OutputFile, PageKey, RenderError, Renderer, SearchAssets};

/// Output files by path relative to the output root (`faq/x/y/index.html`).
pub type SiteFiles = HashMap<String, Bytes>;

/// Why a rebuild failed, in the form pages and the terminal show.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BuildFailure {
    /// The same text `zhiku check` prints (rustc-style, no colour).
    pub text: String,
    /// Errors and warnings with file, line and column.
    pub diagnostics: Vec<Located>,
}

impl BuildFailure {
    fn from_report(report: &Report) -> Self {
        BuildFailure {
            text: report.render_plain(),
            diagnostics: report.located(),
        }
    }

    fn from_error(e: &BuildError) -> Self {
        BuildFailure {
            text: format!("error: {}\n", crate::diagnostics::error_chain(e)),
            diagnostics: Vec::new(),
        }
    }
}

/// What a successful rebuild did.
#[derive(Debug, Clone, Default)]
pub struct Rebuilt {
    /// Output paths whose bytes changed, appeared or disappeared.
    pub changed: Vec<String>,
    /// Pages rendered (all of them on a full rebuild).
    pub rendered: usize,
    /// Whether every page was rendered.
    pub full: bool,
    /// Milliseconds spent.
    pub millis: u128,
    /// Diagnostics of the successful build (warnings only).
    pub warnings: Option<BuildFailure>,
}

/// The live site: last good output plus what a partial rebuild needs.
pub struct LiveSite {
    paths: Paths,
    extra_body: String,
    files: Arc<SiteFiles>,
    /// Page keys and their dependencies as of the last good build.
    deps: HashMap<PageKey, Vec<String>>,
    /// Changes seen since the last good build (kept while the build is broken,
    /// so the fix re-renders everything the broken edits touched).
    pending: Changes,
    /// Output paths of the theme's static files in `files`.
    static_paths: Vec<String>,
    /// Output paths of the search files in `files` (their names carry
    /// content hashes, so a new index replaces rather than overwrites them).
    search_paths: Vec<String>,
    /// The search URLs pages embed, once the first build has made them.
    search_assets: Option<SearchAssets>,
    /// Content whose search index is still to be built (see [`LiveSite::rebuild_search`]).
    index_pending: Option<Site>,
    /// Whether the last attempt failed.
    broken: bool,
    /// A large site's index parts, so the index rebuilt after a save indexes
    /// only the parts whose documents changed.
    parts: crate::search::parts::PartStore,
}

/// Result of one rebuild attempt.
pub enum Outcome {
    /// New files are live.
    Ok(Rebuilt),
    /// The build is broken; the previous files stay live.
    Failed(BuildFailure),
}

impl LiveSite {
    /// Builds everything once. `extra_body` is appended to every page (the
    /// live-reload client). When the site is broken the live site starts
    /// empty and the outcome holds the diagnostics.
    pub fn new(paths: Paths, extra_body: String) -> (Self, Outcome) {
        let mut live = LiveSite {
            paths,
            extra_body,
            files: Arc::new(SiteFiles::new()),
            deps: HashMap::new(),
            pending: Changes::default(),
            static_paths: Vec::new(),
            search_paths: Vec::new(),
            search_assets: None,
            index_pending: None,
            broken: true,
            parts: crate::search::parts::PartStore::memory(),
        };
        let all = Changes {
            full: true,
            content: true,
            assets: true,
            ..Changes::default()
        };
        let outcome = live.rebuild(all);
        (live, outcome)
    }

    /// The files currently served.
    pub fn files(&self) -> Arc<SiteFiles> {
        Arc::clone(&self.files)
    }

    /// Whether the last rebuild failed.
    pub fn is_broken(&self) -> bool {
        self.broken
    }

    /// Whether content changed since the search index was last built.
    pub fn index_pending(&self) -> bool {
        self.index_pending.is_some()
    }

    /// Applies `changes`: reloads content, re-renders what depends on it and
    /// swaps in the new files; or reports why that failed. After the first
    /// build the search index is not rebuilt here but by
    /// [`LiveSite::rebuild_search`], so pages reload without waiting for it.
    pub fn rebuild(&mut self, changes: Changes) -> Outcome {
        let started = Instant::now();
        self.pending.merge(changes);
        let pending = self.pending.clone();
        let result = if !self.files.is_empty() && !pending.content && !pending.full {
            self.refresh_static()
        } else {
            self.rebuild_site(&pending)
        };
        match result {
            Ok((files, mut rebuilt)) => {
                rebuilt.changed = changed_paths(&self.files, &files);
                rebuilt.millis = started.elapsed().as_millis();
                self.files = Arc::new(files);
                self.pending = Changes::default();
                self.broken = false;
                Outcome::Ok(rebuilt)
            }
            Err(f) => {
                self.broken = true;
                Outcome::Failed(f)
            }
        }
    }

    /// Only theme static files changed: re-read them, keep every page.
    fn refresh_static(&mut self) -> Result<(SiteFiles, Rebuilt), BuildFailure> {
        let mut files = self.files.as_ref().clone();
        self.replace_static(&mut files)?;
        Ok((files, Rebuilt::default()))
    }

    /// Swaps the theme's static files in `files` for what is on disk now
    /// (added, edited and deleted files alike).
    fn replace_static(&mut self, files: &mut SiteFiles) -> Result<(), BuildFailure> {
        let fresh = static_files(&self.current_theme()?);
        for old in &self.static_paths {
            files.remove(old);
        }
        self.static_paths = fresh.iter().map(|f| f.path.clone()).collect();
        insert_all(files, fresh);
        Ok(())
    }

    /// The theme as it is on disk now, for a change to its static files only
    /// (site.toml is read again for the theme's name).
    fn current_theme(&self) -> Result<crate::theme::Theme, BuildFailure> {
        let mut report = Report::default();
        let Some((config, _)) = crate::content::load_site_config(&self.paths.root, &mut report)
        else {
            return Err(BuildFailure::from_report(&report));
        };
        crate::theme::Theme::for_site(&self.paths.root, config.theme.as_deref())
            .map_err(|e| BuildFailure::from_error(&BuildError::Theme(e)))
    }

    fn rebuild_site(&mut self, changes: &Changes) -> Result<(SiteFiles, Rebuilt), BuildFailure> {
        let (site, report) = check_site(&self.paths);
        let mut site = match site {
            Some(site) if !report.has_errors() => site,
            _ => return Err(BuildFailure::from_report(&report)),
        };
        // Pages and the index (built later) read the bodies checked here,
        // whatever the files hold by then.
        site.held_sources = Some(Arc::new(report.sources.clone()));
        let warnings = (!report.items.is_empty()).then(|| BuildFailure::from_report(&report));
        let Rendered {
            mut files,
            deps,
            search,
            rendered,
            full,
        } = self
            .render(&site, changes)
            .map_err(|e| BuildFailure::from_error(&e))?;
        if changes.touches_static() || full {
            self.replace_static(&mut files)?;
        }
        self.deps = deps;
        match search {
            Some((paths, assets)) => {
                self.search_paths = paths;
                self.search_assets = Some(assets);
                self.index_pending = None;
            }
            None if changes.content => self.index_pending = Some(site),
            None => {}
        }
        Ok((
            files,
            Rebuilt {
                rendered,
                full,
                warnings,
                ..Rebuilt::default()
            },
        ))
    }

    /// Builds the search index for the content of the last good rebuild and
    /// swaps it in. `None` when the index is up to date.
    pub fn rebuild_search(&mut self) -> Option<Outcome> {
        let site = self.index_pending.take()?;
        let started = Instant::now();
        let search = match crate::search::build_assets_with(&site, Some(&self.parts)) {
            Ok(s) => s,
            Err(e) => {
                // Retried with the next content change.
                self.pending.content = true;
                self.broken = true;
                return Some(Outcome::Failed(BuildFailure::from_error(
                    &BuildError::Search(e),
                )));
            }
        };
        let assets = search.assets.clone();
        if !same_assets(Some(&assets), self.search_assets.as_ref()) {
            // The URLs every page embeds changed (not expected while serving):
            // render everything along with the index.
            self.search_assets = None;
            let all = Changes {
                full: true,
                content: true,
                ..Changes::default()
            };
            return Some(self.rebuild(all));
        }
        let mut files = self.files.as_ref().clone();
        for old in &self.search_paths {
            files.remove(old);
        }
        self.search_paths = search.files.iter().map(|f| f.path.clone()).collect();
        insert_all(&mut files, search.files);
        let changed = changed_paths(&self.files, &files);
        self.files = Arc::new(files);
        Some(Outcome::Ok(Rebuilt {
            changed,
            millis: started.elapsed().as_millis(),
            ..Rebuilt::default()
        }))
    }

    /// Renders the pages `changes` can affect (every page when the theme,
    /// config or set of pages changed) and the sitemap; the search index too
    /// on the first build.
    fn render(&self, site: &Site, changes: &Changes) -> Result<Rendered, BuildError> {
        // After the first build, pages keep the search URLs they have (stable
        // in serve mode) and the index follows in `rebuild_search`.
        let (assets, fresh_search) = match &self.search_assets {
            Some(a) => (a.clone(), None),
            None => {
                let s = crate::search::build_assets_with(site, Some(&self.parts))
                    .map_err(BuildError::Search)?;
                (s.assets.clone(), Some(s))
            }
        };
        let theme = crate::build::site_theme(site, &self.paths)?;
        let mut renderer = Renderer::new(site, &theme, assets.clone())?;
        renderer.set_extra_body(self.extra_body.clone());
        // The preview is always served at `/`, whatever the path of `base_url`.
        renderer.serve_at_root();
        let keys = renderer.pages();
        let deps = renderer.dependencies();
        let same_pages =
            keys.len() == self.deps.len() && keys.iter().all(|k| self.deps.contains_key(k));
        let full = changes.full || !same_pages || fresh_search.is_some();
        let todo: Vec<&PageKey> = if full {
            keys.iter().collect()
        } else {
            let touched = |d: &Vec<String>| {
                d.iter()
                    .any(|dep| changes.ids.iter().any(|id| depends_on(dep, id)))
            };
            keys.iter()
                .filter(|k| {
                    deps.get(*k).is_some_and(touched) || self.deps.get(*k).is_some_and(touched)
                })
                .collect()
        };
        let pages = render_pages(&renderer, &todo)?;
        // A full render starts empty so deleted pages disappear; the caller
        // adds the theme's static files back.
        let mut files = if full {
            SiteFiles::new()
        } else {
            self.files.as_ref().clone()
        };
        let rendered = pages.len();
        insert_all(&mut files, pages);
        insert_all(&mut files, renderer.extras(&keys)?);
        let search = match fresh_search {
            Some(fresh) => {
                let paths = fresh.files.iter().map(|f| f.path.clone()).collect();
                insert_all(&mut files, fresh.files);
                Some((paths, assets))
            }
            None => {
                // A full render starts empty: carry the current index over.
                for p in &self.search_paths {
                    if let Some(b) = self.files.get(p) {
                        files.insert(p.clone(), b.clone());
                    }
                }
                None
            }
        };
        Ok(Rendered {
            files,
            deps,
            search,
            rendered,
            full,
        })
    }
}

/// What [`LiveSite::render`] produced, before the theme's static files.
struct Rendered {
    files: SiteFiles,
    deps: HashMap<PageKey, Vec<String>>,
    /// Paths and URLs of a freshly built search index (first build only).
    search: Option<(Vec<String>, SearchAssets)>,
    rendered: usize,
    full: bool,
}

fn same_assets(a: Option<&SearchAssets>, b: Option<&SearchAssets>) -> bool {
    let json = |x: Option<&SearchAssets>| serde_json::to_string(&x).unwrap_or_default();
    json(a) == json(b)
}

fn render_pages(
    renderer: &Renderer<'_>,
    keys: &[&PageKey],
) -> Result<Vec<OutputFile>, RenderError> {
    use rayon::prelude::*;
    keys.par_iter().map(|k| renderer.render(k)).collect()
}

fn insert_all(files: &mut SiteFiles, new: Vec<OutputFile>) {
    for f in new {
        files.insert(f.path, Bytes::from(f.bytes));
    }
}

/// Paths that differ between two builds, sorted.
fn changed_paths(old: &SiteFiles, new: &SiteFiles) -> Vec<String> {
    let mut out: Vec<String> = new
        .iter()
        .filter(|(p, b)| old.get(*p) != Some(*b))
        .map(|(p, _)| p.clone())
        .chain(old.keys().filter(|p| !new.contains_key(*p)).cloned())
        .collect();
    out.sort();
    out
}
