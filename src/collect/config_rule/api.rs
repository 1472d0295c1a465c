//! The two AWS Config calls of the custom-rule mode (feature `config-rule`):
//! GetComplianceDetailsByConfigRule for the prior results and PutEvaluations in batches.

use std::collections::BTreeSet;

use aws_sdk_config::Client;
use aws_sdk_config::types::{
    ComplianceType as ConfigComplianceType, Evaluation as ConfigEvaluation,
};
use aws_smithy_types::DateTime as SdkDateTime;

use super::{Evaluation, MAX_BATCH};
use crate::collect::coverage::{CallFailure, CoverageStatus, classify};
use crate::collect::next_page_token;

/// The resources Config holds COMPLIANT or NON_COMPLIANT results for, for `rule_name`.
pub async fn prior_resources(
    client: &Client,
    rule_name: &str,
) -> Result<Vec<(String, String)>, CallFailure> {
    let mut resources = BTreeSet::new();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .get_compliance_details_by_config_rule()
            .config_rule_name(rule_name)
            .compliance_types(ConfigComplianceType::Compliant)
            .compliance_types(ConfigComplianceType::NonCompliant)
            .limit(100)
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|e| classify(&e))?;
        for result in page.evaluation_results() {
            let qualifier = result
                .evaluation_result_identifier()
                .and_then(|identifier| identifier.evaluation_result_qualifier());
            if let Some(qualifier) = qualifier
                && let (Some(resource_type), Some(resource_id)) =
                    (qualifier.resource_type(), qualifier.resource_id())
            {
                resources.insert((resource_type.to_owned(), resource_id.to_owned()));
            }
        }
        match next_page_token(&token, page.next_token()) {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    Ok(resources.into_iter().collect())
}

/// What PutEvaluations did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PutSummary {
    pub sent: usize,
    pub batches: usize,
    /// `resource id` of each evaluation Config reported as failed.
    pub failed: Vec<String>,
}

fn to_config(evaluation: &Evaluation) -> Result<ConfigEvaluation, CallFailure> {
    let annotation = evaluation
        .annotation
        .as_deref()
        .map(crate::findings::clip_annotation);
    ConfigEvaluation::builder()
        .compliance_resource_type(&evaluation.resource_type)
        .compliance_resource_id(&evaluation.resource_id)
        .compliance_type(ConfigComplianceType::from(
            evaluation.compliance_type.as_str(),
        ))
        .set_annotation(annotation)
        .ordering_timestamp(SdkDateTime::from_secs(
            evaluation.ordering_timestamp.timestamp(),
        ))
        .build()
        .map_err(|error| CallFailure {
            status: CoverageStatus::Error,
            code: None,
            message: error.to_string(),
        })
}

/// Sends the evaluations in batches of at most [`MAX_BATCH`].
pub async fn put_evaluations(
    client: &Client,
    result_token: &str,
    evaluations: &[Evaluation],
    test_mode: bool,
) -> Result<PutSummary, CallFailure> {
    let mut summary = PutSummary::default();
    for batch in evaluations.chunks(MAX_BATCH) {
        let mut request = client
            .put_evaluations()
            .result_token(result_token)
            .test_mode(test_mode);
        for evaluation in batch {
            request = request.evaluations(to_config(evaluation)?);
        }
        let output = request.send().await.map_err(|e| classify(&e))?;
        summary.batches += 1;
        summary.sent += batch.len();
        summary.failed.extend(
            output
                .failed_evaluations()
                .iter()
                .map(|e| e.compliance_resource_id().to_owned()),
        );
    }
    Ok(summary)
}
