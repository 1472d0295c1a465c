//! `--region all`: the regions an account has enabled, from `account:ListRegions` with
//! `RegionOptStatusContains` `ENABLED` and `ENABLED_BY_DEFAULT` (every page), called with the
//! account's own credentials (so it answers for that account; no EC2 SDK needed). A region being
//! enabled or disabled right now is left out: it cannot be read reliably.

use serde_json::json;

use super::aws_api::AwsApi;
use super::aws_json::{self, list, text};
use super::coverage::CallFailure;
use super::next_page_token;
use super::region_run::RegionRun;

pub(crate) const LIST_REGIONS: &str = "account:ListRegions";

/// The account's enabled regions, sorted.
pub(crate) async fn enabled_regions(
    run: &RegionRun,
    client: &AwsApi,
) -> Result<Vec<String>, CallFailure> {
    let mut regions = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut body = json!({
            "RegionOptStatusContains": ["ENABLED", "ENABLED_BY_DEFAULT"],
            "MaxResults": 50,
        });
        if let Some(token) = &token {
            body["NextToken"] = json!(token);
        }
        let page = run
            .call(LIST_REGIONS, || {
                aws_json::rest_json(client, "ListRegions", "/listRegions", &body)
            })
            .await?;
        regions.extend(
            list(&page, "Regions")
                .iter()
                .filter(|region| {
                    matches!(
                        text(region, "RegionOptStatus"),
                        Some("ENABLED" | "ENABLED_BY_DEFAULT") | None
                    )
                })
                .filter_map(|region| text(region, "RegionName"))
                // A name that is not a region name never becomes a directory name.
                .filter(|name| crate::arn::is_region_name(name))
                .map(str::to_owned),
        );
        match next_page_token(&token, text(&page, "NextToken")) {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    regions.sort();
    regions.dedup();
    Ok(regions)
}
