//! The website-name and APP-name checker: the rules of 13.11 (website names,
//! provinces' forbidden words) and 9.21 (APP names) as the content states them.

use serde::{Deserialize, Serialize};

use super::text::{fold, is_han, Text};
use super::{see, Finding, Note, Severity, Verdict};
use crate::province::Province;

/// Who files the website or APP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Subject {
    /// 个人
    Individual,
    /// 单位 (company, organisation, public body).
    #[serde(alias = "organization")]
    Organisation,
}

/// What to check.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NameRequest {
    /// Province as id, full name, bare name or abbreviation.
    pub province: String,
    /// Who files it.
    pub subject: Subject,
    /// An APP name rather than a website name.
    #[serde(default)]
    pub app: bool,
    /// The proposed name.
    pub name: String,
}

/// Result of a name check.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NameReport {
    /// `block` if any finding blocks, `warn` if any warns, else `pass`.
    pub verdict: Verdict,
    /// Every rule that fired.
    pub findings: Vec<Finding>,
    /// What the tool cannot check; independent of the verdict.
    pub notes: Vec<Note>,
}

/// Leading words only national-level units may use (13.11).
pub const RESERVED_PREFIXES: &[&str] = &[
    "中国", "中央", "国家", "中华", "人大", "人民", "反腐", "纪检", "监察", "信访", "维权", "投诉",
];

/// The prefixes a national-level unit may use once it has proved its status;
/// the content names only these six.
const PROVABLE_PREFIXES: &[&str] = &["中国", "中央", "国家", "中华", "人大", "人民"];

/// Sensitive words the content names as examples (13.11: 反腐、赌博等).
pub const SENSITIVE_WORDS: &[&str] = &["反腐", "赌博"];

/// Words that mark an organisation; an individual's site may not carry them
/// (13.11: 公司、组织等类型的字眼; xxx企业、集团、有限公司、资讯、生产中心、科技、
/// 贸易、协会、俱乐部、合作社、工作室等字样).
pub const ORGANISATION_WORDS: &[&str] = &[
    "公司",
    "企业",
    "集团",
    "有限公司",
    "资讯",
    "生产中心",
    "科技",
    "贸易",
    "协会",
    "俱乐部",
    "合作社",
    "工作室",
];

/// Words in a name that call for asking the authorities about pre-approval
/// (13.11), each with the words matched for it.
pub const NAME_PREAPPROVAL: &[(&str, &[&str])] = &[
    ("新闻", &["新闻"]),
    ("出版", &["出版"]),
    ("教育", &["教育"]),
    ("医疗保健", &["医疗保健", "医疗", "保健"]),
    ("药品和医疗器械", &["药品", "医疗器械"]),
    ("电子公告服务（社区、论坛）", &["电子公告", "社区", "论坛"]),
    ("博客", &["博客"]),
    ("文化", &["文化"]),
    ("广播电影电视节目", &["广播", "电影", "电视"]),
];

/// The content's examples of generic APP names (9.21).
pub const APP_GENERIC_EXAMPLES: &[&str] = &["手机定位", "手电筒", "日历", "视频剪辑去水印修图"];

/// The content's examples of price and marketing words (9.21), besides the
/// patterns XX元, ¥XX and 9块9 which are matched as patterns.
pub const APP_MARKETING_WORDS: &[&str] = &["免费", "促销", "清仓", "躺赚"];

/// Typical garbled-text sequences (乱码): the replacement character and the
/// classic mis-decoded runs.
const GARBLED: &[&str] = &["\u{FFFD}", "锟斤拷", "烫烫烫", "屯屯屯"];

/// Checks a website name (or an APP name when `app`) for `subject` in `province`.
pub fn check_name(province: &Province, subject: Subject, app: bool, name: &str) -> NameReport {
    let name = name.trim();
    let mut c = Checker::default();
    let text = Text::new(name);
    let chars = text.chars();
    let general = if app {
        see::APP_NAME
    } else {
        see::WEBSITE_NAME
    };

    // Length: at least three characters, three included.
    let len = chars.len();
    if len < 3 {
        c.block(
            "min-length",
            name,
            format!("名称只有 {len} 个字，网站名称至少要 3 个字（含 3 个字）。"),
            see::WEBSITE_NAME,
        );
    }

    // Composition: pure digits, pure Latin letters, letters and digits only.
    let visible: Vec<char> = chars
        .iter()
        .copied()
        .filter(|c| !c.is_whitespace())
        .collect();
    let has_han = visible.iter().any(|c| is_han(*c));
    if !visible.is_empty() && visible.iter().all(|c| c.is_ascii_digit()) {
        c.block(
            "pure-digits",
            name,
            "名称不能全部由数字组成。".into(),
            see::WEBSITE_NAME,
        );
    } else if !visible.is_empty() && visible.iter().all(|c| c.is_ascii_alphabetic()) {
        c.block(
            "pure-latin",
            name,
            "名称不能全部由英文字母组成，请改用能体现网站内容的中文名称。".into(),
            see::WEBSITE_NAME,
        );
    } else if !visible.is_empty() && !has_han && visible.iter().all(|c| c.is_ascii_alphanumeric()) {
        match subject {
            Subject::Individual => c.block(
                "letters-and-digits-only",
                name,
                "个人网站名称不能是纯数字或字母组成的。".into(),
                see::WEBSITE_NAME_PERSONAL,
            ),
            Subject::Organisation => c.warn(
                "letters-and-digits-only",
                name,
                "名称只由字母和数字组成。资料只明确禁止纯数字、纯英文的名称，字母数字混排没有单独说明；为稳妥起见，建议使用能体现网站内容的中文名称。".into(),
                see::WEBSITE_NAME,
            ),
        }
    }

    // Special symbols (and, for APPs, emoji): anything that is neither a
    // letter, a digit nor a space.
    let symbols: Vec<char> = distinct_chars(
        name.chars()
            .filter(|ch| !ch.is_alphanumeric() && !ch.is_whitespace()),
    );
    if !symbols.is_empty() {
        let shown: String = symbols.iter().map(|s| format!("“{s}”")).collect();
        if app {
            c.block(
                "special-symbols",
                &symbols.iter().collect::<String>(),
                format!(
                    "APP 名称不能含特殊符号或表情符号（例如“*”“&”“-”“（）”），这里有 {shown}。"
                ),
                see::APP_SYMBOLS,
            );
        } else {
            c.block(
                "special-symbols",
                &symbols.iter().collect::<String>(),
                format!("网站名称不能含特殊符号，这里有 {shown}。"),
                see::WEBSITE_NAME,
            );
        }
    }
    if name.chars().any(char::is_whitespace) {
        c.warn(
            "whitespace",
            " ",
            "名称中间有空格。资料没有单独说空格算不算特殊符号；建议去掉空格，并与网站实际显示的名称保持一致。".into(),
            general,
        );
    }

    // Reserved leading words.
    if let Some(prefix) = RESERVED_PREFIXES.iter().find(|p| name.starts_with(**p)) {
        let message = match subject {
            Subject::Individual => format!(
                "名称以“{prefix}”开头。非国家级单位的网站名称不能以 中国、中央、国家、中华、人大、人民、反腐、纪检、监察、信访、维权、投诉 等字头命名，个人网站不能用。"
            ),
            Subject::Organisation if PROVABLE_PREFIXES.contains(prefix) => format!(
                "名称以“{prefix}”开头，只有国家级单位可以用。若主办单位确是国家级单位，需提交主办单位有效证件（复印件）和盖公章的说明材料（网站所属单位、备案网址、互联网信息服务负责人联系电话）证明身份后才能使用。"
            ),
            Subject::Organisation => format!(
                "名称以“{prefix}”开头。非国家级单位不能以此字头命名；资料只说明国家级单位证明身份后可以使用 中国、中央、国家、中华、人大、人民 这六个字头，没有提到“{prefix}”。"
            ),
        };
        c.block("reserved-prefix", prefix, message, see::WEBSITE_NAME_PREFIX);
    }

    // Sensitive words the content names.
    for w in Text::distinct(&text.find_all(SENSITIVE_WORDS)) {
        c.block(
            "sensitive-word",
            &w,
            format!("名称含敏感词“{w}”。网站名称不能含敏感词汇（资料举的例子是 反腐、赌博）。"),
            see::WEBSITE_NAME,
        );
    }

    // The province's forbidden words.
    let words: Vec<&str> = province
        .forbidden_name_words
        .iter()
        .map(String::as_str)
        .collect();
    for w in Text::distinct(&text.find_all(&words)) {
        c.block(
            "province-forbidden-word",
            &w,
            format!(
                "{}通信管理局禁止在网站名称中使用“{w}”（行业类、经营性词汇）。",
                province.name
            ),
            &see::province(&province.id),
        );
    }

    // Words that call for asking about pre-approval.
    for (category, words) in NAME_PREAPPROVAL {
        let hits = Text::distinct(&text.find_all(words));
        if !hits.is_empty() {
            c.warn(
                "preapproval-word",
                &hits.join("、"),
                format!("名称含“{}”，属于“{category}”类字样：提交备案前先联系相关主管部门，确认是否需要办理前置审批或专项审批。", hits.join("、")),
                see::WEBSITE_NAME,
            );
        }
    }

    if subject == Subject::Individual {
        individual_rules(&mut c, name, &text, &visible);
    }
    if app {
        app_rules(&mut c, name, &text);
    }
    general_notes(&mut c, subject, app, province);

    NameReport {
        verdict: Verdict::of(&c.findings),
        findings: c.findings,
        notes: c.notes,
    }
}

/// The forms an individual's site name may not take (13.11).
fn individual_rules(c: &mut Checker, name: &str, text: &Text, visible: &[char]) {
    for w in Text::distinct(&text.find_all(ORGANISATION_WORDS)) {
        c.block(
            "individual-organisation-word",
            &w,
            format!("名称含“{w}”。个人网站名称不能带公司、组织一类的字眼（企业、集团、有限公司、资讯、生产中心、科技、贸易、协会、俱乐部、合作社、工作室等），含这些字样的网站主体不能填个人信息。"),
            see::WEBSITE_NAME_PERSONAL,
        );
    }
    if looks_like_domain(name) {
        c.block(
            "individual-domain-as-name",
            name,
            "个人网站名称不能直接用域名命名。".into(),
            see::WEBSITE_NAME_PERSONAL,
        );
    }
    let han = visible.iter().filter(|ch| is_han(**ch)).count();
    if han < 4 {
        c.warn(
            "individual-short-name",
            name,
            format!("名称只有 {han} 个汉字。个人网站不宜用简称，名称最好在 4 个汉字以上。"),
            see::WEBSITE_NAME_PERSONAL,
        );
    }
    // Whether a word is a person's or a place's name needs judgement the tool
    // cannot make; say what to look for instead of guessing.
    c.warn(
        "individual-personal-or-place-name",
        "",
        "个人网站名称不能含个人姓名（包括你自己的名字）或地名，也不能直接用姓名命名。工具无法可靠地判断一个词是不是人名或地名，请自己核对：名称里是否有姓名、昵称里的真实姓名，是否有省、市、县、区、街道、景点等地名。".into(),
        see::WEBSITE_NAME_PERSONAL,
    );
}

/// The APP-only rules of 9.21.
fn app_rules(c: &mut Checker, name: &str, text: &Text) {
    let folded: String = text.chars().iter().collect();
    // Generic words: the content's own examples.
    for ex in APP_GENERIC_EXAMPLES {
        let ex_folded: String = ex.chars().map(fold).collect();
        if folded == ex_folded {
            c.block(
                "app-generic-word",
                ex,
                format!("“{ex}”是资料举出的泛泛通用词，APP 名称不能只用这类缺乏辨识度的词。"),
                see::APP_GENERIC,
            );
        } else if folded.contains(&ex_folded) {
            c.warn(
                "app-generic-word",
                ex,
                format!("名称含“{ex}”，这是资料举出的通用词/功能描述词。名称不能是概括宽泛、缺乏辨识度的词或热搜词，也不能堆砌关键词；请确认名称整体有辨识度。"),
                see::APP_GENERIC,
            );
        }
    }
    // Placeholders and garbled text.
    let garbled: Vec<String> = Text::distinct(&text.find_all(GARBLED));
    if !garbled.is_empty() {
        c.block(
            "app-garbled-text",
            &garbled.join(""),
            "名称里有乱码。APP 名称不能含乱码。".into(),
            see::APP_SYMBOLS,
        );
    }
    if let Some(p) = placeholder(name) {
        c.block(
            "app-placeholder",
            &p,
            format!("“{p}”看起来是占位文本。APP 名称不能含占位符文本，请换成真实名称。"),
            see::APP_SYMBOLS,
        );
    }
    // Price and marketing words.
    let mut marketing = Text::distinct(&text.find_all(APP_MARKETING_WORDS));
    marketing.extend(price_patterns(name));
    for m in marketing {
        c.block(
            "app-price-marketing",
            &m,
            format!("名称含“{m}”。APP 名称不能含定价、价格或诱导赚钱等营销性质的词（例如 免费、促销、清仓、XX元、¥XX、9块9、躺赚）。"),
            see::APP_PRICE,
        );
    }
}

/// Facts the tool cannot check, so the reader sees them every time.
fn general_notes(c: &mut Checker, subject: Subject, app: bool, province: &Province) {
    c.note(
        "名称要与实际开办的网站（APP）名称一致，能体现网站内容，且不超出主体的权限范围——这些需要你自己确认。",
        see::WEBSITE_NAME,
    );
    if subject == Subject::Organisation {
        c.note(
            "单位网站的名称要与主体有实际关联，推荐直接用单位全称或简称。",
            see::WEBSITE_NAME,
        );
    }
    c.note(
        "资料列出的敏感词和需前置审批的字样都只是举例（“等”），工具只能检查列出的这些词。",
        see::WEBSITE_NAME,
    );
    if province.forbidden_name_words.is_empty() {
        c.note(
            &format!("资料没有给出{}管局的名称禁用词清单。", province.name),
            &see::province(&province.id),
        );
    }
    if app {
        c.note(
            "APP 名称不能和其他应用重名，也不能是商标术语、热门应用名称或别称、流行词、行业或职业名词、类别词、功能描述词或热搜词；工具无法查重或判断热度，请自行在应用市场搜索确认。",
            see::APP_GENERIC,
        );
        c.note(
            "还要遵守当地监管部门的其他要求；名称以下载安装后显示的为准。",
            see::APP_NAME,
        );
    }
}

/// `example.com`, `www.example.cn`, `blog.example.com.cn`: dot-separated
/// ASCII labels ending in an alphabetic label.
fn looks_like_domain(name: &str) -> bool {
    let s: String = name.chars().map(fold).collect();
    let labels: Vec<&str> = s.split('.').collect();
    labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        && labels
            .last()
            .is_some_and(|t| t.len() >= 2 && t.chars().all(|c| c.is_ascii_alphabetic()))
}

/// A placeholder such as XXX / xx (standing alone, not inside a word like
/// Exxon) or 某某.
fn placeholder(name: &str) -> Option<String> {
    if name.contains("某某") {
        return Some("某某".into());
    }
    let chars: Vec<char> = name.chars().map(fold).collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == 'x' {
            let start = i;
            while i < chars.len() && chars[i] == 'x' {
                i += 1;
            }
            let latin_before = start > 0 && chars[start - 1].is_ascii_alphabetic();
            let latin_after = i < chars.len() && chars[i].is_ascii_alphabetic();
            if i - start >= 2 && !latin_before && !latin_after {
                return Some(name.chars().skip(start).take(i - start).collect());
            }
        } else {
            i += 1;
        }
    }
    None
}

/// Prices: an amount followed by 元 or 块 (9块9, 10元, 一元), or ¥/￥ followed
/// by an amount.
fn price_patterns(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().map(fold).collect();
    let is_amount =
        |c: char| c.is_ascii_digit() || "零一二三四五六七八九十百千万两".contains(c) || c == 'x';
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '¥' || chars[i] == '￥' {
            let mut j = i + 1;
            while j < chars.len() && (is_amount(chars[j]) || chars[j] == '.') {
                j += 1;
            }
            if j > i + 1 {
                out.push(chars[i..j].iter().collect());
                i = j;
                continue;
            }
        }
        if is_amount(chars[i]) {
            let start = i;
            while i < chars.len() && (is_amount(chars[i]) || chars[i] == '.') {
                i += 1;
            }
            if i < chars.len() && (chars[i] == '元' || chars[i] == '块') {
                let mut end = i + 1;
                while end < chars.len() && is_amount(chars[end]) {
                    end += 1;
                }
                // A lone Chinese numeral before 元 is often part of a word (单元 is
                // not a price, 三元 may be a place); require a digit or 块.
                let amount: String = chars[start..i].iter().collect();
                if amount.chars().any(|c| c.is_ascii_digit() || c == 'x') || chars[i] == '块' {
                    out.push(chars[start..end].iter().collect());
                }
                i = end;
            }
            continue;
        }
        i += 1;
    }
    out.dedup();
    out
}

fn distinct_chars(it: impl Iterator<Item = char>) -> Vec<char> {
    let mut out = Vec::new();
    for c in it {
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

#[derive(Default)]
struct Checker {
    findings: Vec<Finding>,
    notes: Vec<Note>,
}

impl Checker {
    fn push(&mut self, severity: Severity, rule: &str, matched: &str, message: String, see: &str) {
        self.findings.push(Finding {
            rule: rule.into(),
            severity,
            matched: matched.into(),
            message,
            see: see.into(),
        });
    }
    fn block(&mut self, rule: &str, matched: &str, message: String, see: &str) {
        self.push(Severity::Block, rule, matched, message, see);
    }
    fn warn(&mut self, rule: &str, matched: &str, message: String, see: &str) {
        self.push(Severity::Warn, rule, matched, message, see);
    }
    fn note(&mut self, message: &str, see: &str) {
        self.notes.push(Note {
            message: message.into(),
            see: see.into(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::testdata::province;
    use super::*;

    fn gd() -> Province {
        let mut p = province("guangdong", "广东省", "粤");
        p.forbidden_name_words = vec!["论坛".into(), "商城".into(), "交易".into()];
        p
    }

    fn rules(subject: Subject, app: bool, name: &str) -> Vec<(String, Severity)> {
        check_name(&gd(), subject, app, name)
            .findings
            .into_iter()
            .map(|f| (f.rule, f.severity))
            .collect()
    }

    fn has(subject: Subject, app: bool, name: &str, rule: &str, sev: Severity) -> bool {
        rules(subject, app, name)
            .iter()
            .any(|(r, s)| r == rule && *s == sev)
    }

    use Severity::{Block, Warn};
    use Subject::{Individual as I, Organisation as O};

    /// (subject, app, name, rule, severity, fires?)
    const CASES: &[(Subject, bool, &str, &str, Severity, bool)] = &[
        (O, false, "云端", "min-length", Block, true),
        (O, false, "云端书", "min-length", Block, false),
        (O, false, "12345", "pure-digits", Block, true),
        (O, false, "12345云", "pure-digits", Block, false),
        (O, false, "HelloWorld", "pure-latin", Block, true),
        (O, false, "Hello世界", "pure-latin", Block, false),
        (O, false, "abc123", "letters-and-digits-only", Warn, true),
        (I, false, "abc123", "letters-and-digits-only", Block, true),
        (
            O,
            false,
            "星辰大海官方网站",
            "special-symbols",
            Block,
            false,
        ),
        (O, false, "星辰★大海", "special-symbols", Block, true),
        (O, false, "星辰-大海", "special-symbols", Block, true),
        (O, false, "星辰 大海", "whitespace", Warn, true),
        (O, false, "中国美食网", "reserved-prefix", Block, true),
        (O, false, "美食中国网", "reserved-prefix", Block, false),
        (O, false, "投诉处理平台", "reserved-prefix", Block, true),
        (I, false, "人民生活记录", "reserved-prefix", Block, true),
        (O, false, "赌博游戏大全", "sensitive-word", Block, true),
        (O, false, "棋牌游戏大全", "sensitive-word", Block, false),
        (
            O,
            false,
            "某某二手商城",
            "province-forbidden-word",
            Block,
            true,
        ),
        (
            O,
            false,
            "某某二手市场",
            "province-forbidden-word",
            Block,
            false,
        ),
        (O, false, "校园新闻网", "preapproval-word", Warn, true),
        (O, false, "医疗器械目录", "preapproval-word", Warn, true),
        (O, false, "摄影作品集", "preapproval-word", Warn, false),
        (
            I,
            false,
            "小明科技工作室",
            "individual-organisation-word",
            Block,
            true,
        ),
        (
            O,
            false,
            "小明科技工作室",
            "individual-organisation-word",
            Block,
            false,
        ),
        (
            I,
            false,
            "北极星有限公司",
            "individual-organisation-word",
            Block,
            true,
        ),
        (
            I,
            false,
            "我的摄影作品分享",
            "individual-organisation-word",
            Block,
            false,
        ),
        (
            I,
            false,
            "example.com",
            "individual-domain-as-name",
            Block,
            true,
        ),
        (
            I,
            false,
            "我的摄影作品分享",
            "individual-domain-as-name",
            Block,
            false,
        ),
        (I, false, "摄影集", "individual-short-name", Warn, true),
        (
            I,
            false,
            "摄影作品分享",
            "individual-short-name",
            Warn,
            false,
        ),
        (
            I,
            false,
            "摄影作品分享",
            "individual-personal-or-place-name",
            Warn,
            true,
        ),
        (
            O,
            false,
            "摄影作品分享",
            "individual-personal-or-place-name",
            Warn,
            false,
        ),
        (O, true, "手电筒", "app-generic-word", Block, true),
        (O, true, "极光手电筒", "app-generic-word", Warn, true),
        (O, true, "极光照明助手", "app-generic-word", Warn, false),
        (O, true, "XXX助手", "app-placeholder", Block, true),
        (O, true, "某某助手", "app-placeholder", Block, true),
        (O, true, "Exxon助手", "app-placeholder", Block, false),
        (O, true, "锟斤拷助手", "app-garbled-text", Block, true),
        (
            O,
            true,
            "免费小说阅读器",
            "app-price-marketing",
            Block,
            true,
        ),
        (O, true, "9块9包邮购", "app-price-marketing", Block, true),
        (O, true, "10元抢购助手", "app-price-marketing", Block, true),
        (O, true, "¥99会员助手", "app-price-marketing", Block, true),
        (O, true, "躺赚助手", "app-price-marketing", Block, true),
        (O, true, "单元测验助手", "app-price-marketing", Block, false),
        (O, true, "星火阅读器", "app-price-marketing", Block, false),
        (O, true, "星火阅读😀", "special-symbols", Block, true),
        (O, true, "星火（阅读）", "special-symbols", Block, true),
        // Website names are not held to the APP-only rules.
        (
            O,
            false,
            "免费小说阅读器",
            "app-price-marketing",
            Block,
            false,
        ),
    ];

    #[test]
    fn every_general_rule_in_both_directions() {
        for (subject, app, name, rule, sev, fires) in CASES {
            assert_eq!(
                has(*subject, *app, name, rule, *sev),
                *fires,
                "{subject:?} app={app} {name:?} {rule}: {:?}",
                rules(*subject, *app, name)
            );
        }
    }

    #[test]
    fn clean_names_pass() {
        for name in ["星辰大海书店官方网站", "北极星数据服务平台"] {
            let r = check_name(&gd(), O, false, name);
            assert_eq!(r.verdict, Verdict::Pass, "{name}: {:?}", r.findings);
        }
        let r = check_name(&gd(), O, true, "北极星记账本");
        assert_eq!(r.verdict, Verdict::Pass, "{:?}", r.findings);
        assert!(r.notes.iter().any(|n| n.see == see::APP_GENERIC));
    }

    #[test]
    fn individual_names_always_carry_the_personal_name_guidance() {
        let r = check_name(&gd(), I, false, "我的摄影作品分享");
        assert_eq!(r.verdict, Verdict::Warn);
        assert_eq!(r.findings.len(), 1, "{:?}", r.findings);
        assert_eq!(r.findings[0].rule, "individual-personal-or-place-name");
    }

    #[test]
    fn findings_point_at_the_stating_page() {
        let r = check_name(&gd(), O, false, "中国二手商城");
        let see_of = |rule: &str| {
            r.findings
                .iter()
                .find(|f| f.rule == rule)
                .map(|f| f.see.clone())
        };
        assert_eq!(
            see_of("reserved-prefix").as_deref(),
            Some(see::WEBSITE_NAME_PREFIX)
        );
        assert_eq!(
            see_of("province-forbidden-word").as_deref(),
            Some("@province/guangdong")
        );
        assert_eq!(r.verdict, Verdict::Block);
    }

    #[test]
    fn national_prefix_note_depends_on_the_word() {
        let r = check_name(&gd(), O, false, "中国美食网");
        assert!(r.findings[0].message.contains("国家级单位"));
        let r = check_name(&gd(), O, false, "维权服务中心");
        let f = r
            .findings
            .iter()
            .find(|f| f.rule == "reserved-prefix")
            .unwrap();
        assert!(f.message.contains("没有提到“维权”"), "{}", f.message);
    }

    #[test]
    fn longest_organisation_word_is_reported() {
        let r = check_name(&gd(), I, false, "北极星有限公司");
        let matched: Vec<_> = r
            .findings
            .iter()
            .filter(|f| f.rule == "individual-organisation-word")
            .map(|f| f.matched.as_str())
            .collect();
        assert_eq!(matched, vec!["有限公司"]);
    }
}
