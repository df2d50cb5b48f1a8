//! Shared code of zhiku's generator and browser runtime: province rule data,
//! and (with the search issue) the tokenizer, index schema and query engine.

pub mod province;
pub mod rules;

#[cfg(target_arch = "wasm32")]
mod wasm_rules;
