//! Browser exports of the rule checkers: the same Rust code the CLI runs,
//! taking and returning JSON strings.
//!
//! Requests may carry `links` (content id → URL) so findings point at pages;
//! errors come back as `{"error": "..."}` rather than exceptions.

use std::collections::HashMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use crate::province::Province;
use crate::rules::name::{check_name as name_check, NameRequest};
use crate::rules::preapproval::{check_preapproval as preapproval_check, PreapprovalRequest};
use crate::rules::{find_province, provinces_from_json, resolve_see};

/// What every checker request carries besides its own fields.
#[derive(Deserialize)]
struct Common {
    province: String,
    #[serde(default)]
    links: HashMap<String, String>,
}

fn error(message: String) -> String {
    serde_json::json!({ "error": message }).to_string()
}

/// Parses the province data and a request, finds the request's province and
/// runs `check` on it with a resolver of rule page ids to URLs; returns the
/// report as JSON, or `{"error"}`.
fn run<T: DeserializeOwned, R: Serialize>(
    provinces_json: &str,
    request_json: &str,
    check: impl FnOnce(&Province, T, &dyn Fn(&str) -> Option<String>) -> R,
) -> String {
    let parsed = || -> Result<_, String> {
        let provinces = provinces_from_json(provinces_json).map_err(|e| e.to_string())?;
        let common: Common =
            serde_json::from_str(request_json).map_err(|e| format!("request: {e}"))?;
        let body: T = serde_json::from_str(request_json).map_err(|e| format!("request: {e}"))?;
        Ok((provinces, common, body))
    };
    let (provinces, common, body) = match parsed() {
        Ok(v) => v,
        Err(e) => return error(e),
    };
    let Some(p) = find_province(&provinces, &common.province) else {
        return error(format!("unknown province `{}`", common.province));
    };
    let report = check(p, body, &|id| common.links.get(id).cloned());
    serde_json::to_string(&report).unwrap_or_else(|e| error(e.to_string()))
}

/// Checks a website or APP name: `request_json` is
/// `{"province", "subject": "individual"|"organisation", "app", "name", "links"?}`.
#[wasm_bindgen]
pub fn check_name(provinces_json: &str, request_json: &str) -> String {
    run(
        provinces_json,
        request_json,
        |p, req: NameRequest, links| {
            let mut report = name_check(p, req.subject, req.app, &req.name);
            resolve_see(&mut report.findings, &mut report.notes, links);
            report
        },
    )
}

/// Checks a business scope or site description: `request_json` is
/// `{"province", "text", "links"?}`.
#[wasm_bindgen]
pub fn check_preapproval(provinces_json: &str, request_json: &str) -> String {
    run(
        provinces_json,
        request_json,
        |p, req: PreapprovalRequest, links| {
            let mut report = preapproval_check(p, &req.text);
            resolve_see(&mut report.findings, &mut report.notes, links);
            report
        },
    )
}
