//! Highlighting: matched terms wrapped in `<mark>`, everything else HTML-escaped.

use std::collections::HashSet;
use std::ops::Range;

use crate::tokenizer::{for_each_term, Mode};

/// Characters of body text shown in a snippet.
pub const SNIPPET_CHARS: usize = 96;
/// Characters of context kept before the first match of a snippet.
const LEAD_CHARS: usize = 16;
/// Where a snippet may start right after: sentence ends, and the separator
/// between table cells and list items.
const SENTENCE_ENDS: &[char] = &['。', '！', '？', '；', '!', '?', ';', '·', '|'];
/// How far a window edge moves to keep a number or Latin word whole.
const WORD_SLACK: usize = 12;

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// What to highlight: bigram/word terms, and lone CJK characters.
#[derive(Debug, Clone, Default)]
pub struct Marks {
    /// Terms as [`Mode::Grams`] emits them.
    pub grams: HashSet<String>,
    /// Single CJK characters (from one-character query runs).
    pub chars: HashSet<String>,
}

/// Byte ranges of `text` to mark, merged and sorted.
pub fn match_ranges(text: &str, marks: &Marks) -> Vec<Range<usize>> {
    let mut ranges: Vec<Range<usize>> = Vec::new();
    for_each_term(text, Mode::Grams, |t, from, to, _| {
        if marks.grams.contains(t) {
            ranges.push(from..to);
        }
    });
    if !marks.chars.is_empty() {
        for_each_term(text, Mode::Unigrams, |t, from, to, _| {
            if marks.chars.contains(t) {
                ranges.push(from..to);
            }
        });
    }
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    merged
}

/// `text[window]` escaped, with the given ranges marked.
fn render(text: &str, window: Range<usize>, ranges: &[Range<usize>]) -> String {
    let mut out = String::new();
    let mut at = window.start;
    for r in ranges {
        // Only whole terms are marked: one cut by the window edge is not.
        let (start, end) = (r.start, r.end);
        if start < window.start || end > window.end || start < at {
            continue;
        }
        out.push_str(&escape(&text[at..start]));
        out.push_str("<mark>");
        out.push_str(&escape(&text[start..end]));
        out.push_str("</mark>");
        at = end;
    }
    out.push_str(&escape(&text[at..window.end]));
    out
}

/// The whole text, escaped, with matches marked (for titles).
pub fn highlight(text: &str, marks: &Marks) -> String {
    render(text, 0..text.len(), &match_ranges(text, marks))
}

/// A window of `text` around its densest cluster of matches, escaped and marked.
pub fn snippet(text: &str, marks: &Marks) -> String {
    let ranges = match_ranges(text, marks);
    let bounds: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .collect();
    let chars = bounds.len() - 1;
    let char_at = |byte: usize| bounds.partition_point(|&b| b < byte);
    // Best window: the one starting shortly before a match that covers the
    // most matched text; the earliest wins ties. Ranges are sorted and
    // disjoint, so the ranges inside a window are a contiguous run and both
    // ends of that run only move forward (prefix sums give the coverage).
    let mut prefix = Vec::with_capacity(ranges.len() + 1);
    prefix.push(0usize);
    for r in &ranges {
        prefix.push(prefix[prefix.len() - 1] + (r.end - r.start));
    }
    let mut best = (0usize, 0usize, 0usize);
    let (mut lo, mut hi) = (0usize, 0usize);
    for r in &ranges {
        let anchor = char_at(r.start);
        let first = anchor.saturating_sub(LEAD_CHARS);
        let (start, end) = (bounds[first], bounds[(first + SNIPPET_CHARS).min(chars)]);
        while lo < ranges.len() && ranges[lo].start < start {
            lo += 1;
        }
        hi = hi.max(lo);
        while hi < ranges.len() && ranges[hi].end <= end {
            hi += 1;
        }
        let covered = prefix[hi] - prefix[lo];
        if covered > best.1 {
            best = (first, covered, anchor);
        }
    }
    // Start after the last sentence break before the match, when there is one
    // in the lead-in, rather than in the middle of a word.
    let (mut first, _, anchor) = best;
    if let Some(k) = (first..anchor)
        .rev()
        .find(|&k| text[bounds[k]..].starts_with(SENTENCE_ENDS))
    {
        first = k + 1;
        while first < anchor && text[bounds[first]..].starts_with(char::is_whitespace) {
            first += 1;
        }
    }
    let glued = |k: usize| {
        // True when a window edge at char `k` would split a Latin word or number.
        k > 0 && k < chars && {
            let a = text[bounds[k - 1]..bounds[k]].chars().next();
            let b = text[bounds[k]..bounds[k + 1]].chars().next();
            let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
            word(a) && word(b)
        }
    };
    // Keep a number or word whole: move the start back to its beginning (or,
    // for a very long one, past its end), and the end on to its end.
    let back = (0..=WORD_SLACK.min(first)).find(|&d| !glued(first - d));
    first = match back {
        Some(d) => first - d,
        None => (first..chars).find(|&k| !glued(k)).unwrap_or(first),
    };
    let mut last = (first + SNIPPET_CHARS).min(chars);
    let fwd = (0..=WORD_SLACK.min(chars - last)).find(|&d| !glued(last + d));
    last = match fwd {
        Some(d) => last + d,
        None => (first..last).rev().find(|&k| !glued(k)).unwrap_or(last),
    };
    let mut out = String::new();
    if first > 0 {
        out.push('…');
    }
    out.push_str(&render(text, bounds[first]..bounds[last], &ranges));
    if last < chars {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marks(words: &[&str]) -> Marks {
        Marks {
            grams: words.iter().map(|s| s.to_string()).collect(),
            chars: HashSet::new(),
        }
    }

    #[test]
    fn overlapping_bigrams_merge_into_one_mark() {
        assert_eq!(
            highlight("网站备案号在哪里", &marks(&["备案", "案号"])),
            "网站<mark>备案号</mark>在哪里"
        );
    }

    #[test]
    fn markup_in_text_is_escaped() {
        assert_eq!(
            highlight(
                "<img src=x onerror=alert(1)> 备案",
                &marks(&["img", "备案"])
            ),
            "&lt;<mark>img</mark> src=x onerror=alert(1)&gt; <mark>备案</mark>"
        );
    }

    #[test]
    fn snippet_centres_on_matches_and_marks_ellipses() {
        let text = format!("{}域名实名认证{}", "无关内容".repeat(40), "其他".repeat(60));
        let s = snippet(&text, &marks(&["实名", "认证", "名认"]));
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert!(s.contains("域名<mark>实名认证</mark>"), "{s}");
        assert!(s.chars().count() <= SNIPPET_CHARS + 2 + "<mark></mark>".len());
    }

    #[test]
    fn snippet_starts_after_a_sentence_break_in_the_lead_in() {
        let text = format!(
            "{}前一句。域名实名认证{}",
            "无关".repeat(40),
            "其他".repeat(60)
        );
        let s = snippet(&text, &marks(&["实名", "认证", "名认"]));
        assert!(s.starts_with("…域名<mark>实名认证</mark>"), "{s}");
    }

    #[test]
    fn snippet_edges_never_split_a_number_or_a_latin_word() {
        // The best window would start inside 20 and end inside "administration".
        let text = format!(
            "{}终审各省管局20 个工作日{}administration",
            "甲".repeat(30),
            "乙".repeat(SNIPPET_CHARS - 30)
        );
        let s = snippet(&text, &marks(&["工作", "作日"]));
        assert!(s.contains("20 个<mark>工作日</mark>"), "{s}");
        assert!(!s.contains("…0"), "{s}");
        assert!(s.ends_with("administration") || s.ends_with("乙…"), "{s}");
        let plain = s.replace("<mark>", "").replace("</mark>", "");
        let tail = plain.trim_end_matches('…');
        assert!(
            !tail.ends_with(|c: char| c.is_ascii_alphabetic()) || tail.ends_with("administration"),
            "{s}"
        );
    }

    #[test]
    fn snippet_starts_after_an_item_separator() {
        let text = format!(
            "{}初审 · 华为云 · 1~2 个工作日 · 终审 · 管局审核{}",
            "无关".repeat(40),
            "其他".repeat(60)
        );
        let s = snippet(&text, &marks(&["终审", "管局"]));
        assert!(
            s.starts_with("…<mark>终审</mark> · <mark>管局</mark>"),
            "{s}"
        );
    }

    #[test]
    fn a_term_cut_by_the_window_edge_is_not_marked() {
        let text = "域名实名认证";
        // Window over the last five characters only: 域名 is cut.
        let r = match_ranges(text, &marks(&["域名", "认证"]));
        let out = render(text, 3..text.len(), &r);
        assert_eq!(out, "名实名<mark>认证</mark>");
    }

    #[test]
    fn snippet_without_matches_is_the_start() {
        assert_eq!(snippet("短文本", &marks(&["备案"])), "短文本");
    }
}
