//! The rule catalogue, checked mechanically: every rule file parses and its id equals its file
//! stem, every id has exactly one registered function and every function one file, the embedded
//! catalogue equals the files on disk, and every rule has a fixture that yields a COMPLIANT and a
//! NON_COMPLIANT finding.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers outside #[test] functions fail loudly by design"
)]

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use secaudit::findings::ComplianceType;
use secaudit::rules::{Catalogue, RuleConfig, registered_rule_ids, run_audit};
use secaudit::snapshot::Snapshot;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn stems(dir: &Path, extension: &str) -> BTreeSet<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == extension))
        .map(|path| path.file_stem().unwrap().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn every_rule_file_parses_and_its_id_is_its_file_stem() {
    let dir = root().join("rules");
    let files = stems(&dir, "json");
    assert!(!files.is_empty());
    for stem in &files {
        let text = fs::read_to_string(dir.join(format!("{stem}.json"))).unwrap();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            value["id"],
            serde_json::Value::String(stem.clone()),
            "{stem}.json"
        );
    }
    let catalogue = Catalogue::from_dir(&dir).unwrap();
    let ids: BTreeSet<String> = catalogue
        .rules()
        .iter()
        .map(|rule| rule.id.clone())
        .collect();
    assert_eq!(ids, files);
}

#[test]
fn every_id_has_exactly_one_function_and_every_function_one_file() {
    let files = stems(&root().join("rules"), "json");
    let registered = registered_rule_ids();
    let unique: BTreeSet<String> = registered.iter().map(|id| id.to_string()).collect();
    assert_eq!(unique.len(), registered.len(), "an id is registered twice");
    assert_eq!(unique, files, "registered functions vs rule files");

    let checks = root().join("src/rules/checks");
    let mut sources = stems(&checks, "rs");
    sources.remove("mod");
    let expected: BTreeSet<String> = files.iter().map(|id| id.replace('-', "_")).collect();
    assert_eq!(sources, expected, "function files vs rule ids");
    for source in &sources {
        let text = fs::read_to_string(checks.join(format!("{source}.rs"))).unwrap();
        assert_eq!(
            text.matches("pub(crate) fn check(").count(),
            1,
            "{source}.rs must define exactly one rule function"
        );
    }
}

#[test]
fn the_embedded_catalogue_equals_the_files() {
    let builtin = Catalogue::builtin().unwrap();
    let on_disk = Catalogue::from_dir(&root().join("rules")).unwrap();
    assert_eq!(builtin, on_disk);
}

#[test]
fn every_rule_has_a_compliant_and_a_non_compliant_fixture() {
    let catalogue = Catalogue::builtin().unwrap();
    for rule in catalogue.rules() {
        let dir = root().join("fixtures/rules").join(&rule.id);
        assert!(
            dir.join("snapshot.json").is_file(),
            "no fixture for `{}`",
            rule.id
        );
        let snapshot = Snapshot::load(&dir).unwrap();
        let config = match fs::read_to_string(dir.join("config.json")) {
            Ok(text) => RuleConfig::from_json(&text).unwrap(),
            Err(_) => RuleConfig::default(),
        };
        let outcome = run_audit(
            &catalogue,
            &snapshot,
            &config,
            std::slice::from_ref(&rule.id),
            snapshot.meta.collected_at,
        )
        .unwrap();
        let kinds: BTreeSet<ComplianceType> = outcome
            .findings
            .iter()
            .filter(|finding| finding.rule == rule.id)
            .map(|finding| finding.compliance_type)
            .collect();
        for wanted in [ComplianceType::Compliant, ComplianceType::NonCompliant] {
            assert!(
                kinds.contains(&wanted),
                "`{}`: its fixture yields no {} finding (got {kinds:?})",
                rule.id,
                wanted.as_str()
            );
        }
    }
}

#[test]
fn a_rules_directory_may_reword_and_re_default_but_not_invent() {
    let dir = tempfile::tempdir().unwrap();
    let original =
        fs::read_to_string(root().join("rules/secretsmanager-secret-unused.json")).unwrap();
    let mut value: serde_json::Value = serde_json::from_str(&original).unwrap();
    value["severity"] = "high".into();
    value["parameters"]["unusedForDays"]["default"] = "30".into();
    let path = dir.path().join("secretsmanager-secret-unused.json");
    fs::write(&path, value.to_string()).unwrap();
    let catalogue = Catalogue::from_dir(dir.path()).unwrap();
    assert_eq!(catalogue.rules().len(), 1);
    let rule = catalogue.get("secretsmanager-secret-unused").unwrap();
    assert_eq!(rule.severity.as_str(), "high");
    assert_eq!(
        rule.parameters["unusedForDays"].default,
        serde_json::json!(30)
    );

    let table: [(&str, serde_json::Value, &str); 3] = [
        (
            "other-name.json",
            value.clone(),
            "id: `secretsmanager-secret-unused` differs from the file name `other-name`",
        ),
        (
            "made-up.json",
            {
                let mut v = value.clone();
                v["id"] = "made-up".into();
                v
            },
            "id: no rule function is registered for `made-up`",
        ),
        (
            "secretsmanager-secret-unused.json",
            {
                let mut v = value.clone();
                v["parameters"]
                    .as_object_mut()
                    .unwrap()
                    .remove("aggregateReplicas");
                v
            },
            "parameters: expected the parameters of the built-in rule",
        ),
    ];
    for (file, content, expected) in table {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(file), content.to_string()).unwrap();
        let error = Catalogue::from_dir(dir.path()).unwrap_err().to_string();
        assert!(error.contains(expected), "{file}: {error}");
    }
    let empty = tempfile::tempdir().unwrap();
    let error = Catalogue::from_dir(empty.path()).unwrap_err().to_string();
    assert!(
        error.ends_with("no rule files (`*.json`) in the directory"),
        "{error}"
    );
}
