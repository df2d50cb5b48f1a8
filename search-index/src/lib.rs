//! Shared code of zhiku's generator and browser runtime: province rule data,
//! and (with the search issue) the tokenizer, index schema and query engine.

pub mod province;
