//! `secaudit config-rule`: run as an AWS Config custom rule. Reads the rule invocation event
//! (`--event FILE`, or `-` for stdin), picks our rule (`--rule`, the `secauditRule` parameter, or
//! the catalogue id the Config rule name contains) and checks it all before any AWS call. Then
//! collects what the event needs in a temporary snapshot (`config_rule::collection_for`): for a
//! change of a secret that secret alone, for a scheduled run the region, and only the services
//! the rule reads; nothing for a deleted or out-of-scope resource. `--snapshot DIR` judges a
//! given snapshot instead. Audits it for that rule (tolerantly: a bad record costs only what it
//! concerns), reads the rule's prior results on a scheduled run
//! (GetComplianceDetailsByConfigRule) to send NOT_APPLICABLE for resources that are gone, and
//! calls PutEvaluations in batches of at most 100 (`--test-mode` sets TestMode). `--dry-run`
//! prints the evaluations instead of sending them. stdout gets a JSON summary; exit 3 when
//! something could not be judged or sent.

use std::path::PathBuf;

use super::Outcome;
use super::collect::LiveArgs;

#[derive(Debug, clap::Args)]
pub struct ConfigRuleArgs {
    /// The Config rule invocation event (a JSON file, or `-` for stdin).
    #[arg(long)]
    pub event: String,
    /// Call PutEvaluations with TestMode (Config validates but records nothing).
    #[arg(long)]
    pub test_mode: bool,
    /// Print the evaluations as JSON instead of calling PutEvaluations.
    #[arg(long)]
    pub dry_run: bool,
    /// The catalogue rule to run (default: from the `secauditRule` parameter or the Config rule name).
    #[arg(long)]
    pub rule: Option<String>,
    /// A rule catalogue directory instead of the built-in catalogue.
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Judge this account snapshot instead of collecting one (replaying an event offline; with
    /// a change notification and `--dry-run` no AWS call is made).
    #[arg(long)]
    pub snapshot: Option<PathBuf>,
    #[command(flatten)]
    pub live: LiveArgs,
}

#[cfg(not(feature = "config-rule"))]
pub fn run(_args: ConfigRuleArgs, _quiet: bool) -> anyhow::Result<Outcome> {
    anyhow::bail!(
        "this binary was built without the `config-rule` feature; hint: \
         cargo install --locked --path . --features config-rule"
    )
}

#[cfg(feature = "config-rule")]
pub use live::run;
#[cfg(feature = "lambda")]
#[allow(
    unused_imports,
    reason = "used by the `bootstrap` binary, not by `secaudit`"
)]
pub use live::run_event_text;

#[cfg(feature = "config-rule")]
mod live {
    use std::io::Read;
    use std::path::Path;

    use anyhow::Context;
    use chrono::Utc;
    use secaudit::collect::clients::{self, SdkSettings};
    use secaudit::collect::config_rule::{
        self, Collection, Evaluation, RuleInvocation, Trigger, answer_from_event, collection_for,
        parse_event, pick_rule, plan_evaluations,
    };
    use secaudit::findings::{ComplianceType, Finding};
    use secaudit::rules::{Catalogue, RuleConfig, RuleError, rule_reads, run_audit};
    use secaudit::snapshot::{Api, LoadMode, Snapshot};
    use serde_json::{Map, Value, json};

    use super::super::collect::SkipService;
    use super::{ConfigRuleArgs, Outcome};

    fn read_event(source: &str) -> anyhow::Result<String> {
        if source == "-" {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .context("cannot read the event from stdin")?;
            Ok(text)
        } else {
            std::fs::read_to_string(source).with_context(|| format!("cannot read `{source}`"))
        }
    }

    fn load_catalogue(dir: Option<&Path>) -> anyhow::Result<Catalogue> {
        Ok(match dir {
            Some(dir) => Catalogue::from_dir(dir)?,
            None => Catalogue::builtin()?,
        })
    }

    /// The rule configuration from the Config rule's parameters that the rule declares (others
    /// are logged and ignored: Config rules often carry extra parameters), checked against the
    /// rule's parameter types; errors name the event's JSON path (`ruleParameters.NAME`).
    fn rule_config(
        catalogue: &Catalogue,
        rule_id: &str,
        parameters: &Map<String, Value>,
    ) -> anyhow::Result<RuleConfig> {
        let meta = catalogue
            .get(rule_id)
            .with_context(|| format!("unknown rule `{rule_id}`"))?;
        let mut known = Map::new();
        for (name, value) in parameters {
            if meta.parameters.contains_key(name) {
                known.insert(name.clone(), value.clone());
            } else {
                tracing::warn!("rule `{rule_id}` has no parameter `{name}`: ignored");
            }
        }
        let mut overrides = Map::new();
        overrides.insert(rule_id.to_owned(), Value::Object(known));
        RuleConfig::from_json_for(&Value::Object(overrides).to_string(), catalogue).map_err(
            |error| match error {
                RuleError::Config { path, message } => {
                    let parameter = path
                        .strip_prefix(rule_id)
                        .map(|rest| rest.trim_start_matches('.'))
                        .unwrap_or(&path);
                    anyhow::anyhow!("ruleParameters.{parameter}: {message}")
                }
                other => anyhow::Error::from(other),
            },
        )
    }

    /// Audits the snapshot for one rule with its configuration. What was collected is never
    /// trusted: a bad record makes only what it concerns INSUFFICIENT_DATA (as in `audit`).
    fn audit_rule(
        snapshot_dir: &Path,
        catalogue: &Catalogue,
        rule_id: &str,
        config: &RuleConfig,
    ) -> anyhow::Result<Vec<Finding>> {
        let snapshot = Snapshot::load_with(snapshot_dir, LoadMode::Tolerant)?;
        for problem in &snapshot.problems {
            tracing::warn!(
                "bad record in account {}: {problem} (skipped)",
                snapshot.meta.account_id
            );
        }
        let now = snapshot.meta.collected_at;
        let outcome = run_audit(catalogue, &snapshot, config, &[rule_id.to_owned()], now)?;
        Ok(outcome.findings)
    }

    /// The services a collection for `rule_id` alone can leave out: those whose data the rule
    /// does not read.
    fn unread_services(rule_id: &str) -> Vec<SkipService> {
        let Some(reads) = rule_reads(rule_id) else {
            return Vec::new();
        };
        let reads_any = |apis: &[Api]| apis.iter().any(|api| reads.contains(api));
        [
            (SkipService::Iam, &[Api::GetAccountAuthorizationDetails][..]),
            (SkipService::Cloudtrail, &[Api::LookupEvents][..]),
            (
                SkipService::Rds,
                &[Api::DescribeDbClusters, Api::DescribeDbInstances][..],
            ),
            (
                SkipService::Kms,
                &[Api::DescribeKey, Api::ListAliases, Api::GetKeyPolicy][..],
            ),
        ]
        .into_iter()
        .filter(|(_, apis)| !reads_any(apis))
        .map(|(service, _)| service)
        .collect()
    }

    pub(crate) fn to_evaluation(finding: &Finding) -> Evaluation {
        Evaluation::from_finding(finding)
    }

    /// The evaluations as the report writes them (`report::config_evaluations`).
    fn evaluations_json(evaluations: &[Evaluation]) -> Value {
        serde_json::to_value(evaluations).unwrap_or(Value::Null)
    }

    /// The region to collect: `--region`, else the changed resource's, else the Config rule's.
    fn region_of(invocation: &RuleInvocation, args: &ConfigRuleArgs) -> Option<String> {
        let changed = match &invocation.trigger {
            Trigger::Change { region, .. } => region.clone(),
            Trigger::Scheduled => None,
        };
        args.live
            .regions
            .first()
            .cloned()
            .or(changed)
            .or_else(|| invocation.region.clone())
    }

    pub fn run(args: ConfigRuleArgs, quiet: bool) -> anyhow::Result<Outcome> {
        let text = read_event(&args.event)?;
        let (summary, partial) = run_event(&text, &args, quiet)?;
        println!("{}", serde_json::to_string_pretty(&summary)?);
        Ok(if partial {
            Outcome::Partial
        } else {
            Outcome::Clean
        })
    }

    /// Handles one event as the Lambda function does: the defaults of `config-rule --event -`
    /// (the event's region, the standard AWS environment), TestMode as asked; the JSON summary.
    #[cfg(feature = "lambda")]
    #[allow(
        dead_code,
        reason = "used by the `bootstrap` binary, not by `secaudit`"
    )]
    pub fn run_event_text(text: &str, source: &str, test_mode: bool) -> anyhow::Result<Value> {
        #[derive(Debug, clap::Parser)]
        struct Defaults {
            #[command(flatten)]
            args: ConfigRuleArgs,
        }
        let mut args =
            <Defaults as clap::Parser>::try_parse_from(["bootstrap", "--event", "-"])?.args;
        args.event = source.to_owned();
        args.test_mode = test_mode;
        run_event(text, &args, true).map(|(summary, _partial)| summary)
    }

    /// What the rule judged: its evaluations, how many were INSUFFICIENT_DATA, and what was
    /// collected for it (for the summary).
    struct Judged {
        current: Vec<Evaluation>,
        insufficient: usize,
        collected: Value,
    }

    /// Collects what `collection` asks (or reads `--snapshot`) and judges it for the rule.
    fn collect_and_judge(
        collection: &Collection,
        invocation: &RuleInvocation,
        args: &ConfigRuleArgs,
        rule: (&Catalogue, &str, &RuleConfig),
        quiet: bool,
    ) -> anyhow::Result<Judged> {
        let (catalogue, rule_id, config) = rule;
        let scope = match collection {
            Collection::Nothing => {
                return Ok(Judged {
                    current: Vec::new(),
                    insufficient: 0,
                    collected: json!({"scope": "none"}),
                });
            }
            Collection::Secret(_) => "secret",
            Collection::Region => "region",
        };
        let findings = if let Some(dir) = &args.snapshot {
            audit_rule(dir, catalogue, rule_id, config)?
        } else {
            let mut live = args.live.clone();
            if live.regions.is_empty() {
                if let Some(region) = &invocation.region {
                    super::super::collect::check_region("configRuleArn", region)?;
                }
                live.regions.extend(region_of(invocation, args));
            }
            if let Collection::Secret(id) = collection {
                live.secret = Some(id.clone());
            }
            for service in unread_services(rule_id) {
                if !live.skip.contains(&service) {
                    live.skip.push(service);
                }
            }
            let (snapshot, report) =
                super::super::collect::collect_snapshot_reporting(&live, quiet)?;
            let findings = audit_rule(snapshot.path(), catalogue, rule_id, config)?;
            let collected = json!({"scope": scope, "secrets": report.secrets(),
                "calls": report.calls()});
            let current: Vec<Evaluation> = findings.iter().map(to_evaluation).collect();
            return Ok(judged(current, collected));
        };
        let current: Vec<Evaluation> = findings.iter().map(to_evaluation).collect();
        let collected = json!({"scope": "snapshot", "snapshot": args.snapshot});
        Ok(judged(current, collected))
    }

    fn judged(current: Vec<Evaluation>, collected: Value) -> Judged {
        let insufficient = current
            .iter()
            .filter(|e| e.compliance_type == ComplianceType::InsufficientData)
            .count();
        Judged {
            current,
            insufficient,
            collected,
        }
    }

    /// The event handled: checked, collected (one secret for a change of a secret, the region
    /// for a scheduled run, nothing when the event decides), judged, sent (or printed with
    /// `--dry-run`). Returns the JSON summary and whether something could not be done (exit 3).
    fn run_event(text: &str, args: &ConfigRuleArgs, quiet: bool) -> anyhow::Result<(Value, bool)> {
        let invocation =
            parse_event(text).with_context(|| format!("invalid event `{}`", args.event))?;
        let catalogue = load_catalogue(args.rules.as_deref())?;
        let ids: Vec<String> = catalogue
            .rules()
            .iter()
            .map(|meta| meta.id.clone())
            .collect();
        let rule_id = pick_rule(&invocation, args.rule.as_deref(), &ids).with_context(|| {
            format!(
                "configRuleName: no catalogue rule matches `{}`; hint: pass `--rule ID` or the \
                 `secauditRule` rule parameter",
                invocation.config_rule_name
            )
        })?;
        // Everything the event and the command line say is checked before any AWS call.
        let Some(meta) = catalogue.get(&rule_id) else {
            let source = if args.rule.is_some() {
                "--rule"
            } else {
                "ruleParameters.secauditRule"
            };
            anyhow::bail!(
                "{source}: unknown rule `{rule_id}`; hint: `secaudit rules list` shows the rules"
            );
        };
        let rule_type = meta.resource_type.clone();
        let parameters = config_rule::rule_parameters(&invocation);
        let config = rule_config(&catalogue, &rule_id, &parameters)
            .with_context(|| format!("invalid event `{}`", args.event))?;
        let now = Utc::now();
        let collection = collection_for(&invocation, &rule_type);
        let judged = collect_and_judge(
            &collection,
            &invocation,
            args,
            (&catalogue, &rule_id, &config),
            quiet,
        )?;
        let scheduled = invocation.trigger == Trigger::Scheduled;
        let needs_config = scheduled || !args.dry_run;
        let mut summary = json!({"rule": rule_id, "config_rule_name": invocation.config_rule_name,
            "trigger": if scheduled { "scheduled" } else { "change" },
            "collected": judged.collected, "insufficient_data": judged.insufficient});

        let settings = SdkSettings {
            profile: args.live.profile.clone(),
            region: args
                .live
                .regions
                .first()
                .cloned()
                .or_else(|| region_of(&invocation, args)),
            max_attempts: args.live.max_attempts.max(1),
            ..SdkSettings::default()
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .context("cannot start the async runtime")?;
        runtime.block_on(async {
            let client = if needs_config {
                let sdk = clients::load_base_config(&settings).await;
                let region = sdk.region().map(|r| r.to_string()).unwrap_or_default();
                Some(clients::config_client(
                    &sdk,
                    &region,
                    invocation.account_id.as_deref().unwrap_or("self"),
                ))
            } else {
                None
            };
            let mut partial = false;
            // Prior results matter only to a scheduled run (resources gone since the last one).
            let prior = match (&client, scheduled) {
                (Some(client), true) => {
                    match config_rule::prior_resources(client, &invocation.config_rule_name).await {
                        Ok(prior) => prior,
                        Err(failure) => {
                            tracing::warn!(
                                "cannot read prior results of `{}`: {}",
                                invocation.config_rule_name,
                                failure.message
                            );
                            partial = true;
                            Vec::new()
                        }
                    }
                }
                _ => Vec::new(),
            };
            let planned = match answer_from_event(&invocation, &rule_type, now) {
                Some(answer) => vec![answer],
                None => plan_evaluations(&invocation, judged.current, &prior, now),
            };
            // A scheduled run with unjudged resources, or a change nothing could be said about.
            partial |= if scheduled {
                judged.insufficient > 0
            } else {
                planned.is_empty()
            };
            if partial && !scheduled {
                tracing::warn!(
                    "the changed resource could not be judged: no evaluation is sent for it"
                );
            }
            let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
            for evaluation in &planned {
                *counts
                    .entry(evaluation.compliance_type.as_str())
                    .or_default() += 1;
            }
            summary["evaluated"] = json!(counts);
            let Some(client) = client.filter(|_| !args.dry_run) else {
                summary["evaluations"] = evaluations_json(&planned);
                return Ok::<_, anyhow::Error>((summary, partial));
            };
            let sent = config_rule::put_evaluations(
                &client,
                &invocation.result_token,
                &planned,
                args.test_mode,
            )
            .await
            .map_err(|failure| anyhow::anyhow!("PutEvaluations failed: {}", failure.message))?;
            summary["test_mode"] = json!(args.test_mode);
            summary["sent"] = json!(sent.sent);
            summary["batches"] = json!(sent.batches);
            summary["failed"] = json!(sent.failed);
            Ok((summary, partial || !sent.failed.is_empty()))
        })
    }
}
