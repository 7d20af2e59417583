//! "Did you mean": the known ids closest to a misspelt one.

/// The ids of `known` close to `wanted` (sharing a prefix, containing it, the same last
/// segment, or at most three edits away), closest first, at most `limit` of them.
#[must_use]
pub fn closest<'a>(
    known: impl IntoIterator<Item = &'a str>,
    wanted: &str,
    limit: usize,
) -> Vec<&'a str> {
    let mut close: Vec<&str> = known.into_iter().filter(|k| similar(k, wanted)).collect();
    close.sort_unstable();
    close.dedup();
    close.sort_by_key(|k| edit_distance(k, wanted));
    close.truncate(limit);
    close
}

/// A cheap closeness test: containment, the same last segment, or a small edit distance.
fn similar(known: &str, wanted: &str) -> bool {
    known.contains(wanted)
        || wanted.contains(known)
        || known.split('.').next_back() == wanted.split('.').next_back()
        || edit_distance(known, wanted) <= 3
}

/// Levenshtein distance in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = (previous + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(current + 1);
            previous = current;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_ids_first() {
        let known = [
            "interface-no-database",
            "service-no-http",
            "root.docs",
            "docs.api",
        ];
        assert_eq!(
            closest(known, "interface-no-databse", 3),
            ["interface-no-database"]
        );
        assert_eq!(closest(known, "root.doc", 3), ["root.docs"]);
        assert!(closest(known, "zzz", 3).is_empty());
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
