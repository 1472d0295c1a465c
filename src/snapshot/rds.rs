//! RDS and Aurora records of a snapshot (`describe-db-clusters`, `describe-db-instances`): only
//! what the audit needs, the identifiers and the `MasterUserSecret` of databases whose master
//! password Secrets Manager manages.
//!
//! It reads the AWS CLI's JSON; it judges nothing.

use serde::Serialize;

use super::json_path::{FieldError, JsonAt};
use super::problem::{Concerns, Reading};
use super::secrets::pages;

/// `MasterUserSecret` of a cluster or instance with a Secrets Manager managed master password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MasterUserSecret {
    pub secret_arn: String,
    /// `creating`, `active`, `rotating` or `impaired`.
    pub secret_status: Option<String>,
    pub kms_key_id: Option<String>,
}

/// An Aurora or Multi-AZ DB cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DbCluster {
    pub identifier: String,
    pub arn: Option<String>,
    pub engine: Option<String>,
    pub master_user_secret: Option<MasterUserSecret>,
}

/// A DB instance (its own `MasterUserSecret` only when it is not part of a cluster).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DbInstance {
    pub identifier: String,
    pub arn: Option<String>,
    pub engine: Option<String>,
    /// The cluster it belongs to, if any.
    pub cluster_identifier: Option<String>,
    pub master_user_secret: Option<MasterUserSecret>,
}

fn read_master_user_secret(at: &JsonAt<'_>) -> Result<MasterUserSecret, FieldError> {
    Ok(MasterUserSecret {
        secret_arn: at.required_string("SecretArn")?,
        secret_status: at.opt_string("SecretStatus")?,
        kms_key_id: at.opt_string("KmsKeyId")?,
    })
}

fn read_cluster(at: &JsonAt<'_>) -> Result<DbCluster, FieldError> {
    Ok(DbCluster {
        identifier: at.required_string("DBClusterIdentifier")?,
        arn: at.opt_string("DBClusterArn")?,
        engine: at.opt_string("Engine")?,
        master_user_secret: at
            .get("MasterUserSecret")?
            .map(|secret| read_master_user_secret(&secret))
            .transpose()?,
    })
}

fn read_instance(at: &JsonAt<'_>) -> Result<DbInstance, FieldError> {
    Ok(DbInstance {
        identifier: at.required_string("DBInstanceIdentifier")?,
        arn: at.opt_string("DBInstanceArn")?,
        engine: at.opt_string("Engine")?,
        cluster_identifier: at.opt_string("DBClusterIdentifier")?,
        master_user_secret: at
            .get("MasterUserSecret")?
            .map(|secret| read_master_user_secret(&secret))
            .transpose()?,
    })
}

/// The secret a bad database record manages (`MasterUserSecret.SecretArn`), else `Unknown`.
fn managed_secret(at: &JsonAt<'_>) -> Concerns {
    match at
        .value()
        .pointer("/MasterUserSecret/SecretArn")
        .and_then(serde_json::Value::as_str)
    {
        Some(arn) => Concerns::Secret {
            arn: arn.to_owned(),
        },
        None => Concerns::Unknown,
    }
}

/// Reads `describe-db-clusters.json`: `{"DBClusters": [...]}` (or an array of pages).
pub(crate) fn read_db_clusters(
    root: &JsonAt<'_>,
    reading: &mut Reading,
) -> Result<Vec<DbCluster>, FieldError> {
    let mut clusters = Vec::new();
    for page in pages(root)? {
        clusters.extend(
            reading.records(&page, "DBClusters", managed_secret, |at, _| {
                read_cluster(at)
            })?,
        );
    }
    Ok(clusters)
}

/// Reads `describe-db-instances.json`: `{"DBInstances": [...]}` (or an array of pages).
pub(crate) fn read_db_instances(
    root: &JsonAt<'_>,
    reading: &mut Reading,
) -> Result<Vec<DbInstance>, FieldError> {
    let mut instances = Vec::new();
    for page in pages(root)? {
        instances.extend(
            reading.records(&page, "DBInstances", managed_secret, |at, _| {
                read_instance(at)
            })?,
        );
    }
    Ok(instances)
}
