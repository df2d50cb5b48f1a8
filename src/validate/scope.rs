//! Checks of `scope` and `moved_from`: an answer that names the site's
//! provider must say it is the provider's procedure (`scope = "provider"`) or
//! mark the provider's paragraphs with callouts; old ids must be well formed
//! and must not clash with a live id.

use std::collections::HashMap;
use std::ops::Range;

use toml::Spanned;

use crate::content::ids::{is_slug, parse_ref};
use crate::content::links::LinkTable;
use crate::content::scope::{callout_marker, callouts, mentions_outside_callouts};
use crate::content::{find_span_in, Body, Scope, Site};
use crate::diagnostics::{FileId, Report};

/// What of an item the scope rules look at.
struct Item<'a> {
    id: &'a str,
    kind: &'a str,
    file: FileId,
    front_offset: usize,
    scope: Option<&'a Spanned<Scope>>,
    /// Front-matter strings readers see (title, reason).
    front_texts: Vec<&'a str>,
    body: &'a Body,
}

/// Runs the scope rules over every entry and rejection; nothing happens on
/// a site without `provider` in `site.toml`.
pub(super) fn check(site: &Site, report: &mut Report) {
    let Some(provider) = site.config.provider.as_deref().filter(|p| !p.is_empty()) else {
        return;
    };
    let items = site
        .entries
        .iter()
        .map(|e| Item {
            id: &e.id,
            kind: "entry",
            file: e.body.file,
            front_offset: e.front_offset,
            scope: e.front.scope.as_ref(),
            front_texts: vec![e.front.title.as_str()],
            body: &e.body,
        })
        .chain(site.rejections.iter().map(|r| Item {
            id: &r.id,
            kind: "rejection",
            file: r.body.file,
            front_offset: r.front_offset,
            scope: r.front.scope.as_ref(),
            front_texts: vec![r.front.title.as_str(), r.front.reason.as_str()],
            body: &r.body,
        }));
    for item in items {
        check_item(&item, provider, report);
    }
}

fn check_item(item: &Item, provider: &str, report: &mut Report) {
    let scope = item.scope.map(|s| *s.get_ref());
    if scope == Some(Scope::Provider) {
        return;
    }
    let file = item.file;
    let body = item.body.text_in(&report.sources).unwrap_or_default();
    let no_callout = scope == Some(Scope::Mixed) && callouts(body, provider).is_empty();
    let in_body: Vec<Range<usize>> = mentions_outside_callouts(body, provider)
        .into_iter()
        .map(|r| r.start + item.body.offset..r.end + item.body.offset)
        .collect();
    let front_span = |report: &Report, text: &str| -> Option<Range<usize>> {
        let source = report.sources.text(file);
        let end = item.body.offset.min(source.len());
        let front = source.get(item.front_offset..end)?;
        let at = find_span_in(front, text);
        let inner = front.get(at.clone())?.find(provider)?;
        let start = item.front_offset + at.start + inner;
        Some(start..start + provider.len())
    };
    let in_front: Vec<Range<usize>> = if scope == Some(Scope::Mixed) {
        Vec::new()
    } else {
        item.front_texts
            .iter()
            .filter(|t| t.contains(provider))
            .filter_map(|t| front_span(report, t))
            .collect()
    };
    let marker = callout_marker(provider);
    match scope {
        None => {
            if let Some(span) = in_front.iter().chain(&in_body).next() {
                report
                    .warning(
                        file,
                        span.clone(),
                        format!(
                            "{} `{}` names {provider} but has no `scope`",
                            item.kind, item.id
                        ),
                    )
                    .label("provider named here")
                    .note(format!(
                        "add `scope = \"provider\"` when the whole answer is {provider}'s procedure, \
                         or `scope = \"mixed\"` and put {provider}'s paragraphs in `> {marker}` callouts"
                    ));
            }
        }
        Some(s) => {
            let spans: Vec<&Range<usize>> = in_front.iter().chain(&in_body).collect();
            for span in spans {
                report
                    .warning(
                        file,
                        span.clone(),
                        format!(
                            "{} `{}` has `scope = \"{}\"` but names {provider} outside a provider callout",
                            item.kind,
                            item.id,
                            s.key()
                        ),
                    )
                    .label("provider named outside a callout")
                    .note(format!(
                        "put this paragraph in a `> {marker}` callout, or use `scope = \"provider\"` \
                         when the whole answer is {provider}'s procedure"
                    ));
            }
            if s == Scope::Mixed && no_callout {
                let span = item
                    .scope
                    .map(|sp| {
                        sp.span().start + item.front_offset..sp.span().end + item.front_offset
                    })
                    .unwrap_or(0..3);
                report
                    .warning(
                        file,
                        span,
                        format!(
                            "{} `{}` has `scope = \"mixed\"` but no `> {marker}` callout",
                            item.kind, item.id
                        ),
                    )
                    .label("mixed without a callout")
                    .note("mark the provider's paragraphs with callouts, or choose another scope");
            }
        }
    }
}

/// Checks every `moved_from` id: an `@faq/<chapter>/<slug>` id, not the id
/// of live content, claimed by one entry only.
pub(super) fn check_moved(site: &Site, links: &LinkTable, report: &mut Report) {
    let mut claimed: HashMap<&str, &str> = HashMap::new();
    for e in &site.entries {
        let file = e.body.file;
        for old in &e.front.moved_from {
            let span = old.span().start + e.front_offset..old.span().end + e.front_offset;
            let text = old.get_ref().as_str();
            let well_formed = parse_ref(text).is_some_and(|r| {
                r.anchor.is_none()
                    && matches!(r.id.split('/').collect::<Vec<_>>().as_slice(),
                        ["faq", c, s] if is_slug(c) && is_slug(s))
            });
            if !well_formed {
                report
                    .error(
                        file,
                        span,
                        format!("`moved_from`: `{text}` is not a FAQ entry id (expected @faq/<chapter>/<slug>)"),
                    )
                    .label("not an entry id");
                continue;
            }
            let id = text.trim_start_matches('@');
            if links.get(id).is_some() {
                report
                    .error(
                        file,
                        span,
                        format!("`moved_from`: `{text}` is the id of live content"),
                    )
                    .label("clashes with a live id")
                    .note("an old id must not be used by any entry, chapter or other page");
                continue;
            }
            if let Some(prev) = claimed.insert(id, e.id.as_str()) {
                report
                    .error(
                        file,
                        span,
                        format!("`moved_from`: `{text}` is already claimed by `@{prev}`"),
                    )
                    .label("claimed twice");
            }
        }
    }
}
