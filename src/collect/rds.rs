//! RDS clusters and instances of one account-region (`rds/describe-db-clusters.json`,
//! `rds/describe-db-instances.json`), all pages, with the members the audit needs: identity,
//! engine, status, and above all `MasterUserSecret{SecretArn, SecretStatus, KmsKeyId}` of
//! RDS-managed master passwords. Other members of the API output are left out.

use aws_sdk_rds::Client;
use aws_sdk_rds::types::{DbCluster, DbInstance, MasterUserSecret, Tag};
use serde_json::{Value, json};

use super::cli_shape::JsonObject;
use super::coverage::{CallFailure, classify};
use super::next_page_token;
use super::region_run::RegionRun;

pub(crate) const DESCRIBE_CLUSTERS: &str = "rds:DescribeDBClusters";
pub(crate) const DESCRIBE_INSTANCES: &str = "rds:DescribeDBInstances";

/// `{"DBClusters": [...]}`, every page.
pub(crate) async fn describe_clusters(
    run: &RegionRun,
    client: &Client,
) -> Result<Value, CallFailure> {
    let mut clusters = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let page = run
            .call(DESCRIBE_CLUSTERS, || async {
                client
                    .describe_db_clusters()
                    .max_records(100)
                    .set_marker(marker.clone())
                    .send()
                    .await
                    .map_err(|e| classify(&e))
            })
            .await?;
        clusters.extend(page.db_clusters().iter().map(cluster));
        match next_page_token(&marker, page.marker()) {
            Some(next) => marker = Some(next),
            None => break,
        }
    }
    clusters.sort_by(|a, b| a["DBClusterArn"].as_str().cmp(&b["DBClusterArn"].as_str()));
    Ok(json!({ "DBClusters": clusters }))
}

/// `{"DBInstances": [...]}`, every page.
pub(crate) async fn describe_instances(
    run: &RegionRun,
    client: &Client,
) -> Result<Value, CallFailure> {
    let mut instances = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let page = run
            .call(DESCRIBE_INSTANCES, || async {
                client
                    .describe_db_instances()
                    .max_records(100)
                    .set_marker(marker.clone())
                    .send()
                    .await
                    .map_err(|e| classify(&e))
            })
            .await?;
        instances.extend(page.db_instances().iter().map(instance));
        match next_page_token(&marker, page.marker()) {
            Some(next) => marker = Some(next),
            None => break,
        }
    }
    instances.sort_by(|a, b| {
        a["DBInstanceArn"]
            .as_str()
            .cmp(&b["DBInstanceArn"].as_str())
    });
    Ok(json!({ "DBInstances": instances }))
}

fn master_user_secret(secret: &MasterUserSecret) -> Value {
    JsonObject::new()
        .str("SecretArn", secret.secret_arn())
        .str("SecretStatus", secret.secret_status())
        .str("KmsKeyId", secret.kms_key_id())
        .build()
}

fn tags(tags: &[Tag]) -> Value {
    Value::Array(
        tags.iter()
            .map(|tag| {
                JsonObject::new()
                    .str("Key", tag.key())
                    .str("Value", tag.value())
                    .build()
            })
            .collect(),
    )
}

fn cluster(cluster: &DbCluster) -> Value {
    JsonObject::new()
        .str("DBClusterIdentifier", cluster.db_cluster_identifier())
        .str("DBClusterArn", cluster.db_cluster_arn())
        .str("DbClusterResourceId", cluster.db_cluster_resource_id())
        .str("Engine", cluster.engine())
        .str("EngineVersion", cluster.engine_version())
        .str("EngineMode", cluster.engine_mode())
        .str("Status", cluster.status())
        .str("MasterUsername", cluster.master_username())
        .opt(
            "MasterUserSecret",
            cluster.master_user_secret().map(master_user_secret),
        )
        .bool("StorageEncrypted", cluster.storage_encrypted())
        .str("KmsKeyId", cluster.kms_key_id())
        .bool(
            "IAMDatabaseAuthenticationEnabled",
            cluster.iam_database_authentication_enabled(),
        )
        .bool("DeletionProtection", cluster.deletion_protection())
        .time("ClusterCreateTime", cluster.cluster_create_time())
        .value("TagList", tags(cluster.tag_list()))
        .build()
}

fn instance(instance: &DbInstance) -> Value {
    JsonObject::new()
        .str("DBInstanceIdentifier", instance.db_instance_identifier())
        .str("DBInstanceArn", instance.db_instance_arn())
        .str("DbiResourceId", instance.dbi_resource_id())
        .str("DBClusterIdentifier", instance.db_cluster_identifier())
        .str("Engine", instance.engine())
        .str("EngineVersion", instance.engine_version())
        .str("DBInstanceStatus", instance.db_instance_status())
        .str("MasterUsername", instance.master_username())
        .opt(
            "MasterUserSecret",
            instance.master_user_secret().map(master_user_secret),
        )
        .bool("StorageEncrypted", instance.storage_encrypted())
        .str("KmsKeyId", instance.kms_key_id())
        .time("InstanceCreateTime", instance.instance_create_time())
        .value("TagList", tags(instance.tag_list()))
        .build()
}
