//! The one analyser used for indexing and for queries: NFKC, lower case,
//! traditional → simplified characters ([`crate::t2s`]), CJK runs as overlapping character bigrams (or unigrams), Latin words and
//! digit runs as whole tokens.
//!
//! Dictionary-free on purpose: the browser gets no segmentation dictionary,
//! and because queries go through exactly the same function as documents, a
//! query can never be segmented differently from the text it should match.

use std::sync::Arc;

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use crate::charmap::CharMap;
use crate::nfkc::nfkc_char;
use crate::t2s::simplify;

/// Name of the bigram analyser in tantivy's tokenizer manager.
pub const GRAMS: &str = "zh_grams";
/// Name of the unigram analyser in tantivy's tokenizer manager.
pub const UNIGRAMS: &str = "zh_uni";
/// Name of the pinyin field's analyser: the writer hands it terms already
/// made ([`crate::pinyin`]), separated by spaces.
pub const PINYIN: &str = "zh_pinyin";

/// What an analyser emits for CJK text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Overlapping bigrams (a lone CJK character stays a unigram) plus Latin/digit words.
    Grams,
    /// One token per CJK character; Latin/digit words are left out.
    Unigrams,
}

/// One token with its byte range in the original (un-normalised) text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// Normalised token text.
    pub text: String,
    /// Start byte in the analysed text.
    pub from: usize,
    /// End byte in the analysed text.
    pub to: usize,
    /// Token position (adjacent bigrams have adjacent positions).
    pub position: usize,
}

/// True for characters segmented as CJK (Han, kana, Hangul, CJK symbols that are letters).
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF     // Hiragana, Katakana
        | 0x3400..=0x4DBF   // CJK Extension A
        | 0x4E00..=0x9FFF   // CJK Unified Ideographs
        | 0xAC00..=0xD7AF   // Hangul syllables
        | 0xF900..=0xFAFF   // CJK Compatibility Ideographs
        | 0x20000..=0x2FA1F // Extensions B–F, compatibility supplement
    ) || c == '〇'
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Cjk,
    Word,
    Other,
}

fn class(c: char) -> Class {
    if is_cjk(c) {
        Class::Cjk
    } else if c.is_alphanumeric() {
        Class::Word
    } else {
        Class::Other
    }
}

/// Calls `f(char, from, to)` for each normalised character with the byte
/// range of the source character it came from.
fn normalize_with(text: &str, mut f: impl FnMut(char, usize, usize)) {
    for (i, c) in text.char_indices() {
        let end = i + c.len_utf8();
        // Fast paths: NFKC leaves ASCII and the unified ideographs unchanged.
        if c.is_ascii() {
            f(c.to_ascii_lowercase(), i, end);
            continue;
        }
        if ('\u{4E00}'..='\u{9FFF}').contains(&c) {
            f(simplify(c).unwrap_or(c), i, end);
            continue;
        }
        // Per-character NFKC keeps offsets exact; it covers what matters here
        // (full-width → half-width, compatibility ideographs, circled digits).
        let mut buf = [0u8; 4];
        let nfkc = nfkc_char(c).unwrap_or_else(|| c.encode_utf8(&mut buf));
        for n in nfkc.chars() {
            for l in n.to_lowercase() {
                f(simplify(l).unwrap_or(l), i, end);
            }
        }
    }
}

/// Normalised characters with the byte range of the source character each came from.
fn normalized_chars(text: &str) -> Vec<(char, usize, usize)> {
    let mut out = Vec::with_capacity(text.len());
    normalize_with(text, |c, from, to| out.push((c, from, to)));
    out
}

/// Calls `f` for each character of `text` as [`normalize`] gives it.
pub fn for_each_normalized(text: &str, mut f: impl FnMut(char)) {
    normalize_with(text, |c, _, _| f(c));
}

/// `text` NFKC-normalised, lower-cased and simplified exactly as the analysers see it.
pub fn normalize(text: &str) -> String {
    normalized_chars(text).into_iter().map(|c| c.0).collect()
}

/// Analyses `text` into terms.
pub fn analyze(text: &str, mode: Mode) -> Vec<Term> {
    let mut terms = Vec::new();
    for_each_term(text, mode, |t, from, to, position| {
        terms.push(Term {
            text: t.to_string(),
            from,
            to,
            position,
        })
    });
    terms
}

/// Folds an English plural to its singular with Harman's S-stemmer, so that
/// `notes`/`note` and `devices`/`device` meet: `-ies` → `-y` (not `-eies`,
/// `-aies`), otherwise a final `-s` goes (not `-us`, `-ss`; its `-es` rule
/// also just drops the `s`). Only lower-case ASCII words longer than three
/// letters change, so acronyms such as `dns` or `sms` stay whole; documents
/// and queries go through the same function, so the folding never has to be
/// exact English.
pub fn fold_english_plural(word: &mut String) {
    if word.len() <= 3 || !word.bytes().all(|b| b.is_ascii_lowercase()) {
        return;
    }
    if word.ends_with("ies") && !word.ends_with("eies") && !word.ends_with("aies") {
        word.truncate(word.len() - 3);
        word.push('y');
    } else if word.ends_with('s') && !(word.ends_with("us") || word.ends_with("ss")) {
        word.pop();
    }
}

/// Calls `f(text, from, to, position)` for every term of [`analyze`], without
/// allocating a string per term (snippets analyse whole bodies per hit).
pub fn for_each_term(text: &str, mode: Mode, mut f: impl FnMut(&str, usize, usize, usize)) {
    let chars = normalized_chars(text);
    let mut buf = String::new();
    let mut emit = |run: &[(char, usize, usize)], position: usize, word: bool| {
        buf.clear();
        buf.extend(run.iter().map(|c| c.0));
        if word {
            fold_english_plural(&mut buf);
        }
        let from = run.first().map_or(0, |c| c.1);
        let to = run.last().map_or(0, |c| c.2);
        f(&buf, from, to, position);
    };
    let mut position = 0usize;
    let mut i = 0;
    while i < chars.len() {
        let cls = class(chars[i].0);
        let mut j = i + 1;
        while j < chars.len() && class(chars[j].0) == cls {
            j += 1;
        }
        let run = &chars[i..j];
        match (cls, mode) {
            (Class::Cjk, Mode::Grams) if run.len() == 1 => {
                emit(run, position, false);
                position += 1;
            }
            (Class::Cjk, Mode::Grams) => {
                for w in run.windows(2) {
                    emit(w, position, false);
                    position += 1;
                }
            }
            (Class::Cjk, Mode::Unigrams) => {
                for c in run {
                    emit(std::slice::from_ref(c), position, false);
                    position += 1;
                }
            }
            (Class::Word, Mode::Grams) => {
                emit(run, position, true);
                position += 1;
            }
            _ => {}
        }
        i = j;
    }
}

/// [`analyze`] as a tantivy tokenizer, terms encoded by the index's [`CharMap`].
#[derive(Debug, Clone)]
pub struct ZhTokenizer {
    /// Bigrams or unigrams.
    pub mode: Mode,
    /// The index's term encoding.
    pub map: Arc<CharMap>,
}

/// The terms of [`analyze`], encoded, one at a time into one reused token
/// (indexing makes a term per character of every page: a string and a
/// token apiece were a sixth of a large build's time).
pub struct ZhTokenStream {
    chars: Vec<(char, usize, usize)>,
    mode: Mode,
    map: Arc<CharMap>,
    /// The current run of one class: start, end (exclusive), class.
    run: (usize, usize, Class),
    /// Where the next term of the run starts.
    next: usize,
    position: usize,
    buf: String,
    token: Token,
}

impl ZhTokenStream {
    /// The next term's character range and whether it is a word, moving on
    /// to the next run when this one has no more (as [`for_each_term`]).
    fn next_span(&mut self) -> Option<(usize, usize, bool)> {
        loop {
            let (s, e, cls) = self.run;
            let k = self.next;
            match (cls, self.mode) {
                (Class::Cjk, Mode::Grams) if e - s == 1 && k == s => {
                    self.next = e;
                    return Some((s, e, false));
                }
                (Class::Cjk, Mode::Grams) if e - s > 1 && k + 1 < e => {
                    self.next = k + 1;
                    return Some((k, k + 2, false));
                }
                (Class::Cjk, Mode::Unigrams) if k < e => {
                    self.next = k + 1;
                    return Some((k, k + 1, false));
                }
                (Class::Word, Mode::Grams) if k == s => {
                    self.next = e;
                    return Some((s, e, true));
                }
                _ => {}
            }
            if e >= self.chars.len() {
                return None;
            }
            let cls = class(self.chars[e].0);
            let mut j = e + 1;
            while j < self.chars.len() && class(self.chars[j].0) == cls {
                j += 1;
            }
            self.run = (e, j, cls);
            self.next = e;
        }
    }
}

impl Tokenizer for ZhTokenizer {
    type TokenStream<'a> = ZhTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> ZhTokenStream {
        ZhTokenStream {
            chars: normalized_chars(text),
            mode: self.mode,
            map: Arc::clone(&self.map),
            run: (0, 0, Class::Other),
            next: 0,
            position: 0,
            buf: String::new(),
            token: Token::default(),
        }
    }
}

impl TokenStream for ZhTokenStream {
    fn advance(&mut self) -> bool {
        let Some((a, b, word)) = self.next_span() else {
            return false;
        };
        let run = &self.chars[a..b];
        self.buf.clear();
        self.buf.extend(run.iter().map(|c| c.0));
        if word {
            fold_english_plural(&mut self.buf);
        }
        self.token.text.clear();
        self.map.encode_into(&self.buf, &mut self.token.text);
        self.token.offset_from = run.first().map_or(0, |c| c.1);
        self.token.offset_to = run.last().map_or(0, |c| c.2);
        self.token.position = self.position;
        self.token.position_length = 1;
        self.position += 1;
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// Registers both analysers on an index (the writer and every reader must do this).
pub fn register(index: &tantivy::Index, map: &Arc<CharMap>) {
    let m = index.tokenizers();
    for (name, mode) in [(GRAMS, Mode::Grams), (UNIGRAMS, Mode::Unigrams)] {
        let map = Arc::clone(map);
        m.register(name, ZhTokenizer { mode, map });
    }
    m.register(PINYIN, tantivy::tokenizer::WhitespaceTokenizer::default());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str, mode: Mode) -> Vec<String> {
        analyze(s, mode).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn the_token_stream_gives_the_terms_of_analyze_encoded() {
        let texts = [
            "",
            "网",
            "网站备案",
            "ICP备案号 京ICP备12345678号-1，Notes on devices；廣東省 ① ＡＢＣ 다음",
            "a 网 b 站站 。。 x",
        ];
        let map = Arc::new(CharMap::from_texts(texts));
        for mode in [Mode::Grams, Mode::Unigrams] {
            for text in texts {
                let expected: Vec<(String, usize, usize, usize)> = analyze(text, mode)
                    .into_iter()
                    .map(|t| (map.encode(&t.text), t.from, t.to, t.position))
                    .collect();
                let mut tok = ZhTokenizer {
                    mode,
                    map: Arc::clone(&map),
                };
                let mut stream = tok.token_stream(text);
                let mut got = Vec::new();
                while stream.advance() {
                    let t = stream.token();
                    got.push((t.text.clone(), t.offset_from, t.offset_to, t.position));
                }
                assert_eq!(got, expected, "{mode:?} {text:?}");
            }
        }
    }

    #[test]
    fn cjk_runs_become_overlapping_bigrams() {
        assert_eq!(texts("网站备案", Mode::Grams), ["网站", "站备", "备案"]);
        let t = analyze("网站备案", Mode::Grams);
        assert_eq!(t.iter().map(|t| t.position).collect::<Vec<_>>(), [0, 1, 2]);
        assert_eq!((t[1].from, t[1].to), (3, 9));
    }

    #[test]
    fn english_plurals_meet_their_singulars() {
        assert_eq!(
            texts(
                "Exporting Notes on two devices, policies and passes",
                Mode::Grams
            ),
            [
                "exporting",
                "note",
                "on",
                "two",
                "device",
                "policy",
                "and",
                "passe"
            ]
        );
        assert_eq!(
            texts("note device policy", Mode::Grams),
            ["note", "device", "policy"]
        );
        // Acronyms, -us, -ss and other scripts stay as they are.
        assert_eq!(
            texts("DNS SMS iOS status class Bücher", Mode::Grams),
            ["dns", "sms", "ios", "status", "class", "bücher"]
        );
        // The range still covers the word as written.
        let t = analyze("notes", Mode::Grams);
        assert_eq!((t[0].from, t[0].to), (0, 5));
    }

    #[test]
    fn lone_cjk_character_is_a_unigram() {
        assert_eq!(texts("码", Mode::Grams), ["码"]);
        assert_eq!(texts("京ICP备", Mode::Grams), ["京", "icp", "备"]);
    }

    #[test]
    fn unigram_mode_keeps_only_cjk_characters() {
        assert_eq!(texts("域名 DNS", Mode::Unigrams), ["域", "名"]);
    }

    #[test]
    fn latin_words_and_digit_runs_stay_whole() {
        assert_eq!(
            texts("APP 的 IPv6、DNS 和 MD5", Mode::Grams),
            ["app", "的", "ipv6", "dns", "和", "md5"]
        );
        assert_eq!(
            texts("2021年拨打4000955988", Mode::Grams),
            ["2021", "年拨", "拨打", "4000955988"]
        );
        assert_eq!(
            texts("粤ICP备12345678号-1", Mode::Grams),
            ["粤", "icp", "备", "12345678", "号", "1"]
        );
    }

    #[test]
    fn nfkc_folds_full_width_and_keeps_source_offsets() {
        let t = analyze("ＩＣＰ备案１２３", Mode::Grams);
        assert_eq!(
            t.iter().map(|t| t.text.as_str()).collect::<Vec<_>>(),
            ["icp", "备案", "123"]
        );
        // Offsets point into the original full-width text.
        assert_eq!((t[0].from, t[0].to), (0, 9));
        assert_eq!(&"ＩＣＰ备案１２３"[t[2].from..t[2].to], "１２３");
    }

    #[test]
    fn positions_of_adjacent_runs_are_adjacent() {
        let t = analyze("ICP备案号", Mode::Grams);
        assert_eq!(
            t.iter()
                .map(|t| (t.text.as_str(), t.position))
                .collect::<Vec<_>>(),
            [("icp", 0), ("备案", 1), ("案号", 2)]
        );
    }

    #[test]
    fn traditional_text_meets_simplified_terms_with_source_offsets() {
        assert_eq!(texts("備案號", Mode::Grams), texts("备案号", Mode::Grams));
        assert_eq!(normalize("網站已註銷"), "网站已注销");
        let t = analyze("ＩＣＰ備案", Mode::Grams);
        assert_eq!(&"ＩＣＰ備案"[t[1].from..t[1].to], "備案");
    }

    #[test]
    fn punctuation_and_spaces_only_separate() {
        assert!(analyze("，。！？ ——", Mode::Grams).is_empty());
    }
}
