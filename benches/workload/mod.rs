//! The project's evaluator workload: a synthetic AWS account audited request by request, as
//! JSON case documents (the case-file format: `name`, `identity_policies`, `resource_policy`,
//! `permission_boundary`, `scps`, `rcps`, `requests`), for `benches/eval.rs` and
//! `examples/gen_workload.rs` (which writes it as JSON Lines for `secaudit eval --cases`).
//!
//! The account: teams owning applications, secrets named the ways real accounts name them
//! (`env/app/kind`, `team/app/kind-N`, `shared/…`, `rds!cluster-…`, `ci/app/…`, legacy flat
//! names) with a six-character suffix, `env`/`owner`/`app` tags (some missing), in three
//! regions; principals that are roles, role sessions and users, with a `team` tag; identity
//! policies (own and shared managed ones) mixing Secrets Manager grants with path, `-??????`
//! and region or account wildcards, policy variables in resources and conditions
//! (`${aws:PrincipalTag/team}`, `${aws:username}`), every operator family the audits meet
//! (`StringLike`, `ArnLike`, `IpAddress`, `DateLessThan`, `NumericLessThanEquals`, `Bool`,
//! `…IfExists`, `Null`, `ForAnyValue:`), `NotAction`, `NotResource` and statements for other
//! services; permissions boundaries; SCP levels per account; an RCP perimeter; and many
//! distinct resource policies (a pool of about one per sixteen secrets), each shared by the
//! secrets that carry it. Requests are every principal × every secret × the first N audit
//! actions, with the context AWS would send (principal, network, transport, time, MFA, tags,
//! version stage). One case per (principal, resource policy). Every entity draws from its own
//! generator seeded with `"<seed>:<kind>:<index>"`: the output depends only on the options.

use serde_json::{Map, Value, json};

/// How big a workload to build.
#[derive(Debug, Clone)]
pub struct Options {
    /// Principals in the account model.
    pub principals: usize,
    /// Secrets in the account model.
    pub secrets: usize,
    /// Audit actions per (principal, secret), taken from the start of [`AUDIT_ACTIONS`].
    pub actions: usize,
    /// Any text; the same seed gives the same workload.
    pub seed: String,
}

impl Options {
    /// 40 principals × 400 secrets × 3 actions: 48,000 requests.
    #[allow(
        dead_code,
        reason = "the benchmark and the example use it, the differential test does not"
    )]
    pub fn medium() -> Options {
        Options {
            principals: 40,
            secrets: 400,
            actions: 3,
            seed: "1".to_owned(),
        }
    }
}

const MAIN: &str = "111122223333";
const MEMBER: &str = "444455556666";
const PARTNER: &str = "210987654321";
const ORG: &str = "o-7kq2m9x4ab";
const REGIONS: &[(&str, u32)] = &[("us-east-1", 64), ("eu-west-1", 22), ("ap-southeast-2", 14)];
const TEAMS: &[&str] = &["growth", "money", "core", "platform", "data"];
/// Application → owning team.
const APPS: &[(&str, &str)] = &[
    ("checkout", "growth"),
    ("catalog", "growth"),
    ("search", "growth"),
    ("payments", "money"),
    ("ledger", "money"),
    ("fraud", "money"),
    ("identity", "core"),
    ("mailer", "core"),
    ("gateway", "platform"),
    ("metrics", "platform"),
    ("reports", "data"),
    ("warehouse", "data"),
];
const KINDS: &[&str] = &[
    "postgres",
    "mysql",
    "api-key",
    "oauth-client",
    "tls-cert",
    "smtp",
    "redis",
    "kafka-sasl",
    "jwt-signing",
    "ssh-deploy",
    "webhook-secret",
];
const ENVS: &[(&str, u32)] = &[("prod", 44), ("staging", 26), ("dev", 30)];
const OFFICE_CIDRS: &[&str] = &["10.0.0.0/8", "172.16.0.0/12", "198.18.0.0/15"];
const SUFFIX: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/// The request time every context carries (audits run at a fixed instant).
const NOW: &str = "2026-11-01T09:30:00Z";

/// The audited actions, most common first.
pub const AUDIT_ACTIONS: &[&str] = &[
    "secretsmanager:GetSecretValue",
    "secretsmanager:DescribeSecret",
    "secretsmanager:PutSecretValue",
    "secretsmanager:UpdateSecret",
    "secretsmanager:DeleteSecret",
    "secretsmanager:PutResourcePolicy",
    "secretsmanager:RotateSecret",
    "secretsmanager:UpdateSecretVersionStage",
];

/// A small deterministic generator (SplitMix64) seeded from a text.
struct Draw(u64);

impl Draw {
    fn new(seed: &str, kind: &str, index: usize) -> Draw {
        let text = format!("{seed}:{kind}:{index}");
        let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        Draw(hash)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// `true` with probability `p`.
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn weighted<'a, T>(&mut self, items: &'a [(T, u32)]) -> &'a T {
        let total: u32 = items.iter().map(|(_, w)| w).sum();
        let mut x = self.below(total as usize) as u32;
        for (item, weight) in items {
            if x < *weight {
                return item;
            }
            x -= weight;
        }
        &items[items.len() - 1].0
    }

    /// Log-uniform in `lo..=hi`: many small policies, a few large ones.
    fn log_uniform(&mut self, lo: usize, hi: usize) -> usize {
        let (l, h) = ((lo as f64).ln(), ((hi + 1) as f64).ln());
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        ((l + u * (h - l)).exp() as usize).clamp(lo, hi)
    }
}

fn secret_arn(region: &str, account: &str, name: &str) -> String {
    format!("arn:aws:secretsmanager:{region}:{account}:secret:{name}")
}

struct Secret {
    name: String,
    arn: String,
    region: &'static str,
    tags: Vec<(&'static str, String)>,
    /// Index into the resource policy pool, if the secret has one.
    policy: Option<usize>,
}

fn secret(seed: &str, index: usize, pool: usize) -> Secret {
    let mut d = Draw::new(seed, "secret", index);
    let (app, owner) = *d.pick(APPS);
    let kind = *d.pick(KINDS);
    let env = *d.weighted(ENVS);
    let region = *d.weighted(REGIONS);
    let layout = *d.weighted(&[
        ("env", 46),
        ("team", 24),
        ("shared", 7),
        ("rds", 8),
        ("ci", 6),
        ("legacy", 9),
    ]);
    let name = match layout {
        "env" => format!("{env}/{app}/{kind}"),
        "team" => format!("{owner}/{app}/{kind}-{index}"),
        "shared" => format!("shared/{kind}-{index}"),
        "rds" => format!("rds!cluster-{:08x}-{index}", d.next() as u32),
        "ci" => format!("ci/{app}/{kind}-{index}"),
        _ => {
            let sep = *d.pick(&["_", ".", "+", "=", "@", "-"]);
            format!("{app}{sep}{kind}{sep}{index}")
        }
    };
    let suffix: String = (0..6).map(|_| *d.pick(SUFFIX) as char).collect();
    let full = format!("{name}-{suffix}");
    let mut tags = Vec::new();
    if d.chance(0.92) {
        tags.push(("env", env.to_owned()));
    }
    if d.chance(0.9) {
        tags.push((
            "owner",
            if layout == "shared" {
                "platform".to_owned()
            } else {
                owner.to_owned()
            },
        ));
    }
    if d.chance(0.6) {
        tags.push(("app", app.to_owned()));
    }
    if d.chance(0.2) {
        tags.push(("cost-center", format!("cc-{}", 1000 + d.below(40))));
    }
    Secret {
        arn: secret_arn(region, MAIN, &full),
        name,
        region,
        tags,
        policy: (pool > 0 && d.chance(0.35)).then(|| d.below(pool)),
    }
}

#[derive(Clone)]
struct Principal {
    /// The caller's ARN (a role session for roles used by applications).
    caller: String,
    /// The IAM identity behind it (`aws:PrincipalArn`).
    identity: String,
    account: &'static str,
    kind: &'static str,
    app: &'static str,
    team: &'static str,
    env: &'static str,
    user: Option<String>,
    tagged: bool,
    mfa: bool,
}

fn principal(seed: &str, index: usize) -> Principal {
    let mut d = Draw::new(seed, "principal", index);
    let account = *d.weighted(&[(MAIN, 88), (MEMBER, 8), (PARTNER, 4)]);
    let kind = *d.weighted(&[
        ("service", 42),
        ("developer", 18),
        ("auditor", 9),
        ("deploy", 8),
        ("admin", 2),
        ("user", 14),
        ("rotation", 7),
    ]);
    let (app, app_team) = *d.pick(APPS);
    let team = if matches!(kind, "service" | "deploy" | "rotation") {
        app_team
    } else {
        *d.pick(TEAMS)
    };
    let env = *d.weighted(ENVS);
    let iam = |path: &str| format!("arn:aws:iam::{account}:{path}");
    let (identity, caller, user) = match kind {
        "user" => {
            let name = format!(
                "{}.{}{index}",
                d.pick(&["ana", "ben", "chen", "dara"]),
                team
            );
            let arn = iam(&format!("user/{team}/{name}"));
            (arn.clone(), arn, Some(name))
        }
        _ => {
            let (path, role) = match kind {
                "service" => ("service/", format!("{app}-{env}-{index}")),
                "developer" => ("", format!("{team}-developer-{index}")),
                "auditor" => ("", format!("{team}-auditor-{index}")),
                "deploy" => ("deploy/", format!("deploy-{app}-{index}")),
                "admin" => ("", format!("admin-{index}")),
                _ => ("service-role/", format!("rotation-{app}-{index}")),
            };
            let identity = iam(&format!("role/{path}{role}"));
            // Applications call with role sessions; people through SSO-like sessions too.
            let caller = if d.chance(0.6) {
                format!("arn:aws:sts::{account}:assumed-role/{role}/session-{index}")
            } else {
                identity.clone()
            };
            (identity, caller, None)
        }
    };
    Principal {
        caller,
        identity,
        account,
        kind,
        app,
        team,
        env,
        user,
        tagged: kind != "admin" && d.chance(0.9),
        mfa: kind == "user" && d.chance(0.7),
    }
}

/// One, or a list, as policy authors write them.
fn one_or_many(d: &mut Draw, items: Vec<Value>) -> Value {
    if items.len() == 1 && d.chance(0.6) {
        items.into_iter().next().unwrap_or(Value::Null)
    } else {
        Value::Array(items)
    }
}

/// An action name as written, now and then in another letter case.
fn action(d: &mut Draw, name: &str) -> Value {
    let text = format!("secretsmanager:{name}");
    Value::from(if d.chance(0.03) {
        text.to_lowercase()
    } else {
        text
    })
}

/// A secret ARN pattern for principal `p`.
fn secret_pattern(d: &mut Draw, p: &Principal, secrets: &[Secret]) -> Value {
    let region = *d.weighted(REGIONS);
    let env = *d.weighted(ENVS);
    let path = match d.below(7) {
        0 | 1 => format!("{env}/{}/", p.app),
        2 => format!("{}/{}/", p.team, p.app),
        3 => format!("{}/", p.team),
        4 => "shared/".to_owned(),
        5 => format!("ci/{}/", p.app),
        _ => format!("{env}/{}/", d.pick(APPS).0),
    };
    Value::from(
        match *d.weighted(&[
            ("path", 40),
            ("exact", 28),
            ("any-region", 12),
            ("any-account", 5),
            ("question", 8),
            ("variable", 7),
        ]) {
            "path" => secret_arn(region, MAIN, &format!("{path}*")),
            "exact" => {
                let s = &secrets[d.below(secrets.len())];
                secret_arn(s.region, MAIN, &format!("{}-??????", s.name))
            }
            "any-region" => secret_arn("*", MAIN, &format!("{path}*")),
            "any-account" => secret_arn(region, "*", &format!("{path}*")),
            "question" => {
                let s = &secrets[d.below(secrets.len())];
                let mut name: Vec<char> = s.name.chars().collect();
                let at = 1 + d.below(name.len().saturating_sub(2).max(1));
                if at < name.len() {
                    name[at] = '?';
                }
                secret_arn(
                    s.region,
                    MAIN,
                    &format!("{}-*", name.into_iter().collect::<String>()),
                )
            }
            _ => secret_arn("*", MAIN, "${aws:PrincipalTag/team}/*"),
        },
    )
}

fn patterns(d: &mut Draw, p: &Principal, secrets: &[Secret]) -> Value {
    let n = *d.weighted(&[(1, 52), (2, 26), (3, 14), (4, 8)]);
    let items = (0..n).map(|_| secret_pattern(d, p, secrets)).collect();
    one_or_many(d, items)
}

/// A statement for another service: most of a real policy.
fn other_service(d: &mut Draw, p: &Principal) -> Value {
    let region = *d.weighted(REGIONS);
    let account = p.account;
    let app = p.app;
    match d.below(8) {
        0 => json!({"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
            "Resource": format!("arn:aws:s3:::{app}-{}-artifacts/*", p.env)}),
        1 => {
            let mut st = json!({"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                "Resource": format!("arn:aws:kms:{region}:{account}:key/*")});
            if d.chance(0.5) {
                st["Condition"] = json!({"StringEquals": {
                    "kms:ViaService": format!("secretsmanager.{region}.amazonaws.com")}});
            }
            st
        }
        2 => json!({"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": format!("arn:aws:logs:{region}:{account}:log-group:/app/{app}:*")}),
        3 => json!({"Effect": "Allow", "Action": "dynamodb:*",
            "Resource": format!("arn:aws:dynamodb:{region}:{account}:table/{app}-*")}),
        4 => json!({"Effect": "Allow", "Action": ["ssm:GetParameter", "ssm:GetParametersByPath"],
            "Resource": format!("arn:aws:ssm:{region}:{account}:parameter/{}/{app}/*", p.env)}),
        5 => json!({"Effect": "Allow", "Action": ["ec2:Describe*", "cloudwatch:PutMetricData"],
            "Resource": "*"}),
        6 => json!({"Effect": "Allow",
            "Action": ["secretsmanager:ListSecrets", "secretsmanager:GetRandomPassword"],
            "Resource": "*"}),
        _ => json!({"Effect": "Deny", "Action": ["iam:CreateAccessKey", "iam:PutUserPolicy"],
            "Resource": "*"}),
    }
}

fn allow(d: &mut Draw, p: &Principal, secrets: &[Secret]) -> Value {
    let kinds: &[(&str, u32)] = &[
        ("read", 18),
        ("write", 9),
        ("team-path", 5),
        ("abac", 6),
        ("like", 4),
        ("arn-like", 3),
        ("network", 3),
        ("if-exists", 3),
        ("not-action", 2),
        ("null", 2),
        ("mfa", if p.user.is_some() { 4 } else { 0 }),
        ("home", if p.user.is_some() { 3 } else { 0 }),
        ("expiring", 2),
        ("admin", if p.kind == "admin" { 6 } else { 0 }),
    ];
    match *d.weighted(kinds) {
        "read" => {
            let actions = match d.below(4) {
                0 => json!([action(d, "GetSecretValue"), action(d, "DescribeSecret")]),
                1 => json!("secretsmanager:Get*"),
                2 => json!([
                    "secretsmanager:Describe*",
                    "secretsmanager:Get*",
                    "secretsmanager:List*"
                ]),
                _ => action(d, "GetSecretValue"),
            };
            let mut st =
                json!({"Effect": "Allow", "Action": actions, "Resource": patterns(d, p, secrets)});
            if d.chance(0.3) {
                st["Condition"] = json!({"ForAnyValue:StringEquals": {
                    "secretsmanager:VersionStage": ["AWSCURRENT", "AWSPREVIOUS"]}});
            }
            st
        }
        "write" => {
            let actions = json!([
                action(d, "PutSecretValue"),
                action(d, "UpdateSecret"),
                action(d, "UpdateSecretVersionStage"),
                action(d, "RotateSecret")
            ]);
            let mut st =
                json!({"Effect": "Allow", "Action": actions, "Resource": patterns(d, p, secrets)});
            if d.chance(0.6) {
                let key = *d.pick(&["secretsmanager:ResourceTag/owner", "aws:ResourceTag/owner"]);
                st["Condition"] = json!({"StringEquals": {key: p.team}});
            }
            st
        }
        "team-path" => json!({"Effect": "Allow", "Action": "secretsmanager:*",
            "Resource": secret_arn("*", MAIN, &format!("{}/*", p.team))}),
        "abac" => {
            let mut condition =
                json!({"StringEquals": {"aws:ResourceTag/owner": "${aws:PrincipalTag/team}"}});
            if d.chance(0.4) {
                condition["StringEquals"]["aws:ResourceTag/env"] = json!(d.weighted(ENVS));
            }
            json!({"Effect": "Allow", "Action": [action(d, "GetSecretValue"), action(d, "DescribeSecret")],
                "Resource": "*", "Condition": condition})
        }
        "like" => json!({"Effect": "Allow", "Action": "secretsmanager:Describe*",
            "Resource": secret_arn("*", MAIN, "*"),
            "Condition": {"StringLike": {"aws:ResourceTag/app": [format!("{}*", &p.app[..3]), "*-shared"]}}}),
        "arn-like" => {
            json!({"Effect": "Allow", "Action": ["secretsmanager:DescribeSecret", "secretsmanager:ListSecretVersionIds"],
            "Resource": patterns(d, p, secrets),
            "Condition": {"ArnLike": {"aws:PrincipalArn": [
                format!("arn:aws:iam::{MAIN}:role/service/{}-*", p.app),
                "arn:aws:iam::*:role/deploy/*".to_owned()]}}})
        }
        "network" => json!({"Effect": "Allow", "Action": action(d, "GetSecretValue"),
            "Resource": patterns(d, p, secrets),
            "Condition": {"IpAddress": {"aws:SourceIp": OFFICE_CIDRS[..1 + d.below(3)].to_vec()}}}),
        "if-exists" => {
            json!({"Effect": "Allow", "Action": [action(d, "DescribeSecret"), action(d, "GetSecretValue")],
            "Resource": patterns(d, p, secrets),
            "Condition": {"StringEqualsIfExists": {"secretsmanager:ResourceTag/env": ["dev", "staging"]}}})
        }
        "not-action" => json!({"Effect": "Allow",
            "NotAction": ["secretsmanager:DeleteSecret", "secretsmanager:PutResourcePolicy", "iam:*"],
            "Resource": secret_arn("*", MAIN, &format!("{}/*", p.team))}),
        "null" => {
            json!({"Effect": "Allow", "Action": action(d, "GetSecretValue"), "Resource": patterns(d, p, secrets),
            "Condition": {"Null": {"aws:ResourceTag/owner": "false"},
                          "StringEquals": {"aws:ResourceTag/env": p.env}}})
        }
        "mfa" => {
            json!({"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"],
            "Resource": secret_arn("*", MAIN, "*"),
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"},
                          "NumericLessThanEquals": {"aws:MultiFactorAuthAge": "3600"}}})
        }
        "home" => json!({"Effect": "Allow", "Action": "secretsmanager:*",
            "Resource": secret_arn("*", MAIN, "home/${aws:username}/*")}),
        "expiring" => json!({"Effect": "Allow", "Action": action(d, "GetSecretValue"),
            "Resource": patterns(d, p, secrets),
            "Condition": {"DateLessThan": {"aws:CurrentTime": format!("2027-0{}-01T00:00:00Z", 1 + d.below(9))}}}),
        _ => {
            json!({"Effect": "Allow", "Action": *d.pick(&["*", "secretsmanager:*"]), "Resource": "*"})
        }
    }
}

fn deny(d: &mut Draw, p: &Principal) -> Value {
    match *d.weighted(&[
        ("transport", 5),
        ("delete", 4),
        ("network", 3),
        ("prod-read-only", 3),
        ("other-team", 3),
        ("untagged", 2),
        ("pending", 2),
        ("not-resource", 1),
    ]) {
        "transport" => {
            json!({"Effect": "Deny", "Action": *d.pick(&["secretsmanager:*", "*"]), "Resource": "*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}})
        }
        "delete" => {
            let mut st = json!({"Effect": "Deny",
                "Action": ["secretsmanager:DeleteSecret", "secretsmanager:PutResourcePolicy"],
                "Resource": *d.pick(&["*", "arn:aws:secretsmanager:*:*:secret:prod/*"])});
            if d.chance(0.5) {
                st["Condition"] =
                    json!({"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/admin-*"}});
            }
            st
        }
        "network" => json!({"Effect": "Deny", "Action": action(d, "GetSecretValue"),
            "Resource": secret_arn("*", MAIN, "prod/*"),
            "Condition": {"NotIpAddress": {"aws:SourceIp": OFFICE_CIDRS}}}),
        "prod-read-only" => json!({"Effect": "Deny",
            "NotAction": ["secretsmanager:Describe*", "secretsmanager:Get*", "secretsmanager:List*"],
            "Resource": "arn:aws:secretsmanager:*:*:secret:prod/*"}),
        "other-team" => {
            json!({"Effect": "Deny", "Action": [action(d, "PutSecretValue"), action(d, "UpdateSecret")],
            "Resource": "*",
            "Condition": {"StringNotEquals": {"secretsmanager:ResourceTag/owner": [p.team, "platform"]}}})
        }
        "untagged" => {
            json!({"Effect": "Deny", "Action": [action(d, "PutSecretValue"), action(d, "UpdateSecret")],
            "Resource": "*", "Condition": {"Null": {"aws:ResourceTag/owner": "true"}}})
        }
        "pending" => {
            json!({"Effect": "Deny", "Action": action(d, "GetSecretValue"), "Resource": "*",
            "Condition": {"ForAnyValue:StringLike": {"secretsmanager:VersionStage": "*PENDING"}}})
        }
        _ => json!({"Effect": "Deny", "Action": action(d, "GetSecretValue"),
            "NotResource": [secret_arn("*", MAIN, &format!("{}/*", p.team)), secret_arn("*", MAIN, "shared/*")],
            "Condition": {"StringEquals": {"aws:ResourceTag/env": "prod"}}}),
    }
}

fn policy(d: &mut Draw, p: &Principal, secrets: &[Secret], statements: usize) -> Value {
    let items: Vec<Value> = (0..statements)
        .map(|k| {
            let x = d.below(100);
            let mut st = if x < 30 {
                other_service(d, p)
            } else if x < 88 {
                allow(d, p, secrets)
            } else {
                deny(d, p)
            };
            if d.chance(0.8) {
                let mut with_sid = Map::new();
                with_sid.insert("Sid".to_owned(), Value::from(format!("S{k}")));
                if let Value::Object(fields) = st {
                    with_sid.extend(fields);
                }
                st = Value::Object(with_sid);
            }
            st
        })
        .collect();
    json!({"Version": "2012-10-17", "Statement": items})
}

fn boundary(d: &mut Draw, p: &Principal) -> Option<Value> {
    if !matches!(p.kind, "service" | "developer" | "deploy" | "user") || !d.chance(0.35) {
        return None;
    }
    Some(if d.chance(0.5) {
        json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "Ceiling", "Effect": "Allow", "Action": ["secretsmanager:*", "kms:Decrypt", "s3:*", "logs:*",
                "dynamodb:*", "ssm:GetParameter*", "ec2:Describe*", "cloudwatch:PutMetricData"], "Resource": "*"},
            {"Sid": "NoPolicyEdits", "Effect": "Deny",
             "Action": ["secretsmanager:DeleteSecret", "secretsmanager:PutResourcePolicy", "iam:*"], "Resource": "*"}]})
    } else {
        json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "TeamSecrets", "Effect": "Allow", "Action": "secretsmanager:*",
             "Resource": [secret_arn("*", MAIN, &format!("{}/*", p.team)), secret_arn("*", MAIN, "shared/*"),
                          secret_arn("*", MAIN, &format!("{}/*", p.env))]},
            {"Sid": "TeamTagged", "Effect": "Allow", "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
             "Resource": "*", "Condition": {"StringEquals": {"secretsmanager:ResourceTag/owner": "${aws:PrincipalTag/team}"}}},
            {"Sid": "Other", "Effect": "Allow", "Action": ["kms:Decrypt", "logs:*", "s3:Get*"], "Resource": "*"}]})
    })
}

/// SCP levels (root first) of an account; none outside the organization.
fn scps(account: &str) -> Value {
    let root = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "FullAWSAccess", "Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Sid": "GuardSecrets", "Effect": "Deny",
         "Action": ["secretsmanager:DeleteSecret", "secretsmanager:PutResourcePolicy", "secretsmanager:DeleteResourcePolicy"],
         "Resource": "*",
         "Condition": {"ArnNotLike": {"aws:PrincipalArn": ["arn:aws:iam::*:role/admin-*", "arn:aws:iam::*:role/deploy/*"]}}},
        {"Sid": "Regions", "Effect": "Deny", "NotAction": ["iam:*", "sts:*", "organizations:*", "support:*"],
         "Resource": "*",
         "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1", "ap-southeast-2"]}}}]});
    let workloads = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "Services", "Effect": "Allow",
         "Action": ["secretsmanager:*", "kms:*", "s3:*", "logs:*", "dynamodb:*", "ssm:*", "ec2:*",
                    "cloudwatch:*", "lambda:*", "sts:*", "iam:*"], "Resource": "*"},
        {"Sid": "TLS", "Effect": "Deny", "Action": "secretsmanager:*", "Resource": "*",
         "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}}}]});
    let sandbox = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "FullAWSAccess", "Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Sid": "NoProdSecrets", "Effect": "Deny", "Action": "secretsmanager:GetSecretValue",
         "Resource": "arn:aws:secretsmanager:*:*:secret:prod/*"}]});
    match account {
        MAIN => json!([[root], [workloads]]),
        MEMBER => json!([[root], [sandbox]]),
        _ => json!([]),
    }
}

/// The RCP perimeter of the main account's organization: only the organization's principals
/// (and AWS services) reach its secrets. Each level states `RCPFullAWSAccess` as AWS attaches it.
fn rcps() -> Value {
    json!([[{"Version": "2012-10-17", "Statement": [
        {"Sid": "RCPFullAWSAccess", "Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"},
        {"Sid": "Perimeter", "Effect": "Deny", "Principal": "*", "Action": "secretsmanager:*", "Resource": "*",
         "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG},
                       "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}]}]])
}

fn resource_policy(seed: &str, index: usize, principals: &[Principal]) -> Value {
    let mut d = Draw::new(seed, "resource-policy", index);
    let (app, team) = *d.pick(APPS);
    let outside: Vec<&Principal> = principals.iter().filter(|p| p.account != MAIN).collect();
    let inside: Vec<&Principal> = principals.iter().filter(|p| p.account == MAIN).collect();
    let n = 1 + d.below(6);
    let statements: Vec<Value> = (0..n)
        .map(|k| {
            let mut st = match *d.weighted(&[
                ("cross-account", 22),
                ("org-only", 14),
                ("lockdown", 12),
                ("named-roles", 18),
                ("rotation", 10),
                ("transport", 10),
                ("org-team", 10),
                ("not-principal", 4),
            ]) {
                "cross-account" => {
                    let who = match d.below(4) {
                        0 => json!(format!("arn:aws:iam::{MEMBER}:root")),
                        1 => json!(MEMBER),
                        2 => json!(format!("arn:aws:iam::{PARTNER}:root")),
                        _ if !outside.is_empty() => {
                            json!((0..outside.len().min(3)).map(|_| d.pick(&outside).identity.clone()).collect::<Vec<_>>())
                        }
                        _ => json!(MEMBER),
                    };
                    json!({"Effect": "Allow", "Principal": {"AWS": who},
                        "Action": [action(&mut d, "GetSecretValue"), action(&mut d, "DescribeSecret")], "Resource": "*"})
                }
                "org-only" => json!({"Effect": "Deny", "Principal": "*", "Action": "secretsmanager:*", "Resource": "*",
                    "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": ORG}}}),
                "lockdown" => json!({"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": action(&mut d, "GetSecretValue"),
                    "Resource": "*",
                    "Condition": {"ArnNotLike": {"aws:PrincipalArn": [
                        format!("arn:aws:iam::{MAIN}:role/service/{app}-*"),
                        format!("arn:aws:iam::{MAIN}:role/admin-*"),
                        format!("arn:aws:iam::{MAIN}:role/service-role/rotation-*")]}}}),
                "named-roles" if !inside.is_empty() => {
                    let named: Vec<String> = (0..1 + d.below(4)).map(|_| d.pick(&inside).identity.clone()).collect();
                    json!({"Effect": "Allow", "Principal": {"AWS": named},
                        "Action": *d.pick(&["secretsmanager:GetSecretValue", "secretsmanager:Get*", "secretsmanager:*Secret*"]),
                        "Resource": "*"})
                }
                "rotation" => json!({"Effect": "Allow",
                    "Principal": {"AWS": format!("arn:aws:iam::{MAIN}:role/service-role/rotation-{app}-1")},
                    "Action": ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue",
                               "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"],
                    "Resource": "*"}),
                "transport" => json!({"Effect": "Deny", "Principal": "*", "Action": "secretsmanager:*", "Resource": "*",
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}}}),
                "not-principal" => json!({"Effect": "Deny",
                    "NotPrincipal": {"AWS": [format!("arn:aws:iam::{MAIN}:root"),
                                             format!("arn:aws:iam::{MAIN}:role/admin-{}", d.below(40))]},
                    "Action": ["secretsmanager:DeleteSecret", "secretsmanager:PutResourcePolicy"], "Resource": "*"}),
                _ => json!({"Effect": "Allow", "Principal": {"AWS": "*"},
                    "Action": [action(&mut d, "DescribeSecret"), action(&mut d, "GetSecretValue")], "Resource": "*",
                    "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG, "aws:PrincipalTag/team": team}}}),
            };
            st["Sid"] = Value::from(format!("R{k}"));
            st
        })
        .collect();
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn context(d: &mut Draw, p: &Principal, s: &Secret, action: &str) -> Value {
    let mut c = Map::new();
    let mut put = |k: &str, v: Value| {
        c.insert(k.to_owned(), v);
    };
    put("aws:PrincipalArn", json!(p.identity));
    put("aws:PrincipalAccount", json!(p.account));
    put(
        "aws:PrincipalType",
        json!(if p.user.is_some() {
            "User"
        } else {
            "AssumedRole"
        }),
    );
    if p.account != PARTNER {
        put("aws:PrincipalOrgID", json!(ORG));
    }
    if p.tagged {
        put("aws:PrincipalTag/team", json!(p.team));
    }
    if let Some(user) = &p.user {
        put("aws:username", json!(user));
        put(
            "aws:MultiFactorAuthPresent",
            json!(if p.mfa { "true" } else { "false" }),
        );
        if p.mfa {
            put(
                "aws:MultiFactorAuthAge",
                json!((60 + d.below(7200)).to_string()),
            );
        }
    }
    put(
        "aws:SecureTransport",
        json!(if d.chance(0.03) { "false" } else { "true" }),
    );
    let ip = match d.below(10) {
        0..=5 => format!("10.{}.{}.{}", d.below(256), d.below(256), 1 + d.below(254)),
        6 => format!("172.20.{}.{}", d.below(256), 1 + d.below(254)),
        7 => format!("198.18.{}.{}", d.below(256), 1 + d.below(254)),
        _ => format!("203.0.113.{}", 1 + d.below(254)),
    };
    put("aws:SourceIp", json!(ip));
    put("aws:CurrentTime", json!(NOW));
    put("aws:RequestedRegion", json!(s.region));
    put("aws:ResourceAccount", json!(MAIN));
    for (key, value) in &s.tags {
        put(&format!("aws:ResourceTag/{key}"), json!(value));
        put(&format!("secretsmanager:ResourceTag/{key}"), json!(value));
    }
    if matches!(
        action,
        "secretsmanager:GetSecretValue" | "secretsmanager:UpdateSecretVersionStage"
    ) {
        let stage = *d.weighted(&[("AWSCURRENT", 82), ("AWSPREVIOUS", 13), ("AWSPENDING", 5)]);
        put("secretsmanager:VersionStage", json!([stage]));
    }
    Value::Object(c)
}

/// Every case of the workload, in order.
pub fn cases(options: &Options) -> impl Iterator<Item = Value> + '_ {
    let seed = options.seed.as_str();
    let pool = (options.secrets / 16).clamp(4, 4000);
    let secrets: Vec<Secret> = (0..options.secrets)
        .map(|j| secret(seed, j, pool))
        .collect();
    let principals: Vec<Principal> = (0..options.principals)
        .map(|i| principal(seed, i))
        .collect();
    let managed_count = (options.principals / 8).max(6);
    let managed_persona = |k: usize| {
        let mut p = principal(seed, 1_000_000 + k);
        p.account = MAIN;
        p
    };
    let managed: Vec<Value> = (0..managed_count)
        .map(|k| {
            let mut d = Draw::new(seed, "managed", k);
            let n = d.log_uniform(4, 40);
            policy(&mut d, &managed_persona(k), &secrets, n)
        })
        .collect();
    let resource_policies: Vec<Value> = (0..pool)
        .map(|g| resource_policy(seed, g, &principals))
        .collect();
    // Secrets by resource policy: `None` first, then the pool in order.
    let mut groups: Vec<(Option<usize>, Vec<usize>)> = Vec::new();
    for (j, s) in secrets.iter().enumerate() {
        match groups.iter_mut().find(|(g, _)| *g == s.policy) {
            Some((_, members)) => members.push(j),
            None => groups.push((s.policy, vec![j])),
        }
    }
    groups.sort_by_key(|(g, _)| g.map_or(0, |g| g + 1));
    let actions = &AUDIT_ACTIONS[..options.actions.clamp(1, AUDIT_ACTIONS.len())];
    principals.clone().into_iter().enumerate().flat_map(move |(i, p)| {
        let mut d = Draw::new(seed, "identity", i);
        let count = *d.weighted(&[(1, 30), (2, 25), (3, 20), (4, 15), (5, 10)]);
        let mut identity: Vec<Value> = (0..count)
            .map(|_| {
                if d.chance(0.4) {
                    managed[d.below(managed.len())].clone()
                } else {
                    let n = d.log_uniform(4, 40);
                    policy(&mut d, &p, &secrets, n)
                }
            })
            .collect();
        if p.kind == "admin" {
            identity.push(json!({"Version": "2012-10-17", "Statement": [
                {"Sid": "Admin", "Effect": "Allow", "Action": "*", "Resource": "*"}]}));
        }
        let boundary = boundary(&mut d, &p);
        let scps = scps(p.account);
        let cases: Vec<Value> = groups
            .iter()
            .map(|(group, members)| {
                let mut d = Draw::new(seed, "requests", i * 100_003 + group.map_or(0, |g| g + 1));
                let requests: Vec<Value> = members
                    .iter()
                    .flat_map(|&j| actions.iter().map(move |a| (j, *a)))
                    .map(|(j, a)| {
                        json!({"principal": p.caller, "action": a, "resource": secrets[j].arn,
                               "context": context(&mut d, &p, &secrets[j], a)})
                    })
                    .collect();
                json!({
                    "name": format!("audit-p{i:05}-g{}", group.map_or("none".to_owned(), |g| format!("{g:04}"))),
                    "identity_policies": identity,
                    "resource_policy": group.map(|g| resource_policies[g].clone()),
                    "permission_boundary": boundary,
                    "scps": scps,
                    "rcps": rcps(),
                    "requests": requests,
                })
            })
            .collect();
        cases
    })
}
