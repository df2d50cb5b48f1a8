//! zhiku: a static knowledge-base site generator.
//!
//! Pipeline: [`content`] loads and types `content/`, [`validate`] checks it,
//! [`render`] turns it into pages, [`build`] writes the site atomically.

pub mod build;
pub mod content;
pub mod diagnostics;
pub mod init;
pub mod output;
pub mod render;
pub mod search;
pub mod serve;
pub mod theme;
pub mod tools;
pub mod validate;
