//! `bootstrap`: secaudit's AWS Config custom rule as an AWS Lambda function (feature `lambda`,
//! runtime `provided.al2023`). Each invocation event is handled exactly as
//! `secaudit config-rule --event -` handles it (event and parameters checked first; then the
//! changed secret alone collected for a change notification, the region for a scheduled one,
//! nothing for a deleted secret; the rule judged; PutEvaluations called); the JSON summary is
//! the function's result, and a failure is reported to the Lambda runtime API as an error.
//! Environment: `SECAUDIT_TEST_MODE=true` sets PutEvaluations' TestMode.

#[allow(
    dead_code,
    reason = "the CLI module is shared with the `secaudit` binary"
)]
#[path = "../cli/mod.rs"]
mod cli;

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::Value;

async fn handle(event: LambdaEvent<Value>) -> Result<Value, Error> {
    let text = event.payload.to_string();
    let test_mode = std::env::var("SECAUDIT_TEST_MODE").is_ok_and(|value| value == "true");
    // The rule run owns its own async runtime (as in the CLI): give it a plain thread.
    let (sender, receiver) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let outcome = cli::config_rule::run_event_text(&text, "the invocation event", test_mode);
        let _ = sender.send(outcome.map_err(|error| cli::one_line(&error)));
    });
    match receiver.await {
        Ok(Ok(summary)) => Ok(summary),
        Ok(Err(message)) => Err(message.into()),
        Err(_) => Err("the rule run stopped without a result".into()),
    }
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    cli::logging::init(0, false);
    lambda_runtime::run(service_fn(handle)).await
}
