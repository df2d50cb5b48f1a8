//! The theme: Tera templates, static files and the interface strings of each
//! language. The default theme is built into the binary; a site that names a
//! theme in `site.toml` (`theme = "mine"`) gets `themes/mine/` laid over it
//! file by file, so it may replace only `templates/base.html`, only
//! `static/style.css`, or a few interface strings.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use include_dir::{include_dir, Dir};

static BUILT_IN_TEMPLATES: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/themes/default/templates");
static BUILT_IN_STATIC: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/themes/default/static");
static BUILT_IN_I18N: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/themes/default/i18n");

/// Languages the built-in theme has interface strings for.
pub const LANGUAGES: &[&str] = &["zh-CN", "zh-TW", "en"];

/// Why a theme could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    /// `theme = "name"` names no folder.
    #[error("theme `{name}` not found: {} is not a folder", path.display())]
    NotFound {
        /// The theme's name.
        name: String,
        /// Where it was looked for.
        path: PathBuf,
    },
    /// A theme file could not be read.
    #[error("reading {}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// A template is not UTF-8.
    #[error("{} is not UTF-8 text", path.display())]
    NotText {
        /// The template.
        path: PathBuf,
    },
    /// An interface-string table does not parse.
    #[error("{file}: {message}")]
    Strings {
        /// `i18n/<lang>.toml` of the theme (built-in or the site's).
        file: String,
        /// What is wrong.
        message: String,
    },
}

/// Interface strings: key → text (`search_button` → `搜索`).
pub type Strings = BTreeMap<String, String>;

/// A theme ready to render with: the built-in one with the site's files laid over it.
#[derive(Debug, Clone)]
pub struct Theme {
    /// Template name (`base.html`, `partials/x.html`) → source.
    pub templates: BTreeMap<String, String>,
    /// Path under `static/` (`style.css`) → bytes.
    pub statics: BTreeMap<String, Vec<u8>>,
    /// Language → its `i18n/<lang>.toml` text, built-in and the site's, in that order.
    strings: BTreeMap<String, Vec<(String, String)>>,
    /// The site's theme folder, when it has one.
    pub dir: Option<PathBuf>,
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> ThemeError + '_ {
    move |source| ThemeError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Every file of an embedded folder, with its path relative to it.
fn embedded_files<'a>(dir: &'a Dir<'a>) -> Vec<(String, &'a [u8])> {
    let mut out = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for f in d.files() {
            let rel = f.path().to_string_lossy().replace('\\', "/");
            out.push((rel, f.contents()));
        }
        stack.extend(d.dirs());
    }
    out
}

/// Every file under `dir` (none if it does not exist), relative path → bytes.
fn disk_files(dir: &Path) -> Result<Vec<(String, Vec<u8>, PathBuf)>, ThemeError> {
    let mut out = Vec::new();
    if !dir.is_dir() {
        return Ok(out);
    }
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|e| ThemeError::Io {
            path: dir.to_path_buf(),
            source: e.into(),
        })?;
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path();
        let rel = path
            .strip_prefix(dir)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/");
        let bytes = fs::read(path).map_err(io_err(path))?;
        out.push((rel, bytes, path.to_path_buf()));
    }
    Ok(out)
}

impl Theme {
    /// The theme built into the binary.
    pub fn built_in() -> Theme {
        let templates = embedded_files(&BUILT_IN_TEMPLATES)
            .into_iter()
            .filter(|(name, _)| name.ends_with(".html"))
            .map(|(name, bytes)| (name, String::from_utf8_lossy(bytes).into_owned()))
            .collect();
        let statics = embedded_files(&BUILT_IN_STATIC)
            .into_iter()
            .map(|(name, bytes)| (name, bytes.to_vec()))
            .collect();
        let mut strings: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
        for (name, bytes) in embedded_files(&BUILT_IN_I18N) {
            if let Some(lang) = name.strip_suffix(".toml") {
                strings.entry(lang.to_string()).or_default().push((
                    format!("built-in theme i18n/{name}"),
                    String::from_utf8_lossy(bytes).into_owned(),
                ));
            }
        }
        Theme {
            templates,
            statics,
            strings,
            dir: None,
        }
    }

    /// The built-in theme with `dir` (a site's `themes/<name>/`) laid over it.
    pub fn with_overrides(dir: &Path) -> Result<Theme, ThemeError> {
        let mut theme = Theme::built_in();
        for (rel, bytes, path) in disk_files(&dir.join("templates"))? {
            if rel.ends_with(".html") {
                let text = String::from_utf8(bytes).map_err(|_| ThemeError::NotText { path })?;
                theme.templates.insert(rel, text);
            }
        }
        for (rel, bytes, _) in disk_files(&dir.join("static"))? {
            theme.statics.insert(rel, bytes);
        }
        for (rel, bytes, path) in disk_files(&dir.join("i18n"))? {
            if let Some(lang) = rel.strip_suffix(".toml") {
                let text = String::from_utf8(bytes).map_err(|_| ThemeError::NotText { path })?;
                theme
                    .strings
                    .entry(lang.to_string())
                    .or_default()
                    .push((format!("{}/i18n/{rel}", dir.display()), text));
            }
        }
        theme.dir = Some(dir.to_path_buf());
        Ok(theme)
    }

    /// The theme a site uses: built-in, or built-in with `root/themes/<name>/` over it.
    pub fn for_site(root: &Path, name: Option<&str>) -> Result<Theme, ThemeError> {
        match name {
            None => Ok(Theme::built_in()),
            Some(name) => {
                let dir = theme_dir(root, name);
                if !dir.is_dir() {
                    return Err(ThemeError::NotFound {
                        name: name.to_string(),
                        path: dir,
                    });
                }
                Theme::with_overrides(&dir)
            }
        }
    }

    /// The interface strings of `language`: the built-in table, then the
    /// site theme's keys over it. `None` when no table exists for it.
    pub fn strings(&self, language: &str) -> Result<Option<Strings>, ThemeError> {
        let Some(layers) = self.strings.get(language) else {
            return Ok(None);
        };
        let mut out = Strings::new();
        for (file, text) in layers {
            let table: Strings = toml::from_str(text).map_err(|e| ThemeError::Strings {
                file: file.clone(),
                message: e.to_string(),
            })?;
            out.extend(table);
        }
        Ok(Some(out))
    }

    /// Copies the built-in theme (templates, static files, strings) into
    /// `dest`, which must not exist yet. Returns the number of files written.
    pub fn eject(dest: &Path) -> Result<usize, ThemeError> {
        let mut n = 0;
        for (sub, dir) in [
            ("templates", &BUILT_IN_TEMPLATES),
            ("static", &BUILT_IN_STATIC),
            ("i18n", &BUILT_IN_I18N),
        ] {
            for (rel, bytes) in embedded_files(dir) {
                let path = dest.join(sub).join(&rel);
                if let Some(parent) = path.parent() {
                    fs::create_dir_all(parent).map_err(io_err(parent))?;
                }
                fs::write(&path, bytes).map_err(io_err(&path))?;
                n += 1;
            }
        }
        Ok(n)
    }
}

/// The folder of the site theme called `name`.
pub fn theme_dir(root: &Path, name: &str) -> PathBuf {
    root.join("themes").join(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_theme_has_its_templates_and_strings_for_every_language() {
        let t = Theme::built_in();
        for name in ["base.html", "home.html", "entry.html", "404.html"] {
            assert!(t.templates.contains_key(name), "{name}");
        }
        assert!(t.statics.contains_key("style.css"));
        parse_templates(&t).expect("the built-in templates parse");
        let base = t.strings("zh-CN").expect("parses").expect("zh-CN table");
        for lang in LANGUAGES {
            let s = t.strings(lang).expect("parses").expect("a table");
            let missing: Vec<&String> = base.keys().filter(|k| !s.contains_key(*k)).collect();
            assert!(missing.is_empty(), "{lang} lacks {missing:?}");
            let extra: Vec<&String> = s.keys().filter(|k| !base.contains_key(*k)).collect();
            assert!(extra.is_empty(), "{lang} has unknown keys {extra:?}");
        }
        assert!(t.strings("fr").expect("no error").is_none());
    }

    #[test]
    fn a_site_theme_overrides_file_by_file() {
        let dir = tempfile::tempdir().expect("temporary folder");
        fs::create_dir_all(dir.path().join("templates")).expect("mkdir");
        fs::write(dir.path().join("templates/base.html"), "MINE").expect("write");
        fs::create_dir_all(dir.path().join("i18n")).expect("mkdir");
        fs::write(
            dir.path().join("i18n/en.toml"),
            "search_button = \"Find\"\n",
        )
        .expect("write");
        let t = Theme::with_overrides(dir.path()).expect("loads");
        assert_eq!(t.templates["base.html"], "MINE");
        assert_eq!(
            t.templates["home.html"],
            Theme::built_in().templates["home.html"]
        );
        let en = t.strings("en").expect("parses").expect("table");
        assert_eq!(en["search_button"], "Find");
        let zh = Theme::built_in().strings("en").expect("ok").expect("table");
        assert_eq!(
            en.len(),
            zh.len(),
            "other keys come from the built-in table"
        );
    }
}

/// Parses every template of `theme` (as the renderer will).
fn parse_templates(theme: &Theme) -> Result<(), tera::Error> {
    tera::Tera::default().add_raw_templates(
        theme
            .templates
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str())),
    )
}

/// Why a site's interface strings could not be put together.
#[derive(Debug, thiserror::Error)]
pub enum StringsError {
    /// The theme failed.
    #[error(transparent)]
    Theme(#[from] ThemeError),
    /// No table for the site's language.
    #[error("`language`: no interface strings for `{0}` (the built-in theme has {langs}; a site theme may add i18n/{0}.toml)", langs = LANGUAGES.join(", "))]
    Language(String),
    /// `[strings]` of site.toml names a key the theme does not have.
    #[error("`strings.{0}` is not an interface string of the theme")]
    UnknownKey(String),
}

/// The interface strings a site renders with: the theme's table for the
/// site's language, then the `[strings]` of `site.toml` over it.
pub fn site_strings(
    theme: &Theme,
    config: &crate::content::SiteConfig,
) -> Result<Strings, StringsError> {
    let mut strings = theme
        .strings(&config.language)?
        .ok_or_else(|| StringsError::Language(config.language.clone()))?;
    for (key, text) in &config.strings {
        match strings.get_mut(key) {
            Some(s) => *s = text.clone(),
            None => return Err(StringsError::UnknownKey(key.clone())),
        }
    }
    Ok(strings)
}

/// Checks the parts of `site.toml` that depend on the theme (the theme
/// exists, the language has strings, `[strings]` keys exist), reporting each
/// problem at its place in `site.toml`.
pub fn check_site_theme(
    root: &Path,
    site: &crate::content::Site,
    report: &mut crate::diagnostics::Report,
) {
    let config = &site.config;
    let file = site.config_file;
    let at = |report: &crate::diagnostics::Report, needle: &str| {
        crate::content::find_span_in(report.sources.text(file), needle)
    };
    let theme = match Theme::for_site(root, config.theme.as_deref()) {
        Ok(t) => t,
        Err(e) => {
            let span = at(report, config.theme.as_deref().unwrap_or("theme"));
            report
                .error(
                    file,
                    span,
                    format!("`theme`: {}", crate::diagnostics::error_chain(&e)),
                )
                .label("no such theme");
            return;
        }
    };
    // A site theme's templates must parse, or `build` would fail where
    // `check` passed. The built-in ones do (a unit test parses them), so a
    // site without its own theme pays for no second parse.
    if theme.dir.is_some() {
        if let Err(e) = parse_templates(&theme) {
            let span = at(report, config.theme.as_deref().unwrap_or("theme"));
            report
                .error(
                    file,
                    span,
                    format!(
                        "`theme`: the templates of {} do not parse: {}",
                        theme
                            .dir
                            .as_ref()
                            .map_or("the built-in theme".into(), |d| d.display().to_string()),
                        crate::diagnostics::error_chain(&e)
                    ),
                )
                .label("template error");
        }
    }
    match site_strings(&theme, config) {
        Ok(_) => {}
        Err(StringsError::Language(lang)) => {
            let span = at(report, &lang);
            report
                .error(file, span, StringsError::Language(lang.clone()).to_string())
                .label("unsupported language");
        }
        Err(StringsError::UnknownKey(key)) => {
            let span = at(report, &key);
            report
                .error(
                    file,
                    span,
                    StringsError::UnknownKey(key.clone()).to_string(),
                )
                .label("unknown key");
        }
        Err(e) => {
            let span = at(report, "language");
            report.error(file, span, crate::diagnostics::error_chain(&e));
        }
    }
}
