use proptest::prelude::*;

use super::*;

fn m(pattern: &str, text: &str) -> bool {
    matches(pattern, text, Case::Sensitive, Colons::Free)
}

fn res(pattern: &str, text: &str) -> bool {
    matches(pattern, text, Case::Sensitive, Colons::ResourceArn)
}

fn arn(pattern: &str, text: &str) -> bool {
    matches(pattern, text, Case::Sensitive, Colons::ConditionArn)
}

#[test]
fn free_matching_table() {
    let table: &[(&str, &str, bool)] = &[
        ("", "", true),
        ("", "a", false),
        ("*", "", true),
        ("*", "anything:at/all", true),
        ("a*", "a", true),
        ("a*", "abc", true),
        ("a*", "ba", false),
        ("*a", "ba", true),
        ("*a", "ab", false),
        ("a?c", "abc", true),
        ("a?c", "ac", false),
        ("a?c", "a:c", true),
        ("?", "é", true),
        ("??", "é", false),
        ("prod/db-??????", "prod/db-a1b2c3", true),
        ("prod/db-??????", "prod/db-admin-a1b2c3", false),
        ("prod/db-*", "prod/db-admin-a1b2c3", true),
        ("*AccessKey*", "ListAccessKeys", true),
        ("a*b*c", "aXbYc", true),
        ("a*b*c", "aXbY", false),
        ("a*b*c", "abcbc", true),
        ("**", "x", true),
        ("a**b", "ab", true),
        ("prod*", "prod*", true),
        ("Prod*", "prod", false),
    ];
    for (pattern, text, want) in table {
        assert_eq!(m(pattern, text), *want, "{pattern:?} vs {text:?}");
    }
}

#[test]
fn insensitive_folds_ascii_of_text_only() {
    assert!(matches(
        "iam:*accesskey*",
        "IAM:ListAccessKeys",
        Case::Insensitive,
        Colons::Free
    ));
    assert!(!matches(
        "iam:list",
        "IAM:GET",
        Case::Insensitive,
        Colons::Free
    ));
}

#[test]
fn resource_arn_segments_table() {
    let secret = "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-a1b2c3";
    let table: &[(&str, &str, bool)] = &[
        ("*", secret, true),
        ("arn:aws:secretsmanager:*", secret, true),
        (
            "arn:aws:secretsmanager:us-east-1:111122223333:*",
            secret,
            true,
        ),
        (
            "arn:aws:secretsmanager:*:111122223333:secret:*",
            secret,
            true,
        ),
        (
            "arn:aws:secretsmanager:*:111122223333:secret:prod/*",
            secret,
            true,
        ),
        (
            "arn:aws:secretsmanager:*:*:secret:prod/db-??????",
            secret,
            true,
        ),
        (
            "arn:aws:secretsmanager:*:*:secret:prod/db-?????",
            secret,
            false,
        ),
        // a star inside a segment does not cross `:`
        (
            "arn:aws:secretsmanager:us-*1:111122223333:secret:prod/db-a1b2c3",
            secret,
            true,
        ),
        (
            "arn:aws:secretsmanager:u*3:secret:prod/db-a1b2c3",
            secret,
            false,
        ),
        // `?` never matches `:`
        (
            "arn:aws:secretsmanager:us-east-1?111122223333:secret:prod/db-a1b2c3",
            secret,
            false,
        ),
        // case-sensitive
        (
            "arn:aws:secretsmanager:*:111122223333:secret:Prod/*",
            secret,
            false,
        ),
        (
            "arn:aws:s3:::bucket/*/test/*",
            "arn:aws:s3:::bucket/a/b/test/c",
            true,
        ),
    ];
    for (pattern, text, want) in table {
        assert_eq!(res(pattern, text), *want, "{pattern:?} vs {text:?}");
    }
}

#[test]
fn condition_arn_matches_six_parts_separately() {
    let pattern = "arn:aws:someservice:*:111122223333:finance/*";
    let text =
        "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt";
    assert!(m(pattern, text), "StringLike crosses `:`");
    assert!(!arn(pattern, text), "ArnLike matches segment by segment");
    assert!(arn(
        pattern,
        "arn:aws:someservice:us-east-2:111122223333:finance/document.txt"
    ));
    assert!(arn(
        "arn:aws:iam::*:role/ci/*",
        "arn:aws:iam::111122223333:role/ci/deploy"
    ));
    assert!(!arn(
        "arn:aws:iam::*:role/ci/*",
        "arn:aws:iam::111122223333:user/ci/deploy"
    ));
    // the resource part may itself contain colons
    assert!(arn(
        "arn:aws:secretsmanager:*:*:secret:*",
        "arn:aws:secretsmanager:us-east-1:111122223333:secret:x-a1b2c3"
    ));
    assert!(arn("*", "arn:aws:iam::111122223333:root"));
}

#[test]
fn literal_pieces_are_not_wildcards() {
    let pieces = [
        Piece::Wild("home/"),
        Piece::Literal("a*"),
        Piece::Wild("/*"),
    ];
    assert!(matches_pieces(
        &pieces,
        "home/a*/x",
        Case::Sensitive,
        Colons::Free
    ));
    assert!(!matches_pieces(
        &pieces,
        "home/ab/x",
        Case::Sensitive,
        Colons::Free
    ));
    assert!(equals_pieces(
        &[Piece::Wild("a*"), Piece::Literal("b")],
        "a*b",
        Case::Sensitive
    ));
    assert!(!equals_pieces(&[Piece::Wild("a*")], "ab", Case::Sensitive));
    assert!(equals_pieces(&[Piece::Wild("ab")], "AB", Case::Insensitive));
}

#[test]
fn shapes() {
    assert_eq!(Shape::of("*"), Shape::Any);
    assert_eq!(Shape::of("abc"), Shape::Exact);
    assert_eq!(Shape::of(""), Shape::Exact);
    assert_eq!(Shape::of("abc*"), Shape::Prefix);
    assert_eq!(Shape::of("a*c*"), Shape::General);
    assert_eq!(Shape::of("abc?"), Shape::General);
    assert_eq!(Shape::of("**"), Shape::General);
}

#[test]
fn pathological_pattern_is_fast() {
    let text = "a".repeat(5_000);
    let pattern = format!("{}b", "a*".repeat(200));
    assert!(!m(&pattern, &text));
    assert!(!res(&pattern, &text));
}

// ---- naive reference -------------------------------------------------------------------

#[derive(Debug, Clone, Copy)]
enum RefAtom {
    Byte(u8),
    One(bool),
    Star(bool),
}

fn reference_atoms(pieces: &[Piece<'_>], colons: Colons) -> Vec<RefAtom> {
    let mut flat: Vec<(u8, bool)> = Vec::new();
    for piece in pieces {
        let wild = matches!(piece, Piece::Wild(_));
        for &b in piece.bytes() {
            flat.push((b, wild && (b == b'*' || b == b'?')));
        }
    }
    let mut atoms = Vec::new();
    let mut seen_colons = 0;
    for (i, &(b, wild)) in flat.iter().enumerate() {
        if !wild {
            atoms.push(RefAtom::Byte(b));
            if b == b':' {
                seen_colons += 1;
            }
            continue;
        }
        let rest = &flat[i + 1..];
        let crosses = match colons {
            Colons::Free => true,
            Colons::ResourceArn => {
                b == b'*'
                    && rest
                        .iter()
                        .find(|&&(c, w)| !(w && c == b'*'))
                        .is_none_or(|&(c, _)| c == b':')
            }
            Colons::ConditionArn => seen_colons >= 5 || !rest.iter().any(|&(c, _)| c == b':'),
        };
        atoms.push(if b == b'*' {
            RefAtom::Star(crosses)
        } else {
            RefAtom::One(crosses)
        });
    }
    atoms
}

fn reference(atoms: &[RefAtom], text: &[u8], case: Case) -> bool {
    let Some((first, rest)) = atoms.split_first() else {
        return text.is_empty();
    };
    match *first {
        RefAtom::Byte(b) => {
            !text.is_empty()
                && match case {
                    Case::Sensitive => b == text[0],
                    Case::Insensitive => b == text[0].to_ascii_lowercase(),
                }
                && reference(rest, &text[1..], case)
        }
        RefAtom::One(crosses) => {
            !text.is_empty()
                && (crosses || text[0] != b':')
                && reference(rest, &text[char_len(text[0]).min(text.len())..], case)
        }
        RefAtom::Star(crosses) => {
            let mut k = 0;
            loop {
                if reference(rest, &text[k..], case) {
                    return true;
                }
                if k == text.len() || (!crosses && text[k] == b':') {
                    return false;
                }
                k += char_len(text[k]);
            }
        }
    }
}

fn pattern_strategy() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[ab:*?/]{0,10}").unwrap()
}

fn text_strategy() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[abAB:/]{0,12}").unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn fast_free_matcher_agrees_with_reference(p in pattern_strategy(), t in text_strategy()) {
        for case in [Case::Sensitive, Case::Insensitive] {
            let pieces = [Piece::Wild(&p)];
            let want = reference(&reference_atoms(&pieces, Colons::Free), t.as_bytes(), case);
            prop_assert_eq!(matches_pieces(&pieces, &t, case, Colons::Free), want, "case {:?}", case);
        }
    }

    #[test]
    fn fast_arn_matchers_agree_with_reference(p in pattern_strategy(), lit in "[a*:]{0,3}", p2 in pattern_strategy(), t in text_strategy()) {
        let pieces = [Piece::Wild(&p), Piece::Literal(&lit), Piece::Wild(&p2)];
        for colons in [Colons::ResourceArn, Colons::ConditionArn, Colons::Free] {
            let want = reference(&reference_atoms(&pieces, colons), t.as_bytes(), Case::Sensitive);
            prop_assert_eq!(matches_pieces(&pieces, &t, Case::Sensitive, colons), want, "{:?}", colons);
        }
    }

    #[test]
    fn single_piece_and_shaped_paths_agree_with_reference(p in pattern_strategy(), t in text_strategy()) {
        for colons in [Colons::ResourceArn, Colons::ConditionArn, Colons::Free] {
            for case in [Case::Sensitive, Case::Insensitive] {
                let pieces = [Piece::Wild(&p)];
                let want = reference(&reference_atoms(&pieces, colons), t.as_bytes(), case);
                prop_assert_eq!(matches_pieces(&pieces, &t, case, colons), want, "pieces {:?} {:?}", colons, case);
                prop_assert_eq!(matches(&p, &t, case, colons), want, "shaped {:?} {:?}", colons, case);
            }
        }
    }

    #[test]
    fn unicode_text_never_panics(p in "\\PC{0,8}", t in "\\PC{0,12}") {
        for colons in [Colons::ResourceArn, Colons::ConditionArn, Colons::Free] {
            let _ = matches(&p, &t, Case::Insensitive, colons);
        }
    }
}
