//! "Did you mean …?": the closest known name to one that was not found.

/// The candidate most similar to `wanted`, if any is similar enough to be a likely typo.
///
/// Similarity is the Jaro–Winkler similarity of lowercase names, which favours a shared
/// beginning (abbreviations, a missing suffix); a candidate that contains the wanted name, or is
/// contained in it, also qualifies.
pub fn closest<'a, I>(wanted: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let wanted_lc = wanted.to_lowercase();
    candidates
        .into_iter()
        .map(|c| {
            let c_lc = c.to_lowercase();
            let mut score = strsim::jaro_winkler(&wanted_lc, &c_lc);
            if !wanted_lc.is_empty() && (c_lc.contains(&wanted_lc) || wanted_lc.contains(&c_lc)) {
                score = score.max(0.8);
            }
            (c, score)
        })
        .filter(|(_, score)| *score >= 0.8)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(c, _)| c)
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::closest;

    #[rstest]
    #[case("Finanse", Some("Finance"))]
    #[case("finance", Some("Finance"))]
    #[case("HR Ops", Some("HR Operations"))]
    #[case("Zebra", None)]
    fn the_closest_name_is_suggested(#[case] wanted: &str, #[case] expected: Option<&str>) {
        let names = ["Finance", "HR Operations", "Sales"];
        assert_eq!(closest(wanted, names), expected);
    }
}
