//! A hand-written fake of AWS at the HTTP layer, for the paths moto does not implement
//! (CloudTrail LookupEvents, Config GetComplianceDetailsByConfigRule and PutEvaluations outside
//! test mode) and for failures moto cannot produce. It implements the SDK runtime's own
//! `HttpClient` trait, so the collector's real clients (the STS and Config SDK clients, and
//! `collect::aws_api` for the other services) serialise each request and parse the canned wire
//! response: nothing of secaudit is mocked. Requests are answered by operation name (`x-amz-target` for
//! JSON protocols, `Action=` for the query protocols of STS, IAM and RDS, the path of REST-JSON
//! operations such as Account's `/listRegions`) and recorded.

use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;

/// One request the fake received.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The operation name (`LookupEvents`, `GetCallerIdentity`, …).
    pub operation: String,
    /// The request body (JSON, or the form-encoded query).
    pub body: String,
}

/// The reply to a request: status code and body.
pub type Reply = (u16, String);

type Responder = dyn Fn(&Recorded) -> Reply + Send + Sync;

#[derive(Clone)]
pub struct FakeAws {
    responder: Arc<Responder>,
    requests: Arc<Mutex<Vec<Recorded>>>,
}

impl std::fmt::Debug for FakeAws {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FakeAws")
    }
}

impl FakeAws {
    pub fn new(responder: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> FakeAws {
        FakeAws {
            responder: Arc::new(responder),
            requests: Arc::new(Mutex::new(Vec::new())),
        }
    }

    pub fn shared(&self) -> SharedHttpClient {
        SharedHttpClient::new(self.clone())
    }

    /// The requests received so far, in order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }

    /// The requests for one operation.
    pub fn calls(&self, operation: &str) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| r.operation == operation)
            .collect()
    }
}

fn operation_of(request: &HttpRequest, body: &str) -> String {
    if let Some(target) = request.headers().get("x-amz-target") {
        return target.rsplit('.').next().unwrap_or(target).to_owned();
    }
    if let Some(action) = body
        .split('&')
        .find_map(|pair| pair.strip_prefix("Action="))
    {
        return action.to_owned();
    }
    // REST-JSON (the Account service): `POST /listRegions` is `ListRegions`.
    let path = request.uri().split('?').next().unwrap_or_default();
    let last = path.rsplit('/').next().unwrap_or_default();
    let mut chars = last.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => "unknown".to_owned(),
    }
}

impl HttpConnector for FakeAws {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let body = request
            .body()
            .bytes()
            .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
            .unwrap_or_default();
        let recorded = Recorded {
            operation: operation_of(&request, &body),
            body,
        };
        self.requests.lock().unwrap().push(recorded.clone());
        let (status, text) = (self.responder)(&recorded);
        let content_type = if text.trim_start().starts_with('<') {
            "text/xml"
        } else {
            "application/x-amz-json-1.1"
        };
        let mut response =
            HttpResponse::new(StatusCode::try_from(status).unwrap(), SdkBody::from(text));
        response.headers_mut().insert("content-type", content_type);
        HttpConnectorFuture::ready(Ok(response))
    }
}

impl HttpClient for FakeAws {
    fn http_connector(
        &self,
        _settings: &HttpConnectorSettings,
        _components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(self.clone())
    }
}

/// A JSON-protocol error reply.
pub fn json_error(status: u16, code: &str, message: &str) -> Reply {
    (
        status,
        format!(r#"{{"__type":"{code}","message":"{message}"}}"#),
    )
}

/// A query-protocol (STS, IAM, RDS) error reply.
pub fn query_error(status: u16, code: &str, message: &str) -> Reply {
    (
        status,
        format!(
            "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>fake</RequestId></ErrorResponse>"
        ),
    )
}

/// STS GetCallerIdentity for `account`.
pub fn caller_identity(account: &str) -> Reply {
    (
        200,
        format!(
            r#"<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::{account}:user/auditor</Arn><UserId>AIDAFAKE</UserId><Account>{account}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></GetCallerIdentityResponse>"#
        ),
    )
}
