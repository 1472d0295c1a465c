//! The SAM template of the Config rule Lambda (`deploy/config-rule/template.yaml`): its role
//! allows exactly the actions its Config rules need (the base set of `config-rule`, plus the
//! actions of the data each rule's catalogue rule reads: `rules::rule_reads` and
//! `collect::config_rule::actions_for`), denies the two that read secret values, and
//! every rule answers change notifications (both forms) or runs on a schedule; `cfn-lint`
//! (installed into `.venv` by `scripts/moto-env.sh`) accepts it. Without cfn-lint the lint step
//! skips with a message, except under `CI=true`.
#![cfg(feature = "aws")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step is a failed test"
)]

use std::collections::BTreeSet;
use std::process::Command;

use secaudit::collect::actions::{CONFIG_RULE_BASE_ACTIONS, FORBIDDEN_ACTIONS};
use secaudit::collect::config_rule::actions_for;
use secaudit::rules::rule_reads;
use yaml_rust2::{Yaml, YamlLoader};

mod support;

const TEMPLATE: &str = "deploy/config-rule/template.yaml";

fn template() -> Yaml {
    let path = support::root().join(TEMPLATE);
    let text = std::fs::read_to_string(path).unwrap();
    YamlLoader::load_from_str(&text).unwrap().remove(0)
}

fn strings(list: &Yaml) -> BTreeSet<String> {
    list.as_vec()
        .unwrap()
        .iter()
        .map(|item| item.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_role_allows_exactly_what_its_rules_need() {
    let template = template();
    let resources = template["Resources"].as_hash().unwrap();
    let function = &template["Resources"]["SecauditFunction"]["Properties"];
    let statements = function["Policies"][0]["Statement"].as_vec().unwrap();
    let mut allowed = BTreeSet::new();
    let mut denied = BTreeSet::new();
    for statement in statements {
        assert_eq!(statement["Resource"].as_str(), Some("*"));
        match statement["Effect"].as_str().unwrap() {
            "Allow" => allowed.extend(strings(&statement["Action"])),
            _ => denied.extend(strings(&statement["Action"])),
        }
    }
    let mut needed: BTreeSet<String> = CONFIG_RULE_BASE_ACTIONS
        .iter()
        .map(|a| (*a).to_owned())
        .collect();
    let mut rules = 0;
    for (_, resource) in resources {
        if resource["Type"].as_str() != Some("AWS::Config::ConfigRule") {
            continue;
        }
        rules += 1;
        let properties = &resource["Properties"];
        let id = properties["InputParameters"]["secauditRule"]
            .as_str()
            .unwrap();
        let reads = rule_reads(id).unwrap_or_else(|| panic!("`{id}` is not a catalogue rule"));
        for api in reads {
            needed.extend(actions_for(*api).iter().map(|a| (*a).to_owned()));
        }
        let types: BTreeSet<&str> = properties["Source"]["SourceDetails"]
            .as_vec()
            .unwrap()
            .iter()
            .map(|detail| detail["MessageType"].as_str().unwrap())
            .collect();
        let change = types.contains("ConfigurationItemChangeNotification");
        assert_eq!(
            change,
            types.contains("OversizedConfigurationItemChangeNotification"),
            "{id}: a change-triggered rule takes both notification forms"
        );
        assert!(change || types.contains("ScheduledNotification"), "{id}");
    }
    assert!(rules >= 3, "{rules} Config rules");
    assert_eq!(
        allowed, needed,
        "least privilege: the rules' actions, no more, no less"
    );
    let forbidden: BTreeSet<String> = FORBIDDEN_ACTIONS.iter().map(|a| (*a).to_owned()).collect();
    assert_eq!(denied, forbidden);
}

/// The actions a rule that reads IAM data needs include IAM's (the mapping is not empty where it
/// matters): `secretsmanager-secret-broad-readers` needs IAM and KMS, `secretsmanager-rotation-
/// enabled-check` neither.
#[test]
fn rules_that_read_more_need_more() {
    let actions = |id: &str| -> BTreeSet<&str> {
        rule_reads(id)
            .unwrap()
            .iter()
            .flat_map(|api| actions_for(*api).iter().copied())
            .collect()
    };
    let readers = actions("secretsmanager-secret-broad-readers");
    assert!(readers.contains("iam:GetAccountAuthorizationDetails"));
    assert!(readers.contains("kms:GetKeyPolicy"));
    assert!(actions("secretsmanager-rotation-enabled-check").is_empty());
    assert_eq!(
        actions("secretsmanager-managed-secret-impaired"),
        BTreeSet::from(["rds:DescribeDBClusters", "rds:DescribeDBInstances"])
    );
}

#[test]
fn cfn_lint_accepts_the_template() {
    let Some(lint) = support::cfn_lint() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "cfn-lint not found under CI: run `scripts/moto-env.sh` and set SECAUDIT_CFN_LINT"
        );
        eprintln!("SKIPPED: cfn-lint not found (run `scripts/moto-env.sh`)");
        return;
    };
    let output = Command::new(lint)
        .arg(support::root().join(TEMPLATE))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "cfn-lint: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
