//! `--region all`: the regions an account has enabled, from `account:ListRegions` with
//! `RegionOptStatusContains` `ENABLED` and `ENABLED_BY_DEFAULT` (every page), called with the
//! account's own credentials (so it answers for that account; no EC2 SDK needed). A region being
//! enabled or disabled right now is left out: it cannot be read reliably.

use aws_sdk_account::Client;
use aws_sdk_account::types::RegionOptStatus;

use super::coverage::{CallFailure, classify};
use super::next_page_token;
use super::region_run::RegionRun;

pub(crate) const LIST_REGIONS: &str = "account:ListRegions";

/// The account's enabled regions, sorted.
pub(crate) async fn enabled_regions(
    run: &RegionRun,
    client: &Client,
) -> Result<Vec<String>, CallFailure> {
    let mut regions = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = run
            .call(LIST_REGIONS, || async {
                client
                    .list_regions()
                    .region_opt_status_contains(RegionOptStatus::Enabled)
                    .region_opt_status_contains(RegionOptStatus::EnabledByDefault)
                    .max_results(50)
                    .set_next_token(token.clone())
                    .send()
                    .await
                    .map_err(|e| classify(&e))
            })
            .await?;
        regions.extend(
            page.regions()
                .iter()
                .filter(|region| {
                    matches!(
                        region.region_opt_status(),
                        Some(RegionOptStatus::Enabled | RegionOptStatus::EnabledByDefault) | None
                    )
                })
                .filter_map(|region| region.region_name())
                // A name that is not a region name never becomes a directory name.
                .filter(|name| crate::arn::is_region_name(name))
                .map(str::to_owned),
        );
        match next_page_token(&token, page.next_token()) {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    regions.sort();
    regions.dedup();
    Ok(regions)
}
