//! Policy text that may contain policy variables (`${aws:username}`,
//! `${aws:PrincipalTag/team, 'default'}`, `${*}` `${?}` `${$}`), and its resolution against a
//! request into [`Piece`]s for the matchers, without allocating for up to
//! [`INLINE_PIECES`] pieces.

use super::KeyName;
use crate::arn::wildcard::{Piece, Shape};

/// How many pieces a template resolves into on the stack.
pub(crate) const INLINE_PIECES: usize = 16;

/// Policy text split at its variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Template {
    tokens: Vec<Token>,
    /// The shape of the text when there are no variables; `General` otherwise.
    shape: Shape,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// Policy text: wildcards stay wildcards where the operator has them.
    Text(String),
    /// `${*}`, `${?}`, `${$}`: the character itself, never a wildcard.
    Escaped(&'static str),
    /// `${key}` or `${key, 'default'}`.
    Variable {
        key: KeyName,
        default: Option<String>,
    },
}

impl Template {
    /// Splits `text` at `${…}`; with `variables == false` (policy `Version` other than
    /// 2012-10-17) the whole text is literal policy text.
    pub(crate) fn parse(text: &str, variables: bool) -> Template {
        let mut tokens = Vec::new();
        let mut rest = text;
        let mut literal = String::new();
        while variables && let Some(start) = rest.find("${") {
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                break;
            };
            let Some(token) = variable(&after[..end]) else {
                // Not a well-formed variable: keep `${` as text and go on after it.
                literal.push_str(&rest[..start + 2]);
                rest = after;
                continue;
            };
            literal.push_str(&rest[..start]);
            if !literal.is_empty() {
                tokens.push(Token::Text(std::mem::take(&mut literal)));
            }
            tokens.push(token);
            rest = &after[end + 1..];
        }
        literal.push_str(rest);
        if !literal.is_empty() || tokens.is_empty() {
            tokens.push(Token::Text(literal));
        }
        Template::new(tokens)
    }

    fn new(tokens: Vec<Token>) -> Template {
        let shape = match tokens.as_slice() {
            [Token::Text(text)] => Shape::of(text),
            _ => Shape::General,
        };
        Template { tokens, shape }
    }

    /// The template with no variables: its text and shape.
    pub(crate) fn as_plain(&self) -> Option<(&str, Shape)> {
        match self.tokens.as_slice() {
            [Token::Text(text)] => Some((text, self.shape)),
            _ => None,
        }
    }

    /// Lower-cases the policy text parts (for case-insensitive operators).
    pub(crate) fn lowercased(&self) -> Template {
        Template::new(
            self.tokens
                .iter()
                .map(|t| match t {
                    Token::Text(text) => Token::Text(text.to_lowercase()),
                    other => other.clone(),
                })
                .collect(),
        )
    }

    /// The keys of the variables, in order.
    pub(crate) fn variable_keys(&self) -> impl Iterator<Item = &KeyName> {
        self.tokens.iter().filter_map(|t| match t {
            Token::Variable { key, .. } => Some(key),
            _ => None,
        })
    }

    /// Resolves the variables through `lookup` (key → single value) and passes the
    /// pieces to `f`; `None` when a variable has no value and no default.
    pub(crate) fn with_pieces<'a, R>(
        &'a self,
        lookup: impl Fn(&KeyName) -> Option<&'a str>,
        f: impl FnOnce(Option<&[Piece<'a>]>) -> R,
    ) -> R {
        if self.tokens.len() <= INLINE_PIECES {
            let mut buf = [Piece::Literal(""); INLINE_PIECES];
            for (slot, token) in buf.iter_mut().zip(&self.tokens) {
                match resolve(token, &lookup) {
                    Some(piece) => *slot = piece,
                    None => return f(None),
                }
            }
            f(Some(&buf[..self.tokens.len()]))
        } else {
            let pieces: Option<Vec<Piece<'a>>> =
                self.tokens.iter().map(|t| resolve(t, &lookup)).collect();
            f(pieces.as_deref())
        }
    }
}

fn resolve<'a>(
    token: &'a Token,
    lookup: &impl Fn(&KeyName) -> Option<&'a str>,
) -> Option<Piece<'a>> {
    match token {
        Token::Text(text) => Some(Piece::Wild(text)),
        Token::Escaped(text) => Some(Piece::Literal(text)),
        Token::Variable { key, default } => lookup(key).or(default.as_deref()).map(Piece::Literal),
    }
}

/// The inside of `${…}`: `*`, `?`, `$`, `key` or `key, 'default'`.
fn variable(inside: &str) -> Option<Token> {
    match inside {
        "*" => return Some(Token::Escaped("*")),
        "?" => return Some(Token::Escaped("?")),
        "$" => return Some(Token::Escaped("$")),
        _ => {}
    }
    let (key, default) = match inside.split_once(',') {
        Some((key, default)) => {
            let default = default.trim();
            let quoted = default
                .strip_prefix('\'')
                .and_then(|d| d.strip_suffix('\''))?;
            (key, Some(quoted.to_owned()))
        }
        None => (inside, None),
    };
    let key = key.trim();
    let valid = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b":/-_.@+=".contains(&b));
    valid.then(|| Token::Variable {
        key: KeyName::new(key),
        default,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(
        template: &Template,
        lookup: impl Fn(&str) -> Option<&'static str>,
    ) -> Option<String> {
        template.with_pieces(
            |key| lookup(key.lower()),
            |pieces| {
                pieces.map(|pieces| {
                    pieces
                        .iter()
                        .map(|p| match p {
                            Piece::Wild(s) => format!("W({s})"),
                            Piece::Literal(s) => format!("L({s})"),
                        })
                        .collect::<String>()
                })
            },
        )
    }

    fn username(key: &str) -> Option<&'static str> {
        (key == "aws:username").then_some("bob")
    }

    #[test]
    fn variables_table() {
        let table: &[(&str, bool, Option<&str>)] = &[
            ("home/${aws:username}/*", true, Some("W(home/)L(bob)W(/*)")),
            ("home/${AWS:UserName}/*", true, Some("W(home/)L(bob)W(/*)")),
            (
                "home/${aws:username}/*",
                false,
                Some("W(home/${aws:username}/*)"),
            ),
            (
                "${aws:PrincipalTag/team, 'company-wide'}",
                true,
                Some("L(company-wide)"),
            ),
            ("${aws:PrincipalTag/team}", true, None),
            ("a${*}b${?}c${$}", true, Some("W(a)L(*)W(b)L(?)W(c)L($)")),
            ("a${b", true, Some("W(a${b)")),
            ("a${}b", true, Some("W(a${}b)")),
            (
                "a${x, nodefaultquotes}b",
                true,
                Some("W(a${x, nodefaultquotes}b)"),
            ),
            ("", true, Some("W()")),
        ];
        for (text, variables, want) in table {
            let template = Template::parse(text, *variables);
            assert_eq!(render(&template, username).as_deref(), *want, "{text}");
        }
    }

    #[test]
    fn many_variables_spill_to_the_heap() {
        let text = "${aws:username}-".repeat(20);
        let template = Template::parse(&text, true);
        assert_eq!(render(&template, username).map(|s| s.len()), Some(20 * 10));
    }
}
