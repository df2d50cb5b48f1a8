//! The pre-approval checker: which 前置审批 categories a business scope or
//! site description touches, nationally (13.12) and in the province's
//! commitment-letter table (14.1.2), ignoring negated mentions (不涉及新闻).

use serde::{Deserialize, Serialize};

use super::text::Text;
use super::{see, Finding, Note, Severity, Verdict};
use crate::province::{PreApproval, Province};

/// What to check.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PreapprovalRequest {
    /// Province as id, full name, bare name or abbreviation.
    pub province: String,
    /// Business scope or site description.
    pub text: String,
}

/// Where a triggered category comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The national list of 13.12.
    National,
    /// The province's own table (14.1.2).
    Province,
}

/// One triggered category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Triggered {
    /// National list or the province's table.
    pub source: Source,
    /// Category as the source writes it.
    pub category: String,
    /// Keywords found in the text (not negated).
    pub keywords: Vec<String>,
    /// Commitment letters the province asks for (empty for national categories).
    pub letters: Vec<String>,
    /// Filing types the row applies to, as stated.
    pub filing_types: String,
    /// The qualifier printed with the keywords, as stated.
    pub keyword_note: Option<String>,
    /// What the qualifier means for this check, when it needs explaining.
    pub explanation: Option<String>,
}

/// Result of a pre-approval check.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PreapprovalReport {
    /// `warn` when any category is triggered, else `pass`.
    pub verdict: Verdict,
    /// One finding per triggered category.
    pub findings: Vec<Finding>,
    /// Full name of the province.
    pub province: String,
    /// Whether the source has a table for this province.
    pub province_has_table: bool,
    /// The triggered categories with keywords and letters.
    pub categories: Vec<Triggered>,
    /// Keywords that occur only in negated form (不涉及新闻), so did not count.
    pub negated: Vec<String>,
    /// What the tool cannot check.
    pub notes: Vec<Note>,
}

/// The national categories of 13.12, each with the words matched for it (the
/// content names categories, not keyword lists, so the category's own words).
pub const NATIONAL_CATEGORIES: &[(&str, &[&str])] = &[
    ("新闻", &["新闻"]),
    ("出版", &["出版"]),
    ("教育", &["教育"]),
    ("医疗保健", &["医疗保健", "医疗", "保健"]),
    ("药品和医疗器械", &["药品", "医疗器械"]),
    ("文化", &["文化"]),
    ("广播电影电视节目", &["广播", "电影", "电视"]),
];

/// The qualifier of the finance rows in 云南、山东、安徽、新疆、江西.
pub const FINANCE_NOTE: &str = "除金融十八词以外可用";

/// Checks `text` against the national categories and `province`'s table.
pub fn check_preapproval(province: &Province, text: &str) -> PreapprovalReport {
    let t = Text::new(text);
    let mut categories = Vec::new();
    let mut negated: Vec<String> = Vec::new();
    let mut matched_any: Vec<String> = Vec::new();

    let mut scan = |words: &[&str], negated: &mut Vec<String>| -> Vec<String> {
        let hits = t.find_all(words);
        let (neg, pos): (Vec<_>, Vec<_>) = hits.into_iter().partition(|h| t.is_negated(h));
        let pos = Text::distinct(&pos);
        for w in Text::distinct(&neg) {
            if !pos.contains(&w) && !negated.contains(&w) {
                negated.push(w);
            }
        }
        for w in &pos {
            if !matched_any.contains(w) {
                matched_any.push(w.clone());
            }
        }
        pos
    };

    for (category, words) in NATIONAL_CATEGORIES {
        let found = scan(words, &mut negated);
        if !found.is_empty() {
            categories.push(Triggered {
                source: Source::National,
                category: (*category).into(),
                keywords: found,
                letters: Vec::new(),
                filing_types: String::new(),
                keyword_note: None,
                explanation: None,
            });
        }
    }
    for row in &province.preapproval {
        let words: Vec<&str> = row.keywords.iter().map(String::as_str).collect();
        let found = scan(&words, &mut negated);
        if !found.is_empty() {
            categories.push(Triggered {
                source: Source::Province,
                category: row.category.clone(),
                keywords: found,
                letters: row.letters.clone(),
                filing_types: row.filing_types.clone(),
                keyword_note: row.keyword_note.clone().filter(|n| !n.is_empty()),
                explanation: explain(row),
            });
        }
    }
    // A word counted anywhere is not "only negated".
    negated.retain(|w| !matched_any.contains(w));

    let findings = categories.iter().map(|c| finding(province, c)).collect();
    let notes = notes(province);
    PreapprovalReport {
        verdict: if categories.is_empty() {
            Verdict::Pass
        } else {
            Verdict::Warn
        },
        findings,
        province: province.name.clone(),
        province_has_table: !province.preapproval.is_empty(),
        categories,
        negated,
        notes,
    }
}

/// What a row's qualifier means for the reader.
fn explain(row: &PreApproval) -> Option<String> {
    let note = row.keyword_note.as_deref()?.trim();
    if note == FINANCE_NOTE {
        return Some(format!(
            "原表注明“{FINANCE_NOTE}”，并附上金融十八词：{}。按字面理解，这 18 个词以外的字眼可以使用，出现其中任何一个就按金融类处理；资料没有进一步解释，以当地管局审核为准。",
            row.keywords.join("、")
        ));
    }
    if note.starts_with('等') || note.contains("以及所有") {
        return Some(format!(
            "原表的关键词后注明“{note}”：关键词只是举例，没有列全，没命中的近似说法也可能属于这一类。"
        ));
    }
    None
}

fn finding(province: &Province, c: &Triggered) -> Finding {
    let kws = c.keywords.join("、");
    match c.source {
        Source::National => Finding {
            rule: "preapproval-national".into(),
            severity: Severity::Warn,
            matched: kws.clone(),
            message: format!(
                "文本提到“{kws}”，属于需要前置或专项审批的“{}”类内容：确实涉及的，要先到当地主管部门办好审批，备案时提供审批文件和审批号；不涉及的，不要勾选无关的审批项。",
                c.category
            ),
            see: see::CONTENT_PREAPPROVAL.into(),
        },
        Source::Province => {
            let mut message = format!(
                "{}的前置审批表把“{kws}”列为“{}”类关键词（适用：{}），对应的承诺书：{}。",
                province.name,
                c.category,
                if c.filing_types.is_empty() {
                    "原表未写"
                } else {
                    &c.filing_types
                },
                if c.letters.is_empty() {
                    "原表未列".to_string()
                } else {
                    c.letters.join("、")
                }
            );
            if let Some(e) = &c.explanation {
                message.push_str(e);
            }
            Finding {
                rule: "preapproval-province".into(),
                severity: Severity::Warn,
                matched: kws,
                message,
                see: if c.keyword_note.as_deref() == Some(FINANCE_NOTE) {
                    see::FINANCE_WORDS.into()
                } else {
                    see::province(&province.id)
                },
            }
        }
    }
}

fn notes(province: &Province) -> Vec<Note> {
    let mut notes = Vec::new();
    if province.preapproval.is_empty() {
        notes.push(Note {
            message: format!(
                "资料没有{}的前置审批承诺书表，这里只按全国通用的前置审批类别（新闻、出版、教育、医疗保健、药品和医疗器械、文化、广播电影电视节目等）判断。",
                province.name
            ),
            see: see::PREAPPROVAL_LETTERS.into(),
        });
    }
    for row in province
        .preapproval
        .iter()
        .filter(|r| r.keywords.is_empty())
    {
        notes.push(Note {
            message: format!(
                "{}的表里还有“{}”一行，没有关键词（{}）{}，承诺书：{}。这一行工具无法按文字判断，请对照自己的情况。",
                province.name,
                row.category,
                row.keyword_note.as_deref().unwrap_or("关键词一栏为空"),
                if row.filing_types.is_empty() {
                    String::new()
                } else {
                    format!("，适用于{}", row.filing_types)
                },
                row.letters.join("、")
            ),
            see: see::province(&province.id),
        });
    }
    notes.push(Note {
        message: "关键词只是举例（“等”），没有命中不等于不需要审批；请按实际业务判断。".into(),
        see: see::CONTENT_PREAPPROVAL.into(),
    });
    notes
}

#[cfg(test)]
mod tests {
    use super::super::testdata::{province, row};
    use super::*;

    fn anhui() -> Province {
        let mut p = province("anhui", "安徽省", "皖");
        p.preapproval = vec![
            row(
                "金融",
                &["交易所", "金融", "理财", "P2P", "融资", "融资担保"],
                Some(FINANCE_NOTE),
                "《安徽不涉及金融承诺书》",
            ),
            row("新闻", &["新闻"], None, "《安徽不涉及新闻承诺书》"),
            row(
                "网约车",
                &["网约车"],
                Some("等"),
                "《安徽不涉及网约车承诺书》",
            ),
        ];
        p
    }

    fn cats(r: &PreapprovalReport) -> Vec<(Source, &str)> {
        r.categories
            .iter()
            .map(|c| (c.source, c.category.as_str()))
            .collect()
    }

    #[test]
    fn positive_match_lists_keywords_and_letters() {
        let r = check_preapproval(&anhui(), "提供时政新闻和理财咨询");
        assert_eq!(r.verdict, Verdict::Warn);
        assert_eq!(
            cats(&r),
            vec![
                (Source::National, "新闻"),
                (Source::Province, "金融"),
                (Source::Province, "新闻")
            ]
        );
        let fin = &r.categories[1];
        assert_eq!(fin.keywords, vec!["理财"]);
        assert_eq!(fin.letters, vec!["《安徽不涉及金融承诺书》"]);
        assert!(fin.explanation.as_deref().unwrap().contains("金融十八词"));
        assert_eq!(r.findings[1].see, see::FINANCE_WORDS);
        assert_eq!(r.findings[2].see, "@province/anhui");
        assert!(r.findings[2].message.contains("《安徽不涉及新闻承诺书》"));
    }

    #[test]
    fn negated_mentions_do_not_count() {
        let r = check_preapproval(&anhui(), "本网站不涉及新闻、金融，只做企业官网展示");
        assert_eq!(r.verdict, Verdict::Pass, "{:?}", r.categories);
        assert_eq!(r.negated, vec!["新闻", "金融"]);
        let r = check_preapproval(&anhui(), "不涉及新闻，但提供网约车服务");
        assert_eq!(cats(&r), vec![(Source::Province, "网约车")]);
        assert!(r.categories[0]
            .explanation
            .as_deref()
            .unwrap()
            .contains("没有列全"));
    }

    #[test]
    fn case_and_width_do_not_matter() {
        let r = check_preapproval(&anhui(), "ｐ２ｐ借贷信息");
        assert_eq!(r.categories[0].keywords, vec!["P2P"]);
    }

    #[test]
    fn longest_keyword_wins_inside_a_row() {
        let r = check_preapproval(&anhui(), "融资担保业务");
        assert_eq!(r.categories[0].keywords, vec!["融资担保"]);
    }

    #[test]
    fn province_without_table_uses_national_categories() {
        let p = province("hainan", "海南省", "琼");
        let r = check_preapproval(&p, "在线教育和电影票务");
        assert!(!r.province_has_table);
        assert_eq!(
            cats(&r),
            vec![
                (Source::National, "教育"),
                (Source::National, "广播电影电视节目")
            ]
        );
        assert!(r.notes[0].message.contains("没有海南省的前置审批承诺书表"));
        let r = check_preapproval(&p, "个人技术博客");
        assert_eq!(r.verdict, Verdict::Pass);
    }

    #[test]
    fn rows_without_keywords_become_notes() {
        let mut p = province("tianjin", "天津市", "津");
        let mut r0 = row(
            "网站迁移",
            &[],
            Some("关键词一栏为“/”"),
            "《天津网站迁移情况说明》",
        );
        r0.filing_types = "网站迁移".into();
        p.preapproval = vec![r0];
        let r = check_preapproval(&p, "网站迁移到新服务器");
        assert_eq!(r.verdict, Verdict::Pass);
        assert!(r
            .notes
            .iter()
            .any(|n| n.message.contains("《天津网站迁移情况说明》")));
    }
}
