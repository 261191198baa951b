//! Explanations: the tree of a figure down to its inputs.
//!
//! Every figure the engine computes carries an [`Explain`]: its label, its value as shown, the
//! formula that made it, where its inputs came from, and the explanations of those inputs.

use std::fmt::{self, Write};

use serde::Serialize;

/// One figure and how it was made.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explain {
    /// What the figure is.
    pub label: String,
    /// The figure as shown (an amount with its currency, a count, a rate).
    pub value: String,
    /// The formula that combined the inputs, in words and symbols.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub formula: Option<String>,
    /// Where an input came from: a rollup, a parameter, a rate card, a guideline version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The inputs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Explain>,
}

impl Explain {
    /// An input with where it came from.
    pub fn input(
        label: impl Into<String>,
        value: impl fmt::Display,
        source: impl Into<String>,
    ) -> Self {
        Self {
            label: label.into(),
            value: value.to_string(),
            formula: None,
            source: Some(source.into()),
            children: Vec::new(),
        }
    }

    /// A computed figure: its formula and its inputs.
    pub fn computed(
        label: impl Into<String>,
        value: impl fmt::Display,
        formula: impl Into<String>,
        children: Vec<Explain>,
    ) -> Self {
        Self {
            label: label.into(),
            value: value.to_string(),
            formula: Some(formula.into()),
            source: None,
            children,
        }
    }

    /// The tree as indented text, one figure a line.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        self.write_text(&mut out, 0);
        out
    }

    fn write_text(&self, out: &mut String, depth: usize) {
        let _ = write!(out, "{}{}: {}", "  ".repeat(depth), self.label, self.value);
        if let Some(f) = &self.formula {
            let _ = write!(out, "  = {f}");
        }
        if let Some(s) = &self.source {
            let _ = write!(out, "  [{s}]");
        }
        out.push('\n');
        for c in &self.children {
            c.write_text(out, depth + 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Explain;

    #[test]
    fn a_tree_prints_one_figure_a_line_indented_by_depth() {
        let tree = Explain::computed(
            "value",
            "10 USD",
            "uses × rate",
            vec![Explain::input("uses", 2, "rollups"), Explain::input("rate", "5 USD", "card")],
        );
        assert_eq!(
            tree.to_text(),
            "value: 10 USD  = uses × rate\n  uses: 2  [rollups]\n  rate: 5 USD  [card]\n"
        );
    }
}
