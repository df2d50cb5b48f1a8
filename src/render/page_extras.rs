//! What every page's context gets beyond its own content: its last-change
//! date, the feedback links, whether the site has a feed and source sections.

use serde_json::json;
use tera::Context;

use super::model::Model;
use super::{PageKey, RenderError};

/// The id and writer's `updated` of the item a page shows, if it shows one.
fn item<'a>(
    m: &'a Model<'_>,
    key: &PageKey,
) -> Option<(&'a str, Option<&'a toml::value::Datetime>)> {
    let site = m.site;
    match key {
        PageKey::Entry(id) => m
            .entry(id)
            .map(|(_, e)| (e.id.as_str(), e.front.updated.as_ref())),
        PageKey::Rejection(id) => site
            .rejections
            .iter()
            .find(|r| &r.id == id)
            .map(|r| (r.id.as_str(), r.front.updated.as_ref())),
        PageKey::Province(id) => site
            .provinces
            .iter()
            .find(|p| &p.id == id)
            .map(|p| (p.id.as_str(), None)),
        PageKey::Decision(id) => site
            .trees
            .iter()
            .find(|t| &t.id == id)
            .map(|t| (t.id.as_str(), None)),
        _ => None,
    }
}

/// Whether a page asks for feedback: pages that state rules or answers.
fn asks_feedback(key: &PageKey) -> bool {
    matches!(
        key,
        PageKey::Entry(_)
            | PageKey::Rejection(_)
            | PageKey::Province(_)
            | PageKey::Decision(_)
            | PageKey::Compare
            | PageKey::NameCheck
            | PageKey::Preapproval
    )
}

/// Adds `updated`, `feedback`, `feed` and `sections` to a page's context.
pub(super) fn insert(m: &Model<'_>, key: &PageKey, url: &str, ctx: &mut Context) {
    let site = m.site;
    let updated = item(m, key).and_then(|(id, front)| site.changed(id, front));
    ctx.insert(
        "updated",
        &updated.map(|iso| json!({"iso": iso, "date": iso.chars().take(10).collect::<String>()})),
    );
    let feedback = site
        .config
        .feedback
        .as_ref()
        .filter(|_| asks_feedback(key))
        .and_then(|fb| {
            let title = ctx
                .get("title")
                .and_then(|t| t.as_str())
                .unwrap_or(&site.config.title)
                .to_string();
            let page = format!("{}{url}", site.config.absolute_prefix());
            Some(json!({
                "helpful": fb.link(&m.t("feedback_subject_helpful"), &title, &page)?,
                "unhelpful": fb.link(&m.t("feedback_subject_unhelpful"), &title, &page)?,
                "report": fb.link(&m.t("feedback_subject_report"), &title, &page)?,
            }))
        });
    ctx.insert("feedback", &feedback);
    ctx.insert("feed", &m.has_feed);
    ctx.insert("sections", &m.has_sections);
}

impl Model<'_> {
    /// The Atom feed, when some answer has a date.
    pub fn feed_xml(&self) -> Result<Option<String>, RenderError> {
        let items = super::feed::items(self.site, |body| {
            let text = self.body(body)?.text;
            let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
            Ok::<_, RenderError>(flat.chars().take(200).collect())
        })?;
        Ok(super::feed::atom(self.site, &items))
    }
}
