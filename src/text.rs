//! Small text helpers every room may use: showing untrusted text safely.

/// A character a terminal or a CI log would act on rather than show: C0 and C1 controls
/// (escape sequences, newlines), DEL, and the bidirectional overrides of "trojan source".
#[must_use]
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Replace every unsafe character with its `\u{..}` escape.
pub fn escape(text: &mut String) {
    if text.chars().any(is_unsafe) {
        *text = text
            .chars()
            .map(|c| {
                if is_unsafe(c) {
                    c.escape_unicode().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect();
    }
}

/// The first characters of an untrusted value for an error message, control characters
/// escaped: a file may hold a secret, so an error never quotes more than its start.
#[must_use]
pub fn clip(text: &str) -> String {
    const SHOWN: usize = 16;
    let mut out: String = text
        .chars()
        .take(SHOWN)
        .flat_map(char::escape_debug)
        .collect();
    if text.chars().count() > SHOWN {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untrusted_text_is_escaped_and_clipped() {
        let mut name = "a\u{1b}]0;x\u{7}\n\u{202e}b".to_owned();
        escape(&mut name);
        assert_eq!(name, "a\\u{1b}]0;x\\u{7}\\u{a}\\u{202e}b");
        assert_eq!(clip("short"), "short");
        assert_eq!(clip("ghp_0123456789abcdefTOPSECRET"), "ghp_0123456789ab…");
    }
}
