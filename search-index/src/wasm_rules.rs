//! Browser exports of the rule checkers: the same Rust code the CLI runs,
//! taking and returning JSON strings.
//!
//! Requests may carry `links` (content id → URL) so findings point at pages;
//! errors come back as `{"error": "..."}` rather than exceptions.

use std::collections::HashMap;

use serde::Deserialize;
use wasm_bindgen::prelude::*;

use crate::rules::name::{check_name as name_check, NameRequest};
use crate::rules::preapproval::{check_preapproval as preapproval_check, PreapprovalRequest};
use crate::rules::{find_province, provinces_from_json, resolve_see};

#[derive(Deserialize)]
struct Links {
    #[serde(default)]
    links: HashMap<String, String>,
}

fn error(message: String) -> String {
    serde_json::json!({ "error": message }).to_string()
}

/// A request with the province data it runs on.
struct Parsed<T> {
    provinces: Vec<crate::province::Province>,
    links: HashMap<String, String>,
    body: T,
}

/// Parses the shared parts of a request: provinces, the link map and the body.
fn parse<T: for<'de> Deserialize<'de>>(
    provinces_json: &str,
    request_json: &str,
) -> Result<Parsed<T>, String> {
    let provinces = provinces_from_json(provinces_json).map_err(|e| e.to_string())?;
    let links: Links = serde_json::from_str(request_json).map_err(|e| format!("request: {e}"))?;
    let body: T = serde_json::from_str(request_json).map_err(|e| format!("request: {e}"))?;
    Ok(Parsed {
        provinces,
        links: links.links,
        body,
    })
}

/// Checks a website or APP name: `request_json` is
/// `{"province", "subject": "individual"|"organisation", "app", "name", "links"?}`.
#[wasm_bindgen]
pub fn check_name(provinces_json: &str, request_json: &str) -> String {
    let Parsed {
        provinces,
        links,
        body: req,
    } = match parse::<NameRequest>(provinces_json, request_json) {
        Ok(v) => v,
        Err(e) => return error(e),
    };
    let Some(p) = find_province(&provinces, &req.province) else {
        return error(format!("unknown province `{}`", req.province));
    };
    let mut report = name_check(p, req.subject, req.app, &req.name);
    resolve_see(&mut report.findings, &mut report.notes, &|id| {
        links.get(id).cloned()
    });
    serde_json::to_string(&report).unwrap_or_else(|e| error(e.to_string()))
}

/// Checks a business scope or site description: `request_json` is
/// `{"province", "text", "links"?}`.
#[wasm_bindgen]
pub fn check_preapproval(provinces_json: &str, request_json: &str) -> String {
    let Parsed {
        provinces,
        links,
        body: req,
    } = match parse::<PreapprovalRequest>(provinces_json, request_json) {
        Ok(v) => v,
        Err(e) => return error(e),
    };
    let Some(p) = find_province(&provinces, &req.province) else {
        return error(format!("unknown province `{}`", req.province));
    };
    let mut report = preapproval_check(p, &req.text);
    resolve_see(&mut report.findings, &mut report.notes, &|id| {
        links.get(id).cloned()
    });
    serde_json::to_string(&report).unwrap_or_else(|e| error(e.to_string()))
}
