//! `zhiku build` and `zhiku check`: load, validate, render, then write the
//! output atomically (a temporary folder beside `public/`, swapped in at the end).

use std::io;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::content::{load_site, Site};
use crate::diagnostics::Report;
use crate::render::{OutputFile, RenderError, Renderer};
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
    let mut report = Report::default();
    let mut site = load_site(&paths.root, &mut report);
    if let Some(site) = &mut site {
        if let Some(url) = &paths.base_url {
            site.config.base_url = url.clone();
        }
        crate::theme::check_site_theme(&paths.root, site, &mut report);
        validate(site, &mut report);
    }
    (site, report)
}

/// Figures about a finished build.
#[derive(Debug, Clone)]
pub struct BuildStats {
    /// Pages and other files written.
    pub files: usize,
    /// Milliseconds spent.
    pub millis: u128,
}

/// Renders every output file of a valid site (pages, assets, search index).
pub fn render_site(site: &Site, paths: &Paths) -> Result<Vec<OutputFile>, BuildError> {
    let theme = site_theme(site, paths)?;
    let search = crate::search::build_assets(site).map_err(BuildError::Search)?;
    let renderer = Renderer::new(site, &theme, search.assets.clone())?;
    let mut files = renderer.render_all()?;
    files.extend(search.files);
    files.extend(static_files(&theme));
    files.extend(crate::render::offline::worker(site, &files));
    Ok(files)
}

/// The theme `site` renders with (built-in, or with its own theme over it).
pub fn site_theme(site: &Site, paths: &Paths) -> Result<Theme, BuildError> {
    Ok(Theme::for_site(&paths.root, site.config.theme.as_deref())?)
}

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
    let (site, report) = check_site(paths);
    let Some(site) = site.filter(|_| !report.has_errors()) else {
        let n = report.error_count();
        return Err((BuildError::Content(n), report));
    };
    let files = match render_site(&site, paths) {
        Ok(f) => f,
        Err(e) => return Err((e, report)),
    };
    let n = files.len();
    if let Err(e) = write_atomically(&paths.output, &files) {
        return Err((e, report));
    }
    Ok((
        BuildStats {
            files: n,
            millis: started.elapsed().as_millis(),
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

/// Writes files into a fresh temporary folder beside `output`, then swaps it
/// in (see [`crate::output`]).
pub fn write_atomically(output: &Path, files: &[OutputFile]) -> Result<(), BuildError> {
    Ok(crate::output::write_atomically(output, files)?)
}
