//! JSON placed inside a page's `<script>` elements (JSON-LD, checker data):
//! the one helper every embedding goes through.

use std::collections::HashMap;

/// JSON text safe inside any `<script>` element: every `<`, `>` and `&` is
/// written as a `\u00XX` escape (and U+2028/U+2029 too), so neither
/// `</script>` nor `<!--` can change how the HTML parser reads the page.
/// The JSON value is unchanged.
pub fn script_json(value: &serde_json::Value) -> String {
    let text = value.to_string();
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// The `script_json` Tera filter: `{{ value | script_json | safe }}`.
pub fn tera_filter(
    value: &tera::Value,
    _args: &HashMap<String, tera::Value>,
) -> tera::Result<tera::Value> {
    Ok(tera::Value::String(script_json(value)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_html_significant_survives() {
        let v = serde_json::json!({"t": "<!--<script></script>& >"});
        let s = script_json(&v);
        assert!(!s.contains(['<', '>', '&']), "{s}");
        let back: serde_json::Value = serde_json::from_str(&s).expect("still JSON");
        assert_eq!(back, v);
    }
}
