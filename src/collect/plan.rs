//! Which accounts a collection run covers: account ids from `--accounts` and `--accounts-file`,
//! validated, de-duplicated and sorted, then cut into a stable shard (`--shard I/N`: the ids
//! whose index in sorted order is `I` modulo `N`), so that every job of a Kubernetes indexed Job
//! or an AWS Batch array job takes a disjoint part and together they take all.
//!
//! Pure: reads no file (the caller passes the file's text) and calls nothing.

use std::collections::BTreeSet;
use std::fmt;

/// A shard `index` of `count` (`--shard I/N`, `I` from 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    /// Parses `I/N` with `0 <= I < N`.
    pub fn parse(text: &str) -> Result<Shard, PlanError> {
        let invalid = || PlanError::InvalidShard(text.to_owned());
        let (index, count) = text.trim().split_once('/').ok_or_else(invalid)?;
        let index: usize = index.trim().parse().map_err(|_| invalid())?;
        let count: usize = count.trim().parse().map_err(|_| invalid())?;
        if count == 0 || index >= count {
            return Err(invalid());
        }
        Ok(Shard { index, count })
    }

    /// The ids of this shard, taken from ids sorted ascending.
    pub fn select(self, sorted_ids: &[String]) -> Vec<String> {
        sorted_ids
            .iter()
            .enumerate()
            .filter(|(position, _)| position % self.count == self.index)
            .map(|(_, id)| id.clone())
            .collect()
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// Why the account plan is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("invalid shard `{0}`: expected `I/N` with 0 <= I < N")]
    InvalidShard(String),
    #[error("invalid account id `{0}`: expected 12 digits")]
    InvalidAccountId(String),
    #[error("line {line}: invalid account id `{text}`: expected 12 digits")]
    InvalidAccountLine { line: usize, text: String },
    #[error("accounts given without `--role-name`")]
    MissingRoleName,
    #[error("`--shard` needs accounts (`--accounts` or `--accounts-file`)")]
    ShardWithoutAccounts,
}

pub use crate::arn::is_account_id;

/// Parses an accounts file: one id per line; blank lines and `#` comments are ignored, and the
/// first comma- or whitespace-separated field of a line is the id (so a CSV export of
/// `aws organizations list-accounts` with the id first also works).
pub fn parse_accounts_file(text: &str) -> Result<Vec<String>, PlanError> {
    let mut ids = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or_default().trim();
        if line.is_empty() {
            continue;
        }
        let id = line
            .split(|c: char| c == ',' || c.is_whitespace())
            .next()
            .unwrap_or_default()
            .trim_matches('"');
        if !is_account_id(id) {
            return Err(PlanError::InvalidAccountLine {
                line: number + 1,
                text: line.to_owned(),
            });
        }
        ids.push(id.to_owned());
    }
    Ok(ids)
}

/// Validates, de-duplicates and sorts the account ids, then applies the shard.
pub fn plan_accounts(ids: &[String], shard: Option<Shard>) -> Result<Vec<String>, PlanError> {
    let mut sorted = BTreeSet::new();
    for id in ids {
        let id = id.trim();
        if !is_account_id(id) {
            return Err(PlanError::InvalidAccountId(id.to_owned()));
        }
        sorted.insert(id.to_owned());
    }
    let sorted: Vec<String> = sorted.into_iter().collect();
    Ok(match shard {
        Some(shard) => shard.select(&sorted),
        None => sorted,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<String> {
        (0..n)
            .map(|i| format!("{:012}", 100_000_000_000u64 + i as u64))
            .collect()
    }

    #[test]
    fn shard_parsing() {
        let table: &[(&str, Option<(usize, usize)>)] = &[
            ("0/1", Some((0, 1))),
            ("3/4", Some((3, 4))),
            (" 2 / 10 ", Some((2, 10))),
            ("4/4", None),
            ("0/0", None),
            ("1", None),
            ("-1/3", None),
            ("a/b", None),
            ("", None),
        ];
        for (text, expected) in table {
            let got = Shard::parse(text).ok().map(|s| (s.index, s.count));
            assert_eq!(got, *expected, "{text}");
        }
    }

    #[test]
    fn shards_are_disjoint_and_cover_everything() {
        let all = ids(23);
        for count in 1..6 {
            let mut seen = Vec::new();
            for index in 0..count {
                let part = plan_accounts(&all, Some(Shard { index, count })).unwrap();
                seen.extend(part);
            }
            seen.sort();
            assert_eq!(seen, all, "count {count}");
        }
    }

    #[test]
    fn shard_is_stable_whatever_the_input_order() {
        let mut shuffled = ids(10);
        shuffled.reverse();
        shuffled.push(shuffled[0].clone());
        let shard = Shard { index: 1, count: 3 };
        assert_eq!(
            plan_accounts(&shuffled, Some(shard)).unwrap(),
            plan_accounts(&ids(10), Some(shard)).unwrap()
        );
        assert_eq!(
            plan_accounts(&ids(10), Some(shard)).unwrap(),
            vec![ids(10)[1].clone(), ids(10)[4].clone(), ids(10)[7].clone()]
        );
    }

    #[test]
    fn accounts_file_format() {
        let text = "# org accounts\n111111111111\n\n222222222222,prod,ACTIVE\n\"333333333333\" # staging\n";
        assert_eq!(
            parse_accounts_file(text).unwrap(),
            vec!["111111111111", "222222222222", "333333333333"]
        );
        assert_eq!(
            parse_accounts_file("111111111111\n12345\n"),
            Err(PlanError::InvalidAccountLine {
                line: 2,
                text: "12345".into()
            })
        );
        assert!(plan_accounts(&["abc".to_owned()], None).is_err());
    }
}
