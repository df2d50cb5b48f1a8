//! One fixture per kind of content error: `zhiku check` (JSON and plain) must
//! exit 1 and point at the right file, line and column with the right message.
//!
//! Each case is the valid fixture (`tests/fixtures/valid`) with the files of
//! `tests/fixtures/errors/<case>/` laid over it, so a case holds only what it breaks.

mod common;

use std::fs;
use std::path::Path;

use serde_json::Value;

/// What one diagnostic must say.
struct Expect {
    file: &'static str,
    line: u64,
    /// `None` where the column carries no meaning (whole-file problems).
    column: Option<u64>,
    message: &'static str,
    /// Text the diagnostic must underline.
    snippet: &'static str,
}

/// Diagnostics printed by `check --json`, one JSON object a line.
fn json_diagnostics(root: &Path) -> (i32, Vec<Value>) {
    let out = common::zhiku(root, &["check", "--json"]);
    let stdout = String::from_utf8(out.stdout).expect("JSON output is UTF-8");
    let items = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
        .collect();
    (out.status.code().unwrap_or(-1), items)
}

fn of_severity<'a>(items: &'a [Value], severity: &str) -> Vec<&'a Value> {
    items.iter().filter(|d| d["severity"] == severity).collect()
}

fn assert_matches(d: &Value, e: &Expect) {
    assert_eq!(d["file"], e.file, "file of {d}");
    assert_eq!(d["line"], e.line, "line of {d}");
    if let Some(c) = e.column {
        assert_eq!(d["column"], c, "column of {d}");
    }
    let msg = d["message"].as_str().unwrap_or_default();
    assert!(
        msg.contains(e.message),
        "message {msg:?} lacks {:?}",
        e.message
    );
    let snippet = d["snippet"].as_str().unwrap_or_default();
    assert!(
        snippet.contains(e.snippet),
        "snippet {snippet:?} lacks {:?}",
        e.snippet
    );
}

/// Runs both output modes on a broken site and checks the single error.
fn assert_single_error(root: &Path, e: &Expect) {
    let (code, items) = json_diagnostics(root);
    assert_eq!(code, 1, "check --json must fail; got {items:?}");
    let errors = of_severity(&items, "error");
    assert_eq!(
        errors.len(),
        1,
        "expected exactly one error, got {errors:#?}"
    );
    assert_matches(errors[0], e);

    let plain = common::zhiku(root, &["check"]);
    assert_eq!(plain.status.code(), Some(1), "plain check must fail");
    let stderr = String::from_utf8_lossy(&plain.stderr);
    assert!(
        stderr.contains(&format!("error: {}", e.message)),
        "plain output lacks the message {:?}:\n{stderr}",
        e.message
    );
    let location = match e.column {
        Some(c) => format!("┌─ {}:{}:{c}", e.file, e.line),
        None => format!("┌─ {}:{}:", e.file, e.line),
    };
    assert!(
        stderr.contains(&location),
        "plain output lacks {location:?}:\n{stderr}"
    );
    assert!(stderr.contains("1 error(s)"), "summary line:\n{stderr}");
}

macro_rules! error_case {
    ($name:ident, $case:literal, $file:literal, $line:literal, $col:expr, $msg:literal, $snippet:literal) => {
        #[test]
        fn $name() {
            let site = common::error_site($case);
            assert_single_error(
                site.path(),
                &Expect {
                    file: $file,
                    line: $line,
                    column: $col,
                    message: $msg,
                    snippet: $snippet,
                },
            );
        }
    };
}

const TREE: &str = "content/decision/need-filing.toml";
const ENTRY: &str = "content/faq/basics/extra.md";

#[test]
fn valid_fixture_passes_without_warnings() {
    let site = common::valid_site();
    let (code, items) = json_diagnostics(site.path());
    assert_eq!(code, 0, "{items:#?}");
    assert!(items.is_empty(), "{items:#?}");
}

error_case!(
    bad_toml_syntax,
    "bad-toml-syntax",
    "content/faq/basics/extra.md",
    2,
    Some(18),
    "invalid basic string",
    ""
);
error_case!(
    missing_required_field,
    "missing-field",
    "content/faq/basics/extra.md",
    2,
    Some(1),
    "missing field `order`",
    "title = "
);
error_case!(
    wrong_type,
    "wrong-type",
    "content/faq/basics/extra.md",
    4,
    Some(9),
    "invalid type: string \"三十\", expected i64",
    "\"三十\""
);
error_case!(
    unknown_field,
    "unknown-field",
    "content/faq/basics/extra.md",
    6,
    Some(1),
    "unknown field `colour`",
    "colour"
);
error_case!(
    duplicate_decision_node_id,
    "duplicate-node-id",
    "content/decision/need-filing.toml",
    15,
    Some(6),
    "duplicate id `location` in decision tree",
    "\"location\""
);
error_case!(
    duplicate_decision_outcome_id,
    "duplicate-outcome-id",
    "content/decision/need-filing.toml",
    34,
    Some(6),
    "duplicate id `no-abroad` in decision tree",
    "\"no-abroad\""
);
error_case!(
    fixes_must_name_faq_entries,
    "fixes-not-faq",
    "content/rejections/br-contact.md",
    7,
    Some(34),
    "`fixes` must name FAQ entries",
    "\"@province/hunan\""
);
error_case!(
    duplicate_province_name,
    "duplicate-province-name",
    "content/provinces/hubei.toml",
    1,
    Some(8),
    "duplicate province name `广东省`",
    "\"广东省\""
);
error_case!(
    broken_markdown_link,
    "broken-link",
    "content/faq/basics/extra.md",
    8,
    Some(15),
    "broken link: no content has the id `@faq/basics/no-such-entry`",
    "[流程](@faq/basics/no-such-entry)"
);
error_case!(
    broken_related_id,
    "broken-related",
    "content/faq/basics/extra.md",
    6,
    Some(39),
    "broken link in `related`: no content has the id `@rejection/no-such-reason`",
    "\"@rejection/no-such-reason\""
);
error_case!(
    broken_anchor,
    "broken-anchor",
    "content/faq/basics/extra.md",
    10,
    Some(2),
    "broken link: `@faq/basics/need-filing` has no anchor `#没有这个标题`",
    "@faq/basics/need-filing#没有这个标题"
);
error_case!(
    unknown_province,
    "unknown-province",
    "content/faq/basics/extra.md",
    6,
    Some(27),
    "unknown province `atlantis`",
    "\"atlantis\""
);
error_case!(
    unreachable_tree_node,
    "unreachable-node",
    "content/decision/need-filing.toml",
    15,
    Some(6),
    "node `orphan` is unreachable from `location`",
    "\"orphan\""
);
error_case!(
    cyclic_tree,
    "cyclic-tree",
    "content/decision/need-filing.toml",
    22,
    Some(8),
    "cycle: `kind` leads back to `location`",
    "\"location\""
);
error_case!(
    dead_end_node,
    "dead-end-node",
    "content/decision/need-filing.toml",
    18,
    Some(6),
    "node `kind` is a dead end: it has no options",
    "\"kind\""
);
error_case!(
    dangling_option_without_target,
    "dangling-option-neither",
    "content/decision/need-filing.toml",
    11,
    Some(9),
    "an option needs exactly one of `next` or `outcome`",
    "\"不知道\""
);
error_case!(
    dangling_option_with_both_targets,
    "dangling-option-both",
    "content/decision/need-filing.toml",
    8,
    Some(9),
    "an option needs exactly one of `next` or `outcome`",
    "\"中国内地\""
);
error_case!(
    option_to_unknown_node,
    "option-unknown-node",
    "content/decision/need-filing.toml",
    9,
    Some(8),
    "option points to unknown node `nowhere`",
    "\"nowhere\""
);
error_case!(
    missing_front_matter,
    "missing-front-matter",
    "content/faq/basics/extra.md",
    1,
    None,
    "missing front matter: the file must start with a `+++` line",
    "title = "
);
error_case!(
    entry_in_chapter_without_index,
    "no-chapter-index",
    "content/faq/orphan/lost.md",
    1,
    None,
    "chapter `orphan` has no `_index.md`",
    "+++"
);
error_case!(
    invalid_section_number,
    "invalid-section",
    "content/faq/basics/extra.md",
    3,
    Some(11),
    "`section` must be a source section number such as \"7.7\", found `第七章`",
    "\"第七章\""
);
error_case!(
    external_image,
    "external-image",
    "content/faq/basics/extra.md",
    10,
    Some(1),
    "images must be stored with the site",
    "https://cdn.example.com/flow.png"
);

/// Invalid UTF-8 is written at test time (a GBK-encoded title) rather than
/// committed as binary junk.
#[test]
fn invalid_utf8() {
    let site = common::valid_site();
    let mut bytes = b"+++\ntitle = \"".to_vec();
    bytes.extend_from_slice(&[0xb1, 0xb8, 0xb0, 0xb8]); // 备案 in GBK
    bytes.extend_from_slice(b"\"\nsection = \"7.1\"\norder = 30\n+++\n");
    fs::write(site.path().join(ENTRY), bytes).expect("writing the fixture");
    assert_single_error(
        site.path(),
        &Expect {
            file: ENTRY,
            line: 2,
            column: Some(10),
            message: "invalid UTF-8 at byte 13: content files must be UTF-8",
            snippet: "\u{fffd}",
        },
    );
}

/// A warning alone (an entry without aliases) is reported but does not fail.
#[test]
fn warning_only_exits_zero() {
    let site = common::error_site("no-aliases");
    let (code, items) = json_diagnostics(site.path());
    assert_eq!(code, 0, "{items:#?}");
    assert!(of_severity(&items, "error").is_empty(), "{items:#?}");
    let warnings = of_severity(&items, "warning");
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert_matches(
        warnings[0],
        &Expect {
            file: ENTRY,
            line: 1,
            column: Some(1),
            message: "entry `faq/basics/extra` has no aliases",
            snippet: "+++",
        },
    );
    let plain = common::zhiku(site.path(), &["check"]);
    assert!(plain.status.success());
    let stderr = String::from_utf8_lossy(&plain.stderr);
    assert!(stderr.contains("warning: entry `faq/basics/extra` has no aliases"));
    assert!(stderr.contains("0 error(s), 1 warning(s)"), "{stderr}");
}

/// Errors in several files are all reported in one run, not just the first.
#[test]
fn every_error_is_reported_in_one_run() {
    let site = common::error_site("cyclic-tree");
    for case in ["wrong-type", "duplicate-province-name", "no-chapter-index"] {
        common::copy_tree(&common::fixture("errors").join(case), site.path());
    }
    let (code, items) = json_diagnostics(site.path());
    assert_eq!(code, 1);
    let errors = of_severity(&items, "error");
    let files: Vec<&str> = errors.iter().filter_map(|d| d["file"].as_str()).collect();
    assert_eq!(
        files,
        [
            TREE,
            ENTRY,
            "content/faq/orphan/lost.md",
            "content/provinces/hubei.toml"
        ],
        "{errors:#?}"
    );
}

/// `build` runs the same checks and refuses to write anything.
#[test]
fn build_fails_on_content_errors() {
    let site = common::error_site("broken-link");
    let out = site.path().join("public");
    let o = common::zhiku(site.path(), &["build", "--output", &out.to_string_lossy()]);
    assert_eq!(o.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("no content has the id `@faq/basics/no-such-entry`"),
        "{stderr}"
    );
    assert!(
        !out.exists(),
        "a failed first build must not create the output"
    );
}

/// Markdown inside a TOML string (an outcome's explanation) is reported at
/// the link itself, not at an earlier mention of the same id.
#[test]
fn tree_links_point_at_their_own_line() {
    let site = common::error_site("tree-broken-link");
    let (code, items) = json_diagnostics(site.path());
    assert_eq!(code, 1);
    let errors = of_severity(&items, "error");
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert_matches(
        errors[0],
        &Expect {
            file: TREE,
            line: 30,
            column: Some(27),
            message: "broken link: no content has the id `@faq/basics/gone`",
            snippet: "[说明](@faq/basics/gone)",
        },
    );
    assert_matches(
        errors[1],
        &Expect {
            file: TREE,
            line: 31,
            column: Some(8),
            message: "broken link in `see`: no content has the id `@faq/basics/gone`",
            snippet: "\"@faq/basics/gone\"",
        },
    );
}

// ------------------------------------------------------- scope, moved_from

error_case!(
    bad_scope_value,
    "bad-scope",
    "content/faq/basics/extra.md",
    4,
    Some(9),
    "unknown variant `federal`, expected one of `national`, `province`, `provider`, `mixed`",
    "\"federal\""
);
error_case!(
    link_to_a_moved_id_names_the_new_id,
    "moved-link",
    "content/faq/basics/extra.md",
    9,
    Some(12),
    "broken link: `@faq/basics/old-extra` has moved: link `@faq/basics/extra` instead",
    "[旧地址](@faq/basics/old-extra)"
);
error_case!(
    moved_from_must_not_be_a_live_id,
    "moved-clash",
    "content/faq/basics/extra.md",
    6,
    Some(15),
    "`moved_from`: `@faq/basics/how-long` is the id of live content",
    "\"@faq/basics/how-long\""
);
error_case!(
    moved_from_must_be_an_entry_id,
    "moved-malformed",
    "content/faq/basics/extra.md",
    6,
    Some(15),
    "`moved_from`: `faq/basics/old-extra` is not a FAQ entry id",
    "\"faq/basics/old-extra\""
);

/// The single warning of a case that has no errors.
fn single_warning(case: &str) -> Value {
    let site = common::error_site(case);
    let (code, items) = json_diagnostics(site.path());
    assert_eq!(code, 0, "warnings do not fail the check: {items:#?}");
    assert!(of_severity(&items, "error").is_empty(), "{items:#?}");
    let warnings = of_severity(&items, "warning");
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    warnings[0].clone()
}

/// With `provider` in site.toml, an entry that names the provider but has no
/// `scope` is warned about at the place it names it.
#[test]
fn entry_naming_the_provider_without_scope_warns() {
    let w = single_warning("provider-no-scope");
    assert_matches(
        &w,
        &Expect {
            file: ENTRY,
            line: 10,
            column: Some(2),
            message: "entry `faq/basics/extra` names 华为云 but has no `scope`",
            snippet: "华为云",
        },
    );
}

/// A national entry may name the provider inside a callout only: the
/// mention in the callout passes, the one outside is warned about.
#[test]
fn provider_named_outside_a_callout_warns() {
    let w = single_warning("provider-outside-callout");
    assert_matches(
        &w,
        &Expect {
            file: ENTRY,
            line: 15,
            column: Some(13),
            message: "entry `faq/basics/extra` has `scope = \"national\"` but names 华为云 outside a provider callout",
            snippet: "华为云",
        },
    );
}
