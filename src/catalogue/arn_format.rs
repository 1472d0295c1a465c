//! ARN formats of the reference (`arn:${Partition}:secretsmanager:${Region}:${Account}:secret:${SecretId}`)
//! and the two questions asked of them: does a concrete ARN have this shape (a test request's
//! resource or principal), and could a policy's `Resource` pattern — with `*`, `?` and policy
//! variables — match any ARN of this shape (lint).

/// One piece of a format: literal text or a placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece<'a> {
    Text(&'a str),
    Partition,
    Region,
    Account,
    /// Any other placeholder: one or more characters.
    Name,
}

/// A parsed ARN format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArnFormat<'a> {
    pieces: Vec<Piece<'a>>,
}

impl<'a> ArnFormat<'a> {
    /// Splits a format into literal text and `${…}` placeholders.
    pub fn parse(format: &'a str) -> ArnFormat<'a> {
        let mut pieces = Vec::new();
        let mut rest = format;
        while let Some(start) = rest.find("${") {
            if start > 0 {
                pieces.push(Piece::Text(&rest[..start]));
            }
            let Some(len) = rest[start..].find('}') else {
                break;
            };
            pieces.push(match &rest[start + 2..start + len] {
                "Partition" => Piece::Partition,
                "Region" => Piece::Region,
                "Account" | "AccountId" => Piece::Account,
                _ => Piece::Name,
            });
            rest = &rest[start + len + 1..];
        }
        if !rest.is_empty() {
            pieces.push(Piece::Text(rest));
        }
        ArnFormat { pieces }
    }

    /// Whether the concrete `arn` has this shape: literal text equal, the partition one of AWS's,
    /// a region of lower-case letters, digits and `-`, a 12-digit account, names non-empty.
    pub fn matches(&self, arn: &str) -> bool {
        matches_from(&self.pieces, arn)
    }
}

fn matches_from(pieces: &[Piece<'_>], text: &str) -> bool {
    let Some((first, rest)) = pieces.split_first() else {
        return text.is_empty();
    };
    match first {
        Piece::Text(literal) => text
            .strip_prefix(literal)
            .is_some_and(|after| matches_from(rest, after)),
        Piece::Partition | Piece::Region | Piece::Account => {
            let end = text.find(':').unwrap_or(text.len());
            let (field, after) = text.split_at(end);
            let valid = match first {
                Piece::Partition => PARTITIONS.contains(&field),
                Piece::Region => {
                    !field.is_empty()
                        && field
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                }
                _ => field.len() == 12 && field.bytes().all(|b| b.is_ascii_digit()),
            };
            valid && matches_from(rest, after)
        }
        Piece::Name => (1..=text.len())
            .filter(|&end| text.is_char_boundary(end))
            .any(|end| matches_from(rest, &text[end..])),
    }
}

/// The AWS partitions.
pub const PARTITIONS: [&str; 8] = [
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];

/// Whether the concrete `arn` has the shape of `format`.
pub fn arn_has_format(arn: &str, format: &str) -> bool {
    ArnFormat::parse(format).matches(arn)
}

/// One position of either side of the intersection test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Char(char),
    /// `?`: any one character.
    One,
    /// `*`, a policy variable, a format placeholder: any text (`colons: false`: without `:`, as
    /// the partition, region and account placeholders).
    Any {
        colons: bool,
    },
}

const ANY: Token = Token::Any { colons: true };

fn pattern_tokens(pattern: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut rest = pattern;
    while let Some(c) = rest.chars().next() {
        if rest.starts_with("${")
            && let Some(end) = rest.find('}')
        {
            tokens.push(ANY);
            rest = &rest[end + 1..];
            continue;
        }
        tokens.push(match c {
            '*' => ANY,
            '?' => Token::One,
            c => Token::Char(c),
        });
        rest = &rest[c.len_utf8()..];
    }
    tokens
}

fn format_tokens(format: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    for piece in ArnFormat::parse(format).pieces {
        match piece {
            Piece::Text(text) => tokens.extend(text.chars().map(Token::Char)),
            Piece::Name => tokens.push(ANY),
            _ => tokens.push(Token::Any { colons: false }),
        }
    }
    tokens
}

/// Whether an `Any` token may stand for the one-character token `other`.
fn absorbs(colons: bool, other: Token) -> bool {
    match other {
        Token::Char(':') => colons,
        Token::Char(_) | Token::One => true,
        Token::Any { .. } => false,
    }
}

/// Whether some ARN matches both the policy `Resource` pattern and `format` (placeholders and
/// policy variables stand for any text). A `false` means the pattern can never name a resource
/// of this type.
pub fn pattern_may_have_format(pattern: &str, format: &str) -> bool {
    let a = pattern_tokens(pattern);
    let b = format_tokens(format);
    // reach[i][j]: a[..i] and b[..j] can produce the same text.
    let width = b.len() + 1;
    let mut reach = vec![false; (a.len() + 1) * width];
    reach[0] = true;
    for i in 0..=a.len() {
        for j in 0..=b.len() {
            if !reach[i * width + j] {
                continue;
            }
            let (x, y) = (a.get(i).copied(), b.get(j).copied());
            let mut mark = |i: usize, j: usize| reach[i * width + j] = true;
            match (x, y) {
                (Some(Token::Any { colons }), other) => {
                    mark(i + 1, j);
                    if other.is_some_and(|other| absorbs(colons, other)) {
                        mark(i, j + 1);
                    }
                    if let Some(Token::Any { .. }) = other {
                        mark(i, j + 1);
                    }
                }
                (Some(other), Some(Token::Any { colons })) => {
                    mark(i, j + 1);
                    if absorbs(colons, other) {
                        mark(i + 1, j);
                    }
                }
                (None, Some(Token::Any { .. })) => mark(i, j + 1),
                (Some(x), Some(y)) => {
                    let same = match (x, y) {
                        (Token::Char(p), Token::Char(q)) => p == q,
                        _ => true,
                    };
                    if same {
                        mark(i + 1, j + 1);
                    }
                }
                _ => {}
            }
        }
    }
    reach[a.len() * width + b.len()]
}
