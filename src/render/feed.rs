//! `/feed.xml`: an Atom feed of the answers that changed most recently, so
//! support agents and site owners can follow rule changes.
//!
//! An item is in the feed only when it has a date (its `updated`, or its
//! file's last commit, see [`crate::content::dates`]); a site with no dated
//! item has no feed.

use super::markdown::escape;
use crate::content::{Body, Site};

/// Most items the feed lists, newest first.
pub const FEED_LIMIT: usize = 50;

/// One item of the feed.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedItem {
    /// Title.
    pub title: String,
    /// Site path (`/faq/x/y/`).
    pub path: String,
    /// RFC 3339 timestamp.
    pub updated: String,
    /// Plain-text summary.
    pub summary: String,
}

/// A date as an Atom `updated` value: full RFC 3339 timestamps stay as they
/// are, a bare date (`2026-03-01`) becomes midnight UTC.
pub fn atom_time(date: &str) -> String {
    if date.len() == 10 {
        format!("{date}T00:00:00Z")
    } else {
        date.replacen(' ', "T", 1)
    }
}

/// The dated FAQ entries and rejections of `site`, newest first (then by
/// path); `summary` makes the text of each listed one from its body.
pub fn items<E>(
    site: &Site,
    summary: impl Fn(&Body) -> Result<String, E>,
) -> Result<Vec<FeedItem>, E> {
    let faq = site.entries.iter().map(|e| {
        (
            e.id.clone(),
            &e.front.title,
            site.changed(&e.id, e.front.updated.as_ref()),
            format!("/{}/", e.id),
            &e.body,
        )
    });
    let rejections = site.rejections.iter().map(|r| {
        (
            r.id.clone(),
            &r.front.title,
            site.changed(&r.id, r.front.updated.as_ref()),
            format!("/rejections/{}/", r.slug),
            &r.body,
        )
    });
    let mut dated: Vec<(String, String, String, &Body)> = faq
        .chain(rejections)
        .filter_map(|(_, title, date, path, body)| {
            Some((atom_time(&date?), path, title.clone(), body))
        })
        .collect();
    // Timestamps from git carry their zone; compare them as instants.
    dated.sort_by(|a, b| instant(&b.0).cmp(&instant(&a.0)).then(a.1.cmp(&b.1)));
    dated.truncate(FEED_LIMIT);
    dated
        .into_iter()
        .map(|(updated, path, title, body)| {
            Ok(FeedItem {
                title,
                path,
                updated,
                summary: summary(body)?,
            })
        })
        .collect()
}

/// Seconds since the epoch of an RFC 3339 timestamp (0 when unreadable).
fn instant(ts: &str) -> i64 {
    let Ok(d) = ts.parse::<toml::value::Datetime>() else {
        return 0;
    };
    let (Some(date), Some(time)) = (d.date, d.time) else {
        return 0;
    };
    let offset_min = match d.offset {
        Some(toml::value::Offset::Custom { minutes }) => i64::from(minutes),
        _ => 0,
    };
    days_from_civil(
        i64::from(date.year),
        i64::from(date.month),
        i64::from(date.day),
    ) * 86_400
        + i64::from(time.hour) * 3600
        + i64::from(time.minute) * 60
        + i64::from(time.second)
        - offset_min * 60
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The Atom document; `None` when no item has a date.
pub fn atom(site: &Site, items: &[FeedItem]) -> Option<String> {
    let first = items.first()?;
    let base = site.config.absolute_prefix();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str(&format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n  <title>{}</title>\n  <id>{}/</id>\n  <link rel=\"self\" href=\"{}/feed.xml\"/>\n  <link href=\"{}/\"/>\n  <updated>{}</updated>\n  <author><name>{}</name></author>\n",
        escape(&site.config.language),
        escape(&site.config.title),
        escape(base),
        escape(base),
        escape(base),
        escape(&first.updated),
        escape(&site.config.title),
    ));
    for it in items {
        let url = format!("{base}{}", it.path);
        out.push_str(&format!(
            "  <entry>\n    <title>{}</title>\n    <id>{}</id>\n    <link href=\"{}\"/>\n    <updated>{}</updated>\n    <summary>{}</summary>\n  </entry>\n",
            escape(&it.title),
            escape(&url),
            escape(&url),
            escape(&it.updated),
            escape(&it.summary),
        ));
    }
    out.push_str("</feed>\n");
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_become_atom_timestamps_and_sort_as_instants() {
        assert_eq!(atom_time("2026-03-01"), "2026-03-01T00:00:00Z");
        assert_eq!(
            atom_time("2026-03-01T08:00:00+08:00"),
            "2026-03-01T08:00:00+08:00"
        );
        // 08:00 in Beijing is midnight UTC, before 01:00 UTC.
        assert!(instant("2026-03-01T08:00:00+08:00") < instant("2026-03-01T01:00:00Z"));
        assert_eq!(instant("1970-01-02T00:00:00Z"), 86_400);
    }
}
