//! `audit --security-hub`: after the report is written, sends its findings to AWS Security Hub
//! as ASFF with `BatchImportFindings`, one account and region at a time (Security Hub takes a
//! finding only from its own account, in its `ProductArn`'s region). The caller's own account is
//! sent with the ambient credentials; any other account through `--security-hub-role`, assumed in
//! that account. Every finding that could not be sent is counted and logged; any failure makes
//! the run fail with exit 2 (the report itself is already written).

use crate::cli::audit::AuditArgs;
use secaudit::report::Report;

#[cfg(feature = "aws")]
pub fn send(report: &Report, args: &AuditArgs) -> anyhow::Result<()> {
    use std::collections::BTreeMap;

    use anyhow::Context as _;
    use secaudit::collect::aws_api::{self, AwsApi};
    use secaudit::collect::aws_json;
    use secaudit::collect::clients::{
        SdkSettings, assume_role_config, load_base_config, sts_client,
    };
    use secaudit::report::asff::{self, AsffFinding};
    use secaudit::report::security_hub::{ImportSummary, import};

    let findings = asff::findings(report);
    let mut groups: BTreeMap<(String, String), Vec<AsffFinding>> = BTreeMap::new();
    for finding in findings {
        groups
            .entry((finding.aws_account_id.clone(), finding.region.clone()))
            .or_default()
            .push(finding);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let total: usize = groups.values().map(Vec::len).sum();
    let summary = runtime.block_on(async {
        let settings = SdkSettings {
            max_attempts: args.live.max_attempts,
            ..SdkSettings::default()
        };
        let base = load_base_config(&settings).await;
        let caller = sts_client(&base)
            .get_caller_identity()
            .send()
            .await
            .map(|identity| identity.account().unwrap_or_default().to_string());
        let mut summary = ImportSummary::default();
        let mut configs = BTreeMap::new();
        for ((account, region), findings) in &groups {
            let sdk = match (&caller, &args.security_hub_role) {
                (Ok(caller), _) if caller == account => base.clone(),
                (_, Some(role)) => match configs.get(account) {
                    Some(sdk) => sdk,
                    None => {
                        let sdk = assume_role_config(&base, "aws", account, role, None).await;
                        configs.insert(account.clone(), sdk);
                        &configs[account]
                    }
                }
                .clone(),
                (Ok(caller), None) => {
                    let why = format!(
                        "the credentials are of account {caller}: pass `--security-hub-role` \
                         to send the findings of account {account}"
                    );
                    summary
                        .failed
                        .extend(findings.iter().map(|f| (f.id.clone(), why.clone())));
                    continue;
                }
                (Err(error), None) => {
                    let why = format!(
                        "cannot tell which account the credentials are of: {}",
                        aws_sdk_sts::error::DisplayErrorContext(error)
                    );
                    summary
                        .failed
                        .extend(findings.iter().map(|f| (f.id.clone(), why.clone())));
                    continue;
                }
            };
            let client = AwsApi::new(
                &sdk,
                aws_api::SECURITY_HUB,
                region,
                account,
                aws_json::parse_error,
            );
            let sent = import(&client, findings).await;
            tracing::info!(
                account = %account,
                region = %region,
                imported = sent.imported,
                failed = sent.failed.len(),
                batches = sent.batches,
                "security hub import"
            );
            summary.imported += sent.imported;
            summary.batches += sent.batches;
            summary.failed.extend(sent.failed);
        }
        summary
    });
    for (id, why) in summary.failed.iter().take(20) {
        tracing::warn!("security hub did not take `{id}`: {why}");
    }
    if summary.failed.is_empty() {
        tracing::info!(
            "sent {} findings to Security Hub in {} BatchImportFindings calls",
            summary.imported,
            summary.batches
        );
        Ok(())
    } else {
        let (_, first) = &summary.failed[0];
        anyhow::bail!(
            "{} of {total} findings were not imported into Security Hub (the report was written); \
             first: {first}",
            summary.failed.len()
        )
    }
}

#[cfg(not(feature = "aws"))]
pub fn send(_report: &Report, _args: &AuditArgs) -> anyhow::Result<()> {
    anyhow::bail!("`--security-hub` needs a build with the `aws` feature")
}
