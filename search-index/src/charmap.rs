//! Compact term encoding for CJK text.
//!
//! A CJK character takes three bytes in UTF-8, so a bigram term takes six, and
//! the term dictionary (an FST over those bytes) is the largest part of the
//! index download. A knowledge base uses about a thousand distinct characters,
//! so the index renumbers them: ranked by frequency, the first [`CAPACITY`]
//! get the two-byte code points from U+0100, and a bigram term takes four
//! bytes. The ranking ships in the index blob; the writer and the engine
//! encode every term through the same [`CharMap`], so queries match exactly
//! what was indexed. Characters beyond the capacity keep their own code.

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

/// The block of CJK unified ideographs, looked up by table.
const UNIFIED: std::ops::RangeInclusive<u32> = 0x4E00..=0x9FFF;

impl CharMap {
    /// Ranks the (normalised) CJK characters of `texts` by frequency, ties by
    /// code point, so the same texts always give the same map.
    pub fn from_texts<'a>(texts: impl IntoIterator<Item = &'a str>) -> CharMap {
        // Unified ideographs counted in a table, the rest in a map.
        let mut unified = vec![0u64; UNIFIED.clone().count()];
        let mut counts: HashMap<char, u64> = HashMap::new();
        for text in texts {
            for_each_normalized(text, |c| {
                let n = c as u32;
                if UNIFIED.contains(&n) {
                    unified[(n - UNIFIED.start()) as usize] += 1;
                } else if is_cjk(c) {
                    *counts.entry(c).or_default() += 1;
                }
            });
        }
        let table = unified
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .filter_map(|(i, n)| Some((char::from_u32(UNIFIED.start() + i as u32)?, *n)));
        let mut ranked: Vec<(char, u64)> = counts.into_iter().chain(table).collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        CharMap::from_order(&ranked.iter().map(|r| r.0).collect::<String>())
    }

    /// The map whose ranking is `order` (as stored in the blob).
    pub fn from_order(order: &str) -> CharMap {
        let order: String = order.chars().take(CAPACITY).collect();
        let codes: HashMap<char, char> = order
            .chars()
            .zip((BASE..END).filter_map(char::from_u32))
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
    fn frequent_characters_get_two_byte_codes() {
        let map = CharMap::from_texts(["备案备案网站", "备案"]);
        assert_eq!(map.order(), "备案站网");
        assert_eq!(map.encode("备案"), "\u{100}\u{101}");
        assert_eq!(map.encode("备案").len(), 4);
        assert_eq!(CharMap::from_order(map.order()), map);
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
    fn only_capacity_characters_are_renumbered() {
        // Characters the analyser leaves as they are (traditional ones fold).
        let plain: Vec<char> = (0x4E00..0x9FFF)
            .filter_map(char::from_u32)
            .filter(|&c| crate::t2s::simplify(c).is_none())
            .take(CAPACITY + 10)
            .collect();
        let many: String = plain.iter().collect();
        let map = CharMap::from_texts([many.as_str()]);
        assert_eq!(map.order().chars().count(), CAPACITY);
        let last = plain[CAPACITY + 9];
        assert_eq!(map.encode(&last.to_string()), last.to_string());
        let first = map.encode("\u{4E00}");
        assert_eq!(first, "\u{100}");
    }
}
