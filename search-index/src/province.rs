//! Typed province rules, shared by the generator (which loads them from
//! `content/provinces/*.toml`) and the browser runtime (which receives them as JSON).

use serde::{Deserialize, Serialize};

/// One provincial-level division and every rule the content states about it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Province {
    /// Pinyin id (the file stem); filled in by the loader, never written in the file.
    #[serde(default, skip_deserializing)]
    pub id: String,
    /// Full name, e.g. 广东省.
    pub name: String,
    /// One-character abbreviation used in ICP numbers, e.g. 粤.
    pub short_name: String,
    /// Region grouping used by the source (华北、华东…).
    #[serde(default)]
    pub region: Option<String>,
    /// Source sections the data comes from; empty when the source says nothing.
    #[serde(default)]
    pub sources: Vec<String>,
    /// Words the bureau forbids in website names.
    #[serde(default)]
    pub forbidden_name_words: Vec<String>,
    /// Province-specific downloadable templates.
    #[serde(default)]
    pub templates: Vec<String>,
    /// Pre-approval categories with their trigger keywords.
    #[serde(default)]
    pub preapproval: Vec<PreApproval>,
    /// Special rules stated elsewhere in the source.
    #[serde(default)]
    pub rules: Rules,
}

/// One row of a province's pre-approval (前置审批) table.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PreApproval {
    /// Category, e.g. 教育.
    pub category: String,
    /// Trigger keywords exactly as listed.
    pub keywords: Vec<String>,
    /// Qualifier stated with the keywords, e.g. 等包含药品、医疗器械字样的组合词.
    #[serde(default)]
    pub keyword_note: Option<String>,
    /// Filing types the row applies to, as stated (所有备案类型, 网站迁移…).
    pub filing_types: String,
    /// Commitment letters (承诺书) to download.
    #[serde(default)]
    pub letters: Vec<String>,
}

/// Which ICP number a site's home page must display.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum DisplayNumber {
    /// The subject number without suffix (粤ICP备…号).
    Subject,
    /// The website number with its suffix (京ICP备…号-1).
    Website,
}

/// Order in which a change and a new website may be filed.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeOrder {
    /// Finish the change first, then add the website.
    ChangeFirst,
    /// Add the website first, then file the change.
    NewSiteFirst,
}

/// Kind of an extra requirement.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum RequirementKind {
    /// A signed commitment letter must be uploaded.
    CommitmentLetter,
    /// Extra authenticity verification.
    AuthenticityVerification,
}

/// Special rules of a province; `None` means the source does not say.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// Which ICP number to display on the home page.
    #[serde(default)]
    pub display_number: Option<DisplayNumber>,
    /// Websites/domains accepted per filing order.
    #[serde(default)]
    pub domains_per_order: Option<u32>,
    /// Above some number of domains: on-site verification or mailed certificates.
    #[serde(default)]
    pub domain_limit_verification: Option<bool>,
    /// Maximum websites under an individual subject.
    #[serde(default)]
    pub individual_max_websites: Option<u32>,
    /// Domains per website for an individual subject.
    #[serde(default)]
    pub individual_domains_per_website: Option<u32>,
    /// Order of a change filing versus a new website.
    #[serde(default)]
    pub change_and_new_site_order: Option<ChangeOrder>,
    /// A 版权所有 line matching the organisation name is required.
    #[serde(default)]
    pub copyright_notice_required: Option<bool>,
    /// Extra dated requirements.
    #[serde(default)]
    pub requirements: Vec<Requirement>,
    /// Other stated facts, in prose.
    #[serde(default)]
    pub notes: Vec<Note>,
}

/// An extra requirement with its start date.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    /// Name of the document or procedure.
    pub name: String,
    /// What kind of requirement it is.
    pub kind: RequirementKind,
    /// Start date, `YYYY-MM-DD`.
    #[serde(with = "date_string")]
    pub since: String,
    /// One-sentence summary.
    pub summary: String,
    /// Id of the entry that explains it.
    #[serde(default)]
    pub see: Option<String>,
}

/// A province fact that no tool computes with.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Note {
    /// The fact, in prose.
    pub text: String,
    /// Source section it comes from.
    #[serde(default)]
    pub section: Option<String>,
}

impl Province {
    /// True when the source states nothing specific about this province.
    pub fn source_is_silent(&self) -> bool {
        self.forbidden_name_words.is_empty()
            && self.templates.is_empty()
            && self.preapproval.is_empty()
            && self.rules == Rules::default()
    }
}

/// Accepts a TOML date (`2021-06-21`) or a string and keeps it as `YYYY-MM-DD` text,
/// so JSON round-trips stay plain strings.
mod date_string {
    use serde::{de, Deserializer, Serializer};
    use std::fmt;

    pub fn serialize<S: Serializer>(v: &str, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(v)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = String;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a date such as 2021-06-21")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
                valid(v)
                    .then(|| v.to_string())
                    .ok_or_else(|| E::custom(format!("`{v}` is not a YYYY-MM-DD date")))
            }
            // toml hands dates over as a one-entry map holding the datetime text.
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<String, A::Error> {
                let (_, v): (String, String) = map
                    .next_entry()?
                    .ok_or_else(|| de::Error::custom("empty date"))?;
                self.visit_str(&v)
            }
        }
        d.deserialize_any(V)
    }

    fn valid(v: &str) -> bool {
        let b = v.as_bytes();
        b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
    }
}
