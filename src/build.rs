//! `zhiku build` and `zhiku check`: load, validate, render, then write the
//! output atomically (a temporary folder beside `public/`, swapped in at the end).

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::content::{load_site, Site};
use crate::diagnostics::Report;
use rayon::prelude::*;

use crate::output::Kept;
use crate::render::inputs::{ItemPrints, PagePrints};
use crate::render::offline::FileSummary;
use crate::render::{OutputFile, PageKey, RenderError, Renderer};
use crate::theme::Theme;
use crate::validate::validate;

/// Why a build stopped.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// Content has errors; the report holds them.
    #[error("content has {0} error(s)")]
    Content(usize),
    /// The theme failed.
    #[error(transparent)]
    Render(#[from] RenderError),
    /// Writing the output failed.
    #[error("{action} {path}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// Where.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// The theme could not be read.
    #[error(transparent)]
    Theme(#[from] crate::theme::ThemeError),
    /// Building the search index failed.
    #[error("search index: {0}")]
    Search(String),
    /// The output folder may not be used, or swapping it in failed.
    #[error(transparent)]
    Output(#[from] crate::output::OutputError),
}

/// Where a site lives.
#[derive(Debug, Clone)]
pub struct Paths {
    /// Site root (holds `content/` and, when the site has its own themes, `themes/`).
    pub root: PathBuf,
    /// Folder of the site's own themes (`themes/`; `theme = "x"` in
    /// site.toml lays `themes/x/` over the built-in theme).
    pub themes: PathBuf,
    /// Output folder.
    pub output: PathBuf,
    /// Replaces `base_url` of `site.toml` for this build (`--base-url`, e.g.
    /// for a preview deployment under another host or path).
    pub base_url: Option<String>,
}

impl Paths {
    /// Default layout under a root: `themes/`, `public/`.
    pub fn new(root: &Path) -> Self {
        Paths {
            root: root.to_path_buf(),
            themes: root.join("themes"),
            output: root.join("public"),
            base_url: None,
        }
    }
}

/// Loads and validates the site at `root`; the report holds every
/// diagnostic. `None` when the site could not be loaded at all.
pub fn check(root: &Path) -> (Option<Site>, Report) {
    check_site(&Paths::new(root))
}

/// Loads and validates the site of `paths`, with its `base_url` override.
pub fn check_site(paths: &Paths) -> (Option<Site>, Report) {
    check_site_timed(paths, &mut Timings::default())
}

fn check_site_timed(paths: &Paths, timings: &mut Timings) -> (Option<Site>, Report) {
    let started = Instant::now();
    let mut report = Report::default();
    let mut site = load_site(&paths.root, &mut report);
    timings.add("load (read, front matter, Markdown outline)", started);
    if let Some(site) = &mut site {
        let started = Instant::now();
        if let Some(url) = &paths.base_url {
            site.config.base_url = url.clone();
        }
        crate::theme::check_site_theme(&paths.root, site, &mut report);
        validate(site, &mut report);
        timings.add("validate", started);
    }
    (site, report)
}

/// How long each phase of a build took (`zhiku build --timings`).
#[derive(Debug, Clone, Default)]
pub struct Timings {
    /// Phase names and durations, in the order they finished. Phases marked
    /// "beside" ran at the same time as the one before them.
    pub phases: Vec<(&'static str, Duration)>,
}

impl Timings {
    fn add(&mut self, phase: &'static str, since: Instant) {
        self.phases.push((phase, since.elapsed()));
    }
}

/// Figures about a finished build.
#[derive(Debug, Clone)]
pub struct BuildStats {
    /// Files in the output.
    pub files: usize,
    /// Of those, files written with new bytes (the others kept their mtime).
    pub written: usize,
    /// Files of the previous output that are gone.
    pub removed: usize,
    /// Milliseconds spent.
    pub millis: u128,
    /// Pages of the site.
    pub pages: usize,
    /// Of those, pages rendered (the others were kept: same inputs).
    pub rendered: usize,
    /// Time per phase.
    pub timings: Timings,
}

/// Where rendered files go: the staging folder of a build, or memory.
pub trait Sink: Sync {
    /// Takes one finished file and gives the SHA-256 of its bytes in hex.
    fn put(&self, file: OutputFile) -> Result<String, BuildError>;

    /// Takes a page made from `inputs` (its fingerprint, see
    /// [`crate::render::inputs`]).
    fn put_page(&self, file: OutputFile, inputs: &str) -> Result<String, BuildError> {
        let _ = inputs;
        self.put(file)
    }

    /// Keeps the previous build's page at `path` when it was made from the
    /// same `inputs`; `None` when it must be rendered.
    fn keep(&self, path: &str, inputs: &str) -> Result<Option<Kept>, BuildError> {
        let _ = (path, inputs);
        Ok(None)
    }
}

impl Sink for crate::output::Staging {
    fn put(&self, file: OutputFile) -> Result<String, BuildError> {
        Ok(crate::output::Staging::put(self, &file.path, &file.bytes)?)
    }

    fn put_page(&self, file: OutputFile, inputs: &str) -> Result<String, BuildError> {
        Ok(self.put_made_from(&file.path, &file.bytes, inputs)?)
    }

    fn keep(&self, path: &str, inputs: &str) -> Result<Option<Kept>, BuildError> {
        Ok(self.keep_unchanged(path, inputs)?)
    }
}

/// A sink that keeps every file (tests, and callers that want them all).
struct Collect(Mutex<Vec<OutputFile>>);

impl Sink for Collect {
    fn put(&self, file: OutputFile) -> Result<String, BuildError> {
        let sha256 = crate::output::sha256_hex(&file.bytes);
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(file);
        Ok(sha256)
    }
}

/// Passes files on to another sink and keeps what the service worker needs
/// to know of each, in the order they came (files stream to disk, so the
/// worker, which lists some of them, is made from these at the end).
struct Summarise<'a> {
    sink: &'a dyn Sink,
    files: Mutex<Vec<FileSummary>>,
    /// Pages kept from the previous output without being rendered.
    kept_pages: std::sync::atomic::AtomicUsize,
}

impl Summarise<'_> {
    fn put(&self, file: OutputFile) -> Result<(), BuildError> {
        let summary = FileSummary::put(file, |f| self.sink.put(f))?;
        self.note(summary);
        Ok(())
    }

    /// Renders the page `key` into the sink, or keeps the previous build's
    /// when `prints` say it was made from the same inputs.
    fn page(
        &self,
        renderer: &Renderer<'_>,
        prints: Option<&PagePrints<'_>>,
        key: &PageKey,
    ) -> Result<(), BuildError> {
        let Some(prints) = prints else {
            return self.put(renderer.render(key)?);
        };
        let path = renderer.path_of(key);
        let inputs = prints.of(renderer, key, &path);
        let summary = match self.sink.keep(&path, &inputs)? {
            Some(kept) => {
                self.kept_pages
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                FileSummary::kept_page(path, &kept)
            }
            None => FileSummary::put(renderer.render(key)?, |f| self.sink.put_page(f, &inputs))?,
        };
        self.note(summary);
        Ok(())
    }

    fn note(&self, summary: FileSummary) {
        self.files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(summary);
    }
}

/// Renders every output file of a valid site (pages, assets, search index,
/// service worker), sorted by path.
pub fn render_site(site: &Site, paths: &Paths) -> Result<Vec<OutputFile>, BuildError> {
    let sink = Collect(Mutex::new(Vec::new()));
    let docs = crate::search::site_docs(site).map_err(RenderError::from)?;
    render_into(
        site,
        paths,
        docs,
        Reuse::default(),
        &sink,
        &mut Timings::default(),
    )?;
    let mut files = sink.0.into_inner().unwrap_or_else(|e| e.into_inner());
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// Renders every output file of a valid site into `sink` as it is made;
/// `docs` are its search documents ([`crate::search::site_docs`]).
/// The search index is built on its own thread while the pages render
/// (pages name only its manifest, whose URL is fixed), its files handed to
/// `sink` as they are made;
/// `reuse` says what it may take from the output being replaced.
/// The service worker comes last, made from a summary of every other file.
pub fn render_into(
    site: &Site,
    paths: &Paths,
    docs: Vec<search_index::Doc>,
    reuse: Reuse<'_>,
    sink: &dyn Sink,
    timings: &mut Timings,
) -> Result<PageCount, BuildError> {
    let Reuse {
        previous,
        cache,
        items,
    } = reuse;
    let vocabulary = crate::search::vocabulary(site);
    let out = Summarise {
        sink,
        files: Mutex::new(Vec::new()),
        kept_pages: Default::default(),
    };
    // The index is the longest single job: it starts first, on its own
    // thread, and the pages are prepared and rendered beside it.
    let (pages, search) = std::thread::scope(|s| {
        let search = s.spawn(|| {
            let started = Instant::now();
            let out = crate::search::write_files(
                docs,
                &vocabulary,
                crate::search::chunk_sizes(&site.config.search),
                previous,
                cache,
                |f| FileSummary::put(f, |f| sink.put(f)),
            );
            (out, started.elapsed())
        });
        let pages = (|| {
            let started = Instant::now();
            let theme = site_theme(site, paths)?;
            let renderer = Renderer::new(site, &theme, crate::search::assets())?;
            let prints = items.map(|items| PagePrints::new(site, &theme, &renderer, items));
            timings.add("prepare (theme, links)", started);
            let started = Instant::now();
            let keys = renderer.pages();
            keys.par_iter()
                .try_for_each(|k| out.page(&renderer, prints.as_ref(), k))?;
            renderer
                .extras(&keys)?
                .into_iter()
                .try_for_each(|f| out.put(f))?;
            timings.add("render and write pages", started);
            Ok::<_, BuildError>((theme, keys.len()))
        })();
        (pages, search.join())
    });
    let (theme, pages) = pages?;
    let (search, took) =
        search.map_err(|_| BuildError::Search("the indexing thread panicked".into()))?;
    timings
        .phases
        .push(("search index and its files (beside rendering)", took));
    let started = Instant::now();
    // Pages, extras, search files, static files: the order the service
    // worker's list follows (see `offline::precache`).
    let search = search.map_err(|e| match e {
        crate::search::WriteError::Index(message) => BuildError::Search(message),
        crate::search::WriteError::Put(e) => e,
    })?;
    for summary in search {
        out.note(summary);
    }
    for f in static_files(&theme) {
        out.put(f)?;
    }
    let count = PageCount {
        pages,
        rendered: pages - out.kept_pages.into_inner(),
    };
    let files = out.files.into_inner().unwrap_or_else(|e| e.into_inner());
    if let Some(worker) = crate::render::offline::worker(site, &files) {
        sink.put(worker)?;
    }
    timings.add("write static files, service worker", started);
    Ok(count)
}

/// What a build may take from the output it replaces ([`render_into`]).
#[derive(Clone, Copy, Default)]
pub struct Reuse<'a> {
    /// The output being replaced: its index is reused when the documents
    /// are unchanged.
    pub previous: Option<&'a Path>,
    /// Where a large site's index parts are kept (its build cache folder).
    pub cache: Option<&'a crate::search::parts::PartStore>,
    /// The sources' fingerprints: pages whose inputs did not change since
    /// `previous` are kept, not rendered.
    pub items: Option<&'a ItemPrints>,
}

/// How many pages a build has, and how many it rendered.
#[derive(Debug, Clone, Copy)]
pub struct PageCount {
    /// Pages of the site.
    pub pages: usize,
    /// Pages rendered; the others were kept from the previous output.
    pub rendered: usize,
}

/// The theme `site` renders with (built-in, or with its own theme over it).
pub fn site_theme(site: &Site, paths: &Paths) -> Result<Theme, BuildError> {
    Ok(Theme::for_site(&paths.root, site.config.theme.as_deref())?)
}

/// Sites whose sources total at most this keep them for rendering (a
/// 10,000-entry site has about 24 MB, a 50,000-entry one 117 MB).
pub const HOLD_SOURCES_BYTES: usize = 32 << 20;

/// Full build: check, render, write atomically. On any error the previous
/// output is left untouched. The report is returned on both paths because
/// warnings matter after a successful build too.
#[allow(clippy::result_large_err)]
pub fn build(paths: &Paths) -> Result<(BuildStats, Report), (BuildError, Report)> {
    let started = Instant::now();
    // Before any work: an output that would overwrite the sources is refused outright.
    if let Err(e) = crate::output::check_output(&paths.root, &paths.themes, &paths.output)
        .and_then(|()| crate::output::recover_leftovers(&paths.output))
    {
        return Err((e.into(), Report::default()));
    }
    let mut timings = Timings::default();
    // The output folder (the spare's files sorted out) is made ready while
    // the content loads; a build that fails gives it back untouched.
    let opening = {
        let output = paths.output.clone();
        std::thread::spawn(move || {
            let started = Instant::now();
            (crate::output::Staging::begin(&output), started.elapsed())
        })
    };
    let (site, mut report) = check_site_timed(paths, &mut timings);
    let Some(mut site) = site.filter(|_| !report.has_errors()) else {
        let n = report.error_count();
        drop(opening.join());
        return Err((BuildError::Content(n), report));
    };
    let docs_started = Instant::now();
    let items = ItemPrints::new(&site, &report.sources);
    // A small site keeps its sources: reading every body again costs more
    // time than holding them costs memory. A large one reads each page's
    // body from its file, so its memory does not grow with every body.
    if report.sources.total_len() <= HOLD_SOURCES_BYTES {
        // A copy: the report's own are released with the others below.
        site.held_sources = Some(std::sync::Arc::new(report.sources.clone()));
    }
    // The documents hold the bodies' plain text now; the outlines' goes,
    // so do the report's sources.
    let docs = match crate::search::take_site_docs(&mut site, &mut report) {
        Ok(docs) => docs,
        Err(e) => return Err((RenderError::from(e).into(), report)),
    };
    timings.add("search documents, sources' fingerprints", docs_started);
    let staging = match opening.join() {
        Ok((Ok(staging), took)) => {
            timings
                .phases
                .push(("open the output folder (beside loading)", took));
            staging
        }
        Ok((Err(e), _)) => return Err((e.into(), report)),
        Err(panic) => std::panic::resume_unwind(panic),
    };
    let previous = staging.previous().map(Path::to_path_buf);
    let cache = crate::search::parts::PartStore::folder(&staging.cache_dir());
    let count = match render_into(
        &site,
        paths,
        docs,
        Reuse {
            previous: previous.as_deref(),
            cache: Some(&cache),
            items: Some(&items),
        },
        &staging,
        &mut timings,
    ) {
        Ok(c) => c,
        Err(e) => return Err((e, report)),
    };
    let swap = Instant::now();
    let written = match staging.commit() {
        Ok(w) => w,
        Err(e) => return Err((e.into(), report)),
    };
    timings.add("swap in, remove the previous output", swap);
    Ok((
        BuildStats {
            files: written.written + written.kept,
            written: written.written,
            removed: written.removed,
            pages: count.pages,
            rendered: count.rendered,
            millis: started.elapsed().as_millis(),
            timings,
        },
        report,
    ))
}

/// The theme's static files, copied under `static/` as they are.
pub fn static_files(theme: &Theme) -> Vec<OutputFile> {
    theme
        .statics
        .iter()
        .map(|(rel, bytes)| OutputFile {
            path: format!("static/{rel}"),
            bytes: bytes.clone(),
        })
        .collect()
}
