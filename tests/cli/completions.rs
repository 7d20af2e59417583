//! `squarely completions SHELL` and `squarely man`, generated from the clap definitions.

use crate::support::{code, run, stdout};

#[test]
fn completions_for_every_shell_know_every_verb() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let output = run(&["completions", shell]);
        assert_eq!(code(&output), 0, "{shell}");
        let script = stdout(&output);
        for verb in ["audit", "new", "add", "organize", "standards", "explain"] {
            assert!(script.contains(verb), "{shell} completes {verb}");
        }
        assert!(script.contains("min-score"), "{shell} completes options");
    }
    let unknown = run(&["completions", "tcsh"]);
    assert_eq!(code(&unknown), 2);
}

#[test]
fn the_man_page_documents_the_command_line() {
    let output = run(&["man"]);
    assert_eq!(code(&output), 0);
    let page = stdout(&output);
    assert!(page.contains(".TH squarely 1"), "{page}");
    for verb in ["audit", "organize", "completions"] {
        assert!(page.contains(verb), "the man page lists {verb}");
    }
}
