//! `*` / `?` wildcard matching for actions, resources and `StringLike`/`ArnLike` values: the one
//! implementation of each mode (free, `Resource` segments, `ArnLike` parts).
//!
//! A pattern is a list of [`Piece`]s so that a policy variable's value can take part in a match
//! without building a new string: text from the policy (where `*` and `?` are wildcards) and
//! literal text (a variable's value, `${*}`). Matching is a greedy scan with backtracking to the
//! last star only (no exponential blow-up: at worst pattern length × text length steps), it
//! never allocates, and `?` consumes one UTF-8 character. Case-insensitive matching folds ASCII
//! only; the caller lower-cases the pattern beforehand. This module knows nothing of policies and
//! depends on nothing else of the crate.

/// How letters compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// Byte for byte.
    Sensitive,
    /// ASCII letters fold; the pattern must already be lower-case.
    Insensitive,
}

/// How wildcards treat `:`, the ARN segment separator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Colons {
    /// `*` and `?` match any character (`StringLike`, actions).
    Free,
    /// The `Resource` element: wildcards stay inside a colon-separated segment, except a `*`
    /// that is the last character of a segment, which may expand across `:`.
    ResourceArn,
    /// `ArnLike`/`ArnEquals`: the six parts `arn:partition:service:region:account:resource`
    /// are matched separately; inside the last part (or the pattern's last part when it has
    /// fewer) wildcards match anything.
    ConditionArn,
}

/// A run of pattern text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Policy text: `*` and `?` are wildcards.
    Wild(&'a str),
    /// Literal text (a variable's value or an escaped `${*}`): every byte matches itself.
    Literal(&'a str),
}

impl<'a> Piece<'a> {
    fn bytes(self) -> &'a [u8] {
        match self {
            Piece::Wild(s) | Piece::Literal(s) => s.as_bytes(),
        }
    }
}

/// The form of a pattern, computed once so that the common ones skip the general matcher.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `*`: matches everything.
    Any,
    /// No wildcard: equality.
    Exact,
    /// One `*` at the very end and no other wildcard: a prefix test.
    Prefix,
    /// Anything else.
    General,
}

impl Shape {
    /// Classifies policy text (`*`, `?` wildcards).
    pub fn of(pattern: &str) -> Shape {
        let bytes = pattern.as_bytes();
        match bytes.iter().position(|&b| b == b'*' || b == b'?') {
            None => Shape::Exact,
            Some(0) if bytes.len() == 1 && bytes[0] == b'*' => Shape::Any,
            Some(at) if at + 1 == bytes.len() && bytes[at] == b'*' => Shape::Prefix,
            Some(_) => Shape::General,
        }
    }
}

/// A resolved pattern: policy text with its precomputed shape, or pieces from a template
/// whose variables were substituted.
#[derive(Debug, Clone, Copy)]
pub enum Pattern<'a> {
    /// One run of policy text.
    Plain(&'a str, Shape),
    /// Policy text and literal values.
    Pieces(&'a [Piece<'a>]),
}

impl Pattern<'_> {
    /// Wildcard match.
    #[inline]
    pub fn matches(self, text: &str, case: Case, colons: Colons) -> bool {
        match self {
            Pattern::Plain(pattern, shape) => matches_shaped(pattern, shape, text, case, colons),
            Pattern::Pieces(pieces) => matches_pieces(pieces, text, case, colons),
        }
    }

    /// Equality, wildcards taken literally.
    #[inline]
    pub fn equals(self, text: &str, case: Case) -> bool {
        match self {
            Pattern::Plain(pattern, _) => bytes_equal(pattern.as_bytes(), text.as_bytes(), case),
            Pattern::Pieces(pieces) => equals_pieces(pieces, text, case),
        }
    }
}

/// Matches a single policy-text pattern (`*`, `?` wildcards) against `text`.
pub fn matches(pattern: &str, text: &str, case: Case, colons: Colons) -> bool {
    matches_shaped(pattern, Shape::of(pattern), text, case, colons)
}

/// [`matches`] with the pattern's [`Shape`] computed beforehand.
#[inline]
pub fn matches_shaped(pattern: &str, shape: Shape, text: &str, case: Case, colons: Colons) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    match shape {
        Shape::Any => true,
        Shape::Exact => bytes_equal(p, t, case),
        // A final `*` ends the last segment, so it may cross `:` in every mode.
        Shape::Prefix => {
            let stem = &p[..p.len() - 1];
            t.len() >= stem.len() && bytes_equal(stem, &t[..stem.len()], case)
        }
        Shape::General => match_bytes(p, t, case, colons),
    }
}

/// The longest pattern [`matches_pieces`] joins on the stack.
const JOINED_MAX: usize = 512;

/// Matches a pattern made of several pieces against `text`. When no literal piece holds a
/// wildcard character (a variable's value rarely does), the pieces joined are the same
/// pattern as plain policy text: they are joined on the stack and matched as such.
pub fn matches_pieces(pieces: &[Piece<'_>], text: &str, case: Case, colons: Colons) -> bool {
    if let [Piece::Wild(pattern)] = pieces {
        return match_bytes(pattern.as_bytes(), text.as_bytes(), case, colons);
    }
    let mut joined = [0u8; JOINED_MAX];
    let mut len = 0;
    let plain = pieces.iter().all(|piece| {
        let (bytes, literal) = match piece {
            Piece::Wild(s) => (s.as_bytes(), false),
            Piece::Literal(s) => (s.as_bytes(), true),
        };
        if literal && bytes.iter().any(|&b| b == b'*' || b == b'?') {
            return false;
        }
        let Some(slot) = joined.get_mut(len..len + bytes.len()) else {
            return false;
        };
        slot.copy_from_slice(bytes);
        len += bytes.len();
        true
    });
    if plain {
        return match_bytes(&joined[..len], text.as_bytes(), case, colons);
    }
    Matcher {
        pieces,
        case,
        colons,
    }
    .run(text.as_bytes())
}

/// Byte equality (ASCII letters folded for [`Case::Insensitive`]); short texts are compared
/// inline, eight bytes at a time, without a `memcmp` call.
#[inline]
fn bytes_equal(pattern: &[u8], text: &[u8], case: Case) -> bool {
    if pattern.len() != text.len() {
        return false;
    }
    if case == Case::Sensitive && pattern.len() <= 32 {
        let (mut p, mut t) = (pattern.chunks_exact(8), text.chunks_exact(8));
        return p.by_ref().zip(t.by_ref()).all(|(a, b)| word(a) == word(b))
            && word(p.remainder()) == word(t.remainder());
    }
    bytes_equal_long(pattern, text, case)
}

/// Up to eight bytes as one zero-padded word.
#[inline]
fn word(bytes: &[u8]) -> u64 {
    let mut buffer = [0u8; 8];
    let n = bytes.len().min(8);
    buffer[..n].copy_from_slice(&bytes[..n]);
    u64::from_ne_bytes(buffer)
}

fn bytes_equal_long(pattern: &[u8], text: &[u8], case: Case) -> bool {
    match case {
        Case::Sensitive => pattern == text,
        Case::Insensitive => pattern.eq_ignore_ascii_case(text),
    }
}

/// The general matcher on one run of policy text: the same algorithm as [`Matcher::run`] on
/// plain indices, for every mode.
fn match_bytes(p: &[u8], t: &[u8], case: Case, colons: Colons) -> bool {
    let same = |a: u8, b: u8| match case {
        Case::Sensitive => a == b,
        Case::Insensitive => a == b.to_ascii_lowercase(),
    };
    // Whether the wildcard at `at` may match `:`: always in free mode; in a `Resource` a star
    // that only stars separate from `:` or the end; in `ArnLike` a wildcard of the last part
    // (after five `:`, or with no `:` after it).
    let crosses = |at: usize| match colons {
        Colons::Free => true,
        Colons::ResourceArn => {
            p[at] == b'*'
                && p[at + 1..]
                    .iter()
                    .find(|&&b| b != b'*')
                    .is_none_or(|&b| b == b':')
        }
        Colons::ConditionArn => {
            p[..at].iter().filter(|&&b| b == b':').count() >= 5 || !p[at + 1..].contains(&b':')
        }
    };
    let (mut i, mut j) = (0, 0);
    let mut any_star: Option<(usize, usize)> = None;
    let mut segment_star: Option<(usize, usize)> = None;
    loop {
        if j >= t.len() {
            return p[i.min(p.len())..].iter().all(|&b| b == b'*');
        }
        let here = t[j];
        match p.get(i) {
            Some(b'*') => {
                if crosses(i) {
                    any_star = Some((i + 1, j));
                    segment_star = None;
                } else {
                    segment_star = Some((i + 1, j));
                }
                i += 1;
                continue;
            }
            Some(b'?') if here != b':' || crosses(i) => {
                i += 1;
                j += char_len(here);
                continue;
            }
            Some(&b) if b != b'?' && same(b, here) => {
                i += 1;
                j += 1;
                continue;
            }
            _ => {}
        }
        if let Some((star_i, absorbed)) = segment_star {
            if let Some(grown) = grow(p, t, star_i, absorbed, false, same) {
                segment_star = Some((star_i, grown));
                i = star_i;
                j = grown;
                continue;
            }
            segment_star = None;
        }
        if let Some((star_i, absorbed)) = any_star
            && let Some(grown) = grow(p, t, star_i, absorbed, true, same)
        {
            any_star = Some((star_i, grown));
            i = star_i;
            j = grown;
            continue;
        }
        return false;
    }
}

/// Whether `pieces`, read as literal text (wildcards included), equal `text`.
pub fn equals_pieces(pieces: &[Piece<'_>], text: &str, case: Case) -> bool {
    let mut rest = text.as_bytes();
    for piece in pieces {
        let bytes = piece.bytes();
        if rest.len() < bytes.len() {
            return false;
        }
        let (head, tail) = rest.split_at(bytes.len());
        let same = match case {
            Case::Sensitive => head == bytes,
            Case::Insensitive => head.eq_ignore_ascii_case(bytes),
        };
        if !same {
            return false;
        }
        rest = tail;
    }
    rest.is_empty()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Atom {
    End,
    Byte(u8),
    One { crosses: bool },
    Star { crosses: bool },
}

/// A position in the pattern: piece, byte offset, and `:` bytes passed so far.
#[derive(Debug, Clone, Copy)]
struct Pos {
    piece: usize,
    offset: usize,
    colons: usize,
}

struct Matcher<'p, 'a> {
    pieces: &'p [Piece<'a>],
    case: Case,
    colons: Colons,
}

impl Matcher<'_, '_> {
    fn normalize(&self, mut pos: Pos) -> Pos {
        while pos.piece < self.pieces.len() && pos.offset >= self.pieces[pos.piece].bytes().len() {
            pos.piece += 1;
            pos.offset = 0;
        }
        pos
    }

    /// The raw byte at `pos` and whether it is a wildcard.
    fn raw(&self, pos: Pos) -> Option<(u8, bool)> {
        let piece = self.pieces.get(pos.piece)?;
        let byte = *piece.bytes().get(pos.offset)?;
        Some((
            byte,
            matches!(piece, Piece::Wild(_)) && (byte == b'*' || byte == b'?'),
        ))
    }

    fn step(&self, pos: Pos, byte: u8) -> Pos {
        self.normalize(Pos {
            piece: pos.piece,
            offset: pos.offset + 1,
            colons: pos.colons + usize::from(byte == b':'),
        })
    }

    /// The atom at `pos` (already normalized) and the position after it.
    fn atom(&self, pos: Pos) -> (Atom, Pos) {
        let Some((byte, wild)) = self.raw(pos) else {
            return (Atom::End, pos);
        };
        let next = self.step(pos, byte);
        if !wild {
            return (Atom::Byte(byte), next);
        }
        let crosses = match self.colons {
            Colons::Free => true,
            Colons::ResourceArn => byte == b'*' && self.segment_ends_after_stars(next),
            Colons::ConditionArn => pos.colons >= 5 || !self.colon_ahead(next),
        };
        if byte == b'*' {
            (Atom::Star { crosses }, next)
        } else {
            (Atom::One { crosses }, next)
        }
    }

    /// After skipping further stars, is the next pattern byte `:` or the end?
    fn segment_ends_after_stars(&self, mut pos: Pos) -> bool {
        loop {
            match self.raw(pos) {
                None => return true,
                Some((b'*', true)) => pos = self.step(pos, b'*'),
                Some((byte, _)) => return byte == b':',
            }
        }
    }

    fn colon_ahead(&self, pos: Pos) -> bool {
        let Some(piece) = self.pieces.get(pos.piece) else {
            return false;
        };
        piece.bytes()[pos.offset.min(piece.bytes().len())..].contains(&b':')
            || self.pieces[pos.piece + 1..]
                .iter()
                .any(|p| p.bytes().contains(&b':'))
    }

    fn same(&self, pattern: u8, text: u8) -> bool {
        match self.case {
            Case::Sensitive => pattern == text,
            Case::Insensitive => pattern == text.to_ascii_lowercase(),
        }
    }

    fn run(&self, text: &[u8]) -> bool {
        let mut pos = self.normalize(Pos {
            piece: 0,
            offset: 0,
            colons: 0,
        });
        let mut t = 0;
        // Backtrack points: (pattern position after the star, text position it absorbed up to).
        let mut any_star: Option<(Pos, usize)> = None;
        let mut segment_star: Option<(Pos, usize)> = None;
        loop {
            let (atom, next) = self.atom(pos);
            if t >= text.len() {
                match atom {
                    Atom::End => return true,
                    Atom::Star { .. } => {
                        pos = next;
                        continue;
                    }
                    // Stars that absorb more text cannot help once the text is used up.
                    Atom::Byte(_) | Atom::One { .. } => return false,
                }
            }
            let here = text[t];
            match atom {
                Atom::Star { crosses: true } => {
                    any_star = Some((next, t));
                    segment_star = None;
                    pos = next;
                    continue;
                }
                Atom::Star { crosses: false } => {
                    segment_star = Some((next, t));
                    pos = next;
                    continue;
                }
                Atom::One { crosses } if crosses || here != b':' => {
                    pos = next;
                    t += char_len(here);
                    continue;
                }
                Atom::Byte(b) if self.same(b, here) => {
                    pos = next;
                    t += 1;
                    continue;
                }
                _ => {}
            }
            // Mismatch: let the innermost star absorb one more character.
            if let Some((star_pos, absorbed)) = segment_star
                && text[absorbed] != b':'
            {
                let grown = (absorbed + char_len(text[absorbed])).min(text.len());
                segment_star = Some((star_pos, grown));
                pos = star_pos;
                t = grown;
                continue;
            }
            if let Some((star_pos, absorbed)) = any_star {
                let grown = (absorbed + char_len(text[absorbed])).min(text.len());
                any_star = Some((star_pos, grown));
                segment_star = None;
                pos = star_pos;
                t = grown;
                continue;
            }
            return false;
        }
    }
}

/// Lets the star before `p[star_i]` absorb at least one more character of `t` and skips to
/// where the pattern after it can start (its first byte, when literal); `None` when the star
/// cannot grow into a match (it would cross `:` without `crosses`, or the text runs out).
fn grow(
    p: &[u8],
    t: &[u8],
    star_i: usize,
    absorbed: usize,
    crosses: bool,
    same: impl Fn(u8, u8) -> bool,
) -> Option<usize> {
    if !crosses && t[absorbed] == b':' {
        return None;
    }
    let mut k = absorbed + char_len(t[absorbed]);
    if let Some(&c) = p.get(star_i)
        && c != b'*'
        && c != b'?'
    {
        // INVARIANT: `c` follows a `*`, so it starts a character; bytes equal to it in `t`
        // start characters too.
        loop {
            let here = *t.get(k)?;
            if same(c, here) {
                break;
            }
            if !crosses && here == b':' {
                return None;
            }
            k += 1;
        }
    }
    Some(k.min(t.len()))
}

/// Length of the UTF-8 sequence that starts with `lead` (1 for a stray continuation byte).
fn char_len(lead: u8) -> usize {
    match lead {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests;
