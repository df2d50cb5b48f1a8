//! The content model: what `content/` holds, typed, with the spans needed to
//! point errors at the right line.

mod frontmatter;
pub mod ids;
pub mod links;
mod load;
mod scan;

pub(crate) use load::find_span_in;
pub use load::load_site;

use search_index::province::Province;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::diagnostics::FileId;

/// `content/site.toml`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    /// Site name.
    pub title: String,
    /// Absolute URL the site is served from, without trailing slash.
    pub base_url: String,
    /// Must be `zh-CN`.
    pub language: String,
    /// Meta description of the home page.
    pub description: String,
    /// Footer text.
    pub footer: String,
    /// The site's own ICP number.
    pub icp_number: String,
    /// `[markdown]`: how Markdown is turned into HTML.
    #[serde(default)]
    pub markdown: MarkdownConfig,
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

/// Front matter of a FAQ entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryFront {
    /// The question as users ask it.
    pub title: String,
    /// Source section number.
    pub section: Spanned<String>,
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
}

/// Markdown text and where it starts in its file.
#[derive(Debug, Clone)]
pub struct Body {
    /// The file it comes from.
    pub file: FileId,
    /// Byte offset of the body inside the file.
    pub offset: usize,
    /// The Markdown.
    pub text: String,
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
    /// Source section.
    pub section: Spanned<String>,
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

/// Everything loaded from `content/`.
#[derive(Debug, Clone)]
pub struct Site {
    /// Site settings.
    pub config: SiteConfig,
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
    /// Ids of items whose file exists but failed to load (already reported),
    /// and id prefixes ending in `/` for folders that could not be read.
    /// Links to them are not reported again as broken.
    pub unloaded: Vec<String>,
}
