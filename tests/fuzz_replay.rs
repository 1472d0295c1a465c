//! Replays every fuzz target's seed corpus and every past crash through the same harness the
//! fuzz targets use (`fuzz/harness.rs`), as an ordinary test: no fuzzing build, no nightly.
//! Seeds: `fuzz/seeds/<target>/` (written by `fuzz/make_seeds.py`) and, for `case_file`, the
//! case files of `tests/cases`. Past crashes: `fuzz/regressions/<target>/`, each a file that
//! once crashed a target. Fuzzing itself is `fuzz/run.sh` (see the README).

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

#[path = "../fuzz/harness.rs"]
mod harness;

use std::fs;
use std::path::{Path, PathBuf};

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return files;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files.sort();
    files
}

fn replay(target: &str, seeds: &str, run: fn(&[u8])) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let seeds = files_under(&root.join(seeds));
    assert!(!seeds.is_empty(), "{target}: no seed corpus");
    let crashes = files_under(&root.join("fuzz/regressions").join(target));
    for path in seeds.iter().chain(&crashes) {
        let data = fs::read(path).unwrap();
        // A panic names the input that caused it.
        let outcome = std::panic::catch_unwind(|| run(&data));
        assert!(outcome.is_ok(), "{target} panics on {}", path.display());
    }
}

#[test]
fn policy_seeds_and_past_crashes() {
    replay("policy", "fuzz/seeds/policy", harness::policy);
}

#[test]
fn case_file_seeds_and_past_crashes() {
    replay("case_file", "tests/cases", harness::case_file);
}

#[test]
fn snapshot_seeds_and_past_crashes() {
    replay("snapshot", "fuzz/seeds/snapshot", harness::snapshot);
}

#[test]
fn lifecycle_seeds_and_past_crashes() {
    replay("lifecycle", "fuzz/seeds/lifecycle", harness::lifecycle);
}

/// The snapshot target reaches every file of the snapshot layout (`docs/snapshot.md`), the KMS
/// key policies included.
#[test]
fn snapshot_inputs_reach_every_documented_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let page = fs::read_to_string(root.join("docs/snapshot.md")).unwrap();
    // The code block under "## The layout": one file per line, then what writes it.
    let layout = page.split("## The layout").nth(1).unwrap();
    let layout = layout.split("```").nth(1).unwrap();
    let files: Vec<&str> = layout
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|file| file.ends_with(".json"))
        .collect();
    assert!(files.len() >= 13, "the layout lists {files:?}");
    for file in files {
        let file = file.replace("<region>", "us-east-1");
        assert!(
            harness::SNAPSHOT_FILES.contains(&file.as_str()),
            "the snapshot fuzz target never writes `{file}`"
        );
    }
    let seeds = files_under(&root.join("fuzz/seeds/snapshot"));
    let key_policy = harness::SNAPSHOT_FILES
        .iter()
        .position(|file| *file == "us-east-1/kms/get-key-policy.json")
        .unwrap();
    assert!(
        seeds
            .iter()
            .any(|seed| harness::snapshot_files(&fs::read(seed).unwrap())
                .iter()
                .any(|(file, _)| *file == harness::SNAPSHOT_FILES[key_policy])),
        "no snapshot seed holds a key policy"
    );
}

/// A lifecycle input is a mutes file, then a baseline report after the separator.
#[test]
fn lifecycle_inputs_split_into_mutes_and_baseline() {
    let mut data = b"{\"mutes\": []}".to_vec();
    data.push(harness::PART_SEPARATOR);
    data.extend_from_slice(b"{}");
    assert_eq!(
        harness::lifecycle_files(&data),
        (&b"{\"mutes\": []}"[..], &b"{}"[..])
    );
    assert_eq!(harness::lifecycle_files(b"[]"), (&b"[]"[..], &b""[..]));
}

/// The snapshot input format: parts selected by their first byte, later parts winning, and a
/// valid `snapshot.json` when the input has none.
#[test]
fn snapshot_inputs_split_into_files() {
    let mut data = vec![1];
    data.extend_from_slice(b"{\"SecretList\": []}");
    data.push(harness::PART_SEPARATOR);
    data.push(1 + u8::try_from(harness::SNAPSHOT_FILES.len()).unwrap());
    data.extend_from_slice(b"[]");
    let files = harness::snapshot_files(&data);
    assert_eq!(files.len(), 2);
    assert_eq!(files[0], (harness::SNAPSHOT_FILES[1], b"[]".to_vec()));
    assert_eq!(files[1].0, "snapshot.json");
}
