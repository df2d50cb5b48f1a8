//! What a site gives its index besides the documents: synonym groups, the
//! English glossary and the province names (every form a filter may use).

use serde::{Deserialize, Serialize};

/// Query-time vocabulary of one site.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Vocabulary {
    /// Word groups searched as one (`content/search/synonyms.toml`).
    pub synonyms: Vec<Vec<String>>,
    /// English terms and the Chinese words the content uses for them
    /// (`content/search/glossary.toml`).
    pub glossary: Vec<GlossaryEntry>,
    /// The provinces a `province` filter may name.
    pub provinces: Vec<ProvinceName>,
}

/// English terms (and acronyms) → the Chinese words they stand for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GlossaryEntry {
    /// English terms, e.g. `ICP filing`, `real-name verification`.
    pub en: Vec<String>,
    /// Chinese words searched in their place, e.g. `ICP备案`.
    pub zh: Vec<String>,
}

/// Every name of one province: pinyin id, full name, abbreviation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvinceName {
    /// Pinyin id, e.g. `guangdong`.
    pub id: String,
    /// Full name, e.g. 广东省.
    pub name: String,
    /// One-character abbreviation, e.g. 粤.
    pub short_name: String,
}

/// The province `query` names: its id, full name, abbreviation, or a bare
/// name of at least two characters (广东, 内蒙古); the checkers and the
/// search filter accept the same forms.
pub fn find_by_forms<'a, T>(
    items: &'a [T],
    forms: impl Fn(&T) -> (&str, &str, &str),
    query: &str,
) -> Option<&'a T> {
    let q = query.trim();
    if q.is_empty() {
        return None;
    }
    let lower = q.to_ascii_lowercase();
    items
        .iter()
        .find(|p| {
            let (id, name, short) = forms(p);
            id == lower || name == q || short == q
        })
        .or_else(|| {
            (q.chars().count() >= 2)
                .then(|| items.iter().find(|p| forms(p).1.starts_with(q)))
                .flatten()
        })
}

impl ProvinceName {
    /// `id 全称（简称）`, one line of the list an unknown form is answered with.
    pub fn describe(&self) -> String {
        format!("  {:<13} {}（{}）", self.id, self.name, self.short_name)
    }
}
