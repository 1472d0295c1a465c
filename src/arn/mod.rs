//! The one home of identifier text: ARNs (`arn:partition:service:region:account:resource`,
//! split without copying), account ids, principal ARNs (their parts, as `Principal` elements and
//! callers write them), and wildcard matching ([`wildcard`]: actions, `Resource` patterns,
//! `StringLike` and `ArnLike` values). A leaf: it knows nothing of policies, requests, snapshots
//! or rules, which all use it.

pub mod wildcard;

use self::wildcard::{Case, Colons, Piece, Shape};

/// The most colon-separated segments [`Segments`] holds on the stack.
pub const MAX_SEGMENTS: usize = 12;

/// A text split at every `:`, without copying (`arn`, partition, service, …): the text and
/// the offset where each segment ends.
#[derive(Debug, Clone, Copy)]
pub struct Segments<'a> {
    text: &'a str,
    /// `ends[i]`: the offset of the `:` after segment `i` (the text's length for the last).
    ends: [u32; MAX_SEGMENTS],
    len: usize,
}

impl<'a> Segments<'a> {
    /// Splits `text` at every `:`; `None` beyond [`MAX_SEGMENTS`] segments (or a text of
    /// 4 GiB and more).
    pub fn split(text: &'a str) -> Option<Segments<'a>> {
        const COLONS: u64 = u64::from_ne_bytes([b':'; 8]);
        const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
        const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
        let bytes = text.as_bytes();
        let total = u32::try_from(bytes.len()).ok()?;
        let mut ends = [0u32; MAX_SEGMENTS];
        let mut len = 0;
        // Eight bytes at a time: flag the bytes equal to `:` (the classic zero-byte test on
        // `word ^ COLONS`), then confirm each flagged byte, since the test may also flag a
        // byte just above a real match.
        let mut chunks = bytes.chunks_exact(8);
        let mut base = 0usize;
        for chunk in &mut chunks {
            let mut word_bytes = [0u8; 8];
            word_bytes.copy_from_slice(chunk);
            let x = u64::from_le_bytes(word_bytes) ^ COLONS;
            let mut flagged = x.wrapping_sub(ONES) & !x & HIGHS;
            while flagged != 0 {
                let at = base + (flagged.trailing_zeros() / 8) as usize;
                if bytes[at] == b':' {
                    // INVARIANT: `at < total`, which fits in `u32`.
                    *ends.get_mut(len)? = at as u32;
                    len += 1;
                }
                flagged &= flagged - 1;
            }
            base += 8;
        }
        for (offset, &byte) in chunks.remainder().iter().enumerate() {
            if byte == b':' {
                *ends.get_mut(len)? = (base + offset) as u32;
                len += 1;
            }
        }
        *ends.get_mut(len)? = total;
        Some(Segments {
            text,
            ends,
            len: len + 1,
        })
    }

    /// Number of segments.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Never true: an empty text is one empty segment.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Segment `i` (empty beyond the last).
    #[inline]
    pub fn get(&self, i: usize) -> &'a str {
        if i >= self.len {
            return "";
        }
        let start = match i {
            0 => 0,
            _ => self.ends[i - 1] as usize + 1,
        };
        // INVARIANT: segment bounds sit next to `:`, which is ASCII: character boundaries.
        self.text
            .get(start..self.ends[i] as usize)
            .unwrap_or_default()
    }

    /// The segments.
    pub fn iter(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        let this = *self;
        (0..this.len).map(move |i| this.get(i))
    }

    /// The account segment of an ARN (`arn:partition:service:region:account:…`), if not empty.
    pub fn account(&self) -> Option<&'a str> {
        if self.len >= 6 && self.get(0) == "arn" {
            Some(self.get(4)).filter(|account| !account.is_empty())
        } else {
            None
        }
    }
}

/// A `Resource` pattern without policy variables, split at `:` for the fast path of
/// [`ArnPattern::match_segments`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArnPattern {
    /// The text before the first wildcard, compared in one go.
    literal_prefix: Box<str>,
    /// The last eight bytes of `literal_prefix` (when it has eight), compared first: they
    /// differ most often (the start of the resource name), and in one word.
    prefix_tail: Option<u64>,
    /// Segments from the first one holding a wildcard on.
    first_wild: usize,
    segments: Vec<(Box<str>, Shape)>,
}

impl ArnPattern {
    /// Splits a pattern (policy text) at every `:`.
    pub fn compile(pattern: &str) -> ArnPattern {
        let segments: Vec<(Box<str>, Shape)> = pattern
            .split(':')
            .map(|segment| (segment.into(), Shape::of(segment)))
            .collect();
        let first_wild = segments
            .iter()
            .position(|(_, shape)| *shape != Shape::Exact)
            .unwrap_or(segments.len());
        let literal_end = pattern.find(['*', '?']).unwrap_or(pattern.len());
        let literal_prefix = &pattern[..literal_end];
        ArnPattern {
            prefix_tail: literal_prefix
                .len()
                .checked_sub(8)
                .and_then(|at| word_at(literal_prefix.as_bytes(), at)),
            literal_prefix: literal_prefix.into(),
            first_wild,
            segments,
        }
    }

    /// Decides a `Resource` match segment by segment when that is exact: every `:` of the
    /// pattern is literal, so with as many segments as the text no wildcard can take a `:`
    /// and segment `i` matches segment `i`; with more segments nothing matches. `None` when
    /// the text has more segments (a trailing `*` may then cross `:`; use [`resource_matches`]).
    #[inline]
    pub fn match_segments(&self, text: &str, segments: &Segments<'_>) -> Option<bool> {
        let count = self.segments.len();
        if count > segments.len() {
            return Some(false);
        }
        if count < segments.len() {
            return None;
        }
        // INVARIANT: the segments before `first_wild` lie inside `literal_prefix`, so one
        // prefix comparison settles them.
        if self.first_wild == count {
            return Some(text == &*self.literal_prefix);
        }
        if let Some(tail) = self.prefix_tail
            && word_at(text.as_bytes(), self.literal_prefix.len() - 8) != Some(tail)
        {
            return Some(false);
        }
        if !text.starts_with(&*self.literal_prefix) {
            return Some(false);
        }
        // The last segments (the resource id) differ most often: compare them first.
        Some((self.first_wild..count).rev().all(|i| {
            let (pattern, shape) = &self.segments[i];
            wildcard::matches_shaped(
                pattern,
                *shape,
                segments.get(i),
                Case::Sensitive,
                Colons::Free,
            )
        }))
    }
}

/// The eight bytes of `bytes` at `at`, as one word.
#[inline]
fn word_at(bytes: &[u8], at: usize) -> Option<u64> {
    let chunk: [u8; 8] = bytes.get(at..at.checked_add(8)?)?.try_into().ok()?;
    Some(u64::from_ne_bytes(chunk))
}

/// The six colon-separated parts of an ARN; `resource` keeps any further colons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArnParts<'a> {
    /// `aws`, `aws-cn`, `aws-us-gov`, …
    pub partition: &'a str,
    /// `secretsmanager`, `iam`, …
    pub service: &'a str,
    /// Empty for global services.
    pub region: &'a str,
    /// Empty for resources without an account (S3 buckets).
    pub account: &'a str,
    /// `secret:prod/db-a1b2c3`, `role/path/name`, …
    pub resource: &'a str,
}

impl<'a> ArnParts<'a> {
    /// Splits `text` when it starts with `arn:` and has all six parts.
    pub fn split(text: &'a str) -> Option<ArnParts<'a>> {
        let mut parts = text.splitn(6, ':');
        if parts.next()? != "arn" {
            return None;
        }
        Some(ArnParts {
            partition: parts.next()?,
            service: parts.next()?,
            region: parts.next()?,
            account: parts.next()?,
            resource: parts.next()?,
        })
    }
}

/// The account of an ARN, when it names one.
pub fn account_of(text: &str) -> Option<&str> {
    ArnParts::split(text)
        .map(|parts| parts.account)
        .filter(|account| !account.is_empty())
}

/// The region of an ARN, when it names one.
pub fn region_of(text: &str) -> Option<&str> {
    ArnParts::split(text)
        .map(|parts| parts.region)
        .filter(|region| !region.is_empty())
}

/// The partition of an ARN (`aws`, `aws-cn`, …), when it names one.
pub fn partition_of(text: &str) -> Option<&str> {
    ArnParts::split(text)
        .map(|parts| parts.partition)
        .filter(|partition| !partition.is_empty())
}

/// Whether `name` is shaped like an AWS region name: a 2–4 letter area, one or more lowercase
/// words, and a number, dash-separated (`us-east-1`, `ap-southeast-10`, `us-gov-west-1`,
/// `cn-north-1`, `us-isob-east-1`, `eu-isoe-west-1`, `eusc-de-east-1`), at most 32 bytes.
/// Region names become directory names in a snapshot: a name that passes cannot hold `/`, `.`
/// or anything else a path could make use of, so it never leaves the snapshot directory.
pub fn is_region_name(name: &str) -> bool {
    let mut parts = name.split('-');
    let Some(area) = parts.next() else {
        return false;
    };
    let Some(number) = parts.next_back() else {
        return false;
    };
    let words: Vec<&str> = parts.collect();
    name.len() <= 32
        && (2..=4).contains(&area.len())
        && area.bytes().all(|b| b.is_ascii_lowercase())
        && !words.is_empty()
        && words
            .iter()
            .all(|word| !word.is_empty() && word.bytes().all(|b| b.is_ascii_lowercase()))
        && (1..=3).contains(&number.len())
        && number.bytes().all(|b| b.is_ascii_digit())
}

/// A 12-digit AWS account id.
pub fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

/// `Resource` element matching: segment-aware wildcards, a segment's trailing `*` may cross
/// `:`, case-sensitive.
pub fn resource_matches(pattern: &[Piece<'_>], resource: &str) -> bool {
    wildcard::matches_pieces(pattern, resource, Case::Sensitive, Colons::ResourceArn)
}

/// `ArnLike` / `ArnEquals` matching: each of the six parts separately, case-sensitive.
pub fn condition_matches(pattern: &[Piece<'_>], value: &str) -> bool {
    wildcard::matches_pieces(pattern, value, Case::Sensitive, Colons::ConditionArn)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// The segment fast path agrees with the general `Resource` matcher (itself checked
        /// against a naive reference in `wildcard`) whenever it decides.
        #[test]
        fn segment_fast_path_agrees_with_general_matcher(
            pattern in "[ab:*?/]{0,12}",
            text in "[ab:/]{0,14}",
        ) {
            // Beyond `MAX_SEGMENTS` there is no fast path: the evaluator keeps `None` and uses
            // the general matcher.
            let Some(segments) = Segments::split(&text) else {
                return Ok(());
            };
            if let Some(fast) = ArnPattern::compile(&pattern).match_segments(&text, &segments) {
                let general = wildcard::matches_pieces(&[Piece::Wild(&pattern)], &text, Case::Sensitive, Colons::ResourceArn);
                prop_assert_eq!(fast, general);
            }
        }
    }

    #[test]
    fn region_names_follow_aws_naming_and_cannot_be_paths() {
        for name in [
            "us-east-1",
            "eu-central-2",
            "ap-southeast-10",
            "us-gov-west-1",
            "cn-north-1",
            "cn-northwest-1",
            "us-iso-east-1",
            "us-isob-east-1",
            "eu-isoe-west-1",
            "eusc-de-east-1",
            "il-central-1",
        ] {
            assert!(is_region_name(name), "{name}");
        }
        for name in [
            "",
            "global",
            "all",
            "iam",
            "us-east",
            "us-1",
            "US-EAST-1",
            "us--1",
            "us-east-1-",
            "-us-east-1",
            "u-east-1",
            "useast-east-1",
            "us-east-1a",
            "us-east-1000",
            "us-east-1/..",
            "../us-east-1",
            "us-east-1\n",
            "us-eäst-1",
            "us-east-1.",
            "us-east-1 ",
            "111111111111",
            "snapshot.json",
            "us-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-1",
        ] {
            assert!(!is_region_name(name), "{name:?}");
        }
    }

    proptest! {
        #[test]
        fn split_matches_str_split(text in "[a:é/]{0,40}") {
            let want: Vec<&str> = text.split(':').collect();
            match Segments::split(&text) {
                Some(segments) => prop_assert_eq!(segments.iter().collect::<Vec<_>>(), want),
                None => prop_assert!(want.len() > MAX_SEGMENTS),
            }
        }
    }

    #[test]
    fn segments_split_and_overflow() {
        let s = Segments::split("arn:aws:secretsmanager:us-east-1:111122223333:secret:x").unwrap();
        assert_eq!(s.len(), 7);
        assert_eq!(s.get(6), "x");
        assert_eq!(s.account(), Some("111122223333"));
        assert!(Segments::split(&":".repeat(MAX_SEGMENTS)).is_none());
        assert_eq!(
            Segments::split("*").unwrap().iter().collect::<Vec<_>>(),
            ["*"]
        );
    }

    #[test]
    fn splits_six_parts() {
        let parts =
            ArnParts::split("arn:aws:secretsmanager:us-east-1:111122223333:secret:a:b").unwrap();
        assert_eq!(parts.partition, "aws");
        assert_eq!(parts.service, "secretsmanager");
        assert_eq!(parts.region, "us-east-1");
        assert_eq!(parts.account, "111122223333");
        assert_eq!(parts.resource, "secret:a:b");
        assert_eq!(ArnParts::split("arn:aws:s3:::bucket").unwrap().account, "");
        assert!(ArnParts::split("arn:aws:s3").is_none());
        assert!(ArnParts::split("*").is_none());
        assert!(ArnParts::split("urn:aws:s3:::b:c").is_none());
    }

    #[test]
    fn account_of_table() {
        let table = [
            (
                "arn:aws:secretsmanager:us-east-1:111122223333:secret:x",
                Some("111122223333"),
            ),
            ("arn:aws:s3:::bucket", None),
            ("*", None),
            ("", None),
        ];
        for (arn, want) in table {
            assert_eq!(account_of(arn), want, "{arn}");
        }
    }

    #[test]
    fn resource_and_condition_matching_differ_on_colons() {
        let pattern = [Piece::Wild("arn:aws:someservice:*:111122223333:finance/*")];
        let text = "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt";
        assert!(!condition_matches(&pattern, text));
        // the region `*` ends its segment, so in a Resource element it may cross `:`
        assert!(resource_matches(&pattern, text));
    }
}
