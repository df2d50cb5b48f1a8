//! The filing-rule commands on the real content: every province's forbidden
//! words, the general rules through the binary, exit codes and JSON shape.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use search_index::rules::name::{check_name, Subject};
use search_index::rules::preapproval::check_preapproval;
use search_index::rules::{see_ids, Severity, Verdict};
use serde_json::Value;
use zhiku::tools::RuleData;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn zhiku(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zhiku"))
        .arg("--root")
        .arg(root())
        .args(args)
        .output()
        .expect("run zhiku")
}

fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// A name that breaks no general rule and no province's list.
const CLEAN: &str = "星辰大海书店";

#[test]
fn every_forbidden_word_of_every_province_blocks_and_a_clean_name_passes() {
    let data = RuleData::load(root()).expect("content loads");
    assert_eq!(data.provinces.len(), 31);
    let with_words: Vec<_> = data
        .provinces
        .iter()
        .filter(|p| !p.forbidden_name_words.is_empty())
        .collect();
    assert!(with_words.len() >= 11, "the source lists 11 provinces");
    for p in &data.provinces {
        let clean = check_name(p, Subject::Organisation, false, CLEAN);
        assert_eq!(
            clean.verdict,
            Verdict::Pass,
            "{}: {:?}",
            p.id,
            clean.findings
        );
        for w in &p.forbidden_name_words {
            let name = format!("星辰{w}乐园");
            let r = check_name(p, Subject::Organisation, false, &name);
            let hit = r
                .findings
                .iter()
                .find(|f| f.rule == "province-forbidden-word" && &f.matched == w);
            assert!(hit.is_some(), "{} {name}: {:?}", p.id, r.findings);
            assert_eq!(hit.unwrap().severity, Severity::Block);
            assert_eq!(hit.unwrap().see, format!("@province/{}", p.id));
            assert_eq!(r.verdict, Verdict::Block);
        }
    }
    // A province whose list is silent does not block another province's word.
    let hainan = data.province("hainan").unwrap();
    assert!(hainan.forbidden_name_words.is_empty());
    let r = check_name(hainan, Subject::Organisation, false, "星辰商城乐园");
    assert_eq!(r.verdict, Verdict::Pass, "{:?}", r.findings);
}

#[test]
fn every_see_id_exists_in_the_content() {
    let data = RuleData::load(root()).unwrap();
    for id in see_ids() {
        assert!(data.url(id).is_some(), "{id} does not resolve");
    }
    for p in &data.provinces {
        assert!(data.url(&format!("@province/{}", p.id)).is_some());
    }
}

#[test]
fn provinces_are_found_by_id_name_and_abbreviation() {
    let data = RuleData::load(root()).unwrap();
    for q in ["guangdong", "广东省", "广东", "粤"] {
        assert_eq!(data.province(q).unwrap().id, "guangdong", "{q}");
    }
    for q in ["内蒙古", "蒙", "neimenggu"] {
        assert_eq!(data.province(q).unwrap().id, "neimenggu", "{q}");
    }
    assert!(data.province("台湾").is_err());
}

/// (args, expected exit status, expected verdict, rule that must appear)
const NAME_CASES: &[(&[&str], i32, &str, Option<&str>)] = &[
    (&["--province", "guangdong", CLEAN], 0, "pass", None),
    (
        &["--province", "粤", "中国美食网"],
        3,
        "block",
        Some("reserved-prefix"),
    ),
    (
        &["--province", "广东", "云端"],
        3,
        "block",
        Some("min-length"),
    ),
    (
        &["--province", "guangdong", "123456"],
        3,
        "block",
        Some("pure-digits"),
    ),
    (
        &["--province", "guangdong", "HelloWorld"],
        3,
        "block",
        Some("pure-latin"),
    ),
    (
        &["--province", "guangdong", "星辰#书店"],
        3,
        "block",
        Some("special-symbols"),
    ),
    (
        &["--province", "guangdong", "赌博技巧大全"],
        3,
        "block",
        Some("sensitive-word"),
    ),
    (
        &["--province", "guangdong", "校园新闻中心"],
        0,
        "warn",
        Some("preapproval-word"),
    ),
    (
        &["--province", "hainan", "--individual", "我的摄影作品分享"],
        0,
        "warn",
        Some("individual-personal-or-place-name"),
    ),
    (
        &["--province", "hainan", "--individual", "小明科技工作室"],
        3,
        "block",
        Some("individual-organisation-word"),
    ),
    (
        &["--province", "hainan", "--organisation", "小明科技工作室"],
        0,
        "pass",
        None,
    ),
    (
        &["--province", "hainan", "--app", "9块9包邮"],
        3,
        "block",
        Some("app-price-marketing"),
    ),
    (
        &["--province", "hainan", "--app", "手电筒"],
        3,
        "block",
        Some("app-generic-word"),
    ),
    (
        &["--province", "hainan", "--app", "星辰阅读😀"],
        3,
        "block",
        Some("special-symbols"),
    ),
    (
        &["--province", "hainan", "--app", "星辰阅读器"],
        0,
        "pass",
        None,
    ),
];

#[test]
fn check_name_exit_codes_verdicts_and_json_shape() {
    for (args, status, verdict, rule) in NAME_CASES {
        let mut full = vec!["check-name", "--json"];
        full.extend_from_slice(args);
        let out = zhiku(&full);
        assert_eq!(out.status.code(), Some(*status), "{args:?}");
        let v = json_of(&out);
        assert_eq!(v["verdict"], *verdict, "{args:?}: {v}");
        let findings = v["findings"].as_array().expect("findings array");
        for f in findings {
            for key in ["rule", "severity", "matched", "message", "see"] {
                assert!(f[key].is_string(), "{key} missing in {f}");
            }
            assert!(["block", "warn"].contains(&f["severity"].as_str().unwrap()));
            let see = f["see"].as_str().unwrap();
            // The real site's base_url is a placeholder: host-relative links.
            assert!(
                see.starts_with('/') && !see.starts_with("//") && see.ends_with('/'),
                "see is a site path: {see}"
            );
        }
        if let Some(rule) = rule {
            assert!(
                findings.iter().any(|f| f["rule"] == *rule),
                "{args:?} lacks {rule}: {v}"
            );
        }
        if *verdict == "pass" {
            assert!(findings.is_empty());
        }
    }
}

#[test]
fn check_name_plain_output_names_the_rule_and_link() {
    let out = zhiku(&["check-name", "--province", "beijing", "星辰论坛乐园"]);
    assert_eq!(out.status.code(), Some(3));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("province-forbidden-word"), "{text}");
    assert!(text.contains("「论坛」"), "{text}");
    assert!(text.contains("/provinces/beijing/"), "{text}");
}

#[test]
fn bad_input_exits_2() {
    let out = zhiku(&["check-name", "--province", "台湾", "星辰大海书店"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown province"), "{err}");
    assert!(
        err.contains("guangdong") && err.contains("广东省（粤）"),
        "lists valid provinces: {err}"
    );
    let out = zhiku(&["check-preapproval", "--province", "xx", "新闻"]);
    assert_eq!(out.status.code(), Some(2));
    let out = zhiku(&["check-name", "--province", "guangdong", "  "]);
    assert_eq!(out.status.code(), Some(2));
    let out = zhiku(&[
        "check-name",
        "--province",
        "guangdong",
        "--individual",
        "--organisation",
        "星辰大海书店",
    ]);
    assert_eq!(out.status.code(), Some(2), "conflicting subject flags");
    let out = zhiku(&["check-name", "星辰大海书店"]);
    assert_eq!(out.status.code(), Some(2), "missing --province");
}

fn categories(v: &Value) -> Vec<(String, String)> {
    v["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["source"].as_str().unwrap().to_string(),
                c["category"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn check_preapproval_positive_negated_and_without_table() {
    // Positive: Guangdong's online-training row and its letter.
    let out = zhiku(&[
        "check-preapproval",
        "--json",
        "--province",
        "广东",
        "提供线上培训课程",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let v = json_of(&out);
    assert_eq!(v["verdict"], "warn");
    let c = &v["categories"][0];
    assert_eq!(c["category"], "教育");
    assert_eq!(c["keywords"][0], "线上培训");
    assert_eq!(c["letters"][0], "《广东省线上培训承诺书》");
    assert_eq!(v["findings"][0]["see"], "/provinces/guangdong/");

    // Negated: 不涉及新闻 does not trigger the news category.
    let out = zhiku(&[
        "check-preapproval",
        "--json",
        "--province",
        "anhui",
        "企业官网，不涉及新闻",
    ]);
    let v = json_of(&out);
    assert_eq!(v["verdict"], "pass", "{v}");
    assert_eq!(v["negated"][0], "新闻");
    let out = zhiku(&[
        "check-preapproval",
        "--json",
        "--province",
        "anhui",
        "发布行业新闻",
    ]);
    let v = json_of(&out);
    assert_eq!(
        categories(&v),
        vec![
            ("national".into(), "新闻".into()),
            ("province".into(), "新闻".into())
        ]
    );
    assert_eq!(v["categories"][1]["letters"][0], "《安徽不涉及新闻承诺书》");

    // Finance eighteen words in Yunnan: a trigger, with the note explained.
    let out = zhiku(&[
        "check-preapproval",
        "--json",
        "--province",
        "滇",
        "理财产品介绍",
    ]);
    let v = json_of(&out);
    let c = &v["categories"][0];
    assert_eq!(c["category"], "金融");
    assert_eq!(c["keyword_note"], "除金融十八词以外可用");
    assert!(c["explanation"].as_str().unwrap().contains("18 个词"));

    // No table: Hainan and Zhejiang fall back to the national categories.
    for p in ["hainan", "zhejiang"] {
        let out = zhiku(&[
            "check-preapproval",
            "--json",
            "--province",
            p,
            "在线教育平台",
        ]);
        let v = json_of(&out);
        assert_eq!(v["province_has_table"], false);
        assert_eq!(categories(&v), vec![("national".into(), "教育".into())]);
        assert!(v["notes"][0]["message"].as_str().unwrap().contains("没有"));
    }
}

#[test]
fn every_tabled_keyword_triggers_its_row() {
    let data = RuleData::load(root()).unwrap();
    for p in &data.provinces {
        for row in &p.preapproval {
            for k in &row.keywords {
                let r = check_preapproval(p, &format!("我们的业务包括{k}。"));
                assert!(
                    r.categories
                        .iter()
                        .any(|c| c.category == row.category && c.letters == row.letters),
                    "{} {k}: {:?}",
                    p.id,
                    r.categories
                );
                let r = check_preapproval(p, &format!("本网站不涉及{k}。"));
                assert!(
                    r.categories
                        .iter()
                        .all(|c| c.category != row.category || c.letters != row.letters),
                    "{} 不涉及{k}: {:?}",
                    p.id,
                    r.categories
                );
            }
        }
    }
}

/// The text between `<script type="application/json" id="{id}">` and `</script>`.
fn embedded<'a>(html: &'a str, id: &str) -> &'a str {
    let open = format!("<script type=\"application/json\" id=\"{id}\">");
    let start = html.find(&open).expect("embedded JSON") + open.len();
    let len = html[start..].find("</script>").expect("closed");
    &html[start..start + len]
}

#[test]
fn checker_pages_embed_the_province_rules_and_rule_links() {
    let dir = tempfile::tempdir().unwrap();
    let out = zhiku(&["build", "--output", dir.path().to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let data = RuleData::load(root()).unwrap();
    for page in ["tools/name-check", "tools/preapproval"] {
        let html = std::fs::read_to_string(dir.path().join(page).join("index.html")).unwrap();
        let provinces =
            search_index::rules::provinces_from_json(embedded(&html, "zhiku-provinces")).unwrap();
        assert_eq!(
            provinces, data.provinces,
            "{page}: the same data the CLI uses"
        );
        let links: Value = serde_json::from_str(embedded(&html, "zhiku-links")).unwrap();
        for id in see_ids() {
            assert!(links[id].as_str().unwrap().starts_with('/'), "{page}: {id}");
        }
        assert_eq!(links["@province/guangdong"], "/provinces/guangdong/");
        assert!(html.contains("/static/tools.js"));
    }
    let tools = std::fs::read_to_string(dir.path().join("tools/index.html")).unwrap();
    assert!(tools.contains("href=\"/tools/name-check/\""));
}

/// The links the commands print follow `base_url`: absolute under a real
/// one (with its path), host-relative under a placeholder (`example` hosts),
/// so nothing printed points at a domain that does not exist.
#[test]
fn printed_links_follow_base_url() {
    let base_line = regex::Regex::new(r#"(?m)^base_url = ".*"$"#).expect("valid regex");
    for (base_url, want) in [
        (
            "https://help.acme-cloud.cn/icp/",
            "https://help.acme-cloud.cn/icp/provinces/guangdong/",
        ),
        ("https://example.cn/kb/", "/kb/provinces/guangdong/"),
        ("https://zhiku.example.cn", "/provinces/guangdong/"),
    ] {
        let site = common::SiteCopy::new();
        let toml = site.read("content/site.toml");
        let toml = base_line.replace(&toml, format!("base_url = \"{base_url}\""));
        site.write("content/site.toml", &toml);
        let run = |args: &[&str]| {
            let out = Command::new(env!("CARGO_BIN_EXE_zhiku"))
                .arg("--root")
                .arg(site.root())
                .args(args)
                .output()
                .expect("run zhiku");
            // 3: the name check found a blocking problem, as it should here.
            assert!(
                matches!(out.status.code(), Some(0 | 3)),
                "{args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8_lossy(&out.stdout).into_owned()
        };
        let v: Value = serde_json::from_str(&run(&[
            "check-preapproval",
            "--json",
            "--province",
            "广东",
            "提供线上培训课程",
        ]))
        .expect("JSON");
        assert_eq!(v["findings"][0]["see"], want, "{base_url}");
        let text = run(&["check-name", "--province", "guangdong", "中国二手商城"]);
        assert!(text.contains(want), "{base_url}: {text}");
        let hits = run(&["search", "--json", "--limit", "3", "广东 禁用词"]);
        for line in hits.lines() {
            let hit: Value = serde_json::from_str(line).expect("a JSON line");
            let url = hit["url"].as_str().expect("url");
            let prefix = want.trim_end_matches("provinces/guangdong/");
            assert!(url.starts_with(prefix), "{base_url}: {url}");
        }
    }
}
