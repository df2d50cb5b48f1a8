//! The search index and runtime written under `public/search/`.

use crate::content::Site;
use crate::render::{OutputFile, SearchAssets};

/// Search files for the output and the URLs templates need.
pub struct SearchOutput {
    /// URLs for templates.
    pub assets: SearchAssets,
    /// Files to write.
    pub files: Vec<OutputFile>,
}

/// Builds the search index and runtime files for a site.
pub fn build_assets(_site: &Site) -> Result<SearchOutput, String> {
    Ok(SearchOutput {
        assets: SearchAssets::default(),
        files: Vec::new(),
    })
}
