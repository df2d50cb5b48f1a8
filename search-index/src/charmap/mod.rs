//! Compact term encoding for CJK text.
//!
//! A CJK character takes three bytes in UTF-8, so a bigram term takes six, and
//! the term dictionary (an FST over those bytes) is the largest part of the
//! index download. A knowledge base uses about a thousand distinct characters,
//! so the index renumbers them: the [`CAPACITY`] common characters of a fixed
//! table get the two-byte code points from U+0100, and a bigram term takes
//! four bytes. The ranking ships in the index blob; the writer and the engine
//! encode every term through the same [`CharMap`], so queries match exactly
//! what was indexed. Other characters keep their own code.

use std::collections::HashMap;

use crate::tokenizer::{for_each_normalized, is_cjk};

/// First code point characters are renumbered to (ASCII and Latin-1 stay free).
const BASE: u32 = 0x100;
/// End (exclusive) of the two-byte UTF-8 range.
const END: u32 = 0x800;
/// How many characters get a two-byte code.
pub const CAPACITY: usize = (END - BASE) as usize;
/// Prefix of a non-CJK term that uses a code point of the renumbered range
/// (e.g. a Greek or Cyrillic word), so it can never equal an encoded CJK term.
const ESCAPE: char = '\u{1}';

/// The renumbering of one index.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CharMap {
    codes: HashMap<char, char>,
    /// The same for the unified ideographs (nearly every character a page
    /// has), as a table: encoding is per character of every term indexed.
    unified: Vec<u16>,
    order: String,
}

/// The characters that may be renumbered, most frequent first, one line per
/// 64: the 1,107 characters of zhiku's ICP knowledge base ranked by frequency
/// (December 2026), then GB2312 level 1 (the 3,755 most common characters, in
/// its order) up to [`CAPACITY`], leaving out the few the analyser folds into
/// another character. Made once and fixed: changing it changes every index. A site's characters outside it keep their own (three-byte)
/// codes.
pub const COMMON: &str = include_str!("common.txt");

/// Stands for a character of [`COMMON`] that an index does not use, in the
/// ranking the blob stores (runtimes read it as a character no term has).
const GAP: char = '\u{0}';

/// [`COMMON`] as a map (every character in place).
fn common() -> &'static CharMap {
    static COMMON_MAP: std::sync::OnceLock<CharMap> = std::sync::OnceLock::new();
    COMMON_MAP.get_or_init(|| CharMap::from_order(&COMMON.replace('\n', "")))
}

/// The block of CJK unified ideographs, looked up by table.
const UNIFIED: std::ops::RangeInclusive<u32> = 0x4E00..=0x9FFF;

impl CharMap {
    /// The renumbering of an index of `texts`: the characters of
    /// [`COMMON`] that the (normalised) texts use keep their place in it, the
    /// others are gaps. A character's code never depends on the rest of the
    /// site, so an index cut in parts keeps every part an edit did not touch
    /// (see `writer::part_ranges`).
    pub fn from_texts<'a>(texts: impl IntoIterator<Item = &'a str>) -> CharMap {
        let common = common();
        let mut used = vec![false; CAPACITY];
        for text in texts {
            for_each_normalized(text, |c| {
                if let Some(code) = common.code(c) {
                    used[(code as u32 - BASE) as usize] = true;
                }
            });
        }
        CharMap::from_used(&used)
    }

    /// The renumbering of the characters of all of `maps` (made by
    /// [`CharMap::from_texts`] of parts of the texts): the map of all the texts.
    pub fn union<'a>(maps: impl IntoIterator<Item = &'a CharMap>) -> CharMap {
        let mut used = vec![false; CAPACITY];
        for map in maps {
            for (u, c) in used.iter_mut().zip(map.order.chars()) {
                *u |= c != GAP;
            }
        }
        CharMap::from_used(&used)
    }

    /// The map of the characters of [`COMMON`] at the places `used` marks.
    fn from_used(used: &[bool]) -> CharMap {
        let common = common();
        let end = used.iter().rposition(|u| *u).map_or(0, |i| i + 1);
        let order: String = common
            .order
            .chars()
            .zip(&used[..end])
            .map(|(c, used)| if *used { c } else { GAP })
            .collect();
        CharMap::from_order(&order)
    }

    /// The map whose ranking is `order` (as stored in the blob).
    pub fn from_order(order: &str) -> CharMap {
        let order: String = order.chars().take(CAPACITY).collect();
        let codes: HashMap<char, char> = order
            .chars()
            .zip((BASE..END).filter_map(char::from_u32))
            .filter(|(c, _)| *c != GAP)
            .collect();
        let mut unified = vec![0u16; UNIFIED.clone().count()];
        for (c, code) in &codes {
            let n = *c as u32;
            if UNIFIED.contains(&n) {
                // Codes are below U+0800; 0 means "not renumbered".
                unified[(n - UNIFIED.start()) as usize] = *code as u16;
            }
        }
        CharMap {
            codes,
            unified,
            order,
        }
    }

    /// The code of one character, if it is renumbered.
    fn code(&self, c: char) -> Option<char> {
        let n = c as u32;
        if UNIFIED.contains(&n) {
            let code = *self.unified.get((n - UNIFIED.start()) as usize)?;
            return (code != 0)
                .then(|| char::from_u32(u32::from(code)))
                .flatten();
        }
        self.codes.get(&c).copied()
    }

    /// The ranking, most frequent first (what the blob stores).
    pub fn order(&self) -> &str {
        &self.order
    }

    /// A term as the index stores it.
    pub fn encode(&self, term: &str) -> String {
        let mut out = String::with_capacity(term.len());
        self.encode_into(term, &mut out);
        out
    }

    /// [`CharMap::encode`] appended to `out` (the tokenizer reuses one buffer).
    pub fn encode_into(&self, term: &str, out: &mut String) {
        if term.chars().any(is_cjk) {
            out.extend(term.chars().map(|c| self.code(c).unwrap_or(c)));
        } else if term.chars().any(|c| (BASE..END).contains(&(c as u32))) {
            out.push(ESCAPE);
            out.push_str(term);
        } else {
            out.push_str(term);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_characters_get_two_byte_codes_whatever_else_the_site_has() {
        let map = CharMap::from_texts(["备案备案网站", "备案"]);
        assert_eq!(map.encode("备案"), "\u{100}\u{101}");
        assert_eq!(map.encode("备案").len(), 4);
        assert_eq!(CharMap::from_order(map.order()), map);
        // Unused characters of the table are gaps, up to the last used one.
        assert!(map.order().starts_with("备案\u{0}\u{0}网"));
        assert!(map.order().ends_with('站'));
        let other = CharMap::from_texts(["网站", "审核"]);
        assert_eq!(other.encode("网站"), map.encode("网站"));
        assert_eq!(CharMap::from_texts(std::iter::empty()).order(), "");
    }

    #[test]
    fn the_common_table_is_capacity_distinct_normalised_characters() {
        let chars: Vec<char> = COMMON.chars().filter(|&c| c != '\n').collect();
        assert_eq!(chars.len(), CAPACITY);
        let distinct: std::collections::HashSet<char> = chars.iter().copied().collect();
        assert_eq!(distinct.len(), CAPACITY);
        for c in chars {
            assert!(is_cjk(c), "{c:?}");
            assert_eq!(crate::tokenizer::normalize(&c.to_string()), c.to_string());
        }
    }

    #[test]
    fn other_terms_never_collide_with_encoded_ones() {
        let map = CharMap::from_texts(["备案"]);
        // Not in the map: unchanged (and absent from the index).
        assert_eq!(map.encode("域名"), "域名");
        assert_eq!(map.encode("icp"), "icp");
        assert_eq!(map.encode("2024"), "2024");
        // A word spelled with code points of the renumbered range is escaped.
        assert_eq!(map.encode("\u{100}\u{101}"), "\u{1}\u{100}\u{101}");
        assert_ne!(map.encode("\u{100}\u{101}"), map.encode("备案"));
    }

    #[test]
    fn characters_outside_the_table_keep_their_code() {
        // 龘 is in neither the knowledge base nor GB2312 level 1.
        let map = CharMap::from_texts(["龘备案"]);
        assert_eq!(map.encode("龘备"), "龘\u{100}");
        assert!(!map.order().contains('龘'));
    }
}
