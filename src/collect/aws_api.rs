//! One signed AWS API call without a generated SDK crate: every service the collector reads
//! (Secrets Manager, IAM, RDS, KMS, CloudTrail, Organizations, Account) and the Security Hub push
//! go through this module, on the SDK's own runtime, instead of their generated crates, which
//! were most of a clean build for a handful of operations. STS stays an SDK client
//! (`aws-config` needs it for AssumeRole anyway).
//!
//! An [`AwsApi`] is the client of one service in one account-region. It runs every call through
//! the smithy orchestrator with everything the generated clients use: the run's HTTP client
//! (`SdkConfig::http_client`, so `https.rs` in production and the fake AWS in tests), SigV4 with
//! the configured credentials provider and its identity cache, the standard retry strategy of the
//! run's `RetryConfig` on its own retry partition (throttling error codes, transient errors and
//! HTTP 500/502/503/504 are retried with backoff), the run's timeouts, and the endpoint
//! (`AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`, or the partition's default). Failures are
//! the SDK's own `SdkError`, so [`super::coverage::classify`] and `diagnose.rs` read them as
//! they read a generated client's.
//!
//! The protocol (request body, response parsing) is the caller's: `query.rs` for the AWS Query
//! protocol (IAM, RDS), `aws_json.rs` for the JSON protocols (the others). Owns no retry or pacing
//! logic of its own (`limits.rs` paces calls).

use std::fmt;

use aws_config::SdkConfig;
use aws_runtime::auth::SigV4OperationSigningConfig;
use aws_runtime::auth::sigv4::{SCHEME_ID as SIGV4_SCHEME_ID, SigV4AuthScheme};
use aws_runtime::retries::classifiers::AwsErrorCodeClassifier;
use aws_smithy_runtime::client::orchestrator::operation::Operation;
use aws_smithy_runtime::client::retries::classifiers::{
    HttpStatusCodeClassifier, TransientErrorClassifier,
};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::auth::static_resolver::StaticAuthSchemeOptionResolver;
use aws_smithy_runtime_api::client::auth::{
    AuthSchemeOptionResolverParams, SharedAuthScheme, SharedAuthSchemeOptionResolver,
};
use aws_smithy_runtime_api::client::identity::SharedIdentityResolver;
use aws_smithy_runtime_api::client::interceptors::SharedInterceptor;
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse, OrchestratorError};
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponentsBuilder;
use aws_smithy_runtime_api::client::runtime_plugin::StaticRuntimePlugin;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::Layer;
use aws_smithy_types::error::metadata::{ErrorMetadata, ProvideErrorMetadata};
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;
use aws_types::SigningName;
use aws_types::region::{Region, SigningRegion};
use aws_types::service_config::ServiceConfigKey;

/// A service called through [`AwsApi`]: its names and how its default endpoint is formed.
#[derive(Debug, Clone, Copy)]
pub struct ServiceSpec {
    /// The SigV4 signing name and endpoint prefix (`iam`, `rds`).
    pub signing_name: &'static str,
    /// The SDK service id, for `AWS_ENDPOINT_URL_<ID>` and the `services` profile section.
    pub service_id: &'static str,
    /// Global services (IAM) have one endpoint per partition, signed for its home region.
    pub global: bool,
}

pub const IAM: ServiceSpec = ServiceSpec {
    signing_name: "iam",
    service_id: "IAM",
    global: true,
};

pub const RDS: ServiceSpec = ServiceSpec {
    signing_name: "rds",
    service_id: "RDS",
    global: false,
};

pub const CLOUDTRAIL: ServiceSpec = ServiceSpec {
    signing_name: "cloudtrail",
    service_id: "CloudTrail",
    global: false,
};

/// The Account service, called in its partition's home region (`clients::home_region`).
pub const ACCOUNT: ServiceSpec = ServiceSpec {
    signing_name: "account",
    service_id: "Account",
    global: false,
};

/// Organizations, called in its partition's home region (`clients::home_region`).
pub const ORGANIZATIONS: ServiceSpec = ServiceSpec {
    signing_name: "organizations",
    service_id: "Organizations",
    global: false,
};

pub const KMS: ServiceSpec = ServiceSpec {
    signing_name: "kms",
    service_id: "KMS",
    global: false,
};

pub const SECRETS_MANAGER: ServiceSpec = ServiceSpec {
    signing_name: "secretsmanager",
    service_id: "Secrets Manager",
    global: false,
};

pub const SECURITY_HUB: ServiceSpec = ServiceSpec {
    signing_name: "securityhub",
    service_id: "SecurityHub",
    global: false,
};

/// A request body and its headers, serialised by the protocol module.
#[derive(Debug, Clone)]
pub struct ApiRequest {
    /// The path of the request URI (`/` but for REST protocols).
    pub path: String,
    pub content_type: &'static str,
    /// `X-Amz-Target` of the JSON protocols.
    pub target: Option<String>,
    pub body: String,
}

/// An error response of the service: its AWS error code and message when it sent them.
#[derive(Debug)]
pub struct ApiError {
    pub status: u16,
    meta: ErrorMetadata,
}

impl ApiError {
    pub fn new(status: u16, code: Option<&str>, message: Option<&str>) -> ApiError {
        let mut meta = ErrorMetadata::builder();
        if let Some(code) = code {
            meta = meta.code(code);
        }
        if let Some(message) = message {
            meta = meta.message(message);
        }
        ApiError {
            status,
            meta: meta.build(),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.meta.code(), self.meta.message()) {
            (Some(code), Some(message)) => write!(f, "{code}: {message}"),
            (Some(code), None) => f.write_str(code),
            _ => write!(f, "HTTP {}", self.status),
        }
    }
}

impl std::error::Error for ApiError {}

impl ProvideErrorMetadata for ApiError {
    fn meta(&self) -> &ErrorMetadata {
        &self.meta
    }
}

/// Reads the AWS error code and message of an error response: its status, its
/// `x-amzn-errortype` header (REST and JSON protocols) and its body.
pub type ErrorParser = fn(status: u16, error_type: Option<&str>, body: &str) -> ApiError;

/// The failure of a call, as a generated client reports it.
pub type ApiFailure = SdkError<ApiError, HttpResponse>;

/// The client of one service in one account-region.
#[derive(Debug, Clone)]
pub struct AwsApi {
    operation: Operation<ApiRequest, String, ApiError>,
    endpoint: String,
}

impl AwsApi {
    /// The client of `service` in `region` for the credentials of `sdk`; `account_id` names its
    /// retry partition, so throttling in one account never slows another.
    pub fn new(
        sdk: &SdkConfig,
        service: ServiceSpec,
        region: &str,
        account_id: &str,
        parse_error: ErrorParser,
    ) -> AwsApi {
        AwsApi::with_interceptors(sdk, service, region, account_id, parse_error, Vec::new())
    }

    /// [`AwsApi::new`] with interceptors run on every request (tests route requests with them).
    pub fn with_interceptors(
        sdk: &SdkConfig,
        service: ServiceSpec,
        region: &str,
        account_id: &str,
        parse_error: ErrorParser,
        interceptors: Vec<SharedInterceptor>,
    ) -> AwsApi {
        let (endpoint, signing_region) = endpoint(sdk, service, region);
        let partition_region = if service.global { "global" } else { region };
        let partition = format!("{}-{partition_region}-{account_id}", service.signing_name);

        let mut layer = Layer::new("secaudit-aws-api");
        layer.store_put(AuthSchemeOptionResolverParams::new(()));
        layer.store_put(SigV4OperationSigningConfig {
            region: Some(SigningRegion::from(Region::new(signing_region))),
            name: Some(SigningName::from_static(service.signing_name)),
            ..SigV4OperationSigningConfig::default()
        });
        let mut components = RuntimeComponentsBuilder::new("secaudit-aws-api")
            .with_auth_scheme(SharedAuthScheme::new(SigV4AuthScheme::new()))
            .with_auth_scheme_option_resolver(Some(SharedAuthSchemeOptionResolver::new(
                StaticAuthSchemeOptionResolver::new(vec![SIGV4_SCHEME_ID]),
            )));
        if let Some(credentials) = sdk.credentials_provider() {
            components = components
                .with_identity_resolver(SIGV4_SCHEME_ID, SharedIdentityResolver::new(credentials));
        }
        if let Some(cache) = sdk.identity_cache() {
            components = components.with_identity_cache(Some(cache));
        }

        let retry = sdk
            .retry_config()
            .cloned()
            .unwrap_or_else(RetryConfig::standard);
        let mut builder = Operation::builder()
            // The service name also names the retry partition (one token bucket each).
            .service_name(partition)
            .operation_name(service.service_id)
            .endpoint_url(&endpoint)
            .standard_retry(&retry)
            .timeout_config(
                sdk.timeout_config()
                    .cloned()
                    .unwrap_or_else(|| TimeoutConfig::builder().build()),
            )
            .retry_classifier(TransientErrorClassifier::<ApiError>::new())
            .retry_classifier(AwsErrorCodeClassifier::<ApiError>::new())
            .retry_classifier(HttpStatusCodeClassifier::default())
            .runtime_plugin(
                StaticRuntimePlugin::new()
                    .with_config(layer.freeze())
                    .with_runtime_components(components),
            );
        if let Some(behavior_version) = sdk.behavior_version() {
            builder = builder.behavior_version(behavior_version);
        }
        if let Some(http_client) = sdk.http_client() {
            builder = builder.http_client(http_client);
        }
        if let Some(sleep) = sdk.sleep_impl() {
            builder = builder.sleep_impl(sleep);
        }
        if let Some(time) = sdk.time_source() {
            builder = builder.time_source(time);
        }
        for interceptor in interceptors {
            builder = builder.interceptor(interceptor);
        }
        let operation = builder
            .serializer(serialize)
            .deserializer(move |response: &HttpResponse| {
                let body = response
                    .body()
                    .bytes()
                    .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
                    .unwrap_or_default();
                let status = response.status().as_u16();
                if response.status().is_success() {
                    Ok(body)
                } else {
                    let error_type = response.headers().get("x-amzn-errortype");
                    Err(OrchestratorError::operation(parse_error(
                        status, error_type, &body,
                    )))
                }
            })
            .build();
        AwsApi {
            operation,
            endpoint,
        }
    }

    /// The endpoint calls go to.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Sends one request (retried as configured) and returns the body of the success response.
    pub async fn send(&self, request: ApiRequest) -> Result<String, ApiFailure> {
        self.operation.invoke(request).await
    }
}

/// The operations that return a secret's value: no request may name them, whatever the caller.
const VALUE_READING_TARGETS: [&str; 2] = [
    "secretsmanager.GetSecretValue",
    "secretsmanager.BatchGetSecretValue",
];

fn serialize(request: ApiRequest) -> Result<HttpRequest, BoxError> {
    if let Some(target) = &request.target
        && VALUE_READING_TARGETS.contains(&target.as_str())
    {
        return Err(format!("`{target}` reads secret values: secaudit never sends it").into());
    }
    let length = request.body.len();
    let mut http = HttpRequest::new(SdkBody::from(request.body));
    http.set_method("POST")?;
    http.set_uri(request.path.as_str())?;
    let headers = http.headers_mut();
    headers.insert("content-type", request.content_type);
    headers.insert("content-length", length.to_string());
    if let Some(target) = request.target {
        headers.insert("x-amz-target", target);
    }
    Ok(http)
}

/// The partition of a region, from its name.
fn partition_of(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else {
        "aws"
    }
}

fn dns_suffix(partition: &str) -> &'static str {
    match partition {
        "aws-cn" => "amazonaws.com.cn",
        "aws-iso" => "c2s.ic.gov",
        "aws-iso-b" => "sc2s.sgov.gov",
        _ => "amazonaws.com",
    }
}

/// The endpoint URL and the signing region of `service` for a call in `region`: the configured
/// endpoint (service-specific first) when there is one, else the partition's default, with FIPS
/// endpoints when `use_fips` is set.
fn endpoint(sdk: &SdkConfig, service: ServiceSpec, region: &str) -> (String, String) {
    let configured = if sdk.get_origin("endpoint_url").is_client_config() {
        sdk.endpoint_url().map(str::to_owned)
    } else {
        let key = ServiceConfigKey::builder()
            .service_id(service.service_id)
            .env("AWS_ENDPOINT_URL")
            .profile("endpoint_url")
            .build();
        key.ok()
            .and_then(|key| sdk.service_config().and_then(|conf| conf.load_config(key)))
            .or_else(|| sdk.endpoint_url().map(str::to_owned))
    };
    let partition = partition_of(region);
    let fips = sdk.use_fips() == Some(true);
    if !service.global {
        let url = configured.unwrap_or_else(|| {
            let prefix = if fips {
                format!("{}-fips", service.signing_name)
            } else {
                service.signing_name.to_owned()
            };
            format!("https://{prefix}.{region}.{}", dns_suffix(partition))
        });
        return (url, region.to_owned());
    }
    // A global service: one endpoint per partition, signed for the partition's home region.
    let home = match partition {
        "aws-cn" => "cn-north-1",
        "aws-us-gov" => "us-gov-west-1",
        "aws-iso" => "us-iso-east-1",
        "aws-iso-b" => "us-isob-east-1",
        _ => "us-east-1",
    };
    let name = service.signing_name;
    let default = match partition {
        "aws" if fips => format!("https://{name}-fips.amazonaws.com"),
        "aws" => format!("https://{name}.amazonaws.com"),
        "aws-us-gov" => format!("https://{name}.us-gov.amazonaws.com"),
        other => format!("https://{name}.{home}.{}", dns_suffix(other)),
    };
    match configured {
        // A configured endpoint (moto, a proxy) is signed for the region of the run, as the
        // SDK does.
        Some(url) => (url, region.to_owned()),
        None => (default, home.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_request_can_read_a_secret_value() {
        for target in VALUE_READING_TARGETS {
            let request = ApiRequest {
                path: "/".to_owned(),
                content_type: "application/x-amz-json-1.1",
                target: Some(target.to_owned()),
                body: "{}".to_owned(),
            };
            let error = serialize(request).expect_err(target);
            assert!(error.to_string().contains("never"), "{error}");
        }
        let describe = ApiRequest {
            path: "/".to_owned(),
            content_type: "application/x-amz-json-1.1",
            target: Some("secretsmanager.DescribeSecret".to_owned()),
            body: "{}".to_owned(),
        };
        assert!(serialize(describe).is_ok());
    }

    fn sdk(endpoint: Option<&str>, fips: bool) -> SdkConfig {
        let mut builder = SdkConfig::builder().use_fips(fips);
        if let Some(endpoint) = endpoint {
            builder = builder.endpoint_url(endpoint);
        }
        builder.build()
    }

    #[test]
    fn default_endpoints_follow_the_partition() {
        let table: &[(ServiceSpec, &str, bool, &str, &str)] = &[
            (
                IAM,
                "eu-west-1",
                false,
                "https://iam.amazonaws.com",
                "us-east-1",
            ),
            (
                IAM,
                "us-east-1",
                true,
                "https://iam-fips.amazonaws.com",
                "us-east-1",
            ),
            (
                IAM,
                "cn-northwest-1",
                false,
                "https://iam.cn-north-1.amazonaws.com.cn",
                "cn-north-1",
            ),
            (
                IAM,
                "us-gov-east-1",
                false,
                "https://iam.us-gov.amazonaws.com",
                "us-gov-west-1",
            ),
            (
                RDS,
                "eu-west-1",
                false,
                "https://rds.eu-west-1.amazonaws.com",
                "eu-west-1",
            ),
            (
                RDS,
                "us-east-2",
                true,
                "https://rds-fips.us-east-2.amazonaws.com",
                "us-east-2",
            ),
            (
                RDS,
                "cn-north-1",
                false,
                "https://rds.cn-north-1.amazonaws.com.cn",
                "cn-north-1",
            ),
        ];
        for (service, region, fips, url, signing) in table {
            let (got_url, got_signing) = endpoint(&sdk(None, *fips), *service, region);
            assert_eq!((got_url.as_str(), got_signing.as_str()), (*url, *signing));
        }
    }

    #[test]
    fn a_configured_endpoint_wins_and_is_signed_for_the_run_region() {
        let (url, signing) = endpoint(&sdk(Some("http://127.0.0.1:5000"), false), IAM, "eu-west-1");
        assert_eq!(
            (url.as_str(), signing.as_str()),
            ("http://127.0.0.1:5000", "eu-west-1")
        );
    }

    #[test]
    fn errors_display_code_and_message() {
        let error = ApiError::new(403, Some("AccessDenied"), Some("no"));
        assert_eq!(error.to_string(), "AccessDenied: no");
        assert_eq!(error.code(), Some("AccessDenied"));
        assert_eq!(ApiError::new(502, None, None).to_string(), "HTTP 502");
    }
}
