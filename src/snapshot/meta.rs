//! Reads `snapshot.json`: schema version, account, partition, collection time, regions and
//! coverage. It validates what every consumer relies on (a supported schema version, a 12-digit
//! account id, a timestamp) and nothing more.

use super::coverage::read_coverage_entry;
use super::json_path::{FieldError, JsonAt};
use super::model::SnapshotMeta;

/// The snapshot schema version this build reads.
pub const SCHEMA_VERSION: u32 = 1;

fn read_regions(root: &JsonAt<'_>) -> Result<Vec<String>, FieldError> {
    let Some(list) = root.get("regions")? else {
        return Ok(Vec::new());
    };
    list.items()?
        .iter()
        .map(|item| {
            let name = item.string()?;
            if crate::arn::is_region_name(&name) {
                Ok(name)
            } else {
                Err(item.error(format!("expected a region name, found `{name}`")))
            }
        })
        .collect()
}

pub(crate) fn read_meta(root: &JsonAt<'_>) -> Result<SnapshotMeta, FieldError> {
    let version_at = root.required("schema_version")?;
    let version = version_at.unsigned()?;
    if version != u64::from(SCHEMA_VERSION) {
        return Err(version_at.error(format!(
            "unsupported schema version `{version}`: this build reads version {SCHEMA_VERSION}"
        )));
    }
    let account_at = root.required("account_id")?;
    let account_id = account_at.string()?;
    if !crate::arn::is_account_id(&account_id) {
        return Err(account_at.error(format!(
            "expected a 12-digit account id, found `{account_id}`"
        )));
    }
    Ok(SnapshotMeta {
        schema_version: SCHEMA_VERSION,
        account_id,
        partition: root
            .opt_string("partition")?
            .unwrap_or_else(|| "aws".to_owned()),
        collected_at: root.required("collected_at")?.timestamp()?,
        organization_id: read_organization_id(root)?,
        regions: read_regions(root)?,
        coverage: root.list_or_empty("coverage", read_coverage_entry)?,
    })
}

/// The optional `organization_id`: `o-` then 10 to 32 lowercase letters or digits, as AWS
/// Organizations spells an organization id.
fn read_organization_id(root: &JsonAt<'_>) -> Result<Option<String>, FieldError> {
    let Some(at) = root.get("organization_id")? else {
        return Ok(None);
    };
    let id = at.string()?;
    let tail = id.strip_prefix("o-").unwrap_or_default();
    let valid = (10..=32).contains(&tail.len())
        && tail
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if valid {
        Ok(Some(id))
    } else {
        Err(at.error(format!(
            "expected an organization id like `o-a1b2c3d4e5`, found `{id}`"
        )))
    }
}
