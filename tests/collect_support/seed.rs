//! Seeding moto with the real SDK, and running the built binary against it: the SDK
//! configuration of the seeding clients (static keys, no retries), an interceptor that sends a
//! client's requests to one moto account (`x-moto-account-id`), and the binary run with a clean
//! environment (no AWS files, no instance metadata) and given credentials.

use std::path::Path;
use std::process::{Command, Output};

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sts::config::Credentials;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextMut;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

pub const ACCESS_KEY: &str = "AKIAMOTOTESTKEY00001";
pub const SECRET_KEY: &str = "moto-test-secret";

/// Sends every seeding request to one moto account.
#[derive(Debug, Clone)]
pub struct MotoAccount(pub String);

impl Intercept for MotoAccount {
    fn name(&self) -> &'static str {
        "MotoAccount"
    }
    fn modify_before_signing(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        context
            .request_mut()
            .headers_mut()
            .insert("x-moto-account-id", self.0.clone());
        Ok(())
    }
}

/// The SDK configuration of seeding clients: moto's endpoint, static keys, no retries.
pub async fn seed_config(endpoint: &str, region: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new(region.to_owned()))
        .credentials_provider(Credentials::new(ACCESS_KEY, SECRET_KEY, None, None, "moto"))
        .retry_config(RetryConfig::disabled())
        .http_client(secaudit::collect::https::ring_https_client())
        .load()
        .await
}

/// Credentials given to the binary.
#[derive(Debug, Clone)]
pub struct Keys {
    pub access_key: String,
    pub secret_key: String,
    pub session_token: Option<String>,
}

impl Default for Keys {
    fn default() -> Keys {
        Keys {
            access_key: ACCESS_KEY.to_owned(),
            secret_key: SECRET_KEY.to_owned(),
            session_token: None,
        }
    }
}

/// Runs the built binary against `endpoint` with `keys` and no AWS files.
pub fn secaudit_with(endpoint: &str, home: &Path, keys: &Keys, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_secaudit"));
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", &keys.access_key)
        .env("AWS_SECRET_ACCESS_KEY", &keys.secret_key)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
    if let Some(token) = &keys.session_token {
        command.env("AWS_SESSION_TOKEN", token);
    }
    command.output().unwrap()
}
