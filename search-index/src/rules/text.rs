//! Text helpers of the checkers: normalisation, keyword search on characters,
//! and the negation test of the pre-approval checker.

/// A text prepared for matching: full-width ASCII folded to half-width and
/// ASCII lower-cased, kept as characters so positions count characters.
pub(crate) struct Text {
    chars: Vec<char>,
}

/// One place a word occurs, in characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hit {
    /// The word as given (not normalised).
    pub word: String,
    /// First character.
    pub start: usize,
    /// One past the last character.
    pub end: usize,
}

/// Folds a character for matching: `Ｐ２Ｐ` and `p2p` both become `p2p`.
pub(crate) fn fold(c: char) -> char {
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    };
    c.to_ascii_lowercase()
}

/// True for CJK ideographs (the characters the content calls 汉字).
pub(crate) fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F)
}

impl Text {
    /// Prepares `s` for matching.
    pub fn new(s: &str) -> Self {
        Text {
            chars: s.chars().map(fold).collect(),
        }
    }

    /// The folded characters.
    pub fn chars(&self) -> &[char] {
        &self.chars
    }

    /// Every occurrence of every word, minus occurrences that lie inside a
    /// longer occurrence of another word (so 有限公司 is reported, not also 公司).
    pub fn find_all(&self, words: &[&str]) -> Vec<Hit> {
        let mut hits = Vec::new();
        for w in words {
            let needle: Vec<char> = w.chars().map(fold).collect();
            if needle.is_empty() || needle.len() > self.chars.len() {
                continue;
            }
            for start in 0..=self.chars.len() - needle.len() {
                if self.chars[start..start + needle.len()] == needle[..] {
                    hits.push(Hit {
                        word: w.to_string(),
                        start,
                        end: start + needle.len(),
                    });
                }
            }
        }
        let kept: Vec<Hit> = hits
            .iter()
            .filter(|h| {
                !hits.iter().any(|o| {
                    o.end - o.start > h.end - h.start && o.start <= h.start && h.end <= o.end
                })
            })
            .cloned()
            .collect();
        let mut kept = kept;
        kept.sort_by_key(|h| (h.start, h.end));
        kept
    }

    /// The distinct words of `hits`, in order of first occurrence.
    pub fn distinct(hits: &[Hit]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for h in hits {
            if !out.contains(&h.word) {
                out.push(h.word.clone());
            }
        }
        out
    }

    /// True when the word at `hit` is negated: a negating word (不涉及, 不含,
    /// 没有, 无, 非 …) comes before it in the same clause and nothing in between
    /// turns the sentence around (但, 涉及 …), or 无关 follows it in the clause.
    pub fn is_negated(&self, hit: &Hit) -> bool {
        let clause_start = self.chars[..hit.start]
            .iter()
            .rposition(|c| CLAUSE_BREAKS.contains(c))
            .map_or(0, |i| i + 1);
        let before = &self.chars[clause_start..hit.start];
        let clause_end = self.chars[hit.end..]
            .iter()
            .position(|c| CLAUSE_BREAKS.contains(c))
            .map_or(self.chars.len(), |i| hit.end + i);
        let after = &self.chars[hit.end..clause_end];
        if contains(after, &['无', '关']) {
            return true;
        }
        // The nearest negator before the word decides.
        let mut best: Option<usize> = None; // end index (in `before`) of the nearest negator
        for neg in NEGATORS {
            let n: Vec<char> = neg.chars().collect();
            if n.len() > before.len() {
                continue;
            }
            for s in 0..=before.len() - n.len() {
                if before[s..s + n.len()] == n[..] {
                    best = Some(best.map_or(s + n.len(), |b: usize| b.max(s + n.len())));
                }
            }
        }
        for neg in ['无', '非'] {
            // A lone 无/非 negates only what directly follows it (非新闻类, 无任何),
            // so 无线电视 and 非营利性教育 stay matches.
            for (s, c) in before.iter().enumerate() {
                if *c != neg {
                    continue;
                }
                let rest = &before[s + 1..];
                if rest.is_empty() || SINGLE_NEGATOR_FOLLOWERS.iter().any(|f| starts(rest, f)) {
                    best = Some(best.map_or(s + 1, |b: usize| b.max(s + 1)));
                }
            }
        }
        let Some(end) = best else { return false };
        let between = &before[end..];
        between.len() <= NEGATION_WINDOW
            && !TURNS.iter().any(|t| {
                let t: Vec<char> = t.chars().collect();
                contains(between, &t)
            })
    }
}

/// Characters ending a clause: negation does not reach past them.
const CLAUSE_BREAKS: &[char] = &[
    ',', '，', '。', '.', ';', '；', '!', '！', '?', '？', '\n', '\r', '|',
];

/// Words that negate what follows them in the clause.
const NEGATORS: &[&str] = &[
    "不涉及",
    "未涉及",
    "不含",
    "不包含",
    "不包括",
    "没有",
    "不提供",
    "不从事",
    "不开展",
    "不经营",
    "不做",
    "不是",
];

/// What may follow a lone 无/非 for it to count as a negation (besides the keyword itself,
/// which makes the text between empty).
const SINGLE_NEGATOR_FOLLOWERS: &[&str] = &["涉及", "任何", "相关"];

/// Words after a negator that start a new, positive statement.
const TURNS: &[&str] = &["但", "而", "却", "仅", "只", "涉及", "包括", "提供", "从事"];

/// How many characters may separate a negator from the word it negates.
const NEGATION_WINDOW: usize = 12;

fn starts(hay: &[char], needle: &str) -> bool {
    let n: Vec<char> = needle.chars().collect();
    hay.len() >= n.len() && hay[..n.len()] == n[..]
}

fn contains(hay: &[char], needle: &[char]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn negated(text: &str, word: &str) -> Vec<bool> {
        let t = Text::new(text);
        t.find_all(&[word])
            .iter()
            .map(|h| t.is_negated(h))
            .collect()
    }

    #[test]
    fn folds_full_width_and_case() {
        let t = Text::new("Ｐ２Ｐ网贷");
        assert_eq!(t.find_all(&["P2P"]).len(), 1);
    }

    #[test]
    fn longer_words_hide_the_words_inside_them() {
        let t = Text::new("某某有限公司");
        let hits = t.find_all(&["公司", "有限公司"]);
        assert_eq!(Text::distinct(&hits), vec!["有限公司"]);
        let t = Text::new("公司和有限公司");
        assert_eq!(
            Text::distinct(&t.find_all(&["公司", "有限公司"])),
            vec!["公司", "有限公司"]
        );
    }

    #[test]
    fn negation_cases() {
        let cases: &[(&str, &str, &[bool])] = &[
            ("本网站不涉及新闻", "新闻", &[true]),
            ("不涉及新闻、出版等内容", "出版", &[true]),
            ("不含任何教育内容", "教育", &[true]),
            ("没有直播功能", "直播", &[true]),
            ("无新闻栏目", "新闻", &[true]),
            ("非新闻类网站", "新闻", &[true]),
            ("与新闻无关的个人博客", "新闻", &[true]),
            ("提供新闻资讯", "新闻", &[false]),
            ("不涉及金融，提供新闻", "新闻", &[false]),
            ("不涉及金融但提供新闻", "新闻", &[false]),
            ("不涉及金融，但涉及新闻", "新闻", &[false]),
            ("无人机教育培训", "教育", &[false]),
            ("非营利性教育机构", "教育", &[false]),
            ("无线电视", "电视", &[false]),
            ("不涉及新闻；我们发布新闻", "新闻", &[true, false]),
            (
                "不涉及这是一段非常非常长的说明文字然后才是新闻",
                "新闻",
                &[false],
            ),
        ];
        for (text, word, want) in cases {
            assert_eq!(&negated(text, word)[..], *want, "{text} / {word}");
        }
    }

    #[test]
    fn han_detection() {
        assert!(is_han('中'));
        assert!(!is_han('a'));
        assert!(!is_han('，'));
    }
}
