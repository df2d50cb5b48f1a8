//! `zhiku build` and `zhiku check`: load, validate, render, then write the
//! output atomically (a temporary folder beside `public/`, swapped in at the end).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::content::{load_site, Site};
use crate::diagnostics::Report;
use crate::render::{OutputFile, RenderError, Renderer};
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
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// Where.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// Building the search index failed.
    #[error("search index: {0}")]
    Search(String),
    /// The output folder may not be used, or swapping it in failed.
    #[error(transparent)]
    Output(#[from] crate::output::OutputError),
}

fn io_err<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> BuildError + 'a {
    move |source| BuildError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

/// Where a site lives.
#[derive(Debug, Clone)]
pub struct Paths {
    /// Site root (holds `content/` and `themes/`).
    pub root: PathBuf,
    /// Theme folder.
    pub theme: PathBuf,
    /// Output folder.
    pub output: PathBuf,
}

impl Paths {
    /// Default layout under a root: `themes/default`, `public/`.
    pub fn new(root: &Path) -> Self {
        Paths {
            root: root.to_path_buf(),
            theme: root.join("themes").join("default"),
            output: root.join("public"),
        }
    }
}

/// Loads and validates; the report holds every diagnostic. `None` when the
/// site could not be loaded at all.
pub fn check(root: &Path) -> (Option<Site>, Report) {
    let mut report = Report::default();
    let site = load_site(root, &mut report);
    check_theme(&Paths::new(root).theme, root, &mut report);
    if let Some(site) = &site {
        validate(site, &mut report);
    }
    (site, report)
}

/// The theme's templates must exist and parse, or `build` would fail where
/// `check` passed.
fn check_theme(theme: &Path, root: &Path, report: &mut Report) {
    let dir = theme.join("templates");
    let display = dir.strip_prefix(root).unwrap_or(&dir).to_path_buf();
    if !dir.is_dir() {
        let file = report.sources.add(&display, String::new());
        report
            .error(file, 0..0, "the theme has no templates folder")
            .label("missing")
            .note("zhiku needs themes/default/templates/ beside content/ (copy the default theme)");
        return;
    }
    let glob = format!("{}/**/*.html", dir.display());
    if let Err(e) = tera::Tera::new(&glob) {
        let mut message = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            message.push_str(": ");
            message.push_str(&s.to_string());
            source = s.source();
        }
        let file = report.sources.add(&display, String::new());
        report
            .error(
                file,
                0..0,
                format!("theme templates do not parse: {message}"),
            )
            .label("template error");
    }
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
    let search = crate::search::build_assets(site).map_err(BuildError::Search)?;
    let renderer = Renderer::new(site, &paths.theme, search.assets.clone())?;
    let mut files = renderer.render_all()?;
    files.extend(search.files);
    files.extend(static_files(&paths.theme)?);
    Ok(files)
}

/// Full build: check, render, write atomically. On any error the previous
/// output is left untouched. The report is returned on both paths because
/// warnings matter after a successful build too.
#[allow(clippy::result_large_err)]
pub fn build(paths: &Paths) -> Result<(BuildStats, Report), (BuildError, Report)> {
    let started = Instant::now();
    // Before any work: an output that would overwrite the sources is refused outright.
    if let Err(e) = crate::output::check_output(&paths.root, &paths.theme, &paths.output)
        .and_then(|()| crate::output::recover_leftovers(&paths.output))
    {
        return Err((e.into(), Report::default()));
    }
    let (site, report) = check(&paths.root);
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

/// Files under the theme's `static/` folder, copied as they are.
pub fn static_files(theme: &Path) -> Result<Vec<OutputFile>, BuildError> {
    let dir = theme.join("static");
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(&dir).sort_by_file_name() {
        let entry = entry.map_err(|e| BuildError::Io {
            action: "reading",
            path: dir.clone(),
            source: e.into(),
        })?;
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry.path().strip_prefix(&dir).unwrap_or(entry.path());
        let bytes = fs::read(entry.path()).map_err(io_err("reading", entry.path()))?;
        out.push(OutputFile {
            path: format!("static/{}", rel.to_string_lossy().replace('\\', "/")),
            bytes,
        });
    }
    Ok(out)
}

/// Writes files into a fresh temporary folder beside `output`, then swaps it
/// in (see [`crate::output`]).
pub fn write_atomically(output: &Path, files: &[OutputFile]) -> Result<(), BuildError> {
    Ok(crate::output::write_atomically(output, files)?)
}
