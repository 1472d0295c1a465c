//! `secaudit config-rule`: run as an AWS Config custom rule. Reads the rule invocation event
//! (`--event FILE`, or `-` for stdin), picks our rule (`--rule`, the `secauditRule` parameter, or
//! the catalogue id the Config rule name contains), collects the account's region in a temporary
//! snapshot, audits it for that rule, reads the rule's prior results
//! (GetComplianceDetailsByConfigRule) to send NOT_APPLICABLE for resources that are gone, and
//! calls PutEvaluations in batches of at most 100 (`--test-mode` sets TestMode). `--dry-run`
//! prints the evaluations instead of sending them. stdout gets a JSON summary.

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
        self, Evaluation, RuleInvocation, parse_event, pick_rule, plan_evaluations,
    };
    use secaudit::findings::Finding;
    use secaudit::json_error::JsonError;
    use secaudit::rules::{Catalogue, RuleConfig, RuleError, run_audit};
    use secaudit::snapshot::Snapshot;
    use serde_json::{Map, Value, json};

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
                RuleError::Config(JsonError { path, message }) => {
                    let path = path.relative();
                    let parameter = path
                        .strip_prefix(rule_id)
                        .map(|rest| rest.trim_start_matches('.'))
                        .unwrap_or(path);
                    anyhow::anyhow!("ruleParameters.{parameter}: {message}")
                }
                other => anyhow::Error::from(other),
            },
        )
    }

    /// Audits the snapshot for one rule with its configuration.
    fn audit_rule(
        snapshot_dir: &Path,
        catalogue: &Catalogue,
        rule_id: &str,
        config: &RuleConfig,
    ) -> anyhow::Result<Vec<Finding>> {
        let snapshot = Snapshot::load(snapshot_dir)?;
        let now = snapshot.meta.collected_at;
        let outcome = run_audit(catalogue, &snapshot, config, &[rule_id.to_owned()], now)?;
        Ok(outcome.findings)
    }

    pub(crate) fn to_evaluation(finding: &Finding) -> Evaluation {
        Evaluation::from_finding(finding)
    }

    /// The evaluations as the report writes them (`report::config_evaluations`).
    fn evaluations_json(evaluations: &[Evaluation]) -> Value {
        serde_json::to_value(evaluations).unwrap_or(Value::Null)
    }

    fn region_of(invocation: &RuleInvocation, args: &ConfigRuleArgs) -> Option<String> {
        args.live
            .regions
            .first()
            .cloned()
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

    /// The event handled: checked, collected, judged, sent (or printed with `--dry-run`).
    /// Returns the JSON summary and whether something could not be done (exit 3).
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
        if catalogue.get(&rule_id).is_none() {
            let source = if args.rule.is_some() {
                "--rule"
            } else {
                "ruleParameters.secauditRule"
            };
            anyhow::bail!(
                "{source}: unknown rule `{rule_id}`; hint: `secaudit rules list` shows the rules"
            );
        }
        let parameters = config_rule::rule_parameters(&invocation);
        let config = rule_config(&catalogue, &rule_id, &parameters)
            .with_context(|| format!("invalid event `{}`", args.event))?;
        let now = Utc::now();
        let mut live = args.live.clone();
        if live.regions.is_empty() {
            if let Some(region) = &invocation.region {
                super::super::collect::check_region("configRuleArn", region)?;
            }
            live.regions.extend(region_of(&invocation, args));
        }
        let snapshot = super::super::collect::collect_snapshot_for_audit(&live, quiet)?;
        let findings = audit_rule(snapshot.path(), &catalogue, &rule_id, &config)?;
        let current: Vec<Evaluation> = findings.iter().map(to_evaluation).collect();

        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .context("cannot start the async runtime")?;
        let settings = SdkSettings {
            profile: live.profile.clone(),
            region: live.regions.first().cloned(),
            max_attempts: live.max_attempts.max(1),
            ..SdkSettings::default()
        };
        runtime.block_on(async {
            let sdk = clients::load_base_config(&settings).await;
            let region = sdk.region().map(|r| r.to_string()).unwrap_or_default();
            let client = clients::config_client(
                &sdk,
                &region,
                invocation.account_id.as_deref().unwrap_or("self"),
            );
            let mut partial = false;
            let prior =
                match config_rule::prior_resources(&client, &invocation.config_rule_name).await {
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
                };
            let planned = plan_evaluations(&invocation, current, &prior, now);
            if args.dry_run {
                return Ok::<_, anyhow::Error>((
                    json!({"rule": rule_id, "config_rule_name": invocation.config_rule_name,
                    "evaluations": evaluations_json(&planned)}),
                    partial,
                ));
            }
            let summary = config_rule::put_evaluations(
                &client,
                &invocation.result_token,
                &planned,
                args.test_mode,
            )
            .await
            .map_err(|failure| anyhow::anyhow!("PutEvaluations failed: {}", failure.message))?;
            Ok((
                json!({"rule": rule_id, "config_rule_name": invocation.config_rule_name,
                    "test_mode": args.test_mode, "sent": summary.sent, "batches": summary.batches,
                    "failed": summary.failed}),
                partial || !summary.failed.is_empty(),
            ))
        })
    }
}
