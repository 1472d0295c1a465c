//! Text for a terminal. Secret names, tags, annotations, policy `Sid`s, context keys and file
//! names are attacker-controlled: printed raw, an escape sequence would move the cursor or
//! recolour the terminal, and a bidirectional override (U+202E) would show text reversed, so
//! that `gpj.exe` reads as `exe.jpg`. `printable` escapes every such character, one function for
//! every human-readable output (the audit table, `eval` and `test` text, error lines).
//!
//! Escaped: control characters (C0, DEL, C1: `\n`, `\t`, `\u{1b}`), bidirectional embeddings,
//! overrides, isolates and marks (U+061C, U+200E–U+200F, U+202A–U+202E, U+2066–U+2069),
//! zero-width and invisible format characters (U+200B–U+200D, U+2060–U+2065, U+FEFF), the line
//! and paragraph separators (U+2028, U+2029) and interlinear annotation marks (U+FFF9–U+FFFB).
//! Each is written as Rust writes it (`\n`, `\u{202e}`); everything else passes unchanged.

use std::borrow::Cow;

/// Whether `c` must not reach a terminal raw.
pub fn is_unsafe_for_terminal(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{2069}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
        )
}

/// `text` with the characters of `is_unsafe_for_terminal` escaped; borrowed when none is there.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe_for_terminal) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if !is_unsafe_for_terminal(c) {
            out.push(c);
        } else if c.is_ascii_control() {
            out.extend(c.escape_default());
        } else {
            out.extend(c.escape_unicode());
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_could_take_over_the_terminal_and_nothing_else() {
        let table = [
            ("prod/db", "prod/db"),
            ("a\u{1b}[31mred", "a\\u{1b}[31mred"),
            ("two\nlines\r", "two\\nlines\\r"),
            ("tab\there", "tab\\there"),
            ("\u{202e}gpj.exe", "\\u{202e}gpj.exe"),
            ("iso\u{2067}late\u{2069}", "iso\\u{2067}late\\u{2069}"),
            ("zero\u{200b}width", "zero\\u{200b}width"),
            ("bom\u{feff}", "bom\\u{feff}"),
            ("c1\u{9b}31m", "c1\\u{9b}31m"),
            (
                "caf\u{e9} \u{65e5}\u{672c} \u{1f511}",
                "caf\u{e9} \u{65e5}\u{672c} \u{1f511}",
            ),
            ("", ""),
        ];
        for (input, expected) in table {
            assert_eq!(printable(input), expected, "input {input:?}");
        }
        assert!(matches!(printable("plain"), Cow::Borrowed(_)));
    }
}
