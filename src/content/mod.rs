//! The content model: what `content/` holds, typed, with the spans needed to
//! point errors at the right line.

pub mod dates;
mod frontmatter;
pub mod ids;
pub mod links;
mod load;
mod scan;
pub mod scope;

pub(crate) use load::find_span_in;
pub use load::{load_site, load_site_config};

use search_index::province::Province;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::diagnostics::FileId;
pub use scope::Scope;

/// `content/site.toml`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    /// Site name.
    pub title: String,
    /// Absolute URL the site is served from; its path (`https://example.cn/kb/`)
    /// is where every page, asset and search file lives on the host.
    pub base_url: String,
    /// Language of the site and its interface: `zh-CN`, `zh-TW` or `en`
    /// (or one a site theme adds strings for).
    pub language: String,
    /// Meta description of the home page.
    pub description: String,
    /// Footer text; none when unset.
    #[serde(default)]
    pub footer: Option<String>,
    /// The site's own ICP filing number, shown in the footer only when set.
    #[serde(default)]
    pub icp_number: Option<String>,
    /// Site theme laid over the built-in one: `themes/<theme>/`.
    #[serde(default)]
    pub theme: Option<String>,
    /// Home page heading (default: the title).
    #[serde(default)]
    pub home_heading: Option<String>,
    /// Home page introduction under the heading (default: the description).
    #[serde(default)]
    pub home_intro: Option<String>,
    /// Placeholder of the search box (default: the language's own).
    #[serde(default)]
    pub search_placeholder: Option<String>,
    /// Interface strings that replace the theme's (`search_button = "Find"`).
    #[serde(default)]
    pub strings: std::collections::BTreeMap<String, String>,
    /// The access provider whose procedures the site documents (e.g. `华为云`);
    /// answers naming it need `scope = "provider"` or a callout. `None` on
    /// sites that document no provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// `[markdown]`: how Markdown is turned into HTML.
    #[serde(default)]
    pub markdown: MarkdownConfig,
    /// `[feedback]`: where readers report an error or say an answer helped;
    /// pages show no feedback block when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<FeedbackConfig>,
    /// Order of the regions on the province index (`["华北", "东北", …]`);
    /// regions not listed follow in name order, provinces with none last.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub region_order: Vec<String>,
    /// `[offline]`: the service worker that keeps the site readable offline.
    #[serde(default)]
    pub offline: OfflineConfig,
    /// `[search]`: how the search index is cut for the browser.
    #[serde(default)]
    pub search: SearchConfig,
}

/// `[search]` in `site.toml`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SearchConfig {
    /// Kibibytes up to which the index is sent whole in one file (a small
    /// site's first answer then takes no further fetch rounds); a larger
    /// index is cut into chunks a query fetches as it needs them. 0 always
    /// cuts.
    #[serde(default = "default_whole_index_kb")]
    pub whole_index_kb: u64,
}

fn default_whole_index_kb() -> u64 {
    (search_index::lazy::WHOLE_INDEX_MAX / 1024) as u64
}

impl Default for SearchConfig {
    fn default() -> Self {
        SearchConfig {
            whole_index_kb: default_whole_index_kb(),
        }
    }
}

/// `[feedback]` in `site.toml`: one target, a mail address or an issue form.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FeedbackConfig {
    /// Mail address; the links open a message with the page's title and URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// URL of a "new issue" form (GitHub, GitLab, Gitea take `title` and
    /// `body` in the query); the links open it prefilled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue_url: Option<String>,
}

impl FeedbackConfig {
    /// Exactly one target, and a usable one.
    pub fn check(&self) -> Result<(), String> {
        match (&self.email, &self.issue_url) {
            (Some(_), Some(_)) => Err("give `email` or `issue_url`, not both".into()),
            (None, None) => Err("needs `email = \"…\"` or `issue_url = \"https://…\"`".into()),
            (Some(m), None) => {
                let ok = m.split_once('@').is_some_and(|(a, b)| {
                    !a.is_empty() && b.contains('.') && !m.contains(char::is_whitespace)
                });
                if ok {
                    Ok(())
                } else {
                    Err(format!("`email`: `{m}` is not a mail address"))
                }
            }
            (None, Some(u)) => match url::Url::parse(u) {
                Ok(p) if matches!(p.scheme(), "http" | "https") && p.fragment().is_none() => Ok(()),
                _ => Err(format!("`issue_url`: `{u}` is not an absolute http(s) URL")),
            },
        }
    }

    /// Where a link about the page `title` at `url` goes; `kind` heads the
    /// subject (`报告错误`). Query values are percent-encoded.
    pub fn link(&self, kind: &str, title: &str, url: &str) -> Option<String> {
        let subject = format!("[{kind}] {title}");
        let enc = |s: &str| {
            url::form_urlencoded::byte_serialize(s.as_bytes())
                .collect::<String>()
                .replace('+', "%20")
        };
        if let Some(m) = &self.email {
            return Some(format!(
                "mailto:{m}?subject={}&body={}",
                enc(&subject),
                enc(url)
            ));
        }
        let base = self.issue_url.as_ref()?;
        let sep = if base.contains('?') { '&' } else { '?' };
        Some(format!(
            "{base}{sep}title={}&body={}",
            enc(&subject),
            enc(url)
        ))
    }
}

/// `[offline]` in `site.toml`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OfflineConfig {
    /// Whether the build writes the service worker (`sw.js`).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Kibibytes the service worker downloads ahead of use: the shell and the
    /// search runtime always, then the search index and pages in order until
    /// the budget is spent. Pages beyond it are kept once visited.
    #[serde(default = "default_budget_kb")]
    pub budget_kb: u64,
}

fn yes() -> bool {
    true
}

fn default_budget_kb() -> u64 {
    OfflineConfig::DEFAULT_BUDGET_KB
}

impl OfflineConfig {
    /// Default precache budget: 16 MiB, about the whole reference site.
    pub const DEFAULT_BUDGET_KB: u64 = 16 * 1024;
}

impl Default for OfflineConfig {
    fn default() -> Self {
        OfflineConfig {
            enabled: true,
            budget_kb: Self::DEFAULT_BUDGET_KB,
        }
    }
}

impl SiteConfig {
    /// Where the site's root sits on its host: the path of `base_url` with a
    /// leading and a trailing slash (`/`, or `/kb/` for `https://example.cn/kb`).
    pub fn mount(&self) -> String {
        let path = url::Url::parse(&self.base_url)
            .map(|u| u.path().to_string())
            .unwrap_or_default();
        let trimmed = path.trim_matches('/');
        if trimmed.is_empty() {
            "/".into()
        } else {
            format!("/{trimmed}/")
        }
    }

    /// `base_url` without its trailing slash; a site path (`/faq/x/`) appended
    /// to it gives the page's absolute URL.
    pub fn absolute_prefix(&self) -> &str {
        self.base_url.trim_end_matches('/')
    }

    /// How the command line prints the URL of a site path (`/faq/x/`):
    /// absolute under `base_url`, or host-relative (`/kb/faq/x/`) while
    /// `base_url` is a placeholder whose links would lead nowhere.
    pub fn cli_url(&self, path: &str) -> String {
        if self.base_url_is_placeholder() {
            crate::render::mount::under(&self.mount(), path)
        } else {
            format!("{}{path}", self.absolute_prefix())
        }
    }

    /// True while `base_url` is a placeholder (`example` in the host name, or a
    /// reserved top-level domain such as `.test`), whose links lead nowhere.
    pub fn base_url_is_placeholder(&self) -> bool {
        let Some(host) = url::Url::parse(&self.base_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        else {
            return true;
        };
        let labels: Vec<&str> = host.split('.').collect();
        labels.contains(&"example")
            || matches!(labels.last(), Some(&("test" | "invalid" | "localhost")))
    }
}

/// Checks that `url` can be a site's `base_url`: an absolute `http`/`https`
/// URL with a host, and no query or fragment.
pub fn check_base_url(url: &str) -> Result<(), String> {
    let u = url::Url::parse(url).map_err(|e| format!("`{url}` is not an absolute URL ({e})"))?;
    if !matches!(u.scheme(), "http" | "https") {
        return Err(format!("`{url}` must start with https:// or http://"));
    }
    if u.host_str().is_none_or(str::is_empty) {
        return Err(format!("`{url}` has no host name"));
    }
    if u.query().is_some() || u.fragment().is_some() {
        return Err(format!("`{url}` must not have a query or a fragment"));
    }
    Ok(())
}

/// `[markdown]` in `site.toml`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MarkdownConfig {
    /// What raw HTML in Markdown becomes.
    #[serde(default)]
    pub raw_html: RawHtml,
}

/// What raw HTML written in Markdown becomes in the output.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum RawHtml {
    /// Published as written (scripts included): only for fully trusted writers.
    Allow,
    /// Cleaned with an allow-list of tags and attributes suited to help pages.
    #[default]
    Sanitize,
    /// Shown as text.
    Escape,
}

/// Front matter of `faq/<chapter>/_index.md`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChapterFront {
    /// Chapter title.
    pub title: String,
    /// Position on the home page.
    pub order: i64,
    /// One or two sentences.
    pub summary: String,
    /// Source chapter number.
    #[serde(default)]
    pub section: Option<Spanned<String>>,
    /// Sub-sections of the chapter page (`[[group]]`), in order; when there
    /// are any, they list every entry of the chapter and fix its order.
    #[serde(default, rename = "group")]
    pub groups: Vec<ChapterGroup>,
}

/// `[[group]]` of a chapter's `_index.md`: a titled run of its entries.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChapterGroup {
    /// Heading of the sub-section.
    pub title: String,
    /// File stems of the entries, in reading order.
    pub entries: Vec<Spanned<String>>,
}

/// A FAQ chapter.
#[derive(Debug, Clone)]
pub struct Chapter {
    /// `faq/<chapter>`
    pub id: String,
    /// Folder name.
    pub slug: String,
    /// Parsed front matter.
    pub front: ChapterFront,
    /// Byte offset of the front matter inside the file (for spans).
    pub front_offset: usize,
    /// Markdown body (may be empty).
    pub body: Body,
}

/// What an entry is about.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum AppliesTo {
    /// A website.
    Website,
    /// A mobile app.
    App,
}

/// The source section of a front matter, as text.
fn section_text(section: &Option<Spanned<String>>) -> Option<&str> {
    section.as_ref().map(|s| s.get_ref().as_str())
}

impl EntryFront {
    /// Source section number, if the entry names one.
    pub fn section(&self) -> Option<&str> {
        section_text(&self.section)
    }
}

impl RejectionFront {
    /// Source section number, if the rejection names one.
    pub fn section(&self) -> Option<&str> {
        section_text(&self.section)
    }
}

/// Front matter of a FAQ entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryFront {
    /// The question as users ask it.
    pub title: String,
    /// Number of the source section the entry covers (sites written from a
    /// numbered source document, such as the ICP knowledge base).
    #[serde(default)]
    pub section: Option<Spanned<String>>,
    /// Position inside the chapter.
    pub order: i64,
    /// Other phrasings users type.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Free keywords.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Ids of related items.
    #[serde(default)]
    pub related: Vec<Spanned<String>>,
    /// Website, app, or both.
    #[serde(default)]
    pub applies_to: Vec<AppliesTo>,
    /// Provinces the answer is specific to.
    #[serde(default)]
    pub provinces: Vec<Spanned<String>>,
    /// Last update.
    #[serde(default)]
    pub updated: Option<toml::value::Datetime>,
    /// Whose rule the answer states.
    #[serde(default)]
    pub scope: Option<Spanned<Scope>>,
    /// Ids the entry had before it moved (`@faq/<chapter>/<slug>`); each old
    /// URL gets a redirect page.
    #[serde(default)]
    pub moved_from: Vec<Spanned<String>>,
}

/// Where a Markdown body starts in its file, and its outline. The text
/// itself is not held: while the site is checked it is read from the loaded
/// sources ([`Body::text_in`]), later from the file again ([`Body::read`]),
/// so a large build's memory does not grow with every body at once.
#[derive(Debug, Clone)]
pub struct Body {
    /// The file it comes from.
    pub file: FileId,
    /// Byte offset of the body inside the file.
    pub offset: usize,
    /// The file on disk, read again by [`Body::read`].
    pub path: std::path::PathBuf,
    /// Length in bytes of the body as loaded.
    pub len: usize,
    /// Checksum of the body as loaded: a file changed since is not rendered.
    hash: u32,
    /// Its anchors, links, raw HTML and plain text, from the one parse made
    /// while loading (see [`crate::render::markdown::Outline`]).
    pub outline: crate::render::markdown::Outline,
}

/// A body's file no longer holds the text that was loaded and checked.
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    /// Reading the file failed.
    #[error("reading {path} again: {source}")]
    Read {
        /// The file.
        path: std::path::PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The file changed after it was loaded.
    #[error("{0} changed while the site was being built; build again")]
    Changed(std::path::PathBuf),
}

impl Body {
    /// A body loaded from `path`, whose text `file_text` holds from `offset`.
    pub(crate) fn new(
        file: FileId,
        path: std::path::PathBuf,
        file_text: &str,
        offset: usize,
        outline: crate::render::markdown::Outline,
    ) -> Body {
        let text = &file_text[offset..];
        Body {
            file,
            offset,
            path,
            len: text.len(),
            hash: text_hash(text),
            outline,
        }
    }

    /// The Markdown, from the loaded sources (`None` once they are released).
    pub fn text_in<'a>(&self, sources: &'a crate::diagnostics::SourceMap) -> Option<&'a str> {
        sources
            .text(self.file)
            .get(self.offset..)
            // Released sources are empty; kept ones are the loaded text.
            .filter(|t| t.len() == self.len)
    }

    /// The Markdown, read from its file again; refused when it is not the
    /// text that was loaded.
    pub fn read(&self) -> Result<String, BodyError> {
        let mut text = std::fs::read(&self.path)
            .map_err(|source| BodyError::Read {
                path: self.path.clone(),
                source,
            })
            .and_then(|bytes| {
                String::from_utf8(bytes).map_err(|_| BodyError::Changed(self.path.clone()))
            })?;
        let same = text
            .get(self.offset..)
            .is_some_and(|t| t.len() == self.len && text_hash(t) == self.hash);
        if !same {
            return Err(BodyError::Changed(self.path.clone()));
        }
        // In place: the front matter goes, the allocation stays.
        text.drain(..self.offset);
        Ok(text)
    }

    /// The Markdown from `sources` while they hold it, else from its file.
    pub fn text<'a>(
        &self,
        sources: Option<&'a crate::diagnostics::SourceMap>,
    ) -> Result<std::borrow::Cow<'a, str>, BodyError> {
        match sources.and_then(|s| self.text_in(s)) {
            Some(t) => Ok(std::borrow::Cow::Borrowed(t)),
            None => self.read().map(std::borrow::Cow::Owned),
        }
    }
}

/// A fast checksum that tells a changed body from the loaded one (with its
/// length; no adversary is expected between loading and rendering).
fn text_hash(text: &str) -> u32 {
    crc32fast::hash(text.as_bytes())
}

/// A FAQ entry.
#[derive(Debug, Clone)]
pub struct Entry {
    /// `faq/<chapter>/<slug>`
    pub id: String,
    /// Chapter folder name.
    pub chapter: String,
    /// File stem.
    pub slug: String,
    /// Parsed front matter.
    pub front: EntryFront,
    /// Byte offset of the front matter inside the file (for spans).
    pub front_offset: usize,
    /// Markdown body.
    pub body: Body,
}

/// Where in the filing process a rejection happens.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// 接入商初审驳回
    InitialReview,
    /// 管局退回
    BureauReturn,
    /// 备案核查整改通知
    VerificationNotice,
}

impl Stage {
    /// All stages in process order.
    pub const ALL: [Stage; 3] = [
        Stage::InitialReview,
        Stage::BureauReturn,
        Stage::VerificationNotice,
    ];

    /// Chinese name shown to readers.
    pub fn label(self) -> &'static str {
        match self {
            Stage::InitialReview => "接入商初审驳回",
            Stage::BureauReturn => "管局退回",
            Stage::VerificationNotice => "备案核查整改通知",
        }
    }

    /// Key of its name in the theme's interface strings.
    pub fn label_key(self) -> &'static str {
        match self {
            Stage::InitialReview => "stage_initial_review",
            Stage::BureauReturn => "stage_bureau_return",
            Stage::VerificationNotice => "stage_verification_notice",
        }
    }

    /// Stable machine name.
    pub fn key(self) -> &'static str {
        match self {
            Stage::InitialReview => "initial-review",
            Stage::BureauReturn => "bureau-return",
            Stage::VerificationNotice => "verification-notice",
        }
    }
}

/// Front matter of a rejection reason.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RejectionFront {
    /// The rejection as the applicant sees it.
    pub title: String,
    /// Stage.
    pub stage: Stage,
    /// Source section number, when written from a numbered source.
    #[serde(default)]
    pub section: Option<Spanned<String>>,
    /// Source group (verification notices).
    #[serde(default)]
    pub group: Option<String>,
    /// Position in its stage.
    pub order: i64,
    /// One-line reason.
    pub reason: String,
    /// Entries that explain the fix.
    pub fixes: Vec<Spanned<String>>,
    /// Phrasings users type.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Other related items.
    #[serde(default)]
    pub related: Vec<Spanned<String>>,
    /// Provinces it is specific to.
    #[serde(default)]
    pub provinces: Vec<Spanned<String>>,
    /// Free keywords.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Last update.
    #[serde(default)]
    pub updated: Option<toml::value::Datetime>,
    /// Whose rule the reason and its fix state.
    #[serde(default)]
    pub scope: Option<Spanned<Scope>>,
}

/// A rejection reason.
#[derive(Debug, Clone)]
pub struct Rejection {
    /// `rejection/<slug>`
    pub id: String,
    /// File stem.
    pub slug: String,
    /// Parsed front matter.
    pub front: RejectionFront,
    /// Byte offset of the front matter inside the file.
    pub front_offset: usize,
    /// Markdown body (the fix).
    pub body: Body,
}

/// A province file and where it was read from.
#[derive(Debug, Clone)]
pub struct ProvinceFile {
    /// `province/<pinyin>`
    pub id: String,
    /// The typed rules.
    pub data: Province,
    /// File it came from.
    pub file: FileId,
}

/// Tone of a decision outcome.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum OutcomeKind {
    /// Filing is needed.
    Yes,
    /// Filing is not needed.
    No,
    /// It depends; read on.
    Depends,
}

/// One option of a decision node.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionOption {
    /// Text of the option.
    pub label: Spanned<String>,
    /// Next node id.
    #[serde(default)]
    pub next: Option<Spanned<String>>,
    /// Outcome id.
    #[serde(default)]
    pub outcome: Option<Spanned<String>>,
}

/// A question of a decision tree.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionNode {
    /// Node id, also the page anchor.
    pub id: Spanned<String>,
    /// The question.
    pub question: String,
    /// Markdown help text.
    #[serde(default)]
    pub help: Option<String>,
    /// The answers.
    #[serde(default, rename = "option")]
    pub options: Vec<DecisionOption>,
}

/// An end of a decision tree.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionOutcome {
    /// Outcome id, also the page anchor.
    pub id: Spanned<String>,
    /// Short verdict.
    pub verdict: String,
    /// Tone.
    pub kind: OutcomeKind,
    /// Markdown explanation.
    pub explanation: String,
    /// Entries that justify it.
    #[serde(default)]
    pub see: Vec<Spanned<String>>,
}

/// `decision/<name>.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionFile {
    /// Page title.
    pub title: String,
    /// Intro text.
    #[serde(default)]
    pub summary: Option<String>,
    /// First node id.
    pub start: Spanned<String>,
    /// Position among the tools.
    #[serde(default)]
    pub order: i64,
    /// The questions.
    #[serde(default, rename = "node")]
    pub nodes: Vec<DecisionNode>,
    /// The ends.
    #[serde(default, rename = "outcome")]
    pub outcomes: Vec<DecisionOutcome>,
}

/// A decision tree.
#[derive(Debug, Clone)]
pub struct DecisionTree {
    /// `decision/<name>`
    pub id: String,
    /// File stem.
    pub slug: String,
    /// Parsed file.
    pub data: DecisionFile,
    /// File it came from.
    pub file: FileId,
}

/// `search/synonyms.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SynonymsFile {
    /// Word groups.
    #[serde(default, rename = "group")]
    pub groups: Vec<SynonymGroup>,
    /// Terms the content no longer (or never) uses, pointed to the entries
    /// that explain what replaced them.
    #[serde(default, rename = "replaced")]
    pub replaced: Vec<ReplacedTerm>,
}

impl SynonymsFile {
    /// The groups as plain word lists, the form the search index takes.
    pub fn word_groups(&self) -> Vec<Vec<String>> {
        self.groups.iter().map(|g| g.words.clone()).collect()
    }
}

/// Words search treats as the same.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SynonymGroup {
    /// The words.
    pub words: Vec<String>,
}

/// An outdated or absent term and the entries to show for it (幕布 → the
/// entries on 视频核验/真实性核验), instead of a loose synonym.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplacedTerm {
    /// The words people still type.
    pub words: Vec<String>,
    /// Content ids (`@faq/...`) of the entries that explain what replaced them.
    pub see: Vec<String>,
}

/// `search/glossary.toml`: English terms foreign applicants type, and the
/// Chinese words the content uses for them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GlossaryFile {
    /// One entry per concept.
    #[serde(default, rename = "term")]
    pub terms: Vec<GlossaryTerm>,
}

/// One glossary entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GlossaryTerm {
    /// English terms and acronyms (matched as whole words, plurals folded).
    pub en: Vec<String>,
    /// The Chinese words searched for them.
    pub zh: Vec<String>,
}

/// Everything loaded from `content/`.
#[derive(Debug, Clone)]
pub struct Site {
    /// Site settings.
    pub config: SiteConfig,
    /// The file `config` came from (`content/site.toml`).
    pub config_file: FileId,
    /// FAQ chapters sorted by order.
    pub chapters: Vec<Chapter>,
    /// FAQ entries sorted by chapter order, then order.
    pub entries: Vec<Entry>,
    /// Rejection reasons sorted by stage, then order.
    pub rejections: Vec<Rejection>,
    /// Provinces sorted by file name.
    pub provinces: Vec<ProvinceFile>,
    /// Decision trees sorted by order, then name.
    pub trees: Vec<DecisionTree>,
    /// Synonym groups.
    pub synonyms: SynonymsFile,
    /// File of the synonyms (if present).
    pub synonyms_file: Option<FileId>,
    /// English search glossary.
    pub glossary: GlossaryFile,
    /// File of the glossary (if present).
    pub glossary_file: Option<FileId>,
    /// Ids of items whose file exists but failed to load (already reported),
    /// and id prefixes ending in `/` for folders that could not be read.
    /// Links to them are not reported again as broken.
    pub unloaded: Vec<String>,
    /// Last commit date (RFC 3339) of each content file, by path relative to
    /// `content/` (`faq/basics/x.md`); empty when the site is no git checkout.
    pub file_dates: std::collections::HashMap<String, String>,
    /// The loaded sources, when a caller keeps them (`serve`, which renders
    /// and indexes while the files may change again): bodies are read from
    /// here, not from their files. A build keeps none.
    pub held_sources: Option<std::sync::Arc<crate::diagnostics::SourceMap>>,
}

impl Site {
    /// The Markdown of one of this site's bodies (see [`Site::held_sources`]).
    pub fn body_text(&self, body: &Body) -> Result<std::borrow::Cow<'_, str>, BodyError> {
        body.text(self.held_sources.as_deref())
    }

    /// When the item with this id last changed: the writer's `updated`
    /// where given, else its file's last commit date (RFC 3339 or a bare date).
    pub fn changed(&self, id: &str, updated: Option<&toml::value::Datetime>) -> Option<String> {
        if let Some(d) = updated {
            return Some(d.to_string());
        }
        let path = if let Some(rest) = id.strip_prefix("faq/") {
            format!("faq/{rest}.md")
        } else if let Some(rest) = id.strip_prefix("rejection/") {
            format!("rejections/{rest}.md")
        } else if let Some(rest) = id.strip_prefix("province/") {
            format!("provinces/{rest}.toml")
        } else {
            format!("{id}.toml")
        };
        self.file_dates.get(&path).cloned()
    }
}

impl Site {
    /// Frees the plain text of every body's outline once the search
    /// documents have taken it (a build needs it nowhere else).
    pub fn drop_outline_texts(&mut self) {
        let bodies = self
            .chapters
            .iter_mut()
            .map(|c| &mut c.body)
            .chain(self.entries.iter_mut().map(|e| &mut e.body))
            .chain(self.rejections.iter_mut().map(|r| &mut r.body));
        for b in bodies {
            b.outline.text = String::new();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Body, BodyError};
    use crate::diagnostics::SourceMap;

    /// A body is read again from its file, and only while the file holds the
    /// text that was loaded: a changed file is refused, never rendered.
    #[test]
    fn a_body_is_read_again_only_as_it_was_loaded() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("entry.md");
        let text = "+++\ntitle = \"备案\"\n+++\n正文：备案号。\n";
        std::fs::write(&path, text).expect("write");
        let offset = text.find("正文").expect("body");
        let mut sources = SourceMap::default();
        let file = sources.add(std::path::Path::new("entry.md"), text.to_string());
        let body = Body::new(file, path.clone(), text, offset, Default::default());

        assert_eq!(body.text_in(&sources), Some("正文：备案号。\n"));
        assert_eq!(body.read().expect("unchanged"), "正文：备案号。\n");
        assert_eq!(body.text(None).expect("from the file"), "正文：备案号。\n");

        // Same length, other text: the checksum tells them apart.
        std::fs::write(&path, text.replace("备案号", "域名号")).expect("write");
        assert!(matches!(body.read(), Err(BodyError::Changed(p)) if p == path));
        // While the sources hold it, the loaded text is what counts.
        assert_eq!(body.text(Some(&sources)).expect("held"), "正文：备案号。\n");

        std::fs::remove_file(&path).expect("remove");
        let e = body.read().expect_err("gone");
        assert!(matches!(e, BodyError::Read { .. }));
        assert!(e.to_string().contains("entry.md"), "{e}");
    }
}
