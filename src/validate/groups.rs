//! Chapter groups (`[[group]]` in `_index.md`): every entry of the chapter
//! in exactly one group, and no group naming an entry that does not exist.

use std::collections::{HashMap, HashSet};

use crate::content::{Chapter, Site};
use crate::diagnostics::Report;

use super::shift;

/// Checks the groups of chapter `c` against the entries of its folder.
pub(super) fn check(site: &Site, c: &Chapter, report: &mut Report) {
    if c.front.groups.is_empty() {
        return;
    }
    let file = c.body.file;
    let off = c.front_offset;
    let slugs: HashSet<&str> = site
        .entries
        .iter()
        .filter(|e| e.chapter == c.slug)
        .map(|e| e.slug.as_str())
        .collect();
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for g in &c.front.groups {
        if g.title.trim().is_empty() {
            report
                .error(file, 0..3, "a `[[group]]` has an empty `title`")
                .label("group without a title");
        }
        for slug in &g.entries {
            let s = slug.get_ref().as_str();
            let span = shift(slug.span(), off);
            if !slugs.contains(s) && !site.unloaded.contains(&format!("faq/{}/{s}", c.slug)) {
                report
                    .error(
                        file,
                        span,
                        format!(
                            "group `{}` lists `{s}`, which is no entry of this chapter",
                            g.title
                        ),
                    )
                    .label("no such entry")
                    .note(format!(
                        "entries are the file stems of content/faq/{}/",
                        c.slug
                    ));
            } else if let Some(first) = seen.insert(s, &g.title) {
                report
                    .error(
                        file,
                        span,
                        format!("`{s}` is listed twice (groups `{first}` and `{}`)", g.title),
                    )
                    .label("listed again");
            }
        }
    }
    let mut missing: Vec<&str> = slugs
        .iter()
        .copied()
        .filter(|s| !seen.contains_key(s))
        .collect();
    missing.sort_unstable();
    if !missing.is_empty() {
        report
            .error(
                file,
                0..3,
                format!(
                    "`{}` has groups, but they do not list {}",
                    c.id,
                    missing
                        .iter()
                        .map(|s| format!("`{s}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
            .label("entries in no group")
            .note("add each entry's file stem to the `entries` of one `[[group]]`");
    }
}
