//! Tests of the real knowledge base in `content/` against the source it is
//! written from: every source section is covered (the section numbers and
//! kinds are in `tests/data/source-sections.tsv`), the prose is in our own
//! words (when the reference text itself is at hand, see [`reference_dir`]),
//! key facts are exact, and `zhiku check` is clean.
//!
//! The facts below were written by reading the source text, not the content.
//! The source is third-party and copyright-restricted: none of its text is in
//! the repository.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

use regex::Regex;
use search_index::province::{ChangeOrder, DisplayNumber, Province, RequirementKind};
use zhiku::content::Site;

/// The folder of the reference text: `$ZHIKU_REFERENCE`, else
/// `shared/reference/` beside the repository (or beside a parent folder, for
/// git worktrees). `None` when neither exists: a clone on its own has no copy.
fn reference_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("ZHIKU_REFERENCE") {
        return Some(PathBuf::from(dir));
    }
    common::repo_root()
        .ancestors()
        .skip(1)
        .map(|a| a.join("shared").join("reference"))
        .find(|d| d.is_dir())
}

/// Prints one line where the test command shows it, even for a passing test.
fn visible(line: &str) {
    use std::io::Write as _;
    // Straight to the process's stderr: the test harness swallows what
    // `eprintln!` prints in a passing test.
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

fn real_site() -> Site {
    let mut report = zhiku::diagnostics::Report::default();
    let site = zhiku::content::load_site(&common::repo_root(), &mut report);
    assert!(!report.has_errors(), "{}", report.render_plain());
    site.expect("content/ loads")
}

fn province<'a>(site: &'a Site, pinyin: &str) -> &'a Province {
    &site
        .provinces
        .iter()
        .find(|p| p.data.id == pinyin)
        .unwrap_or_else(|| panic!("no content/provinces/{pinyin}.toml"))
        .data
}

// ---------------------------------------------------------------- coverage

#[test]
fn every_source_section_is_covered() {
    let tsv = std::fs::read_to_string(common::repo_root().join("tests/data/source-sections.tsv"))
        .expect("reading tests/data/source-sections.tsv");
    let site = real_site();
    // `section` is optional in the model (other sites have no source); here
    // every entry and rejection names the section it covers.
    for e in &site.entries {
        assert!(e.front.section().is_some(), "{} has no section", e.id);
    }
    for r in &site.rejections {
        assert!(r.front.section().is_some(), "{} has no section", r.id);
    }
    let entry_sections: BTreeSet<&str> = site
        .entries
        .iter()
        .filter_map(|e| e.front.section())
        .collect();
    let mut missing = Vec::new();
    let mut checked = 0;
    for line in tsv.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let [section, kind] = cols[..] else {
            panic!("malformed row {line:?}");
        };
        let covered = match kind {
            "faq" | "faq+province-table" => entry_sections.contains(section),
            k if k.starts_with("rejection:") => {
                let stage = &k["rejection:".len()..];
                site.rejections
                    .iter()
                    .any(|r| r.front.section() == Some(section) && r.front.stage.key() == stage)
            }
            _ => continue,
        };
        checked += 1;
        if !covered {
            missing.push(format!("{section}\t{kind}"));
        }
    }
    assert!(checked > 200, "only {checked} sections read");
    assert!(
        missing.is_empty(),
        "source sections without content:\n{}",
        missing.join("\n")
    );
}

// ---------------------------------------------------------------- own words

/// Runs the shared `seed-overlap` tool (beside the reference folder, in
/// `tools/`) over `content/`.
#[test]
fn content_is_in_our_own_words() {
    let Some(reference) = reference_dir() else {
        visible("skipped: reference text not available (set ZHIKU_REFERENCE)");
        return;
    };
    let tool = reference.join("../tools/seed-overlap");
    assert!(
        tool.is_file(),
        "{} has no ../tools/seed-overlap beside it (ZHIKU_REFERENCE names the reference/ folder of a shared/ checkout)",
        reference.display()
    );
    let out = Command::new(&tool)
        .arg("content/")
        .current_dir(common::repo_root())
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", tool.display()));
    assert!(
        out.status.success(),
        "seed-overlap found verbatim source text:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // e.g. "seed-overlap: 0 verbatim run(s) … in 462 file(s)", so a log shows the check ran.
    visible(String::from_utf8_lossy(&out.stdout).trim());
}

// ---------------------------------------------------------------- zhiku check

#[test]
fn zhiku_check_is_clean() {
    let out = common::zhiku(&common::repo_root(), &["check", "--json"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    let aliases: Vec<&str> = stdout.lines().filter(|l| l.contains("aliases")).collect();
    assert!(
        aliases.is_empty(),
        "warnings about aliases:\n{}",
        aliases.join("\n")
    );
    for e in &real_site().entries {
        let n = e.front.aliases.len();
        assert!((2..=5).contains(&n), "{} has {n} aliases (want 2–5)", e.id);
    }
}

// ---------------------------------------------------------------- facts

/// Folds the ways a fact may be written into one form: no whitespace or
/// Markdown emphasis, ASCII digits and letters, `1～2`/`1~2`/`1到2`/`1至2` as
/// `1-2`, and `2021年6月1日` as `2021-06-01`.
fn normalise(text: &str) -> String {
    let folded: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '*' | '`'))
        .map(|c| match c {
            '～' | '〜' | '–' | '—' | '－' => '-',
            // Other full-width ASCII (０-９, Ａ-Ｚ, ａ-ｚ…) to ASCII.
            '\u{FF01}'..='\u{FF5D}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect();
    let range = Regex::new(r"(\d)(?:~|到|至)(\d)").expect("regex");
    let folded = range.replace_all(&folded, "$1-$2").into_owned();
    let date = Regex::new(r"(\d{4})年(\d{1,2})月(\d{1,2})日").expect("regex");
    date.replace_all(&folded, |c: &regex::Captures| {
        format!("{}-{:0>2}-{:0>2}", &c[1], &c[2], &c[3])
    })
    .into_owned()
}

/// Where a fact must be stated.
#[derive(Debug, Clone, Copy)]
enum At {
    /// Some FAQ entry with this `section` (title, aliases or body).
    Entry(&'static str),
    /// Some rejection reason with this `section`.
    Rejection(&'static str),
    /// The province file (any text field).
    Province(&'static str),
}

/// A fact from the source: `pattern` (a regex over [`normalise`]d text) must
/// match the text of the item at `at`.
struct Fact {
    at: At,
    pattern: &'static str,
    what: &'static str,
}

const fn fact(at: At, pattern: &'static str, what: &'static str) -> Fact {
    Fact { at, pattern, what }
}

use At::{Entry, Province as Prov, Rejection};

const FACTS: &[Fact] = &[
    // Durations.
    fact(
        Entry("7.13"),
        r"1-2个工作日",
        "provider's initial review takes 1–2 working days",
    ),
    fact(
        Entry("7.13"),
        r"3-20个工作日",
        "bureau review takes 3–20 working days",
    ),
    fact(
        Entry("15.7"),
        r"1-2个工作日",
        "initial review within 1–2 working days after submitting",
    ),
    fact(
        Entry("15.7"),
        r"3-20个工作日",
        "bureau review generally 3–20 working days",
    ),
    fact(
        Entry("15.8"),
        r"3-20个工作日",
        "bureau review 3–20 working days",
    ),
    fact(
        Entry("7.28"),
        r"1-2个工作日",
        "initial review 1–2 working days before resolving",
    ),
    fact(
        Entry("9.14"),
        r"1-2个工作日",
        "APP filing: initial review 1–2 working days",
    ),
    fact(
        Entry("9.14"),
        r"20个工作日",
        "APP filing: bureau within 20 working days",
    ),
    fact(
        Entry("15.2"),
        r"24(个)?小时",
        "SMS verification code valid 24 hours",
    ),
    fact(Entry("15.2"), r"5次", "SMS verification: 5 attempts"),
    fact(
        Entry("15.2"),
        r"第6次",
        "returned on the 6th attempt after 5 failures",
    ),
    fact(
        Rejection("18.6"),
        r"24(个)?小时",
        "bureau return: SMS code not submitted within 24 hours",
    ),
    fact(
        Entry("7.2"),
        r"3-5个工作日",
        "domain real-name sync to the bureau takes 3–5 working days",
    ),
    fact(
        Entry("7.2"),
        r"3个工作日",
        "resubmit after at least 3 working days",
    ),
    fact(
        Entry("11.3"),
        r"3-5个工作日",
        "real-name sync 3–5 working days",
    ),
    fact(
        Entry("10"),
        r"20个工作日",
        "20 working days between two video verifications",
    ),
    fact(
        Entry("19.1"),
        r"30(日|天)",
        "public-security filing within 30 days of opening",
    ),
    fact(
        Entry("1"),
        r"30(日|天)",
        "public-security filing within 30 days",
    ),
    // Counts.
    fact(
        Entry("7.14"),
        r"5个(备案)?授权码",
        "each ECS generates 5 authorization codes",
    ),
    fact(
        Entry("7.14"),
        r"5个(不同的?)?主体",
        "…for 5 different subjects",
    ),
    fact(
        Entry("13.17"),
        r"(每|一|1)个(备案)?授权码[^。]{0,12}(一|1)个域名",
        "one code files one domain",
    ),
    fact(
        Entry("7.9"),
        r"企业门户[^\n]{0,60}3",
        "enterprise portal: 3 websites",
    ),
    fact(
        Entry("7.9"),
        r"专属云[^\n]{0,60}100",
        "dedicated cloud: 100",
    ),
    fact(Entry("7.9"), r"NAT网关[^\n]{0,60}10", "NAT gateway: 10"),
    fact(Entry("7.9"), r"3个月", "subscription of at least 3 months"),
    fact(
        Entry("7.9"),
        r"专属云[^\n]{0,60}1年",
        "dedicated cloud: yearly subscription of at least 1 year",
    ),
    fact(Entry("7.18"), r"30天", "filing bonus of at most 30 days"),
    fact(
        Entry("7.23"),
        r"3-5个",
        "enterprises: 3–5 domains per order suggested",
    ),
    fact(
        Entry("7.23"),
        r"4000955988",
        "filing hotline 4000955988 ext. 5",
    ),
    fact(
        Entry("13.4"),
        r"企业门户[^\n]{0,60}3个域名",
        "one enterprise portal files 3 domains",
    ),
    fact(
        Entry("13.15"),
        r"5个(网站)?(域名|网站)",
        "an ECS that already filed 5 website domains is used up",
    ),
    fact(
        Entry("13.16"),
        r"5个(备案)?授权码",
        "each ECS generates 5 authorization codes",
    ),
    fact(
        Entry("13.16"),
        r"3个月",
        "codes need a server subscribed for at least 3 months",
    ),
    fact(
        Entry("13.19"),
        r"专属云[^\n]{0,60}100",
        "dedicated cloud: 100 (table 13-6)",
    ),
    fact(
        Entry("13.19"),
        r"NAT网关[^\n]{0,60}10",
        "NAT gateway: 10 (table 13-6)",
    ),
    fact(
        Entry("13.11"),
        r"(4个汉字|四个汉字)",
        "website name: at least 4 Chinese characters",
    ),
    fact(
        Entry("13.14"),
        r"086",
        "office phone format 086 + area code",
    ),
    fact(
        Entry("5"),
        r"20个(抄送)?邮箱|20个",
        "ticket: up to 20 CC addresses",
    ),
    // Sizes.
    fact(Entry("14.6"), r"4MB", "uploaded images within 4 MB"),
    fact(
        Entry("20.6"),
        r"4MB",
        "Jiangsu notice letter image within 4 MB",
    ),
    fact(
        Entry("20.8"),
        r"40MB",
        "commitment reading video within 40 MB",
    ),
    fact(Entry("9.8"), r"(?i)100KB?", "APP icon within 100 KB"),
    // Dates.
    fact(
        Entry("13.10"),
        r"2019-04-22",
        "one domain per website since 2019-04-22",
    ),
    fact(
        Entry("15.2"),
        r"2020-08-17",
        "SMS verification since 2020-08-17",
    ),
    fact(
        Entry("20.5"),
        r"2021-06-01",
        "Jiangsu authenticity rules since 2021-06-01",
    ),
    fact(
        Entry("14.8"),
        r"2021-06-01",
        "Jiangsu authenticity verification since 2021-06-01",
    ),
    fact(
        Entry("14.6"),
        r"2021-06-21",
        "Guangdong commitment letter since 2021-06-21",
    ),
    fact(Entry("9.5"), r"2023-09-01", "APPs listed before 2023-09-01"),
    fact(Entry("9.5"), r"2024-03-31", "…must file by 2024-03-31"),
    fact(
        Entry("9.12"),
        r"2024-03-31",
        "existing APPs supplement by 2024-03-31",
    ),
    // Numbering formats.
    fact(
        Entry("9.16"),
        r"号-1\b|-1[（(：:]?网站|网站[^。\n]{0,20}-1",
        "website number ends in -1",
    ),
    fact(Entry("9.16"), r"-2A", "APP number ends in -2A"),
    fact(Entry("9.16"), r"-3X", "mini program number ends in -3X"),
    fact(Entry("9.16"), r"-4K", "quick app number ends in -4K"),
    fact(
        Entry("8.6"),
        r"主体备案号",
        "Guangdong shows the subject number",
    ),
    fact(
        Entry("8.6"),
        r"beian\.miit\.gov\.cn",
        "the number links to beian.miit.gov.cn",
    ),
    // Province-specific facts stated in entries and rejections.
    fact(
        Entry("15.10"),
        r"湖北[^。]{0,40}先[^。]{0,6}变更",
        "Hubei: change first, then new website",
    ),
    fact(
        Entry("15.10"),
        r"广东[^。]{0,40}先[^。]{0,6}新增网站",
        "Guangdong: new website first",
    ),
    fact(Entry("13.10"), r"湖南", "one website per order in Hunan…"),
    fact(Entry("13.10"), r"湖北", "…and Hubei"),
    fact(
        Entry("7.23"),
        r"上海",
        "domain-count verification in Shanghai…",
    ),
    fact(Entry("7.23"), r"陕西", "…and Shaanxi"),
    fact(
        Entry("7.43"),
        r"(香港|中国-香港)",
        "Hong Kong servers: no filing, no authorization code",
    ),
    fact(
        Entry("7.7"),
        r"政府",
        "government second-level domains still need filing",
    ),
    fact(
        Entry("7.7"),
        r"新增接入",
        "different provider: new access filing for the apex domain",
    ),
    fact(Entry("7.18"), r"一次", "the bonus applies once per server"),
    fact(
        Entry("9.23"),
        r"2024-04-01|2024-03-31",
        "after 2024-04-01 all APPs must be filed before serving",
    ),
    fact(
        Entry("20.3"),
        r"2021-06-01",
        "Jiangsu: who must comply, since 2021-06-01",
    ),
    fact(
        Rejection("18.2"),
        r"江西",
        "Jiangxi individuals: at most 4 websites",
    ),
    fact(
        Rejection("18.2"),
        r"4个(网站|域名)",
        "…so more than 4 domains is returned",
    ),
    fact(
        Prov("jiangxi"),
        r"4个网站",
        "Jiangxi individuals: 4 websites",
    ),
    fact(
        Prov("jiangsu"),
        r"版权所有",
        "Jiangsu: copyright line in the footer",
    ),
    fact(
        Prov("guangdong"),
        r"2021-06-21",
        "Guangdong commitment since 2021-06-21",
    ),
];

/// Everything a reader sees of the items at `at`, each normalised.
fn texts(site: &Site, at: At) -> Vec<(String, String)> {
    match at {
        At::Entry(s) => site
            .entries
            .iter()
            .filter(|e| e.front.section() == Some(s))
            .map(|e| {
                let t = format!(
                    "{}\n{}\n{}",
                    e.front.title,
                    e.front.aliases.join("\n"),
                    e.body.read().expect("body reads")
                );
                (e.id.clone(), normalise(&t))
            })
            .collect(),
        At::Rejection(s) => site
            .rejections
            .iter()
            .filter(|r| r.front.section() == Some(s))
            .map(|r| {
                let body = r.body.read().expect("body reads");
                let t = format!("{}\n{}\n{}", r.front.title, r.front.reason, body);
                (r.id.clone(), normalise(&t))
            })
            .collect(),
        At::Province(p) => {
            let data = province(site, p);
            let json = serde_json::to_string(data).expect("serialises");
            let v: serde_json::Value = serde_json::from_str(&json).expect("parses");
            let mut all = String::new();
            collect_strings(&v, &mut all);
            vec![(format!("province/{p}"), normalise(&all))]
        }
    }
}

fn collect_strings(v: &serde_json::Value, out: &mut String) {
    match v {
        serde_json::Value::String(s) => {
            out.push_str(s);
            out.push('\n');
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| collect_strings(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| collect_strings(x, out)),
        _ => {}
    }
}

#[test]
fn normalise_folds_formatting() {
    assert_eq!(normalise("1～2 个工作日"), "1-2个工作日");
    assert_eq!(normalise("1 到 2 个工作日"), "1-2个工作日");
    assert_eq!(normalise("**3~20** 个工作日"), "3-20个工作日");
    assert_eq!(normalise("2021 年 6 月 1 日起"), "2021-06-01起");
    assert_eq!(normalise("４ MB"), "4MB");
}

#[test]
fn facts_from_the_source_are_stated() {
    assert!(FACTS.len() >= 40, "{} facts", FACTS.len());
    let site = real_site();
    let mut failures = Vec::new();
    for f in FACTS {
        let re = Regex::new(f.pattern).unwrap_or_else(|e| panic!("{}: {e}", f.pattern));
        let items = texts(&site, f.at);
        if items.is_empty() {
            failures.push(format!("{:?}: no such item ({})", f.at, f.what));
        } else if !items.iter().any(|(_, t)| re.is_match(t)) {
            let ids: Vec<&str> = items.iter().map(|(id, _)| id.as_str()).collect();
            failures.push(format!(
                "{:?} {ids:?}: /{}/ not found ({})",
                f.at, f.pattern, f.what
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// One-character abbreviations of all 31 provincial-level divisions.
const SHORT_NAMES: &[(&str, &str, &str)] = &[
    ("beijing", "北京", "京"),
    ("tianjin", "天津", "津"),
    ("hebei", "河北", "冀"),
    ("shanxi", "山西", "晋"),
    ("neimenggu", "内蒙古", "蒙"),
    ("liaoning", "辽宁", "辽"),
    ("jilin", "吉林", "吉"),
    ("heilongjiang", "黑龙江", "黑"),
    ("shanghai", "上海", "沪"),
    ("jiangsu", "江苏", "苏"),
    ("zhejiang", "浙江", "浙"),
    ("anhui", "安徽", "皖"),
    ("fujian", "福建", "闽"),
    ("jiangxi", "江西", "赣"),
    ("shandong", "山东", "鲁"),
    ("henan", "河南", "豫"),
    ("hubei", "湖北", "鄂"),
    ("hunan", "湖南", "湘"),
    ("guangdong", "广东", "粤"),
    ("guangxi", "广西", "桂"),
    ("hainan", "海南", "琼"),
    ("chongqing", "重庆", "渝"),
    ("sichuan", "四川", "川"),
    ("guizhou", "贵州", "黔"),
    ("yunnan", "云南", "滇"),
    ("xizang", "西藏", "藏"),
    ("shaanxi", "陕西", "陕"),
    ("gansu", "甘肃", "甘"),
    ("qinghai", "青海", "青"),
    ("ningxia", "宁夏", "宁"),
    ("xinjiang", "新疆", "新"),
];

#[test]
fn all_31_provinces_with_short_names() {
    let site = real_site();
    assert_eq!(site.provinces.len(), 31);
    for (pinyin, name, short) in SHORT_NAMES {
        let p = province(&site, pinyin);
        assert!(p.name.starts_with(name), "{pinyin}: name {}", p.name);
        assert_eq!(p.short_name, *short, "{pinyin}");
    }
}

/// Table 13-5: words each bureau forbids in website names, as listed (the
/// content may drop the source's repeated words).
const FORBIDDEN_WORDS: &[(&str, &str)] = &[
    ("beijing", "合伙、评论、中心、售后、学院、社团、博客、论坛、社区、返现、团购"),
    ("guangdong", "媒体、股票、证券、彩票、体彩、刮刮乐、导航、论坛、社区、交流、商城、交易、返现、批发、利润、商务"),
    ("zhejiang", "工作室、官网、行业、电商、企业、工坊、中心、产业、农业、养殖、股票、证券、彩票、体彩、刮刮乐、博客、论坛、在线、社区"),
    ("henan", "合伙、框架、大众、维修、设计、沙龙、艺术、评论、工作室、官网、服务、转让、品牌、排行榜、行业、宣传、电商、报价、企业、管理、工坊、传播、中心、交流、咨询、投资、售后、学院、贸易、旗舰、产业、农业、传媒、管理、系统、媒体、股票、证券、彩票、体彩、刮刮乐、工作室、热线、社团、导航、论坛、在线、社区、交流、营销、商城、交易、折扣、定做、定制、购、返现、购物、贸易、导购、淘宝、网淘、阿里、诚信通、旺铺、网购、批发、市场、利润、团购、易购、商务"),
    ("liaoning", "合伙、大众、维修、沙龙、工作室、互联、官网、品牌、行业、宣传、电商、企业、管理、工坊、传播、咨询、投资、贸易、产业、养殖、传媒、媒体、股票、证券、彩票、体彩、咨询、网络、网址、平台、论坛、站长网、商城、交易、折扣、购、购物、返现、易购、淘宝、网淘、网购、旺铺、团购"),
    ("hubei", "官网、行业、电商、企业、学院、论坛、商城、团购"),
    ("ningxia", "网、技术、信息、工作室、资讯、网站、网络、网址、爱好者、作品展示、工作室、平台、主页、热线、社团、导航、博客、论坛、在线、社区、交流、网站、营销、商城、交易、折扣、定做、定制、购、返现、购物、贸易、导购、淘宝、网淘、阿里、诚信通、旺铺、网购、批发、市场、利润、团购、易购、商务"),
    ("hebei", "工作室、官网、企业、中心、学院、彩票、体彩、刮刮乐、工作室、社团、论坛、社区、商城、淘宝、团购"),
    ("guizhou", "评论、信息、互联、官网、排行榜、行业、宣传、电商、售后、学院、传媒、媒体、股票、证券、彩票、体彩、刮刮乐、资讯、网址、平台、主页、热线、导航、博客、论坛、在线、社区、交流、营销、商城、交易、折扣、购、返现、购物、导购、淘宝、网淘、旺铺、网购、批发、团购、易购"),
    ("hunan", "官网、电商、报价、企业、售后、学院、产业、媒体、博客、论坛、营销、商城、交易、折扣、定做、定制、购、返现、购物、贸易、导购、淘宝、网淘、阿里、诚信通、旺铺、网购、批发、市场、利润、团购、易购、商务"),
    ("neimenggu", "学院、股票、证券、彩票、体彩、刮刮乐、导航、博客、论坛、在线、营销、商城、交易、折扣、购、返现、购物、导购、淘宝、网淘、网购、利润、团购、易购"),
];

#[test]
fn forbidden_website_name_words_match_table_13_5() {
    let site = real_site();
    for (pinyin, words) in FORBIDDEN_WORDS {
        let want: BTreeSet<&str> = words.split('、').collect();
        let p = province(&site, pinyin);
        let got: BTreeSet<&str> = p.forbidden_name_words.iter().map(String::as_str).collect();
        assert_eq!(got, want, "{pinyin}");
    }
    assert!(province(&site, "guangdong")
        .forbidden_name_words
        .iter()
        .any(|w| w == "商城"));
    // Provinces outside the table have no list: nothing is invented.
    let listed: BTreeSet<&str> = FORBIDDEN_WORDS.iter().map(|(p, _)| *p).collect();
    for p in &site.provinces {
        if !listed.contains(p.data.id.as_str()) {
            assert!(
                p.data.forbidden_name_words.is_empty(),
                "{} has forbidden words the source does not list",
                p.data.id
            );
        }
    }
}

/// The finance "eighteen words" (14.1.2), in source order.
const EIGHTEEN_WORDS: [&str; 18] = [
    "交易所",
    "交易中心",
    "金融",
    "资产管理",
    "理财",
    "基金",
    "基金管理",
    "投资管理",
    "财富管理",
    "股权投资基金",
    "网贷",
    "网络借贷",
    "P2P",
    "股权众筹",
    "互联网保险",
    "支付",
    "融资",
    "融资担保",
];

#[test]
fn finance_category_lists_all_eighteen_words() {
    let site = real_site();
    for (pinyin, letter) in [
        ("yunnan", "《云南不涉及金融承诺书》"),
        ("jiangxi", "《江西不涉及金融承诺书》"),
    ] {
        let p = province(&site, pinyin);
        let finance: Vec<_> = p
            .preapproval
            .iter()
            .filter(|a| a.category == "金融")
            .collect();
        assert_eq!(finance.len(), 1, "{pinyin}: one finance row");
        assert_eq!(finance[0].keywords, EIGHTEEN_WORDS, "{pinyin}");
        assert_eq!(finance[0].filing_types, "所有备案类型", "{pinyin}");
        assert_eq!(finance[0].letters, [letter], "{pinyin}");
    }
}

/// Typed special rules and the source sections stating them.
#[derive(Debug)]
enum Rule {
    DomainsPerOrder(u32),
    DisplaysSubjectNumber,
    DomainLimitVerification,
    IndividualMaxWebsites(u32),
    IndividualDomainsPerWebsite(u32),
    ChangeOrder(ChangeOrder),
    CopyrightLine,
    Requirement(RequirementKind, &'static str),
    Template(&'static str),
    PreApproval(&'static str, &'static str, &'static str),
}

const RULES: &[(&str, Rule)] = &[
    ("hunan", Rule::DomainsPerOrder(1)),               // 7.23, 13.10
    ("hubei", Rule::DomainsPerOrder(1)),               // 7.23, 13.10
    ("guangdong", Rule::DisplaysSubjectNumber),        // 8.6
    ("shanghai", Rule::DomainLimitVerification),       // 7.23
    ("guangdong", Rule::DomainLimitVerification),      // 7.23
    ("shaanxi", Rule::DomainLimitVerification),        // 7.23
    ("jiangxi", Rule::IndividualMaxWebsites(4)),       // 18.2
    ("jiangxi", Rule::IndividualDomainsPerWebsite(1)), // 18.2
    ("hubei", Rule::ChangeOrder(ChangeOrder::ChangeFirst)), // 15.10
    ("guangdong", Rule::ChangeOrder(ChangeOrder::NewSiteFirst)), // 15.10
    ("jiangsu", Rule::CopyrightLine),                  // 19.1
    (
        "guangdong",
        Rule::Requirement(RequirementKind::CommitmentLetter, "2021-06-21"),
    ), // 14.6
    (
        "jiangsu",
        Rule::Requirement(RequirementKind::AuthenticityVerification, "2021-06-01"),
    ), // 14.8, 20.5
    ("hubei", Rule::Template("湖北注销网站备案申请表")), // 14.1.1
    ("jiangsu", Rule::Template("ICP备案信息真实性承诺书")), // 14.1.1
    ("shanghai", Rule::Template("上海域名授权书")),    // 14.1.1
    (
        "guangdong",
        Rule::PreApproval("教育", "线下培训", "广东省线下培训承诺书"),
    ), // 14.1.2
    (
        "yunnan",
        Rule::PreApproval("网约车", "网约车", "云南不涉及网约车承诺书"),
    ), // 14.1.2
    (
        "hubei",
        Rule::PreApproval("涉及销售", "销售", "湖北涉及销售备案承诺书"),
    ), // 14.1.2
];

#[test]
fn province_special_rules_are_typed() {
    let site = real_site();
    let mut failures = Vec::new();
    for (pinyin, rule) in RULES {
        let p = province(&site, pinyin);
        let r = &p.rules;
        let ok = match rule {
            Rule::DomainsPerOrder(n) => r.domains_per_order == Some(*n),
            Rule::DisplaysSubjectNumber => r.display_number == Some(DisplayNumber::Subject),
            Rule::DomainLimitVerification => r.domain_limit_verification == Some(true),
            Rule::IndividualMaxWebsites(n) => r.individual_max_websites == Some(*n),
            Rule::IndividualDomainsPerWebsite(n) => r.individual_domains_per_website == Some(*n),
            Rule::ChangeOrder(o) => r.change_and_new_site_order == Some(*o),
            Rule::CopyrightLine => r.copyright_notice_required == Some(true),
            Rule::Requirement(kind, since) => r
                .requirements
                .iter()
                .any(|q| q.kind == *kind && q.since == *since),
            Rule::Template(name) => p.templates.iter().any(|t| t.contains(name)),
            Rule::PreApproval(category, keyword, letter) => p.preapproval.iter().any(|a| {
                a.category == *category
                    && a.keywords.iter().any(|k| k == keyword)
                    && a.letters.iter().any(|l| l.contains(letter))
            }),
        };
        if !ok {
            failures.push(format!("{pinyin}: {rule:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Only Guangdong displays the subject number; the others the website number.
    for p in &site.provinces {
        if p.data.id != "guangdong" {
            assert_ne!(
                p.data.rules.display_number,
                Some(DisplayNumber::Subject),
                "{}",
                p.data.id
            );
        }
    }
}

/// The built pages state the facts too (not just the data): a few spot checks
/// on the rendered HTML of the real site.
#[test]
fn built_pages_state_the_facts() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let public = tmp.path().join("public");
    common::build_ok(&common::repo_root(), &public);
    let page = |rel: &str| {
        let html =
            std::fs::read_to_string(public.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
        normalise(&html)
    };
    let gd = page("provinces/guangdong/index.html");
    assert!(gd.contains("商城"), "Guangdong page lists 商城");
    assert!(
        gd.contains("2021-06-21"),
        "Guangdong page shows the commitment date"
    );
    let yn = page("provinces/yunnan/index.html");
    for w in EIGHTEEN_WORDS {
        assert!(yn.contains(w), "Yunnan page lacks {w}");
    }
    let compare = page("provinces/compare/index.html");
    for (_, name, _) in SHORT_NAMES {
        assert!(compare.contains(name), "comparison lacks {name}");
    }
}

// ------------------------------------------------------------------- scope

/// Every FAQ entry and rejection of the real site says whose rule it states.
#[test]
fn every_entry_and_rejection_has_a_scope() {
    let site = real_site();
    assert_eq!(site.config.provider.as_deref(), Some("华为云"));
    let missing: Vec<&str> = site
        .entries
        .iter()
        .filter(|e| e.front.scope.is_none())
        .map(|e| e.id.as_str())
        .chain(
            site.rejections
                .iter()
                .filter(|r| r.front.scope.is_none())
                .map(|r| r.id.as_str()),
        )
        .collect();
    assert!(missing.is_empty(), "no `scope`: {missing:?}");
}

/// No chapter page lists more than 30 entries.
#[test]
fn chapters_list_at_most_30_entries() {
    let site = real_site();
    for c in &site.chapters {
        let n = site.entries.iter().filter(|e| e.chapter == c.slug).count();
        assert!(n <= 30, "chapter {} lists {n} entries", c.slug);
    }
}

// ---------------------------------------------------- decision tree: paths

/// The tree `decision/<name>`.
fn tree<'a>(site: &'a Site, name: &str) -> &'a zhiku::content::DecisionFile {
    &site
        .trees
        .iter()
        .find(|t| t.slug == name)
        .unwrap_or_else(|| panic!("no content/decision/{name}.toml"))
        .data
}

/// Every path from the start: the option labels taken and the outcome id.
fn tree_paths(t: &zhiku::content::DecisionFile) -> Vec<(Vec<String>, String)> {
    fn walk(
        t: &zhiku::content::DecisionFile,
        node: &str,
        labels: &mut Vec<String>,
        out: &mut Vec<(Vec<String>, String)>,
    ) {
        let n = t
            .nodes
            .iter()
            .find(|n| n.id.get_ref() == node)
            .unwrap_or_else(|| panic!("no node {node}"));
        for o in &n.options {
            labels.push(o.label.get_ref().clone());
            match (&o.next, &o.outcome) {
                (Some(next), None) => walk(t, next.get_ref(), labels, out),
                (None, Some(end)) => out.push((labels.clone(), end.get_ref().clone())),
                _ => panic!("option {:?} of {node} needs exactly one target", o.label),
            }
            labels.pop();
        }
    }
    let mut out = Vec::new();
    walk(t, t.start.get_ref(), &mut Vec::new(), &mut out);
    out
}

/// Follows the options whose labels start with `choices`, one per node, and
/// returns the outcome reached.
fn outcome_for(t: &zhiku::content::DecisionFile, choices: &[&str]) -> String {
    let mut node = t.start.get_ref().clone();
    for (i, choice) in choices.iter().enumerate() {
        let n = t
            .nodes
            .iter()
            .find(|n| *n.id.get_ref() == node)
            .unwrap_or_else(|| panic!("no node {node}"));
        let matching: Vec<_> = n
            .options
            .iter()
            .filter(|o| o.label.get_ref().starts_with(choice))
            .collect();
        assert_eq!(
            matching.len(),
            1,
            "node {node}: options starting {choice:?}"
        );
        let o = matching[0];
        if let Some(end) = &o.outcome {
            assert_eq!(i + 1, choices.len(), "path ends early at {}", end.get_ref());
            return end.get_ref().clone();
        }
        node = o.next.as_ref().expect("a target").get_ref().clone();
    }
    panic!("path {choices:?} stops at node {node}, not at an outcome")
}

fn outcome<'a>(
    t: &'a zhiku::content::DecisionFile,
    id: &str,
) -> &'a zhiku::content::DecisionOutcome {
    t.outcomes
        .iter()
        .find(|o| o.id.get_ref() == id)
        .unwrap_or_else(|| panic!("no outcome {id}"))
}

const MAINLAND: &str = "中国内地";
const HK: &str = "中国香港";
const ABROAD: &str = "其他国家或地区";
const HW: &str = "华为云，符合";
const OTHER: &str = "其他云厂商";
/// A company with a display-only website and a properly registered domain
/// that already has a filing.
const FILED_ORG: [&str; 4] = ["企业", "不收费", "在国内获批", "有，名下还有"];

#[test]
fn need_filing_outcomes_for_the_reviewed_cases() {
    let site = real_site();
    let t = tree(&site, "need-filing");
    // Server abroad: only the website answer is "no filing" (7.1); an APP
    // depends on serving users in the country (9.2), a mini-program is filed
    // by its platform (9.4).
    assert_eq!(outcome_for(t, &[ABROAD, "网站"]), "no-abroad");
    assert_eq!(outcome_for(t, &[HK, "网站"]), "no-hk-mo-tw");
    assert_eq!(outcome_for(t, &[ABROAD, "APP"]), "abroad-app");
    assert_eq!(outcome_for(t, &[HK, "APP"]), "abroad-app");
    assert_eq!(outcome_for(t, &[ABROAD, "小程序"]), "mini-program");
    assert_eq!(
        outcome(t, "abroad-app").kind,
        zhiku::content::OutcomeKind::Depends
    );
    // Domain only.
    assert_eq!(outcome_for(t, &["还没有服务器"]), "domain-only");
    // Subdomain of a filed domain, on either provider branch.
    for provider in [HW, OTHER] {
        let mut path = vec![MAINLAND, "网站", provider];
        path.extend(FILED_ORG);
        path.extend(["想用已备案的一级域名", "与一级域名同一家"]);
        assert_eq!(outcome_for(t, &path), "subdomain-same-provider", "{path:?}");
    }
    // Moving from another provider.
    let mut hw = vec![MAINLAND, "网站", HW];
    hw.extend(FILED_ORG);
    hw.push("已在别的接入商备案成功");
    assert_eq!(outcome_for(t, &hw), "new-access");
    let mut other = vec![MAINLAND, "网站", OTHER];
    other.extend(FILED_ORG);
    other.push("已在别的接入商备案成功");
    assert_eq!(outcome_for(t, &other), "o-new-access");
    // The source contradicts itself on resolving during the access review:
    // the outcome gives both statements with their sections.
    let na = &outcome(t, "new-access").explanation;
    assert!(na.contains("7.28") && na.contains("7.33"), "{na}");
    assert!(na.contains("初审通过"), "7.28 is stated: {na}");
    // A first filing on another provider.
    let mut first = vec![MAINLAND, "网站", OTHER];
    first.extend(["个人", "只有个人内容", "在国内获批", "没有"]);
    assert_eq!(outcome_for(t, &first), "o-first-filing");
}

/// Every path through "其他云厂商" ends at an outcome that names no 华为云
/// procedure and cites no provider-only entry.
#[test]
fn other_provider_outcomes_are_provider_neutral() {
    let site = real_site();
    let t = tree(&site, "need-filing");
    let paths = tree_paths(t);
    let via_other: Vec<_> = paths
        .iter()
        .filter(|(labels, _)| labels.iter().any(|l| l.starts_with(OTHER)))
        .collect();
    assert!(via_other.len() >= 10, "{via_other:?}");
    let link = Regex::new(r"\]\((@[^)]+)\)").expect("regex");
    for (labels, end) in via_other {
        let o = outcome(t, end);
        for text in [&o.verdict, &o.explanation] {
            assert!(
                !text.contains("华为"),
                "{end} (path {labels:?}) names 华为云: {text}"
            );
        }
        let cited = o
            .see
            .iter()
            .map(|s| s.get_ref().clone())
            .chain(link.captures_iter(&o.explanation).map(|c| c[1].to_string()));
        for id in cited {
            let id = id.trim_start_matches('@').split('#').next().unwrap_or("");
            if let Some(e) = site.entries.iter().find(|e| e.id == id) {
                let scope = e.front.scope.as_ref().map(|s| *s.get_ref());
                assert_ne!(
                    scope,
                    Some(zhiku::content::Scope::Provider),
                    "{end} (path {labels:?}) cites the provider-only entry {id}"
                );
            }
        }
    }
}
