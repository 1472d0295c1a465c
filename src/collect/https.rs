//! The HTTP(S) client every AWS SDK client of a run uses: hyper 1 with rustls on the `ring`
//! crypto provider and the operating system's root certificates.
//!
//! The SDK's own default client (`default-https-client`) brings rustls on `aws-lc-rs`, whose C
//! library is the most expensive crate of a clean build; `ring` builds in a fraction of that
//! time (README, performance table). This module is the only place that knows: the rest of the
//! collector sees a `SharedHttpClient`. Plain `http://` endpoints (`AWS_ENDPOINT_URL`, moto in
//! the tests) work too. Connect timeouts come from the SDK's connector settings; the attempt and
//! operation timeouts are the SDK's own.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector as TcpConnector;
use hyper_util::rt::TokioExecutor;

type HyperClient = Client<HttpsConnector<TcpConnector>, SdkBody>;

/// The client to hand to `aws_config::ConfigLoader::http_client`.
pub fn ring_https_client() -> SharedHttpClient {
    SharedHttpClient::new(RingClient::default())
}

/// One hyper client (and so one connection pool) per connect timeout the SDK asks for.
#[derive(Debug, Default)]
struct RingClient {
    by_connect_timeout: Mutex<HashMap<Option<Duration>, SharedHttpConnector>>,
}

impl HttpClient for RingClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        _components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        let key = settings.connect_timeout();
        let mut cache = match self.by_connect_timeout.lock() {
            Ok(cache) => cache,
            Err(poisoned) => poisoned.into_inner(),
        };
        cache
            .entry(key)
            .or_insert_with(|| SharedHttpConnector::new(RingConnector::new(key)))
            .clone()
    }
}

#[derive(Debug, Clone)]
struct RingConnector {
    client: Result<Arc<HyperClient>, String>,
}

impl RingConnector {
    fn new(connect_timeout: Option<Duration>) -> RingConnector {
        let mut tcp = TcpConnector::new();
        tcp.enforce_http(false);
        tcp.set_nodelay(true);
        tcp.set_connect_timeout(connect_timeout);
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = match hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_native_roots(Arc::clone(&provider))
        {
            Ok(builder) => builder,
            Err(error) => {
                // Plain-HTTP endpoints still work; HTTPS ones fail certificate verification with
                // an error that names the cause.
                tracing::warn!(
                    "no usable root certificates ({error}); install the `ca-certificates` package"
                );
                let config = rustls::ClientConfig::builder_with_provider(provider)
                    .with_protocol_versions(rustls::DEFAULT_VERSIONS)
                    .map(|builder| {
                        builder
                            .with_root_certificates(rustls::RootCertStore::empty())
                            .with_no_client_auth()
                    });
                match config {
                    Ok(config) => {
                        hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(config)
                    }
                    Err(error) => {
                        return RingConnector {
                            client: Err(format!("TLS set-up failed: {error}")),
                        };
                    }
                }
            }
        };
        let https = tls
            .https_or_http()
            // HTTP/1.1 only: every AWS API the collector calls speaks it, and HTTP/2 (the `h2`
            // crate) would add a few per cent to a clean build for nothing.
            .enable_http1()
            .wrap_connector(tcp);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(90))
            .build(https);
        RingConnector {
            client: Ok(Arc::new(client)),
        }
    }
}

impl HttpConnector for RingConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let client = self.client.clone();
        HttpConnectorFuture::new(async move {
            let client = client.map_err(|message| ConnectorError::other(message.into(), None))?;
            let request = request
                .try_into_http1x()
                .map_err(|error| ConnectorError::user(error.into()))?;
            // Connection refused, reset or closed early: transient, so the SDK retries it.
            let response = client
                .request(request)
                .await
                .map_err(|error| ConnectorError::io(error.into()))?;
            let response = response.map(SdkBody::from_body_1_x);
            HttpResponse::try_from(response)
                .map_err(|error| ConnectorError::other(error.into(), None))
        })
    }
}
