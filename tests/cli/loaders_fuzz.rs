//! Fuzz-style properties of the loaders a hostile repository feeds: rule sets, `.squarely.yaml`
//! and baselines. Random bytes, random YAML built from the format's own keys, alias bombs and
//! mutations of the built-in rule sets must each give a result or an error — never a panic —
//! in bounded time (the YAML expansion budget bounds memory; a case that blew it would abort
//! the test binary).

use std::time::{Duration, Instant};

use proptest::prelude::*;
use squarely::config;
use squarely::report::baseline::Baseline;
use squarely::standard::{self, BUILTIN_IDS, builtin_source};

/// Far above what any case takes (milliseconds); only a hang or a blow-up reaches it.
const BOUND: Duration = Duration::from_secs(10);

/// Run `load`, which must return within [`BOUND`].
fn bounded<T>(what: &str, load: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let result = load();
    assert!(
        started.elapsed() < BOUND,
        "{what} took {:?}",
        started.elapsed()
    );
    result
}

/// Feed `text` to every loader.
fn load_everywhere(text: &str) {
    let dir = tempfile::tempdir().unwrap();
    let loaded = bounded("rule set", || {
        standard::load_str("fuzz.yaml", text, dir.path())
    });
    bounded("configuration", || {
        if let Ok(parsed) = config::parse(text, ".squarely.yaml", dir.path()) {
            let default = standard::load(standard::DEFAULT_STANDARD, dir.path()).unwrap();
            let mut known = vec![&default.standard];
            if let Ok(loaded) = &loaded {
                known.push(&loaded.standard);
            }
            let _ = parsed.check(&known);
        }
    });
    bounded("baseline", || Baseline::parse(text).map(drop).ok());
}

/// Every key the built-in rule sets use, so random documents reach past the first
/// "unknown key" into validation.
fn vocabulary() -> Vec<String> {
    let key = regex::Regex::new(r"(?m)^[ \t-]*([a-z_]+):").unwrap();
    let mut keys: Vec<String> = BUILTIN_IDS
        .iter()
        .filter_map(|id| builtin_source(id))
        .flat_map(|text| key.captures_iter(text).map(|c| c[1].to_owned()))
        .chain(
            [
                "standard",
                "standards",
                "min-score",
                "baseline",
                "waive",
                "ignore",
                "overrides",
                "disable",
                "workspace",
            ]
            .map(str::to_owned),
        )
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// A random YAML value: scalars of every kind, lists, and maps keyed by the vocabulary.
fn yaml_value(keys: Vec<String>) -> impl Strategy<Value = yaml_serde::Value> {
    let scalar = prop_oneof![
        Just(yaml_serde::Value::Null),
        any::<bool>().prop_map(yaml_serde::Value::Bool),
        any::<i64>().prop_map(|n| yaml_serde::Value::Number(n.into())),
        any::<f64>().prop_map(|n| yaml_serde::Value::Number(n.into())),
        "[a-z*/.{}_-]{0,12}".prop_map(yaml_serde::Value::String),
        prop::sample::select(keys.clone()).prop_map(yaml_serde::Value::String),
        "\\PC{0,8}".prop_map(yaml_serde::Value::String),
    ];
    scalar.prop_recursive(5, 64, 6, move |inner| {
        let keys = keys.clone();
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(yaml_serde::Value::Sequence),
            prop::collection::vec((prop::sample::select(keys), inner), 0..6).prop_map(|pairs| {
                yaml_serde::Value::Mapping(
                    pairs
                        .into_iter()
                        .map(|(k, v)| (yaml_serde::Value::String(k), v))
                        .collect(),
                )
            }),
        ]
    })
}

/// A built-in rule set with random byte edits (deletions, insertions, replacements).
fn mutated_builtin() -> impl Strategy<Value = String> {
    let edits = prop::collection::vec(
        (
            any::<prop::sample::Index>(),
            0..3u8,
            prop::sample::select(b": -\n\t#&*[]{}'\"!|>%@`0aZ".to_vec()),
        ),
        1..12,
    );
    (prop::sample::select(BUILTIN_IDS.to_vec()), edits).prop_map(|(id, edits)| {
        let mut bytes = builtin_source(id).unwrap().as_bytes().to_vec();
        for (at, kind, byte) in edits {
            let at = at.index(bytes.len().max(1)).min(bytes.len());
            match kind {
                0 if at < bytes.len() => {
                    bytes.remove(at);
                }
                1 => bytes.insert(at, byte),
                _ if at < bytes.len() => bytes[at] = byte,
                _ => bytes.push(byte),
            }
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// Anchors that double at each level: the text stays tiny, its expansion does not.
fn alias_bomb() -> impl Strategy<Value = String> {
    (1..40usize, 1..10usize, "[a-z]{1,200}").prop_map(|(levels, width, leaf)| {
        let mut text = format!("a0: &a0 \"{leaf}\"\n");
        for level in 1..levels {
            let refs = vec![format!("*a{}", level - 1); width].join(", ");
            text.push_str(&format!("a{level}: &a{level} [{refs}]\n"));
        }
        text.push_str(&format!("id: bomb\nname: *a{}\n", levels - 1));
        text
    })
}

/// Few nodes, long text: one big string referenced thousands of times (the node cap alone
/// lets this expand to gigabytes).
fn wide_alias() -> impl Strategy<Value = String> {
    (100_000..1_000_000usize, 200..5000usize, "[a-z]").prop_map(|(size, refs, letter)| {
        let leaf = letter.repeat(size);
        let refs = vec!["*big"; refs].join(", ");
        format!("x: &big \"{leaf}\"\nid: wide\nname: t\nchecks: [{refs}]\n")
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 12,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn one_big_string_aliased_thousands_of_times_is_refused(text in wide_alias()) {
        load_everywhere(&text);
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 128,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_bytes_never_panic_a_loader(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        load_everywhere(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn random_yaml_documents_never_panic_a_loader(value in yaml_value(vocabulary())) {
        let text = yaml_serde::to_string(&value).unwrap();
        load_everywhere(&text);
    }

    #[test]
    fn mutated_builtin_rule_sets_never_panic_a_loader(text in mutated_builtin()) {
        load_everywhere(&text);
    }

    #[test]
    fn alias_bombs_are_refused_or_loaded_in_bounded_time(text in alias_bomb()) {
        load_everywhere(&text);
    }
}
