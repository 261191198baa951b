//! Success-story cards for sponsors: one self-contained HTML page and one Markdown file per
//! published story. Every text comes from people and is escaped: minijinja's HTML escaping
//! for the page, [`crate::markdown::escape`] for Markdown.

use minijinja::Environment;
use serde::Serialize;

/// What a card shows. Figures are already computed and formatted by the caller.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoryCard {
    /// The story's title.
    pub title: String,
    /// The headline generated from its figures, if it has realized ones.
    pub headline: Option<String>,
    /// The problem, solution, obstacles, value and next steps, with their headings.
    pub parts: Vec<(String, String)>,
    /// Each linked figure: what, and the amount with its currency and months.
    pub figures: Vec<(String, String)>,
    /// Quotes and who said them.
    pub quotes: Vec<(String, String)>,
    /// `published on 2025-11-03 after validation by …`.
    pub provenance: String,
    /// The pilot it is the case study of, with its verdict.
    pub case_study: Option<String>,
}

const TEMPLATE: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ card.title }}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.5rem}.headline{font-size:1.15rem;background:#eef6ee;padding:.75rem;border-radius:.4rem}
table{border-collapse:collapse}td{padding:.25rem .75rem .25rem 0}blockquote{border-left:3px solid #8a8;margin:0;padding-left:1rem}
.small{color:#555;font-size:.85rem}
</style></head><body>
<h1>{{ card.title }}</h1>
{% if card.headline %}<p class="headline">{{ card.headline }}</p>{% endif %}
{% for part in card.parts %}<h2>{{ part[0] }}</h2><p>{{ part[1] }}</p>
{% endfor %}
{% if card.figures %}<h2>Figures</h2><table>{% for f in card.figures %}<tr><td>{{ f[0] }}</td><td>{{ f[1] }}</td></tr>{% endfor %}</table>{% endif %}
{% for q in card.quotes %}<blockquote><p>“{{ q[0] }}”</p><p class="small">— {{ q[1] }}</p></blockquote>
{% endfor %}
{% if card.case_study %}<h2>Case study</h2><p>{{ card.case_study }}</p>{% endif %}
<p class="small">{{ card.provenance }}</p>
</body></html>
"#;

/// The card as one HTML page, with no script and no external resource.
pub fn render_html(card: &StoryCard) -> Result<String, String> {
    let mut env = Environment::new();
    // The `.html` name turns on minijinja's HTML auto-escaping.
    env.add_template("card.html", TEMPLATE).map_err(|e| e.to_string())?;
    env.get_template("card.html")
        .and_then(|t| t.render(minijinja::context! { card => minijinja::Value::from(minijinja::value::Serde(card)) }))
        .map_err(|e| e.to_string())
}

/// The card as Markdown.
pub fn render_markdown(card: &StoryCard) -> String {
    use crate::markdown::escape;
    let mut out = format!("# {}\n\n", escape(&card.title));
    if let Some(h) = &card.headline {
        out.push_str(&format!("**{}**\n\n", escape(h)));
    }
    for (heading, text) in &card.parts {
        out.push_str(&format!("## {}\n\n{}\n\n", escape(heading), escape(text)));
    }
    if !card.figures.is_empty() {
        out.push_str("## Figures\n\n");
        for (what, amount) in &card.figures {
            out.push_str(&format!("- {}: {}\n", escape(what), escape(amount)));
        }
        out.push('\n');
    }
    for (quote, who) in &card.quotes {
        out.push_str(&format!("> “{}” — {}\n\n", escape(quote), escape(who)));
    }
    if let Some(c) = &card.case_study {
        out.push_str(&format!("## Case study\n\n{}\n\n", escape(c)));
    }
    out.push_str(&format!("_{}_\n", escape(&card.provenance)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card() -> StoryCard {
        StoryCard {
            title: "<script>alert(1)</script> & co".into(),
            headline: Some("A [link](http://x) *bold*".into()),
            parts: vec![("Problem".into(), "forms <b>lost</b>".into())],
            figures: vec![("Invoice Approvals".into(), "1200.00 USD".into())],
            quotes: vec![("\"fast\"".into(), "Ada".into())],
            provenance: "published on 2025-11-03".into(),
            case_study: None,
        }
    }

    #[test]
    fn html_escapes_every_text() {
        let html = render_html(&card()).unwrap();
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt; &amp; co"), "{html}");
        assert!(html.contains("forms &lt;b&gt;lost&lt;&#x2f;b&gt;"));
        assert!(!html.contains("src=") && !html.contains("href="));
    }

    #[test]
    fn markdown_escapes_markup() {
        let md = render_markdown(&card());
        assert!(md.contains(r"A \[link\]\(http://x\) \*bold\*"), "{md}");
        assert!(md.contains(r"\<script\>"), "{md}");
    }
}
