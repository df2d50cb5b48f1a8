//! Machine-readable extras: sitemap.xml and schema.org JSON-LD.

use serde_json::json;

use super::markdown::escape;

/// A sitemap listing every URL.
pub fn sitemap(base: &str, urls: &[String]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for u in urls {
        out.push_str(&format!(
            "  <url><loc>{}{}</loc></url>\n",
            escape(base),
            escape(u)
        ));
    }
    out.push_str("</urlset>\n");
    out
}

/// schema.org FAQPage JSON-LD for one entry, safe to put inside `<script>`.
pub fn faq_jsonld(question: &str, answer: &str, url: &str, language: &str) -> String {
    let answer: String = answer.split_whitespace().collect::<Vec<_>>().join(" ");
    let value = json!({
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "url": url,
        "inLanguage": language,
        "mainEntity": [{
            "@type": "Question",
            "name": question,
            "acceptedAnswer": {"@type": "Answer", "text": answer},
        }],
    });
    super::inline_json::script_json(&value)
}
