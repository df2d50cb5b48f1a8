//! Data and output of the filing-rule commands (`zhiku check-name`,
//! `zhiku check-preapproval`); the rules themselves live in
//! [`search_index::rules`] so the browser runs the same code.

use std::fmt::Write as _;
use std::path::Path;

use search_index::province::Province;
use search_index::rules::name::{NameReport, Subject};
use search_index::rules::preapproval::PreapprovalReport;
use search_index::rules::{find_province, Finding, Note, Severity, Verdict};

use crate::content::links::LinkTable;
use crate::content::{load_site, SiteConfig};
use crate::diagnostics::Report;

/// Why the rule data could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    /// `content/` could not be loaded.
    #[error("cannot load content: {0}")]
    Content(String),
    /// The province is not one of the 31.
    #[error("unknown province `{query}`; valid provinces:\n{valid}")]
    UnknownProvince {
        /// What was asked for.
        query: String,
        /// One line per province: id, full name, abbreviation.
        valid: String,
    },
}

/// Provinces and the link table, loaded from a site root.
pub struct RuleData {
    /// The 31 provinces, sorted by id.
    pub provinces: Vec<Province>,
    links: LinkTable,
    config: SiteConfig,
}

impl RuleData {
    /// Loads `root/content` through the content loader. Problems in files
    /// other than the provinces do not matter here, so only a missing site fails.
    pub fn load(root: &Path) -> Result<Self, ToolError> {
        let mut report = Report::default();
        let site = load_site(root, &mut report)
            .ok_or_else(|| ToolError::Content(report.render_plain()))?;
        let links = LinkTable::new(&site);
        Ok(RuleData {
            provinces: site.provinces.iter().map(|p| p.data.clone()).collect(),
            links,
            config: site.config,
        })
    }

    /// Finds a province by id, name or abbreviation.
    pub fn province(&self, query: &str) -> Result<&Province, ToolError> {
        find_province(&self.provinces, query).ok_or_else(|| ToolError::UnknownProvince {
            query: query.to_string(),
            valid: self
                .provinces
                .iter()
                .map(|p| format!("  {:<13} {}（{}）", p.id, p.name, p.short_name))
                .collect::<Vec<_>>()
                .join("\n"),
        })
    }

    /// URL of a content id (`@faq/...`) as the command line prints it (see
    /// [`SiteConfig::cli_url`]), `None` if unknown.
    pub fn url(&self, id: &str) -> Option<String> {
        self.links
            .resolve(id)
            .ok()
            .map(|path| self.config.cli_url(&path))
    }

    /// Turns every `see` id of the findings and notes into a printable URL.
    pub fn resolve(&self, findings: &mut [Finding], notes: &mut [Note]) {
        search_index::rules::resolve_see(findings.iter_mut(), notes.iter_mut(), &|id| self.url(id));
    }
}

fn mark(s: Severity) -> &'static str {
    match s {
        Severity::Block => "✗ 不通过",
        Severity::Warn => "! 注意",
    }
}

fn verdict_label(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "pass（没有发现问题）",
        Verdict::Warn => "warn（有需要注意的地方）",
        Verdict::Block => "block（不符合要求）",
    }
}

fn write_findings(out: &mut String, findings: &[Finding], notes: &[Note]) {
    for f in findings {
        let matched = if f.matched.trim().is_empty() {
            String::new()
        } else {
            format!(" 「{}」", f.matched)
        };
        let _ = writeln!(out, "  {} [{}]{matched}", mark(f.severity), f.rule);
        let _ = writeln!(out, "      {}", f.message);
        let _ = writeln!(out, "      见 {}", f.see);
    }
    if !notes.is_empty() {
        let _ = writeln!(out, "需要自己确认：");
        for n in notes {
            let _ = writeln!(out, "  - {}（{}）", n.message, n.see);
        }
    }
}

/// Plain-text report of a name check.
pub fn name_text(p: &Province, subject: Subject, app: bool, name: &str, r: &NameReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} · {} · {}「{}」：{}",
        p.name,
        match subject {
            Subject::Individual => "个人",
            Subject::Organisation => "单位",
        },
        if app { "APP 名称" } else { "网站名称" },
        name.trim(),
        verdict_label(r.verdict)
    );
    write_findings(&mut out, &r.findings, &r.notes);
    out
}

/// Plain-text report of a pre-approval check.
pub fn preapproval_text(r: &PreapprovalReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} · 前置审批：{}",
        r.province,
        verdict_label(r.verdict)
    );
    if !r.province_has_table {
        let _ = writeln!(out, "  （资料没有该省的前置审批表，只按全国类别判断）");
    }
    if !r.negated.is_empty() {
        let _ = writeln!(out, "  否定说法不计入：{}", r.negated.join("、"));
    }
    write_findings(&mut out, &r.findings, &r.notes);
    out
}
