//! `secaudit eval`: one request from flags, decided with its trace (exit 0 allowed, 1 denied,
//! 2 bad input); or, with `--cases FILE…`, every request of case files (JSON or JSON Lines)
//! decided in a timed loop, for differential testing and throughput measurements.
//!
//! `--cases` timing: each case is read and its policies compiled before the timer starts; the
//! timer covers the evaluation loop alone (`eval::decide`, decisions kept in memory); the JSON
//! lines are written after it stops, through a buffered stdout. The reported time is the sum
//! of the cases' loops. Cases are handled one at a time (JSON Lines files are streamed), so a
//! workload larger than memory runs too.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail};
use clap::ValueEnum;
use secaudit::eval::{Decision, NamedPolicy, PolicySet, Principal, Request, decide, evaluate};
use secaudit::policy::PolicyKind;
use secaudit::policytest::{
    CaseStream, ContextEntries, Expectations, LoadOptions, derive_principal_keys, evaluation_json,
    load_policy_file, trace_lines,
};
use serde_json::Value;

use super::Outcome;

const CONTEXT_HELP: &str = "Context values: `--context KEY=VALUE` sets a string \
(`--context aws:SourceIp=10.1.2.3`); `--context KEY:=JSON` sets a typed value or a list \
(`--context aws:MultiFactorAuthPresent:=true`, `--context aws:MultiFactorAuthAge:=300`, \
`--context 'aws:TagKeys:=[\"env\",\"owner\"]'`). Keys are case-insensitive; giving the same \
key twice is an error. Nothing is added to the context that is not given.\n\n\
Exit status: 0 allowed, 1 denied (explicitly or implicitly), 2 bad input.\n\n\
With `--cases FILE...` (case files or JSON Lines, one case per line; `expect` optional) every \
request is decided and printed as one JSON line `{\"case\": NAME, \"index\": I, \"decision\": ...}`; \
stderr gets `evaluated N requests in S s (R per second)`, timing the evaluation loop alone \
(policies are compiled before it, output is written after it; cases are streamed one at a \
time and the times of their loops added up).";

#[derive(Debug, clap::Args)]
#[command(after_long_help = CONTEXT_HELP)]
pub struct EvalArgs {
    /// An identity-based policy file (repeatable).
    #[arg(long = "policy", value_name = "FILE")]
    pub policies: Vec<PathBuf>,
    /// The resource-based policy file: the key policy when the resource is a KMS key, the
    /// trust policy for `sts:AssumeRole*` / `TagSession` / `SetSourceIdentity` / `SetContext`
    /// on a role (see docs/semantics.md).
    #[arg(long, value_name = "FILE")]
    pub resource_policy: Option<PathBuf>,
    /// The permissions boundary file.
    #[arg(long, value_name = "FILE")]
    pub boundary: Option<PathBuf>,
    /// The session policy file.
    #[arg(long, value_name = "FILE")]
    pub session_policy: Option<PathBuf>,
    /// A service control policy file (repeatable; all form one level).
    #[arg(long = "scp", value_name = "FILE")]
    pub scps: Vec<PathBuf>,
    /// A resource control policy file (repeatable; all form one level).
    #[arg(long = "rcp", value_name = "FILE")]
    pub rcps: Vec<PathBuf>,
    /// The caller: a user, role, assumed-role session, federated-user or root ARN, a
    /// `saml-provider/…` or `oidc-provider/…` ARN (federated role assumption), an AWS service
    /// principal (`lambda.amazonaws.com`), or `anonymous`.
    #[arg(long, value_name = "ARN", required_unless_present = "cases")]
    pub principal: Option<String>,
    /// The action, `service:Action`.
    #[arg(long, value_name = "ACTION", required_unless_present = "cases")]
    pub action: Option<String>,
    /// The resource ARN (`*` for actions without a resource).
    #[arg(long, value_name = "ARN", required_unless_present = "cases")]
    pub resource: Option<String>,
    /// The resource's account when the ARN does not say it (12 digits).
    #[arg(long, value_name = "ID")]
    pub resource_account: Option<String>,
    /// A context key: `KEY=VALUE` (a string) or `KEY:=JSON` (typed value or list); repeatable.
    ///
    /// `KEY=VALUE` sets a string: `--context aws:SourceIp=10.1.2.3`. `KEY:=JSON` sets a JSON
    /// value, a number, a boolean or a list of those: `--context aws:MultiFactorAuthPresent:=true`,
    /// `--context 'aws:TagKeys:=["env","owner"]'`. Keys are case-insensitive; the same key twice
    /// is an error.
    #[arg(long = "context", value_name = "KEY=VALUE")]
    pub context: Vec<String>,
    /// Add the principal keys its ARN determines (`aws:PrincipalArn`, `aws:PrincipalAccount`,
    /// `aws:PrincipalType`, `aws:username`, `aws:userid`), never overwriting a `--context` key;
    /// as `"derive_context": true` in a case file.
    #[arg(long)]
    pub derive_context: bool,
    /// Output format for a single request.
    #[arg(long, value_enum, default_value_t = EvalFormat::Text)]
    pub format: EvalFormat,
    /// Decide every request of these case files (JSON or JSON Lines) in a timed loop.
    #[arg(
        long,
        value_name = "FILE",
        num_args = 1..,
        conflicts_with_all = [
            "policies", "resource_policy", "boundary", "session_policy", "scps", "rcps",
            "principal", "action", "resource", "resource_account", "context",
            "derive_context",
        ]
    )]
    pub cases: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EvalFormat {
    Text,
    Json,
}

pub fn run(args: EvalArgs) -> anyhow::Result<Outcome> {
    if !args.cases.is_empty() {
        return run_cases(&args.cases);
    }
    let policies = policy_set(&args)?;
    let request = request(&args)?;
    let evaluation = evaluate(&policies, &request);
    let mut stdout = std::io::stdout().lock();
    match args.format {
        EvalFormat::Json => {
            let text = serde_json::to_string_pretty(&evaluation_json(&evaluation))?;
            writeln!(stdout, "{text}")?;
        }
        EvalFormat::Text => {
            writeln!(stdout, "decision: {}", evaluation.decision.as_str())?;
            for (label, text) in trace_lines(&evaluation) {
                writeln!(stdout, "  {label}: {text}")?;
            }
        }
    }
    stdout.flush()?;
    Ok(match evaluation.decision {
        Decision::Allowed => Outcome::Clean,
        Decision::ExplicitDeny | Decision::ImplicitDeny => Outcome::Failed,
    })
}

fn policy_set(args: &EvalArgs) -> anyhow::Result<PolicySet> {
    let load = |path: &Path, kind| -> anyhow::Result<NamedPolicy> {
        Ok(NamedPolicy {
            name: path.display().to_string(),
            policy: Arc::new(load_policy_file(path, kind)?),
        })
    };
    let optional =
        |path: &Option<PathBuf>, kind| path.as_deref().map(|p| load(p, kind)).transpose();
    let level = |paths: &[PathBuf], kind: PolicyKind| -> anyhow::Result<Vec<Vec<NamedPolicy>>> {
        if paths.is_empty() {
            return Ok(Vec::new());
        }
        let level = paths
            .iter()
            .map(|path| load(path, kind))
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(vec![level])
    };
    Ok(PolicySet {
        identity: args
            .policies
            .iter()
            .map(|path| load(path, PolicyKind::Identity))
            .collect::<anyhow::Result<_>>()?,
        resource: optional(&args.resource_policy, PolicyKind::Resource)?,
        boundary: optional(&args.boundary, PolicyKind::Boundary)?,
        session: optional(&args.session_policy, PolicyKind::Session)?,
        scps: level(&args.scps, PolicyKind::Scp)?,
        rcps: level(&args.rcps, PolicyKind::Rcp)?,
    })
}

fn request(args: &EvalArgs) -> anyhow::Result<Request> {
    let (Some(principal), Some(action), Some(resource)) =
        (&args.principal, &args.action, &args.resource)
    else {
        bail!("`--principal`, `--action` and `--resource` are required without `--cases`");
    };
    let principal = if principal.eq_ignore_ascii_case("anonymous") {
        Principal::Anonymous
    } else {
        Principal::parse(principal)?
    };
    if action.is_empty() {
        bail!("`--action`: empty action");
    }
    if resource.is_empty() {
        bail!("`--resource`: empty resource");
    }
    if let Some(account) = &args.resource_account
        && !secaudit::arn::is_account_id(account)
    {
        bail!("`--resource-account`: expected a 12-digit account id, found `{account}`");
    }
    let mut entries = ContextEntries::new();
    for flag in &args.context {
        let (key, value) = context_flag(flag)?;
        entries
            .insert(&key, value)
            .map_err(|error| anyhow!("`--context {flag}`: {}", error.detail()))?;
    }
    if args.derive_context {
        for (key, value) in derive_principal_keys(&principal) {
            entries.insert_if_absent(key, &value);
        }
    }
    let context = entries
        .to_context()
        .map_err(|error| anyhow!("`--context`: {error}"))?;
    Ok(Request {
        principal,
        action: action.clone(),
        resource: resource.clone(),
        resource_account: args.resource_account.clone(),
        context,
    })
}

/// One `--context` flag: `KEY=VALUE` is a string, `KEY:=JSON` a typed value or list.
fn context_flag(flag: &str) -> anyhow::Result<(String, Value)> {
    let Some((key, value)) = flag.split_once('=') else {
        bail!("`--context {flag}`: expected `KEY=VALUE` or `KEY:=JSON`");
    };
    let (key, value) = match key.strip_suffix(':') {
        Some(key) => {
            let value: Value = serde_json::from_str(value).map_err(|error| {
                anyhow!(
                    "`--context {flag}`: invalid JSON value: {}",
                    first_line(&error)
                )
            })?;
            (key, value)
        }
        None => (key, Value::String(value.to_owned())),
    };
    if key.is_empty() {
        bail!("`--context {flag}`: empty key");
    }
    Ok((key.to_owned(), value))
}

fn first_line(error: &serde_json::Error) -> String {
    error
        .to_string()
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// `eval --cases`: cases are read and compiled one at a time (a JSON Lines file is streamed),
/// each case's requests are decided under the timer, and its lines are written after the timer
/// stops; the reported time is the sum of those evaluation loops. A bad case stops the run
/// with exit 2 after the lines of the cases before it.
fn run_cases(files: &[PathBuf]) -> anyhow::Result<Outcome> {
    let options = LoadOptions::new(Expectations::Optional);
    let stdout = std::io::stdout().lock();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout);
    let mut total = 0usize;
    let mut timed = Duration::ZERO;
    let mut decisions = Vec::new();
    for file in files {
        for case in CaseStream::open(file, &options)? {
            let case = case?;
            decisions.clear();
            decisions.reserve(case.requests.len());
            let started = Instant::now();
            for request in &case.requests {
                decisions.push(decide(request.policies(&case), &request.request));
            }
            timed += started.elapsed();
            total += decisions.len();
            let name = serde_json::to_string(&case.name)?;
            for (index, decision) in decisions.iter().enumerate() {
                writeln!(
                    out,
                    "{{\"case\":{name},\"index\":{index},\"decision\":\"{}\"}}",
                    decision.as_str()
                )?;
            }
        }
    }
    out.flush()?;
    let seconds = timed.as_secs_f64();
    let rate = if seconds > 0.0 {
        format!("{:.0}", total as f64 / seconds)
    } else {
        String::from("inf")
    };
    eprintln!("evaluated {total} requests in {seconds:.6} s ({rate} per second)");
    Ok(Outcome::Clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_flags_follow_the_documented_syntax() {
        let cases: [(&str, Option<(&str, Value)>); 9] = [
            (
                "aws:SourceIp=10.0.0.1",
                Some(("aws:SourceIp", Value::from("10.0.0.1"))),
            ),
            ("k==x", Some(("k", Value::from("=x")))),
            ("k=", Some(("k", Value::from("")))),
            (
                "aws:MultiFactorAuthPresent:=true",
                Some(("aws:MultiFactorAuthPresent", Value::from(true))),
            ),
            (
                "aws:MultiFactorAuthAge:=300",
                Some(("aws:MultiFactorAuthAge", Value::from(300))),
            ),
            (
                "aws:TagKeys:=[\"a\",\"b\"]",
                Some(("aws:TagKeys", serde_json::json!(["a", "b"]))),
            ),
            ("novalue", None),
            ("=x", None),
            ("k:=[1,", None),
        ];
        for (flag, expected) in cases {
            let got = context_flag(flag).ok();
            let expected = expected.map(|(k, v)| (k.to_owned(), v));
            assert_eq!(got, expected, "{flag}");
        }
    }
}
