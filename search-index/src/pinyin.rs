//! Toneless pinyin of titles and aliases, so that `beian shenhe` (pinyin
//! typed without an IME) and homophone slips of an IME (管局退会 for
//! 管局退回) still meet their pages.
//!
//! Terms are pairs of adjacent syllables joined (`beian` for 备案), like the
//! character bigrams, plus pairs of initials marked with [`INITIALS`]
//! (`_ba`). The table comes from the `pinyin` crate at build time (writer
//! only) and holds just the characters the site uses; it ships in the index
//! blob, so the browser carries no pinyin dictionary.

use std::collections::{HashMap, HashSet};

use crate::tokenizer::{analyze, is_cjk, normalize, Mode};

/// Prefix of an initials term (`_ba`), so it never equals a syllable pair.
pub const INITIALS: char = '_';
/// Longest Latin word read as initials (a whole query of one short word).
const MAX_INITIALS: usize = 5;
/// Longest syllable (`zhuang`).
const MAX_SYLLABLE: usize = 6;

/// Character → toneless syllable, for the characters of one site.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PinyinTable {
    syllables: HashMap<char, String>,
    known: HashSet<String>,
}

impl PinyinTable {
    /// Parses the blob form: one line per syllable, `syllable` then its characters.
    pub fn parse(text: &str) -> PinyinTable {
        let mut syllables = HashMap::new();
        for line in text.lines() {
            let Some((s, chars)) = line.split_once(' ') else {
                continue;
            };
            for c in chars.chars() {
                syllables.insert(c, s.to_string());
            }
        }
        PinyinTable::from_map(syllables)
    }

    fn from_map(syllables: HashMap<char, String>) -> PinyinTable {
        let known = syllables.values().cloned().collect();
        PinyinTable { syllables, known }
    }

    /// The table of every CJK character in `texts` (after normalising) and
    /// of the common characters (GB2312 level 1: an IME slip types those),
    /// from the `pinyin` crate.
    #[cfg(feature = "writer")]
    pub fn for_texts<'a>(texts: impl IntoIterator<Item = &'a str>) -> PinyinTable {
        use pinyin::ToPinyin;
        let mut syllables = HashMap::new();
        let mut texts: Vec<String> = texts.into_iter().map(normalize).collect();
        texts.push(gb2312_level1());
        for text in &texts {
            for c in text.chars().filter(|&c| is_cjk(c)) {
                if syllables.contains_key(&c) {
                    continue;
                }
                if let Some(p) = c.to_pinyin() {
                    let plain = p.plain();
                    if !plain.is_empty() && plain.bytes().all(|b| b.is_ascii_lowercase()) {
                        syllables.insert(c, plain.to_string());
                    }
                }
            }
        }
        PinyinTable::from_map(syllables)
    }

    /// The blob form (sorted, so the same site gives the same bytes).
    pub fn to_text(&self) -> String {
        let mut by: std::collections::BTreeMap<&str, Vec<char>> = Default::default();
        for (c, s) in &self.syllables {
            by.entry(s.as_str()).or_default().push(*c);
        }
        let mut out = String::new();
        for (s, mut chars) in by {
            chars.sort_unstable();
            out.push_str(s);
            out.push(' ');
            out.extend(chars);
            out.push('\n');
        }
        out
    }

    /// Each CJK run of `text` as (character, syllable) pairs; a character
    /// without pinyin ends a run.
    fn runs(&self, text: &str) -> Vec<Vec<(char, &str)>> {
        let mut runs = vec![Vec::new()];
        for c in normalize(text).chars() {
            match self.syllables.get(&c).filter(|_| is_cjk(c)) {
                Some(s) => runs.last_mut().expect("never empty").push((c, s.as_str())),
                None => runs.push(Vec::new()),
            }
        }
        runs.retain(|r| r.len() >= 2);
        runs
    }

    /// The index terms of a title or alias: syllable pairs and initials pairs.
    pub fn doc_terms(&self, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        for run in self.runs(text) {
            for w in run.windows(2) {
                out.push(format!("{}{}", w[0].1, w[1].1));
                out.push(initials(w[0].1, w[1].1));
            }
        }
        out
    }

    /// `word` as syllables (fewest pieces), or `None` when it is not pinyin.
    fn segment<'w>(&self, word: &'w str) -> Option<Vec<&'w str>> {
        let n = word.len();
        // best[i]: fewest syllables covering word[..i], with the last cut.
        let mut best: Vec<Option<(usize, usize)>> = vec![None; n + 1];
        best[0] = Some((0, 0));
        for end in 1..=n {
            for start in end.saturating_sub(MAX_SYLLABLE)..end {
                let Some((count, _)) = best[start] else {
                    continue;
                };
                if !word.is_char_boundary(start) || !word.is_char_boundary(end) {
                    continue;
                }
                if self.known.contains(&word[start..end])
                    && best[end].is_none_or(|(c, _)| count + 1 < c)
                {
                    best[end] = Some((count + 1, start));
                }
            }
        }
        best[n]?;
        let mut pieces = Vec::new();
        let mut at = n;
        while at > 0 {
            let (_, start) = best[at]?;
            pieces.push(&word[start..at]);
            at = start;
        }
        pieces.reverse();
        Some(pieces)
    }

    /// True when `word` reads as two or more pinyin syllables (`beian`, not `app`).
    pub fn is_pinyin_word(&self, word: &str) -> bool {
        word.bytes().all(|b| b.is_ascii_lowercase())
            && self.segment(word).is_some_and(|p| p.len() >= 2)
    }

    /// The pinyin terms of a query: syllable pairs of its CJK runs (homophone
    /// slips; a bigram for which `exact(bigram)` holds is left out, its
    /// characters already match), syllable pairs of consecutive Latin words
    /// that read as pinyin, and initials pairs when the whole query is one
    /// short Latin word.
    pub fn query_terms(&self, query: &str, exact: &dyn Fn(&str) -> bool) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut push = |t: String| {
            if !out.contains(&t) {
                out.push(t);
            }
        };
        for run in self.runs(query) {
            for w in run.windows(2) {
                let bigram: String = [w[0].0, w[1].0].iter().collect();
                if !exact(&bigram) {
                    push(format!("{}{}", w[0].1, w[1].1));
                }
            }
        }
        let terms = analyze(query, Mode::Grams);
        let latin = |t: &str| t.bytes().all(|b| b.is_ascii_lowercase());
        let mut seq: Vec<String> = Vec::new();
        let mut last_pos = None;
        let flush = |seq: &mut Vec<String>, push: &mut dyn FnMut(String)| {
            for w in seq.windows(2) {
                push(format!("{}{}", w[0], w[1]));
            }
            seq.clear();
        };
        for t in &terms {
            let pieces = latin(&t.text).then(|| self.segment(&t.text)).flatten();
            match pieces {
                Some(p) if last_pos.is_none_or(|l| l + 1 == t.position) => {
                    seq.extend(p.iter().map(|s| s.to_string()));
                }
                Some(p) => {
                    flush(&mut seq, &mut push);
                    seq.extend(p.iter().map(|s| s.to_string()));
                }
                None => flush(&mut seq, &mut push),
            }
            last_pos = Some(t.position);
        }
        flush(&mut seq, &mut push);
        if let [only] = terms.as_slice() {
            let w = only.text.as_str();
            let syllables = self.segment(w).map_or(0, |p| p.len());
            if latin(w) && (2..=MAX_INITIALS).contains(&w.len()) && syllables < 2 {
                let b = w.as_bytes();
                for p in b.windows(2) {
                    push(format!("{INITIALS}{}{}", p[0] as char, p[1] as char));
                }
            }
        }
        out
    }

    /// True when the table is empty (an index without pinyin).
    pub fn is_empty(&self) -> bool {
        self.syllables.is_empty()
    }
}

/// The 3,755 characters of GB2312 level 1 (rows 0xB0–0xD7; the last row has 89).
#[cfg(feature = "writer")]
fn gb2312_level1() -> String {
    let mut bytes = Vec::with_capacity(3755 * 2);
    for row in 0xB0u8..=0xD7 {
        let last = if row == 0xD7 { 0xF9 } else { 0xFE };
        for col in 0xA1u8..=last {
            bytes.extend([row, col]);
        }
    }
    encoding_rs::GBK
        .decode_without_bom_handling(&bytes)
        .0
        .into_owned()
}

fn initials(a: &str, b: &str) -> String {
    let first = |s: &str| s.chars().next().unwrap_or(INITIALS);
    format!("{INITIALS}{}{}", first(a), first(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> PinyinTable {
        PinyinTable::parse("an 案\nbei 备\nshen 审\nhe 核\nhui 回会\ntui 退\nguan 管\nju 局\n")
    }

    #[cfg(feature = "writer")]
    #[test]
    fn common_characters_are_in_every_table() {
        let common = gb2312_level1();
        assert_eq!(common.chars().count(), 3755);
        assert!(common.starts_with('啊') && common.ends_with('座'));
        let t = PinyinTable::for_texts(["备案"]);
        // 寻 is in no text here, yet a slip such as 查寻 has its pinyin.
        assert_eq!(t.query_terms("查寻", &|_| false), ["chaxun"]);
    }

    #[test]
    fn blob_form_round_trips() {
        let t = table();
        assert_eq!(PinyinTable::parse(&t.to_text()), t);
    }

    #[test]
    fn titles_give_syllable_and_initials_pairs() {
        assert_eq!(
            table().doc_terms("备案审核"),
            ["beian", "_ba", "anshen", "_as", "shenhe", "_sh"]
        );
        // A character without pinyin (here 的) breaks the run.
        assert_eq!(
            table().doc_terms("备案的审核"),
            ["beian", "_ba", "shenhe", "_sh"]
        );
    }

    #[test]
    fn pinyin_typed_without_an_ime_becomes_syllable_pairs() {
        let t = table();
        assert_eq!(
            t.query_terms("beian shenhe", &|_| false),
            ["beian", "anshen", "shenhe"]
        );
        assert_eq!(t.query_terms("bei an", &|_| false), ["beian"]);
        assert_eq!(
            t.query_terms("beianshenhe", &|_| false),
            ["beian", "anshen", "shenhe"]
        );
        // English words are not pinyin and break the sequence.
        assert_eq!(
            t.query_terms("beian filing shenhe", &|_| false),
            ["beian", "shenhe"]
        );
        assert_eq!(
            t.query_terms("bei filing an", &|_| false),
            Vec::<String>::new()
        );
    }

    #[test]
    fn homophone_slips_meet_through_their_syllables() {
        let t = table();
        assert_eq!(
            t.query_terms("管局退会", &|_| false),
            ["guanju", "jutui", "tuihui"]
        );
        assert!(t.doc_terms("退回").contains(&"tuihui".to_string()));
        // Bigrams that match as characters get no pinyin term.
        assert_eq!(
            t.query_terms("管局退会", &|b| b == "管局"),
            ["jutui", "tuihui"]
        );
    }

    #[test]
    fn one_short_word_is_also_read_as_initials() {
        let t = table();
        assert_eq!(t.query_terms("ba", &|_| false), ["_ba"]);
        assert_eq!(t.query_terms("bash", &|_| false), ["_ba", "_as", "_sh"]);
        assert!(t
            .query_terms("beian", &|_| false)
            .iter()
            .all(|x| !x.starts_with(INITIALS)));
    }
}
