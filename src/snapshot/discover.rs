//! Where the account snapshots of a directory are: the directory itself when it holds
//! `snapshot.json`, else every directory below it that does, at any depth (`DIR/<account-id>/`
//! as `collect --accounts` and `--organization` write them, `DIR/shard-3/<account-id>/` as the
//! Kubernetes and AWS Batch recipes gather shards). A snapshot directory is not searched further
//! (its subdirectories are its regions); hidden directories and symbolic links are not followed.
//!
//! The order is by directory name (the account id in the collector's layout), then by path, so
//! the same accounts give the same order however they were sharded. It only lists directories;
//! loading is `Snapshot::load`.

use std::path::{Path, PathBuf};

use super::load::META_FILE;

/// How deep below the given directory snapshots are looked for.
pub const MAX_DEPTH: usize = 8;

/// The account snapshot directories under `dir`, or `dir` itself when none is found (so that
/// loading it reports what is missing).
pub fn account_snapshot_dirs(dir: &Path) -> Vec<PathBuf> {
    if dir.join(META_FILE).is_file() {
        return vec![dir.to_path_buf()];
    }
    let mut found = Vec::new();
    walk(dir, 0, &mut found);
    if found.is_empty() {
        return vec![dir.to_path_buf()];
    }
    found.sort_by(|a, b| a.file_name().cmp(&b.file_name()).then_with(|| a.cmp(b)));
    found
}

fn walk(dir: &Path, depth: usize, found: &mut Vec<PathBuf>) {
    if depth >= MAX_DEPTH {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        // `file_type` does not follow symbolic links: a link is neither a directory nor walked.
        let is_dir = entry.file_type().is_ok_and(|kind| kind.is_dir());
        if hidden || !is_dir {
            continue;
        }
        let path = entry.path();
        if path.join(META_FILE).is_file() {
            found.push(path);
        } else {
            walk(&path, depth + 1, found);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(dir: &Path) {
        std::fs::create_dir_all(dir.join("us-east-1")).unwrap();
        std::fs::write(dir.join(META_FILE), "{}").unwrap();
    }

    #[test]
    fn snapshots_are_found_at_any_depth_and_ordered_by_account() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path();
        snapshot(&dir.join("shard-1/222222222222"));
        snapshot(&dir.join("shard-0/333333333333"));
        snapshot(&dir.join("shard-0/111111111111"));
        snapshot(&dir.join("deep/a/b/c/444444444444"));
        // Not searched: inside a snapshot, hidden, too deep.
        snapshot(&dir.join("shard-0/111111111111/nested"));
        snapshot(&dir.join(".cache/555555555555"));
        snapshot(&dir.join("1/2/3/4/5/6/7/8/9/666666666666"));
        let names: Vec<String> = account_snapshot_dirs(dir)
            .iter()
            .map(|path| path.strip_prefix(dir).unwrap().display().to_string())
            .collect();
        assert_eq!(
            names,
            [
                "shard-0/111111111111",
                "shard-1/222222222222",
                "shard-0/333333333333",
                "deep/a/b/c/444444444444"
            ]
        );
    }

    #[test]
    fn a_snapshot_directory_is_itself_and_an_empty_one_is_returned_as_is() {
        let root = tempfile::tempdir().unwrap();
        snapshot(&root.path().join("one"));
        snapshot(&root.path().join("one/111111111111"));
        assert_eq!(
            account_snapshot_dirs(&root.path().join("one")),
            [root.path().join("one")]
        );
        let empty = root.path().join("empty");
        std::fs::create_dir_all(&empty).unwrap();
        assert_eq!(account_snapshot_dirs(&empty), std::slice::from_ref(&empty));
    }
}
