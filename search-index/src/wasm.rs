//! wasm-bindgen exports of the query engine (browser only reads).

use std::cell::RefCell;

use wasm_bindgen::prelude::*;

use crate::{Engine, SearchRequest, Step};

thread_local! {
    static ENGINE: RefCell<Option<Engine>> = const { RefCell::new(None) };
    static PRIMER: RefCell<crate::prime::Primer> = RefCell::new(crate::prime::Primer::default());
}

/// The index format this runtime reads (the manifest's `index_format`).
#[wasm_bindgen]
pub fn index_format() -> u32 {
    crate::lazy::INDEX_FORMAT
}

/// Opens an index from its hot file; replaces any index opened before.
/// Returns the document count.
#[wasm_bindgen]
pub fn open(hot: &[u8]) -> Result<u32, JsError> {
    let engine = Engine::open(hot).map_err(|e| JsError::new(&e.to_string()))?;
    let n = engine.num_docs() as u32;
    ENGINE.with(|e| *e.borrow_mut() = Some(engine));
    Ok(n)
}

/// Runs `f` on the opened engine; its errors become JS errors.
fn with_engine<T>(f: impl FnOnce(&mut Engine) -> Result<T, String>) -> Result<T, JsError> {
    ENGINE.with(|e| {
        let mut guard = e.borrow_mut();
        let engine = guard
            .as_mut()
            .ok_or_else(|| JsError::new("no index opened: call open() first"))?;
        f(engine).map_err(|e| JsError::new(&e))
    })
}

/// Runs the next step of searching the built-in index ([`crate::prime`]),
/// so the browser compiles that code while the site's index is still
/// downloading; leaves the opened index alone. Returns whether steps remain.
#[wasm_bindgen]
pub fn prime_step() -> Result<bool, JsError> {
    PRIMER.with(|p| {
        p.borrow_mut()
            .step()
            .map_err(|e| JsError::new(&e.to_string()))
    })
}

/// Adds one fetched index chunk (a name `search` asked for); fails when the
/// bytes are not that chunk's.
#[wasm_bindgen]
pub fn add_chunk(name: &str, bytes: &[u8]) -> Result<(), JsError> {
    with_engine(|engine| engine.add_chunk(name, bytes).map_err(|e| e.to_string()))
}

/// Adds one text shard (page texts for snippets); returns how many texts it held.
#[wasm_bindgen]
pub fn add_texts(shard: &[u8]) -> Result<u32, JsError> {
    with_engine(|engine| {
        let n = engine.add_texts(shard).map_err(|e| e.to_string())?;
        Ok(n as u32)
    })
}

/// A step as JSON: `{"hits": [...]}` or `{"need": ["chunks/….bin", ...]}`.
fn step_json(step: Result<Step, crate::Error>) -> Result<String, String> {
    let (key, list) = match step.map_err(|e| e.to_string())? {
        Step::Hits(hits) => ("hits", serde_json::to_string(&hits)),
        Step::Need(names) => ("need", serde_json::to_string(&names)),
    };
    Ok(format!(
        "{{\"{key}\":{}}}",
        list.map_err(|e| e.to_string())?
    ))
}

fn request(json: &str) -> Result<SearchRequest, JsError> {
    // from_slice, as the index's own JSON is read: one JSON reader in the module.
    serde_json::from_slice(json.as_bytes()).map_err(|e| JsError::new(&format!("bad request: {e}")))
}

/// One attempt at a search: `request` is a JSON `SearchRequest`; the result is
/// JSON `{"hits": [...]}` (a hit whose text shard is not loaded yet names it in
/// `text_shard`) or `{"need": ["chunks/….bin", ...]}`: fetch those (relative
/// to the hot file), `add_chunk` each, and call again.
#[wasm_bindgen]
pub fn search(request_json: &str) -> Result<String, JsError> {
    let req = request(request_json)?;
    with_engine(|engine| step_json(engine.search_step(&req)))
}

/// Pages to offer when a search has no good match (`request` as for
/// [`search`]): `{"hits": [...]}`, empty when the query is answered, or
/// `{"need": [...]}` as for [`search`].
#[wasm_bindgen]
pub fn suggest(request_json: &str) -> Result<String, JsError> {
    let req = request(request_json)?;
    with_engine(|engine| step_json(engine.suggestions_step(&req)))
}
