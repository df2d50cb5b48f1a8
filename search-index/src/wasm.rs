//! wasm-bindgen exports of the query engine (browser only reads).

use std::cell::RefCell;

use wasm_bindgen::prelude::*;

use crate::{Engine, SearchRequest};

thread_local! {
    static ENGINE: RefCell<Option<Engine>> = const { RefCell::new(None) };
}

/// Loads an index blob; replaces any index loaded before. Returns the document count.
#[wasm_bindgen]
pub fn load(bytes: &[u8]) -> Result<u32, JsError> {
    let engine = Engine::from_bytes(bytes).map_err(|e| JsError::new(&e.to_string()))?;
    let n = engine.num_docs() as u32;
    ENGINE.with(|e| *e.borrow_mut() = Some(engine));
    Ok(n)
}

/// Runs `f` on the loaded engine; its errors become JS errors.
fn with_engine<T>(f: impl FnOnce(&mut Engine) -> Result<T, String>) -> Result<T, JsError> {
    ENGINE.with(|e| {
        let mut guard = e.borrow_mut();
        let engine = guard
            .as_mut()
            .ok_or_else(|| JsError::new("no index loaded: call load() first"))?;
        f(engine).map_err(|e| JsError::new(&e))
    })
}

/// Adds one text shard (page texts for snippets); returns how many texts it held.
#[wasm_bindgen]
pub fn add_texts(shard: &[u8]) -> Result<u32, JsError> {
    with_engine(|engine| {
        let n = engine.add_texts(shard).map_err(|e| e.to_string())?;
        Ok(n as u32)
    })
}

/// Runs a search: `request` is a JSON `SearchRequest`, the result a JSON array
/// of hits (a hit whose text shard is not loaded yet names it in `text_shard`).
#[wasm_bindgen]
pub fn search(request: &str) -> Result<String, JsError> {
    answer(request, Engine::search)
}

/// Pages to offer when a search has no good match (`request` as for
/// [`search`]): a JSON array of hits, empty when the query is answered.
#[wasm_bindgen]
pub fn suggest(request: &str) -> Result<String, JsError> {
    answer(request, Engine::suggestions)
}

/// Parses a JSON `SearchRequest`, asks the engine, returns the hits as JSON.
fn answer<H: serde::Serialize, E: std::fmt::Display>(
    request: &str,
    ask: impl FnOnce(&Engine, &SearchRequest) -> Result<H, E>,
) -> Result<String, JsError> {
    let req: SearchRequest =
        serde_json::from_str(request).map_err(|e| JsError::new(&format!("bad request: {e}")))?;
    with_engine(|engine| {
        let hits = ask(engine, &req).map_err(|e| e.to_string())?;
        serde_json::to_string(&hits).map_err(|e| e.to_string())
    })
}
