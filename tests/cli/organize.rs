//! `squarely organize`: the plan (text and JSON), apply, undo, on fixture repositories.

use crate::support::{code, run, stderr, stdout};

#[test]
fn the_plan_of_each_stack() {
    for fixture in [
        "organize-fastapi-flat",
        "express-layered",
        "organize-rust-misplaced",
    ] {
        let output = run(&["organize", fixture]);
        assert_eq!(code(&output), 0, "{fixture}: {}", stderr(&output));
        insta::assert_snapshot!(format!("plan_{fixture}"), stdout(&output));
    }
}

#[test]
fn the_plan_as_json_raises_the_score() {
    for fixture in [
        "organize-fastapi-flat",
        "express-layered",
        "organize-rust-misplaced",
        "flat-hobby",
    ] {
        let output = run(&["organize", fixture, "--format", "json"]);
        assert_eq!(code(&output), 0, "{fixture}: {}", stderr(&output));
        let plan: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let (before, after) = (
            plan["score_before"].as_f64().unwrap(),
            plan["score_after"].as_f64().unwrap(),
        );
        assert!(after >= before + 10.0, "{fixture}: {before} -> {after}");
        assert!(
            !plan["plan"]["moves"].as_array().unwrap().is_empty(),
            "{fixture}"
        );
    }
}

#[test]
fn an_organized_repository_has_nothing_to_do() {
    let output = run(&["organize", "fastapi-exemplary"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(
        stdout(&output).contains("Nothing to do"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn bad_input_is_one_clear_error() {
    for (args, needle) in [
        (vec!["organize", "no-such-dir"], "no-such-dir"),
        (vec!["organize", "README.md"], "is a file"),
        (
            vec!["organize", ".", "--standard", "route-modules"],
            "coditect-backend",
        ),
    ] {
        let output = run(&args);
        assert_eq!(code(&output), 2, "{args:?}");
        assert!(
            stderr(&output).contains(needle),
            "{args:?}: {}",
            stderr(&output)
        );
    }
}
