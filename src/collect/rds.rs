//! RDS clusters and instances of one account-region (`rds/describe-db-clusters.json`,
//! `rds/describe-db-instances.json`), all pages, with the members the audit needs: identity,
//! engine, status, and above all `MasterUserSecret{SecretArn, SecretStatus, KmsKeyId}` of
//! RDS-managed master passwords. Other members of the API output are left out.

use serde_json::{Value, json};

use super::aws_api::AwsApi;
use super::cli_shape::JsonObject;
use super::coverage::CallFailure;
use super::next_page_token;
use super::query::{self, Element};
use super::region_run::RegionRun;

const VERSION: &str = "2014-10-31";

pub(crate) const DESCRIBE_CLUSTERS: &str = "rds:DescribeDBClusters";
pub(crate) const DESCRIBE_INSTANCES: &str = "rds:DescribeDBInstances";

/// Every page of a Describe action: the members of its list `list`, shaped by `shape`.
async fn describe_all(
    run: &RegionRun,
    client: &AwsApi,
    api: &'static str,
    action: &str,
    list: &str,
    shape: fn(&Element) -> Value,
) -> Result<Vec<Value>, CallFailure> {
    let mut items = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let mut params = vec![("MaxRecords", "100")];
        if let Some(marker) = &marker {
            params.push(("Marker", marker.as_str()));
        }
        let body = run
            .call(api, || query::call(client, action, VERSION, &params))
            .await?;
        let (page, next) = parse_page(&body, action, list, shape)?;
        items.extend(page);
        match next_page_token(&marker, next.as_deref()) {
            Some(next) => marker = Some(next),
            None => break,
        }
    }
    Ok(items)
}

/// One page: the members of `list` shaped by `shape`, and the marker of the next page.
fn parse_page(
    body: &str,
    action: &str,
    list: &str,
    shape: fn(&Element) -> Value,
) -> Result<(Vec<Value>, Option<String>), CallFailure> {
    let document = query::document(body, action)?;
    let page = query::result_element(&document, action)?;
    let items = page.list(list).iter().map(shape).collect();
    Ok((items, page.text("Marker").map(str::to_owned)))
}

/// `{"DBClusters": [...]}`, every page.
pub(crate) async fn describe_clusters(
    run: &RegionRun,
    client: &AwsApi,
) -> Result<Value, CallFailure> {
    let mut clusters = describe_all(
        run,
        client,
        DESCRIBE_CLUSTERS,
        "DescribeDBClusters",
        "DBClusters",
        cluster,
    )
    .await?;
    clusters.sort_by(|a, b| a["DBClusterArn"].as_str().cmp(&b["DBClusterArn"].as_str()));
    Ok(json!({ "DBClusters": clusters }))
}

/// `{"DBInstances": [...]}`, every page.
pub(crate) async fn describe_instances(
    run: &RegionRun,
    client: &AwsApi,
) -> Result<Value, CallFailure> {
    let mut instances = describe_all(
        run,
        client,
        DESCRIBE_INSTANCES,
        "DescribeDBInstances",
        "DBInstances",
        instance,
    )
    .await?;
    instances.sort_by(|a, b| {
        a["DBInstanceArn"]
            .as_str()
            .cmp(&b["DBInstanceArn"].as_str())
    });
    Ok(json!({ "DBInstances": instances }))
}

fn master_user_secret(secret: Element) -> Value {
    JsonObject::new()
        .str("SecretArn", secret.text("SecretArn"))
        .str("SecretStatus", secret.text("SecretStatus"))
        .str("KmsKeyId", secret.text("KmsKeyId"))
        .build()
}

fn tags(item: &Element) -> Value {
    Value::Array(
        item.list("TagList")
            .iter()
            .map(|tag| {
                JsonObject::new()
                    .str("Key", tag.text("Key"))
                    .str("Value", tag.text("Value"))
                    .build()
            })
            .collect(),
    )
}

fn cluster(cluster: &Element) -> Value {
    JsonObject::new()
        .str("DBClusterIdentifier", cluster.text("DBClusterIdentifier"))
        .str("DBClusterArn", cluster.text("DBClusterArn"))
        .str("DbClusterResourceId", cluster.text("DbClusterResourceId"))
        .str("Engine", cluster.text("Engine"))
        .str("EngineVersion", cluster.text("EngineVersion"))
        .str("EngineMode", cluster.text("EngineMode"))
        .str("Status", cluster.text("Status"))
        .str("MasterUsername", cluster.text("MasterUsername"))
        .opt(
            "MasterUserSecret",
            cluster.child("MasterUserSecret").map(master_user_secret),
        )
        .bool("StorageEncrypted", cluster.bool("StorageEncrypted"))
        .str("KmsKeyId", cluster.text("KmsKeyId"))
        .bool(
            "IAMDatabaseAuthenticationEnabled",
            cluster.bool("IAMDatabaseAuthenticationEnabled"),
        )
        .bool("DeletionProtection", cluster.bool("DeletionProtection"))
        .time("ClusterCreateTime", cluster.time("ClusterCreateTime"))
        .value("TagList", tags(cluster))
        .build()
}

fn instance(instance: &Element) -> Value {
    JsonObject::new()
        .str(
            "DBInstanceIdentifier",
            instance.text("DBInstanceIdentifier"),
        )
        .str("DBInstanceArn", instance.text("DBInstanceArn"))
        .str("DbiResourceId", instance.text("DbiResourceId"))
        .str("DBClusterIdentifier", instance.text("DBClusterIdentifier"))
        .str("Engine", instance.text("Engine"))
        .str("EngineVersion", instance.text("EngineVersion"))
        .str("DBInstanceStatus", instance.text("DBInstanceStatus"))
        .str("MasterUsername", instance.text("MasterUsername"))
        .opt(
            "MasterUserSecret",
            instance.child("MasterUserSecret").map(master_user_secret),
        )
        .bool("StorageEncrypted", instance.bool("StorageEncrypted"))
        .str("KmsKeyId", instance.text("KmsKeyId"))
        .time("InstanceCreateTime", instance.time("InstanceCreateTime"))
        .value("TagList", tags(instance))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page in the shape of the RDS API reference's example: list members are named after
    /// their type (`<DBCluster>`, `<Tag>`), and `Marker` is present while more pages follow.
    const CLUSTERS_PAGE: &str = r#"<DescribeDBClustersResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
  <DescribeDBClustersResult>
    <Marker>cluster-page-2</Marker>
    <DBClusters>
      <DBCluster>
        <Engine>aurora-postgresql</Engine>
        <EngineVersion>15.4</EngineVersion>
        <EngineMode>provisioned</EngineMode>
        <Status>available</Status>
        <DBClusterIdentifier>aurora-prod</DBClusterIdentifier>
        <DBClusterArn>arn:aws:rds:us-east-1:123456789012:cluster:aurora-prod</DBClusterArn>
        <DbClusterResourceId>cluster-ABCDEFGHIJKLMNOPQRSTUVWXY</DbClusterResourceId>
        <MasterUsername>dbadmin</MasterUsername>
        <MasterUserSecret>
          <SecretArn>arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!cluster-1f2e-AbCdEf</SecretArn>
          <SecretStatus>active</SecretStatus>
          <KmsKeyId>arn:aws:kms:us-east-1:123456789012:key/1234abcd</KmsKeyId>
        </MasterUserSecret>
        <StorageEncrypted>true</StorageEncrypted>
        <IAMDatabaseAuthenticationEnabled>false</IAMDatabaseAuthenticationEnabled>
        <DeletionProtection>false</DeletionProtection>
        <ClusterCreateTime>2023-09-05T17:12:33.584Z</ClusterCreateTime>
        <TagList><Tag><Key>env</Key><Value>prod</Value></Tag></TagList>
        <DBClusterMembers><DBClusterMember><DBInstanceIdentifier>i1</DBInstanceIdentifier></DBClusterMember></DBClusterMembers>
      </DBCluster>
    </DBClusters>
  </DescribeDBClustersResult>
  <ResponseMetadata><RequestId>c3e6e4a0-EXAMPLE</RequestId></ResponseMetadata>
</DescribeDBClustersResponse>"#;

    #[test]
    fn a_clusters_page_gives_its_clusters_and_the_next_marker() {
        let (clusters, marker) =
            parse_page(CLUSTERS_PAGE, "DescribeDBClusters", "DBClusters", cluster).unwrap();
        assert_eq!(marker.as_deref(), Some("cluster-page-2"));
        assert_eq!(
            clusters,
            [json!({
                "DBClusterIdentifier": "aurora-prod",
                "DBClusterArn": "arn:aws:rds:us-east-1:123456789012:cluster:aurora-prod",
                "DbClusterResourceId": "cluster-ABCDEFGHIJKLMNOPQRSTUVWXY",
                "Engine": "aurora-postgresql", "EngineVersion": "15.4",
                "EngineMode": "provisioned", "Status": "available",
                "MasterUsername": "dbadmin",
                "MasterUserSecret": {
                    "SecretArn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!cluster-1f2e-AbCdEf",
                    "SecretStatus": "active",
                    "KmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/1234abcd"},
                "StorageEncrypted": true, "IAMDatabaseAuthenticationEnabled": false,
                "DeletionProtection": false,
                "ClusterCreateTime": "2023-09-05T17:12:33.584000+00:00",
                "TagList": [{"Key": "env", "Value": "prod"}],
            })]
        );
    }

    #[test]
    fn the_last_instances_page_has_no_marker() {
        let body = r#"<DescribeDBInstancesResponse><DescribeDBInstancesResult><DBInstances>
            <DBInstance><DBInstanceIdentifier>db1</DBInstanceIdentifier><DBInstanceStatus>available</DBInstanceStatus>
            <InstanceCreateTime>2024-01-02T03:04:05Z</InstanceCreateTime><TagList/></DBInstance>
            </DBInstances></DescribeDBInstancesResult></DescribeDBInstancesResponse>"#;
        let (instances, marker) =
            parse_page(body, "DescribeDBInstances", "DBInstances", instance).unwrap();
        assert_eq!(marker, None);
        assert_eq!(
            instances,
            [
                json!({"DBInstanceIdentifier": "db1", "DBInstanceStatus": "available",
                "InstanceCreateTime": "2024-01-02T03:04:05+00:00", "TagList": []})
            ]
        );
    }
}
