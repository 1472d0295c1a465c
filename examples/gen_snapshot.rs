//! Writes a synthetic account snapshot (the directory format of `docs/file-formats.md`) with N principals
//! and M secrets, for `secaudit access` at account scale and for the class-versus-one-by-one
//! equivalence test.
//!
//! The account model is that of a large organisation's account: teams and apps, secret names
//! `env/app/kind-N`, `team/app/kind-N`, `shared/…`, `rds!db-…`, `ci/…` and legacy flat names,
//! `env`/`owner`/`app` tags (some missing), resource policies shared by groups of secrets
//! (cross-account grants, org-only denies, lockdowns, rotation roles), identity policies with
//! path wildcards, `NAME-??????` and `NAME-*` patterns, ABAC on `aws:PrincipalTag/team`,
//! `IfExists`, `Null`, `NotAction`, IP and TLS conditions, customer managed policies with several
//! versions (only the default one counts), team groups, permissions boundaries, SCP and RCP
//! levels. It also writes what real accounts have and a class design would rather not see:
//! policy variables in `Resource` (`home/${aws:username}/*`, `${aws:PrincipalTag/team}/*`),
//! principal-side conditions (`aws:PrincipalTag/env`), ABAC on a high-cardinality tag
//! (`cost-center`, 3,000 values, plus a `project` tag no policy reads), and thousands of
//! distinct resource policies (one per 14 secrets by default, 40 % of secrets carry one) with
//! `Principal: "*"` narrowed by `aws:PrincipalArn`, `aws:PrincipalTag` or `aws:SourceVpce`
//! conditions, `NotPrincipal` denies (and, rarely, the `NotPrincipal` that names a role but not
//! its account). Every entity draws from its own generator seeded with `"<seed>:<kind>:<index>"`, so
//! the output is byte-for-byte reproducible.
//!
//! ```text
//! cargo run --release --no-default-features --example gen_snapshot -- \
//!     --principals 2000 --secrets 40000 --out /tmp/big
//! ```

use std::fmt::Write as _;
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use clap::Parser;
use serde_json::{Value, json};

const MAIN_ACCOUNT: &str = "111122223333";
const ORG_MEMBER_ACCOUNT: &str = "444455556666";
const EXTERNAL_ACCOUNT: &str = "210987654321";
const ORG_ID: &str = "o-a1b2c3d4e5";
const COLLECTED_AT: &str = "2026-11-01T00:00:00Z";
const REGIONS: &[(&str, u32)] = &[("us-east-1", 70), ("eu-west-1", 18), ("us-west-2", 12)];
const TEAMS: &[&str] = &["team-a", "team-b", "team-c", "platform", "data"];
const APPS: &[(&str, &str)] = &[
    ("analytics", "data"),
    ("auth", "platform"),
    ("billing", "team-a"),
    ("catalog", "team-b"),
    ("gateway", "platform"),
    ("inventory", "team-b"),
    ("ledger", "team-c"),
    ("notify", "platform"),
    ("orders", "team-a"),
    ("payments", "team-a"),
    ("reporting", "data"),
    ("search", "team-b"),
];
const KINDS: &[&str] = &[
    "db", "api-key", "oauth", "tls", "smtp", "redis", "kafka", "token", "ssh-key", "webhook",
];
const ENVS: &[&str] = &["prod", "staging", "dev"];
const CORP_CIDRS: &[&str] = &["10.0.0.0/8", "192.0.2.0/24"];
const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/// Distinct `cost-center` tag values (principals and secrets): ABAC on a high-cardinality tag.
const COST_CENTERS: usize = 3000;
/// Distinct `project` tag values of secrets (read by no policy: tag sets stay distinct).
const PROJECTS: usize = 9000;

/// Writes a synthetic account snapshot directory.
#[derive(Debug, Parser)]
struct Args {
    /// IAM principals (users and roles) of the account.
    #[arg(long, default_value_t = 50)]
    principals: usize,
    /// Secrets of the account, spread over three regions.
    #[arg(long, default_value_t = 1000)]
    secrets: usize,
    /// Distinct resource policies (default: secrets / 14, at least 2).
    #[arg(long)]
    rp_groups: Option<usize>,
    /// Any string; the same seed gives the same bytes.
    #[arg(long, default_value = "1")]
    seed: String,
    /// The snapshot directory to write (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// Write an organization directory of this many account snapshots (`OUT/<account-id>/`,
    /// each with `--principals` principals and `--secrets` secrets) instead of one snapshot.
    #[arg(long, default_value_t = 1)]
    accounts: usize,
}

/// splitmix64 seeded with the FNV-1a hash of a label: one independent stream per entity.
struct Rng(u64);

impl Rng {
    fn new(seed: &str, kind: &str, index: usize) -> Rng {
        let label = format!("{seed}:{kind}:{index}");
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in label.bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        Rng(hash)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn weighted<T: Copy>(&mut self, items: &[(T, u32)]) -> T {
        let total: u32 = items.iter().map(|(_, w)| w).sum();
        let mut x = self.below(total as usize) as u32;
        for (value, weight) in items {
            if x < *weight {
                return *value;
            }
            x -= weight;
        }
        items[items.len() - 1].0
    }
}

fn sm_arn(region: &str, account: &str, name: &str) -> String {
    format!("arn:aws:secretsmanager:{region}:{account}:secret:{name}")
}

fn team_of(app: &str) -> &'static str {
    APPS.iter()
        .find(|(a, _)| *a == app)
        .map_or("platform", |(_, t)| *t)
}

#[derive(Clone)]
struct Secret {
    name: String,
    arn: String,
    region: &'static str,
    env: Option<&'static str>,
    owner: Option<&'static str>,
    app: &'static str,
    group: usize,
    rotation: bool,
    stages: Vec<Vec<&'static str>>,
    owning_service: Option<&'static str>,
    cost_center: Option<String>,
    project: Option<String>,
    /// The team whose customer managed key encrypts it (index into `TEAMS`), and whether
    /// `KmsKeyId` names it by alias; `None`: the AWS managed key `aws/secretsmanager`.
    kms: Option<(usize, bool)>,
}

fn make_secret(seed: &str, j: usize, groups: usize, principals: usize) -> Secret {
    let mut r = Rng::new(seed, "secret", j);
    let (app, team) = *r.pick(APPS);
    let kind = *r.pick(KINDS);
    let region = r.weighted(REGIONS);
    let layout = r.weighted(&[
        ("env", 50),
        ("team", 22),
        ("shared", 6),
        ("rds", 8),
        ("ci", 5),
        ("legacy", 9),
        ("home", 6),
    ]);
    let mut env = r.weighted(&[("prod", 45), ("staging", 25), ("dev", 30)]);
    let mut owner = team;
    let mut owning_service = None;
    let name = match layout {
        "env" => format!("{env}/{app}/{kind}-{j}"),
        "team" => format!("{team}/{app}/{kind}-{j}"),
        "shared" => {
            owner = "platform";
            format!("shared/{kind}-{j}")
        }
        "rds" => {
            owning_service = Some("rds");
            format!("rds!db-{:08x}-{:04x}-{j}", r.next() as u32, r.next() as u16)
        }
        "ci" => {
            env = "dev";
            format!("ci/{app}-{kind}-{j}")
        }
        "home" => {
            // A personal secret under `home/<user name>/`, read through `${aws:username}`.
            let p = persona(seed, r.below(principals.max(1)));
            owner = p.team;
            format!("home/{}/{kind}-{j}", p.name)
        }
        _ => {
            let sep = *r.pick(&["_", "-", ".", "+", "@", "="]);
            let extra = *r.pick(&["", "_v2", ".old"]);
            format!("{app}{sep}{kind}{extra}{j}")
        }
    };
    let suffix: String = (0..6).map(|_| char::from(*r.pick(ALNUM))).collect();
    let arn = sm_arn(region, MAIN_ACCOUNT, &format!("{name}-{suffix}"));
    let env = (!r.chance(0.08)).then_some(env);
    let owner = (!r.chance(0.08)).then_some(owner);
    let group = if groups == 0 || r.chance(0.6) {
        0
    } else {
        1 + r.below(groups)
    };
    let rotation = r.chance(0.4);
    let mut stages = vec![vec!["AWSCURRENT"]];
    if r.chance(0.6) {
        stages.push(vec!["AWSPREVIOUS"]);
    }
    if r.chance(0.02) {
        stages.push(vec!["AWSPENDING"]);
    }
    if r.chance(0.005) {
        stages.push(vec!["BLUE"]);
    }
    let cost_center = r
        .chance(0.7)
        .then(|| format!("cc-{:04}", r.below(COST_CENTERS)));
    let project = r.chance(0.5).then(|| format!("prj-{}", r.below(PROJECTS)));
    let kms = r.chance(0.45).then(|| {
        let team = TEAMS.iter().position(|t| Some(*t) == owner).unwrap_or(0);
        (team, r.chance(0.5))
    });
    Secret {
        name,
        arn,
        region,
        env,
        owner,
        app,
        group,
        rotation,
        stages,
        owning_service,
        cost_center,
        project,
        kms,
    }
}

/// The persona a policy is written for.
#[derive(Clone)]
struct Persona {
    idx: usize,
    kind: &'static str,
    app: &'static str,
    team: &'static str,
    env: &'static str,
    arn: String,
    name: String,
    path: String,
    is_user: bool,
    has_team_tag: bool,
    /// `cost-center` tag, when the principal has one.
    cost_center: Option<String>,
}

fn persona(seed: &str, i: usize) -> Persona {
    let mut r = Rng::new(seed, "principal", i);
    let kind = r.weighted(&[
        ("app", 180),
        ("developer", 80),
        ("readonly", 40),
        ("ci", 32),
        ("admin", 1),
        ("user", 44),
        ("rotation", 20),
    ]);
    let (app, app_team) = *r.pick(APPS);
    let team = if matches!(kind, "app" | "ci" | "rotation") {
        app_team
    } else {
        *r.pick(TEAMS)
    };
    let env = r.weighted(&[("prod", 45), ("staging", 25), ("dev", 30)]);
    let (path, name) = match kind {
        "app" => ("/app/".to_owned(), format!("{app}-{env}-{i}")),
        "developer" => ("/".to_owned(), format!("{team}-Developer-{i}")),
        "readonly" => ("/".to_owned(), format!("{team}-ReadOnly-{i}")),
        "ci" => ("/ci/".to_owned(), format!("Deploy-{app}-{i}")),
        "admin" => ("/".to_owned(), format!("Admin-{i}")),
        "user" => (
            format!("/{team}/"),
            format!(
                "{}{i}",
                r.pick(&["alice", "bob", "carol", "dave", "erin", "frank"])
            ),
        ),
        _ => (
            "/service-role/".to_owned(),
            format!("SecretsRotation-{app}-{i}"),
        ),
    };
    let is_user = kind == "user";
    let arn = format!(
        "arn:aws:iam::{MAIN_ACCOUNT}:{}{path}{name}",
        if is_user { "user" } else { "role" }
    );
    let has_team_tag = kind != "admin" && r.chance(0.9);
    let cost_center = r
        .chance(0.85)
        .then(|| format!("cc-{:04}", r.below(COST_CENTERS)));
    Persona {
        idx: i,
        kind,
        app,
        team,
        env,
        arn,
        name,
        path,
        is_user,
        has_team_tag,
        cost_center,
    }
}

struct Model<'a> {
    seed: &'a str,
    secrets: Vec<Secret>,
    by_owner: Vec<(&'static str, Vec<usize>)>,
    personas: Vec<Persona>,
    managed: usize,
}

impl Model<'_> {
    fn secret_for(&self, r: &mut Rng, p: &Persona) -> &Secret {
        if r.chance(0.7)
            && let Some((_, pool)) = self.by_owner.iter().find(|(o, _)| *o == p.team)
            && !pool.is_empty()
        {
            return &self.secrets[*r.pick(pool)];
        }
        &self.secrets[r.below(self.secrets.len())]
    }

    fn path_prefix(r: &mut Rng, p: &Persona) -> String {
        match r.weighted(&[
            (0, 30),
            (1, 18),
            (2, 10),
            (3, 6),
            (4, 10),
            (5, 8),
            (6, 4),
            (7, 14),
        ]) {
            0 => format!("{}/{}/", p.env, p.app),
            1 => format!("{}/{}/", p.team, p.app),
            2 => format!("{}/", p.team),
            3 => format!("{}/", p.env),
            4 => "shared/".to_owned(),
            5 => format!("ci/{}-", p.app),
            6 => "rds!db-".to_owned(),
            _ => format!("{}/{}/", r.pick(ENVS), r.pick(APPS).0),
        }
    }

    fn res_patterns(&self, r: &mut Rng, p: &Persona) -> Value {
        let k = r.weighted(&[(1, 50), (2, 25), (3, 15), (4, 10)]);
        let mut out = Vec::new();
        for _ in 0..k {
            let region = r.weighted(REGIONS);
            match r.weighted(&[
                ("path", 45),
                ("exact", 32),
                ("regionwild", 10),
                ("star", 1),
                ("acctwild", 5),
                ("q", 7),
            ]) {
                "path" => out.push(sm_arn(
                    region,
                    MAIN_ACCOUNT,
                    &format!("{}*", Self::path_prefix(r, p)),
                )),
                "exact" => {
                    let s = self.secret_for(r, p);
                    out.push(sm_arn(
                        s.region,
                        MAIN_ACCOUNT,
                        &format!("{}-??????", s.name),
                    ));
                }
                "regionwild" => out.push(sm_arn(
                    "*",
                    MAIN_ACCOUNT,
                    &format!("{}*", Self::path_prefix(r, p)),
                )),
                "acctwild" => out.push(sm_arn(
                    region,
                    "*",
                    &format!("{}*", Self::path_prefix(r, p)),
                )),
                "q" => {
                    let s = self.secret_for(r, p);
                    let mut name: Vec<char> = s.name.chars().collect();
                    if name.len() > 3 {
                        let i = 1 + r.below(name.len() - 2);
                        name[i] = '?';
                    }
                    let name: String = name.into_iter().collect();
                    out.push(sm_arn(s.region, MAIN_ACCOUNT, &format!("{name}-*")));
                }
                _ => out.push("*".to_owned()),
            }
        }
        if out.len() == 1 && r.chance(0.5) {
            Value::String(out.remove(0))
        } else {
            json!(out)
        }
    }

    fn allow_statement(&self, r: &mut Rng, p: &Persona) -> Value {
        let admin_weight = if p.kind == "admin" { 20 } else { 1 };
        let kind = r.weighted(&[
            ("read", 320),
            ("write", 180),
            ("dev", 80),
            ("abac", 100),
            ("like", 100),
            ("arnlike", 60),
            ("ip", 60),
            ("ifexists", 60),
            ("notaction", 40),
            ("null", 40),
            ("home", if p.is_user { 120 } else { 4 }),
            ("teamvar", 12),
            ("costcenter", 40),
            ("ptag", 30),
            ("admin", admin_weight),
        ]);
        match kind {
            "read" => {
                let action = match r.below(5) {
                    0 => json!([sm_act(r, "GetSecretValue"), sm_act(r, "DescribeSecret")]),
                    1 => json!("secretsmanager:Get*"),
                    2 => json!([
                        "secretsmanager:Describe*",
                        "secretsmanager:Get*",
                        "secretsmanager:List*"
                    ]),
                    3 => json!(sm_act(r, "GetSecretValue")),
                    _ => json!("secretsmanager:*Secret*"),
                };
                let mut st = json!({"Effect": "Allow", "Action": action, "Resource": self.res_patterns(r, p)});
                if r.chance(0.3) {
                    let stages = if r.chance(0.5) {
                        json!(["AWSCURRENT"])
                    } else {
                        json!(["AWSCURRENT", "AWSPREVIOUS"])
                    };
                    st["Condition"] = json!({"ForAnyValue:StringEquals": {
                        "secretsmanager:VersionStage": stages}});
                }
                st
            }
            "write" => {
                let action = match r.below(4) {
                    0 => json!([
                        sm_act(r, "PutSecretValue"),
                        sm_act(r, "UpdateSecret"),
                        sm_act(r, "UpdateSecretVersionStage"),
                        sm_act(r, "RotateSecret")
                    ]),
                    1 => json!("secretsmanager:Put*"),
                    2 => json!([
                        "secretsmanager:Update*",
                        "secretsmanager:Put*",
                        "secretsmanager:TagResource"
                    ]),
                    _ => json!([sm_act(r, "PutSecretValue"), sm_act(r, "DescribeSecret")]),
                };
                let resource = if r.chance(0.97) {
                    self.res_patterns(r, p)
                } else {
                    json!("*")
                };
                let mut st = json!({"Effect": "Allow", "Action": action, "Resource": resource});
                if r.chance(0.6) {
                    let key =
                        *r.pick(&["secretsmanager:ResourceTag/owner", "aws:ResourceTag/owner"]);
                    st["Condition"] = json!({"StringEquals": {key: p.team}});
                }
                st
            }
            "dev" => {
                let path = match r.below(3) {
                    0 => "dev/*".to_owned(),
                    1 => "ci/*".to_owned(),
                    _ => format!("{}/*", p.team),
                };
                let mut st = json!({"Effect": "Allow", "Action": "secretsmanager:*",
                    "Resource": sm_arn("*", MAIN_ACCOUNT, &path)});
                if r.chance(0.5) {
                    st["Condition"] = json!({"StringEquals": {"aws:ResourceTag/env": "dev"}});
                }
                st
            }
            "abac" => {
                let mut equals = json!({"aws:ResourceTag/owner": "${aws:PrincipalTag/team}"});
                if r.chance(0.5) {
                    equals["aws:ResourceTag/env"] = json!(r.pick(ENVS));
                }
                let resource = if r.chance(0.3) {
                    json!("*")
                } else {
                    json!(sm_arn("*", MAIN_ACCOUNT, &format!("{}/*", r.pick(ENVS))))
                };
                json!({"Effect": "Allow",
                    "Action": [sm_act(r, "GetSecretValue"), sm_act(r, "DescribeSecret")],
                    "Resource": resource, "Condition": {"StringEquals": equals}})
            }
            "like" => {
                let prefix = if r.chance(0.75) {
                    (*r.pick(ENVS)).to_owned()
                } else {
                    p.team.to_owned()
                };
                let values = match r.below(3) {
                    0 => json!(["staging*", "dev*"]),
                    1 => json!("dev*"),
                    _ => json!("*ev"),
                };
                json!({"Effect": "Allow",
                    "Action": *r.pick(&["secretsmanager:Get*", "secretsmanager:Describe*"]),
                    "Resource": sm_arn(r.weighted(REGIONS), MAIN_ACCOUNT, &format!("{prefix}/*")),
                    "Condition": {"StringLike": {"aws:ResourceTag/env": values}}})
            }
            "arnlike" => {
                let principal = match r.below(3) {
                    0 => format!("arn:aws:iam::{MAIN_ACCOUNT}:role/{}-*", p.team),
                    1 => "arn:aws:iam::*:role/app/*".to_owned(),
                    _ => format!("arn:aws:iam::{MAIN_ACCOUNT}:role/*"),
                };
                let resource = if r.chance(0.7) {
                    self.res_patterns(r, p)
                } else {
                    json!("*")
                };
                json!({"Effect": "Allow",
                    "Action": ["secretsmanager:Describe*", "secretsmanager:List*"],
                    "Resource": resource,
                    "Condition": {"ArnLike": {"aws:PrincipalArn": principal}}})
            }
            "ip" => {
                let cidrs = if r.chance(0.5) {
                    json!(r.pick(CORP_CIDRS))
                } else {
                    json!(CORP_CIDRS)
                };
                json!({"Effect": "Allow", "Action": sm_act(r, "GetSecretValue"),
                    "Resource": self.res_patterns(r, p),
                    "Condition": {"IpAddress": {"aws:SourceIp": cidrs}}})
            }
            "ifexists" => json!({"Effect": "Allow",
                "Action": [sm_act(r, "DescribeSecret"), sm_act(r, "GetSecretValue"),
                           sm_act(r, "ListSecretVersionIds")],
                "Resource": self.res_patterns(r, p),
                "Condition": {"StringEqualsIfExists": {
                    "secretsmanager:ResourceTag/env": ["dev", "staging"]}}}),
            "notaction" => json!({"Effect": "Allow",
                "NotAction": ["secretsmanager:DeleteSecret", "secretsmanager:PutResourcePolicy",
                              "secretsmanager:DeleteResourcePolicy", "iam:*"],
                "Resource": sm_arn("*", MAIN_ACCOUNT, &format!("{}/*", p.team))}),
            "home" => json!({"Effect": "Allow",
                "Action": [sm_act(r, "GetSecretValue"), sm_act(r, "PutSecretValue"),
                           sm_act(r, "DescribeSecret")],
                "Resource": sm_arn("*", MAIN_ACCOUNT, "home/${aws:username}/*")}),
            "teamvar" => {
                let resource = if r.chance(0.5) {
                    sm_arn("*", MAIN_ACCOUNT, "${aws:PrincipalTag/team}/*")
                } else {
                    sm_arn(
                        "*",
                        MAIN_ACCOUNT,
                        "${aws:PrincipalTag/env, 'dev'}/${aws:PrincipalTag/team}-*",
                    )
                };
                json!({"Effect": "Allow", "Action": sm_act(r, "GetSecretValue"),
                    "Resource": resource})
            }
            "costcenter" => json!({"Effect": "Allow",
                "Action": [sm_act(r, "GetSecretValue"), sm_act(r, "DescribeSecret")],
                "Resource": if r.chance(0.6) { json!("*") } else { self.res_patterns(r, p) },
                "Condition": {"StringEquals": {
                    "aws:ResourceTag/cost-center": "${aws:PrincipalTag/cost-center}"}}}),
            "ptag" => json!({"Effect": "Allow",
                "Action": [sm_act(r, "GetSecretValue"), sm_act(r, "UpdateSecret")],
                "Resource": self.res_patterns(r, p),
                "Condition": {"StringEquals": {"aws:PrincipalTag/env": *r.pick(ENVS)}}}),
            "null" => json!({"Effect": "Allow", "Action": sm_act(r, "GetSecretValue"),
                "Resource": self.res_patterns(r, p),
                "Condition": {"Null": {"aws:ResourceTag/owner": "false"},
                              "StringEquals": {"aws:ResourceTag/env": p.env}}}),
            _ => json!({"Effect": "Allow",
                "Action": *r.pick(&["*", "secretsmanager:*"]), "Resource": "*"}),
        }
    }

    fn deny_statement(r: &mut Rng, p: &Persona) -> Value {
        match r.weighted(&[
            ("insecure", 5),
            ("delete", 4),
            ("ip", 3),
            ("readonly_prod", 3),
            ("other_team", 3),
            ("untagged", 2),
            ("pending", 2),
            ("region", 1),
            ("notresource", 1),
        ]) {
            "insecure" => json!({"Effect": "Deny",
                "Action": *r.pick(&["secretsmanager:*", "*"]), "Resource": "*",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}}}),
            "delete" => {
                let resource = if r.chance(0.5) {
                    "*".to_owned()
                } else {
                    sm_arn("*", MAIN_ACCOUNT, "prod/*")
                };
                let mut st = json!({"Effect": "Deny",
                    "Action": ["secretsmanager:DeleteSecret", "secretsmanager:PutResourcePolicy",
                               "secretsmanager:DeleteResourcePolicy"],
                    "Resource": resource});
                if r.chance(0.5) {
                    st["Condition"] = json!({"ArnNotLike": {
                        "aws:PrincipalArn": "arn:aws:iam::*:role/Admin-*"}});
                }
                st
            }
            "ip" => json!({"Effect": "Deny", "Action": sm_act(r, "GetSecretValue"),
                "Resource": sm_arn("*", MAIN_ACCOUNT, "prod/*"),
                "Condition": {"NotIpAddress": {"aws:SourceIp": CORP_CIDRS}}}),
            "readonly_prod" => json!({"Effect": "Deny",
                "NotAction": ["secretsmanager:Describe*", "secretsmanager:Get*",
                              "secretsmanager:List*"],
                "Resource": "arn:aws:secretsmanager:*:*:secret:prod/*"}),
            "other_team" => json!({"Effect": "Deny",
                "Action": [sm_act(r, "PutSecretValue"), sm_act(r, "UpdateSecret")],
                "Resource": "*",
                "Condition": {"StringNotEquals": {
                    "secretsmanager:ResourceTag/owner": [p.team, "platform"]}}}),
            "untagged" => json!({"Effect": "Deny",
                "Action": [sm_act(r, "PutSecretValue"), sm_act(r, "UpdateSecret")],
                "Resource": "*", "Condition": {"Null": {"aws:ResourceTag/owner": "true"}}}),
            "pending" => {
                let op = *r.pick(&["ForAnyValue:StringEquals", "ForAnyValue:StringLike"]);
                let stage = match r.below(3) {
                    0 => json!("AWSPENDING"),
                    1 => json!(["AWSPENDING"]),
                    _ => json!("*PENDING"),
                };
                json!({"Effect": "Deny", "Action": sm_act(r, "GetSecretValue"), "Resource": "*",
                    "Condition": {op: {"secretsmanager:VersionStage": stage}}})
            }
            "region" => json!({"Effect": "Deny", "Action": "secretsmanager:*", "Resource": "*",
                "Condition": {"StringNotEqualsIfExists": {
                    "aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}}),
            _ => json!({"Effect": "Deny", "Action": sm_act(r, "GetSecretValue"),
                "NotResource": [sm_arn("*", MAIN_ACCOUNT, &format!("{}/*", p.team)),
                                sm_arn("*", MAIN_ACCOUNT, "shared/*")],
                "Condition": {"StringEquals": {"aws:ResourceTag/env": "prod"}}}),
        }
    }

    fn noise_statement(r: &mut Rng, p: &Persona) -> Value {
        let region = r.weighted(REGIONS);
        match r.below(8) {
            0 => json!({"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
                "Resource": format!("arn:aws:s3:::{}-{}-artifacts/*", p.app, p.env)}),
            1 => json!({"Effect": "Allow", "Action": ["kms:Decrypt", "kms:DescribeKey"],
                "Resource": format!("arn:aws:kms:{region}:{MAIN_ACCOUNT}:key/*"),
                "Condition": {"StringEquals": {
                    "kms:ViaService": format!("secretsmanager.{region}.amazonaws.com")}}}),
            2 => json!({"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": format!(
                    "arn:aws:logs:{region}:{MAIN_ACCOUNT}:log-group:/aws/lambda/{}-*", p.app)}),
            3 => json!({"Effect": "Allow", "Action": "dynamodb:GetItem",
                "Resource": format!("arn:aws:dynamodb:{region}:{MAIN_ACCOUNT}:table/{}*", p.app)}),
            4 => json!({"Effect": "Allow", "Action": "ssm:GetParameter*",
                "Resource": format!(
                    "arn:aws:ssm:{region}:{MAIN_ACCOUNT}:parameter/{}/{}/*", p.env, p.app)}),
            5 => json!({"Effect": "Allow",
                "Action": ["ec2:Describe*", "cloudwatch:PutMetricData"], "Resource": "*"}),
            6 => json!({"Effect": "Allow",
                "Action": ["secretsmanager:ListSecrets", "secretsmanager:GetRandomPassword"],
                "Resource": "*"}),
            _ => json!({"Effect": "Deny",
                "Action": ["iam:CreateUser", "iam:CreateAccessKey"], "Resource": "*"}),
        }
    }

    fn make_policy(&self, r: &mut Rng, p: &Persona, statements: usize) -> Value {
        let mut list = Vec::new();
        for k in 0..statements {
            let x = r.below(100);
            let mut st = if x < 28 {
                Self::noise_statement(r, p)
            } else if x < 88 {
                self.allow_statement(r, p)
            } else {
                Self::deny_statement(r, p)
            };
            st["Sid"] = json!(format!("S{k}"));
            list.push(st);
        }
        json!({"Version": "2012-10-17", "Statement": list})
    }

    fn statement_count(r: &mut Rng) -> usize {
        // log-uniform between 2 and 8
        let x = (r.next() >> 11) as f64 / (1u64 << 53) as f64;
        (2.0f64 * 4.0f64.powf(x)).round() as usize
    }

    fn managed_arn(k: usize) -> String {
        format!("arn:aws:iam::{MAIN_ACCOUNT}:policy/secrets/Managed-{k}")
    }

    fn managed_policy(&self, k: usize) -> Value {
        let mut r = Rng::new(self.seed, "managed", k);
        let p = persona(self.seed, 10_000_000 + k);
        let versions = 1 + r.below(3);
        let default = if versions > 1 && r.chance(0.2) {
            versions - 1
        } else {
            versions
        };
        let list: Vec<Value> = (1..=versions)
            .map(|v| {
                let n = Self::statement_count(&mut r);
                json!({"Document": self.make_policy(&mut r, &p, n), "VersionId": format!("v{v}"),
                    "IsDefaultVersion": v == default, "CreateDate": "2025-06-01T00:00:00Z"})
            })
            .collect();
        json!({"PolicyName": format!("Managed-{k}"), "PolicyId": format!("ANPA{k:017}"),
            "Arn": Self::managed_arn(k), "Path": "/secrets/",
            "DefaultVersionId": format!("v{default}"), "AttachmentCount": 1,
            "PermissionsBoundaryUsageCount": 0, "IsAttachable": true,
            "CreateDate": "2025-06-01T00:00:00Z", "UpdateDate": "2025-06-01T00:00:00Z",
            "PolicyVersionList": list})
    }

    fn attachments(&self, r: &mut Rng, p: &Persona) -> (Vec<Value>, Vec<Value>) {
        let count = r.weighted(&[(1, 45), (2, 30), (3, 15), (4, 10)]);
        let mut inline = Vec::new();
        let mut attached: Vec<usize> = Vec::new();
        for k in 0..count {
            if r.chance(0.25) {
                let m = r.below(self.managed);
                if !attached.contains(&m) {
                    attached.push(m);
                }
            } else {
                let n = Self::statement_count(r);
                inline.push(json!({"PolicyName": format!("inline-{k}"),
                    "PolicyDocument": self.make_policy(r, p, n)}));
            }
        }
        let mut attached: Vec<Value> = attached
            .into_iter()
            .map(|m| json!({"PolicyName": format!("Managed-{m}"), "PolicyArn": Self::managed_arn(m)}))
            .collect();
        if p.kind == "admin" {
            attached.push(json!({"PolicyName": "AdministratorAccess",
                "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}));
        } else if p.kind == "rotation" && r.chance(0.05) {
            attached.push(json!({"PolicyName": "SecretsManagerReadWrite",
                "PolicyArn": "arn:aws:iam::aws:policy/SecretsManagerReadWrite"}));
        }
        (inline, attached)
    }

    fn boundary(r: &mut Rng, p: &Persona) -> Option<Value> {
        if matches!(p.kind, "app" | "developer" | "ci" | "user") && r.chance(0.35) {
            let arn = if r.chance(0.5) {
                format!("arn:aws:iam::{MAIN_ACCOUNT}:policy/boundary/Ceiling")
            } else {
                format!(
                    "arn:aws:iam::{MAIN_ACCOUNT}:policy/boundary/Team-{}",
                    p.team
                )
            };
            Some(json!({"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": arn}))
        } else {
            None
        }
    }

    fn tags(p: &Persona) -> Vec<Value> {
        let mut tags = Vec::new();
        if p.has_team_tag {
            tags.push(json!({"Key": "team", "Value": p.team}));
        }
        tags.push(json!({"Key": "env", "Value": p.env}));
        if let Some(cc) = &p.cost_center {
            tags.push(json!({"Key": "cost-center", "Value": cc}));
        }
        tags
    }

    fn principal_detail(&self, p: &Persona) -> Value {
        let mut r = Rng::new(self.seed, "policies", p.idx);
        let (inline, attached) = self.attachments(&mut r, p);
        let boundary = Self::boundary(&mut r, p);
        let mut detail = if p.is_user {
            let mut groups = vec![format!("{}-devs", p.team)];
            if r.chance(0.3) {
                groups.push("all-engineers".to_owned());
            }
            json!({"Path": p.path, "UserName": p.name, "UserId": format!("AIDA{:017}", p.idx),
                "Arn": p.arn, "CreateDate": "2025-01-01T00:00:00Z",
                "UserPolicyList": inline, "GroupList": groups,
                "AttachedManagedPolicies": attached, "Tags": Self::tags(p)})
        } else {
            let service = if p.kind == "rotation" {
                "lambda.amazonaws.com"
            } else {
                "ecs-tasks.amazonaws.com"
            };
            json!({"Path": p.path, "RoleName": p.name, "RoleId": format!("AROA{:017}", p.idx),
                "Arn": p.arn, "CreateDate": "2025-01-01T00:00:00Z",
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": service},
                     "Action": "sts:AssumeRole"}]},
                "InstanceProfileList": [], "RolePolicyList": inline,
                "AttachedManagedPolicies": attached, "Tags": Self::tags(p),
                "RoleLastUsed": {}})
        };
        if let Some(boundary) = boundary {
            detail["PermissionsBoundary"] = boundary;
        }
        detail
    }

    fn groups(&self) -> Vec<Value> {
        let mut names: Vec<String> = TEAMS.iter().map(|t| format!("{t}-devs")).collect();
        names.push("all-engineers".to_owned());
        names
            .iter()
            .enumerate()
            .map(|(k, name)| {
                let mut r = Rng::new(self.seed, "group", k);
                let team = TEAMS.get(k).copied().unwrap_or("platform");
                let p = Persona {
                    kind: "developer",
                    team,
                    ..persona(self.seed, 20_000_000 + k)
                };
                let n = Self::statement_count(&mut r);
                let inline = json!([{"PolicyName": "team-access",
                    "PolicyDocument": self.make_policy(&mut r, &p, n)}]);
                let managed = r.below(self.managed);
                json!({"Path": "/", "GroupName": name, "GroupId": format!("AGPA{k:017}"),
                    "Arn": format!("arn:aws:iam::{MAIN_ACCOUNT}:group/{name}"),
                    "CreateDate": "2025-01-01T00:00:00Z", "GroupPolicyList": inline,
                    "AttachedManagedPolicies": [{"PolicyName": format!("Managed-{managed}"),
                        "PolicyArn": Self::managed_arn(managed)}]})
            })
            .collect()
    }

    fn resource_policy(&self, g: usize) -> Value {
        let mut r = Rng::new(self.seed, "rpolicy", g);
        let app = r.pick(APPS).0;
        let team = team_of(app);
        let roles: Vec<&Persona> = self.personas.iter().filter(|p| !p.is_user).collect();
        let external = [
            format!("arn:aws:iam::{ORG_MEMBER_ACCOUNT}:role/reader"),
            format!("arn:aws:iam::{EXTERNAL_ACCOUNT}:role/partner-sync"),
            format!("arn:aws:iam::{ORG_MEMBER_ACCOUNT}:user/ops"),
        ];
        let count = 1 + r.below(5);
        let mut list = Vec::new();
        for k in 0..count {
            let mut st = match r.weighted(&[
                ("cross", 25),
                ("deny_not_org", 15),
                ("lockdown", 12),
                ("same_role", 18),
                ("rotation", 10),
                ("insecure", 10),
                ("org_read", 10),
                ("star_arn", 30),
                ("vpce", 8),
                ("not_principal", 12),
                ("not_principal_bare", 2),
                ("star_cost_center", 10),
                ("user_grant", 8),
            ]) {
                "cross" => {
                    let principal = match r.below(4) {
                        0 => json!(format!("arn:aws:iam::{ORG_MEMBER_ACCOUNT}:root")),
                        1 => json!(ORG_MEMBER_ACCOUNT),
                        2 => json!(format!("arn:aws:iam::{EXTERNAL_ACCOUNT}:root")),
                        _ => json!([r.pick(&external), r.pick(&external)]),
                    };
                    json!({"Effect": "Allow", "Principal": {"AWS": principal},
                        "Action": [sm_act(&mut r, "GetSecretValue"),
                                   sm_act(&mut r, "DescribeSecret")],
                        "Resource": "*"})
                }
                "deny_not_org" => json!({"Effect": "Deny", "Principal": "*",
                    "Action": "secretsmanager:*", "Resource": "*",
                    "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": ORG_ID}}}),
                "lockdown" => json!({"Effect": "Deny", "Principal": {"AWS": "*"},
                "Action": sm_act(&mut r, "GetSecretValue"), "Resource": "*",
                "Condition": {"ArnNotLike": {"aws:PrincipalArn": [
                    format!("arn:aws:iam::{MAIN_ACCOUNT}:role/app/{app}-*"),
                    format!("arn:aws:iam::{MAIN_ACCOUNT}:role/Admin-*"),
                    format!("arn:aws:iam::{MAIN_ACCOUNT}:role/service-role/SecretsRotation-*")
                ]}}}),
                "same_role" => {
                    let n = 1 + r.below(4);
                    let arns: Vec<String> = (0..n)
                        .filter(|_| !roles.is_empty())
                        .map(|_| r.pick(&roles).arn.clone())
                        .collect();
                    let action = match r.below(3) {
                        0 => json!(sm_act(&mut r, "GetSecretValue")),
                        1 => json!("secretsmanager:Get*"),
                        _ => json!([
                            "secretsmanager:GetSecretValue",
                            "secretsmanager:PutSecretValue"
                        ]),
                    };
                    json!({"Effect": "Allow", "Principal": {"AWS": arns},
                        "Action": action, "Resource": "*"})
                }
                "rotation" => json!({"Effect": "Allow",
                    "Principal": {"AWS": format!(
                        "arn:aws:iam::{MAIN_ACCOUNT}:role/service-role/SecretsRotation-{app}-1")},
                    "Action": ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue",
                               "secretsmanager:PutSecretValue",
                               "secretsmanager:UpdateSecretVersionStage"],
                    "Resource": "*"}),
                "insecure" => json!({"Effect": "Deny", "Principal": "*",
                    "Action": "secretsmanager:*", "Resource": "*",
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}}}),
                "star_arn" => {
                    // `Principal: "*"` narrowed by the caller's ARN (one policy per team of
                    // readers: the lists differ from policy to policy).
                    let n = 1 + r.below(3);
                    let mut arns: Vec<String> = (0..n)
                        .filter(|_| !roles.is_empty())
                        .map(|_| r.pick(&roles).arn.clone())
                        .collect();
                    if r.chance(0.3) {
                        arns.push(format!("arn:aws:iam::{MAIN_ACCOUNT}:role/app/{app}-*"));
                    }
                    let mut condition = json!({"ArnLike": {"aws:PrincipalArn": arns}});
                    if r.chance(0.5) {
                        condition["StringEquals"] = json!({"aws:PrincipalOrgID": ORG_ID});
                    }
                    json!({"Effect": "Allow", "Principal": "*",
                        "Action": [sm_act(&mut r, "GetSecretValue"),
                                   sm_act(&mut r, "DescribeSecret")],
                        "Resource": "*", "Condition": condition})
                }
                "vpce" => json!({"Effect": "Deny", "Principal": "*",
                    "Action": sm_act(&mut r, "GetSecretValue"), "Resource": "*",
                    "Condition": {"StringNotEquals": {
                        "aws:SourceVpce": format!("vpce-{:017x}", r.next() >> 4)}}}),
                "not_principal" => {
                    let n = 1 + r.below(3);
                    let mut arns: Vec<String> = (0..n)
                        .filter(|_| !roles.is_empty())
                        .map(|_| r.pick(&roles).arn.clone())
                        .collect();
                    arns.push(format!("arn:aws:iam::{MAIN_ACCOUNT}:root"));
                    json!({"Effect": "Deny", "NotPrincipal": {"AWS": arns},
                        "Action": [sm_act(&mut r, "GetSecretValue"),
                                   sm_act(&mut r, "PutSecretValue")],
                        "Resource": "*"})
                }
                "not_principal_bare" => {
                    // The mistake the IAM guide warns about: the role but not its account.
                    let arn = roles.first().map_or_else(
                        || format!("arn:aws:iam::{MAIN_ACCOUNT}:role/ops"),
                        |p| p.arn.clone(),
                    );
                    json!({"Effect": "Deny", "NotPrincipal": {"AWS": [arn]},
                        "Action": sm_act(&mut r, "GetSecretValue"), "Resource": "*"})
                }
                "star_cost_center" => json!({"Effect": "Allow", "Principal": {"AWS": "*"},
                    "Action": sm_act(&mut r, "GetSecretValue"), "Resource": "*",
                    "Condition": {"StringEquals": {
                        "aws:PrincipalTag/cost-center": format!("cc-{:04}", r.below(COST_CENTERS)),
                        "aws:PrincipalAccount": MAIN_ACCOUNT}}}),
                "user_grant" => {
                    let users: Vec<&Persona> = self.personas.iter().filter(|p| p.is_user).collect();
                    let arn = if users.is_empty() {
                        format!("arn:aws:iam::{MAIN_ACCOUNT}:user/ops")
                    } else {
                        r.pick(&users).arn.clone()
                    };
                    json!({"Effect": "Allow", "Principal": {"AWS": arn},
                        "Action": [sm_act(&mut r, "GetSecretValue"),
                                   sm_act(&mut r, "UpdateSecret")],
                        "Resource": "*"})
                }
                _ => json!({"Effect": "Allow", "Principal": {"AWS": "*"},
                    "Action": [sm_act(&mut r, "DescribeSecret"), sm_act(&mut r, "GetSecretValue")],
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG_ID,
                                                   "aws:PrincipalTag/team": team}}}),
            };
            st["Sid"] = json!(format!("R{k}"));
            list.push(st);
        }
        json!({"Version": "2012-10-17", "Statement": list})
    }
}

fn sm_act(r: &mut Rng, name: &str) -> String {
    let x = r.below(100);
    if x < 2 {
        format!("secretsmanager:{name}").to_lowercase()
    } else if x < 3 {
        format!("SecretsManager:{name}")
    } else {
        format!("secretsmanager:{name}")
    }
}

fn aws_managed_policies() -> Vec<Value> {
    let doc = |arn: &str, name: &str, document: Value| {
        json!({"PolicyName": name, "PolicyId": format!("ANPA{name}"), "Arn": arn,
            "Path": "/", "DefaultVersionId": "v1", "AttachmentCount": 1,
            "PermissionsBoundaryUsageCount": 0, "IsAttachable": true,
            "CreateDate": "2015-02-06T18:39:46Z", "UpdateDate": "2015-02-06T18:39:46Z",
            "PolicyVersionList": [{"Document": document, "VersionId": "v1",
                "IsDefaultVersion": true, "CreateDate": "2015-02-06T18:39:46Z"}]})
    };
    vec![
        doc(
            "arn:aws:iam::aws:policy/AdministratorAccess",
            "AdministratorAccess",
            json!({"Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
        ),
        doc(
            "arn:aws:iam::aws:policy/SecretsManagerReadWrite",
            "SecretsManagerReadWrite",
            json!({"Version": "2012-10-17", "Statement": [
                {"Sid": "BasePermissions", "Effect": "Allow",
                 "Action": ["secretsmanager:*", "kms:DescribeKey", "kms:ListAliases",
                            "kms:ListKeys", "lambda:ListFunctions", "tag:GetResources"],
                 "Resource": "*"}]}),
        ),
    ]
}

fn boundary_policies() -> Vec<Value> {
    let doc = |name: &str, document: Value| {
        json!({"PolicyName": name, "PolicyId": format!("ANPAB{}", name.len()),
            "Arn": format!("arn:aws:iam::{MAIN_ACCOUNT}:policy/boundary/{name}"),
            "Path": "/boundary/", "DefaultVersionId": "v1", "AttachmentCount": 0,
            "PermissionsBoundaryUsageCount": 10, "IsAttachable": true,
            "CreateDate": "2025-01-01T00:00:00Z", "UpdateDate": "2025-01-01T00:00:00Z",
            "PolicyVersionList": [{"Document": document, "VersionId": "v1",
                "IsDefaultVersion": true, "CreateDate": "2025-01-01T00:00:00Z"}]})
    };
    let mut out = vec![doc(
        "Ceiling",
        json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "Ceiling", "Effect": "Allow",
             "Action": ["secretsmanager:*", "kms:Decrypt", "kms:DescribeKey", "s3:*", "logs:*",
                        "dynamodb:*", "ssm:GetParameter*", "ec2:Describe*"],
             "Resource": "*"},
            {"Sid": "NoPolicyEdits", "Effect": "Deny",
             "Action": ["secretsmanager:DeleteSecret", "secretsmanager:PutResourcePolicy", "iam:*"],
             "Resource": "*"}]}),
    )];
    for team in TEAMS {
        out.push(doc(
            &format!("Team-{team}"),
            json!({"Version": "2012-10-17", "Statement": [
                {"Sid": "TeamSecrets", "Effect": "Allow", "Action": "secretsmanager:*",
                 "Resource": [sm_arn("*", MAIN_ACCOUNT, &format!("{team}/*")),
                              sm_arn("*", MAIN_ACCOUNT, "shared/*"),
                              sm_arn("*", MAIN_ACCOUNT, "dev/*")]},
                {"Sid": "TeamTagged", "Effect": "Allow",
                 "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                 "Resource": "*",
                 "Condition": {"StringEquals": {"secretsmanager:ResourceTag/owner": team}}},
                {"Sid": "Other", "Effect": "Allow",
                 "Action": ["kms:Decrypt", "logs:*", "s3:Get*", "dynamodb:*"], "Resource": "*"}]}),
        ));
    }
    out
}

fn organizations() -> Value {
    let root = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "FullAWSAccess", "Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Sid": "ProtectSecrets", "Effect": "Deny",
         "Action": ["secretsmanager:DeleteSecret", "secretsmanager:PutResourcePolicy",
                    "secretsmanager:DeleteResourcePolicy"],
         "Resource": "*",
         "Condition": {"ArnNotLike": {"aws:PrincipalArn": ["arn:aws:iam::*:role/Admin-*",
                                                           "arn:aws:iam::*:role/ci/*"]}}},
        {"Sid": "RegionGuard", "Effect": "Deny",
         "NotAction": ["iam:*", "sts:*", "organizations:*", "support:*"],
         "Resource": "*",
         "Condition": {"StringNotEquals": {
             "aws:RequestedRegion": ["us-east-1", "eu-west-1", "us-west-2"]}}}]});
    let ou = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "AllowList", "Effect": "Allow",
         "Action": ["secretsmanager:*", "kms:*", "s3:*", "logs:*", "dynamodb:*", "ssm:*",
                    "ec2:*", "cloudwatch:*", "lambda:*", "sts:*", "iam:*"],
         "Resource": "*"},
        {"Sid": "TLSOnly", "Effect": "Deny", "Action": "secretsmanager:*", "Resource": "*",
         "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}}}]});
    let rcp = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "RCPFullAWSAccess", "Effect": "Allow", "Principal": "*", "Action": "*",
         "Resource": "*"},
        {"Sid": "OrgOnly", "Effect": "Deny", "Principal": "*", "Action": "secretsmanager:*",
         "Resource": "*",
         "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG_ID},
                       "StringNotLikeIfExists": {"aws:PrincipalAccount": EXTERNAL_ACCOUNT},
                       "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}]});
    let describe = |id: &str, name: &str, document: &Value| {
        json!({"Policy": {"PolicySummary": {"Id": id, "Name": name},
            "Content": document.to_string()}})
    };
    json!({"organization_id": ORG_ID,
        "scps": [[describe("p-FullAWSAccess", "root-guardrails", &root)],
                 [describe("p-prodallow", "prod-allow-list", &ou)]],
        "rcps": [[describe("p-rcp-org", "org-only-secrets", &rcp)]]})
}

fn write_json(path: &Path, value: &Value) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    let mut out = BufWriter::new(fs::File::create(path)?);
    serde_json::to_writer(&mut out, value)?;
    out.write_all(b"\n")?;
    out.flush()
}

fn secret_entry(s: &Secret) -> Value {
    let mut tags = Vec::new();
    if let Some(env) = s.env {
        tags.push(json!({"Key": "env", "Value": env}));
    }
    if let Some(owner) = s.owner {
        tags.push(json!({"Key": "owner", "Value": owner}));
    }
    tags.push(json!({"Key": "app", "Value": s.app}));
    if let Some(cc) = &s.cost_center {
        tags.push(json!({"Key": "cost-center", "Value": cc}));
    }
    if let Some(project) = &s.project {
        tags.push(json!({"Key": "project", "Value": project}));
    }
    let mut versions = serde_json::Map::new();
    for (k, stages) in s.stages.iter().enumerate() {
        versions.insert(version_id(&s.arn, k), json!(stages));
    }
    let mut entry = json!({"ARN": s.arn, "Name": s.name,
        "LastChangedDate": "2026-10-01T00:00:00Z", "LastAccessedDate": "2026-10-30T00:00:00Z",
        "Tags": tags, "SecretVersionsToStages": versions, "CreatedDate": "2025-03-01T00:00:00Z"});
    if s.rotation {
        entry["RotationEnabled"] = json!(true);
        entry["RotationLambdaARN"] = json!(format!(
            "arn:aws:lambda:{}:{MAIN_ACCOUNT}:function:SecretsRotation-{}",
            s.region, s.app
        ));
        entry["RotationRules"] = json!({"AutomaticallyAfterDays": 30});
        entry["LastRotatedDate"] = json!("2026-10-15T00:00:00Z");
    }
    if let Some(service) = s.owning_service {
        entry["OwningService"] = json!(service);
    }
    if let Some((team, by_alias)) = s.kms {
        entry["KmsKeyId"] = if by_alias {
            json!(format!("alias/{}-secrets", TEAMS[team]))
        } else {
            json!(key_arn(s.region, 1 + team))
        };
    }
    entry
}

/// The ARN of key `k` of a region: 0 is the AWS managed key `aws/secretsmanager`, 1 + i the
/// customer managed key of team `TEAMS[i]`.
fn key_arn(region: &str, k: usize) -> String {
    let r = REGIONS
        .iter()
        .position(|(name, _)| *name == region)
        .unwrap_or(0);
    format!("arn:aws:kms:{region}:{MAIN_ACCOUNT}:key/{k:08x}-{r:04x}-4000-8000-00000000a11e")
}

/// The KMS files of a region: keys, aliases and key policies. Teams' keys follow three real
/// shapes: the default key policy (the account delegates to IAM, so readers also need
/// `kms:Decrypt` in their identity policies), a policy naming a few roles and not the account,
/// and the `aws/secretsmanager` shape (anyone of the account through Secrets Manager).
fn kms_files(region: &str, personas: &[Persona]) -> (Value, Value, Value) {
    let root = format!("arn:aws:iam::{MAIN_ACCOUNT}:root");
    let via = format!("secretsmanager.{region}.amazonaws.com");
    let through_secrets_manager = |sid: &str| {
        json!({"Sid": sid, "Effect": "Allow", "Principal": {"AWS": "*"},
            "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*",
                       "kms:CreateGrant", "kms:DescribeKey"],
            "Resource": "*",
            "Condition": {"StringEquals": {"kms:CallerAccount": MAIN_ACCOUNT,
                                           "kms:ViaService": via}}})
    };
    let mut metadata = vec![
        json!({"KeyMetadata": {"KeyId": key_arn(region, 0).rsplit('/').next(),
        "Arn": key_arn(region, 0), "KeyManager": "AWS", "KeyState": "Enabled",
        "AWSAccountId": MAIN_ACCOUNT}}),
    ];
    let mut aliases = vec![json!({"AliasName": "alias/aws/secretsmanager",
        "AliasArn": format!("arn:aws:kms:{region}:{MAIN_ACCOUNT}:alias/aws/secretsmanager"),
        "TargetKeyId": key_arn(region, 0).rsplit('/').next()})];
    let mut policies = vec![json!({"KeyId": key_arn(region, 0), "PolicyName": "default",
        "Policy": json!({"Version": "2012-10-17", "Id": "auto-secretsmanager-2", "Statement": [
            through_secrets_manager("Allow access through AWS Secrets Manager"),
            {"Sid": "Allow direct access to key metadata to the account", "Effect": "Allow",
             "Principal": {"AWS": root}, "Action": ["kms:Describe*", "kms:Get*", "kms:List*",
             "kms:RevokeGrant"], "Resource": "*"}]}).to_string()})];
    for (i, team) in TEAMS.iter().enumerate() {
        let arn = key_arn(region, 1 + i);
        let id = arn.rsplit('/').next().unwrap_or_default().to_owned();
        metadata.push(
            json!({"KeyMetadata": {"KeyId": id, "Arn": arn, "KeyManager": "CUSTOMER",
            "KeyState": "Enabled", "AWSAccountId": MAIN_ACCOUNT}}),
        );
        aliases.push(json!({"AliasName": format!("alias/{team}-secrets"),
            "AliasArn": format!("arn:aws:kms:{region}:{MAIN_ACCOUNT}:alias/{team}-secrets"),
            "TargetKeyId": id}));
        let readers: Vec<&str> = personas
            .iter()
            .filter(|p| !p.is_user && p.team == *team)
            .take(4)
            .map(|p| p.arn.as_str())
            .collect();
        let admin = json!({"Sid": "Key administrators", "Effect": "Allow",
            "Principal": {"AWS": format!("arn:aws:iam::{MAIN_ACCOUNT}:role/Admin-0")},
            "Action": ["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*",
                       "kms:Update*", "kms:Revoke*", "kms:Disable*", "kms:Get*",
                       "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion"],
            "Resource": "*"});
        let statements = match i % 3 {
            0 => json!([{"Sid": "Enable IAM User Permissions", "Effect": "Allow",
                         "Principal": {"AWS": root}, "Action": "kms:*", "Resource": "*"},
                        admin]),
            1 => json!([admin,
                        {"Sid": "Allow use of the key", "Effect": "Allow",
                         "Principal": {"AWS": readers},
                         "Action": ["kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"],
                         "Resource": "*"}]),
            _ => json!([
                admin,
                through_secrets_manager("Allow the account through Secrets Manager")
            ]),
        };
        policies.push(json!({"KeyId": arn, "PolicyName": "default",
            "Policy": json!({"Version": "2012-10-17", "Statement": statements}).to_string()}));
    }
    (
        json!(metadata),
        json!({"Aliases": aliases}),
        json!(policies),
    )
}

fn version_id(arn: &str, k: usize) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in arn.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    let mut text = String::new();
    let _ = write!(
        text,
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        hash as u32,
        (hash >> 32) as u16,
        (hash >> 48) as u16 & 0xfff,
        k,
        hash >> 16
    );
    text
}

fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let groups = args.rp_groups.unwrap_or_else(|| (args.secrets / 14).max(2));
    if args.accounts > 1 {
        generate_organization(
            args.accounts,
            args.principals,
            args.secrets,
            groups,
            &args.seed,
            &args.out,
        )?;
        eprintln!(
            "wrote {} accounts of {} principals, {} secrets, {} resource policies each to {}",
            args.accounts,
            args.principals,
            args.secrets,
            groups,
            args.out.display()
        );
        return Ok(());
    }
    generate(args.principals, args.secrets, groups, &args.seed, &args.out)?;
    eprintln!(
        "wrote {} principals, {} secrets, {} resource policies to {}",
        args.principals,
        args.secrets,
        groups,
        args.out.display()
    );
    Ok(())
}

/// The id of the `k`-th account of a generated organization: the main account, the member
/// account its resource policies already grant, then `5000000000kk`.
pub fn organization_account(k: usize) -> String {
    match k {
        0 => MAIN_ACCOUNT.to_owned(),
        1 => ORG_MEMBER_ACCOUNT.to_owned(),
        _ => format!("{:012}", 500_000_000_000usize + k),
    }
}

/// Writes an organization directory: `accounts` account snapshots `out/<account-id>/`, each
/// generated like one account (its own seed, so no two look alike) and then moved to its
/// account: every `MAIN_ACCOUNT` of its files becomes its id, and every `ORG_MEMBER_ACCOUNT`
/// becomes `MAIN_ACCOUNT`, so that each account's cross-account grants (`Principal` of its
/// resource policies: the member account's root, roles and users) name another collected
/// account. Accounts sit in two OUs: the odd ones in a sandbox OU whose SCP denies reading
/// `prod/*` secrets anywhere, and whose RCP lets only the organization's main account and the
/// account itself read their secrets.
pub fn generate_organization(
    accounts: usize,
    principals: usize,
    secrets: usize,
    groups: usize,
    seed: &str,
    out: &Path,
) -> std::io::Result<()> {
    for k in 0..accounts {
        let account = organization_account(k);
        let dir = out.join(&account);
        let account_seed = if k == 0 {
            seed.to_owned()
        } else {
            format!("{seed}/account-{k}")
        };
        generate(principals, secrets, groups, &account_seed, &dir)?;
        if k > 0 {
            move_to_account(&dir, &account)?;
        }
        if k % 2 == 1 {
            sandbox_ou(&dir.join("organizations/policies.json"), &account)?;
        }
        let partner = if k == 0 {
            ORG_MEMBER_ACCOUNT
        } else {
            MAIN_ACCOUNT
        };
        for (region, _) in REGIONS {
            share_keys(&dir.join(region).join("kms/get-key-policy.json"), partner)?;
        }
    }
    Ok(())
}

/// Lets `partner` decrypt with the keys whose policy delegates to the account's IAM (the
/// default key policy shape): how a team shares a secret with another account of its
/// organization, the key side of the resource policies' cross-account grants.
fn share_keys(path: &Path, partner: &str) -> std::io::Result<()> {
    let mut outputs: Value = serde_json::from_str(&fs::read_to_string(path)?)?;
    for output in outputs.as_array_mut().into_iter().flatten() {
        let Some(text) = output["Policy"].as_str() else {
            continue;
        };
        let mut policy: Value = serde_json::from_str(text)?;
        let delegates = policy["Statement"].as_array().is_some_and(|statements| {
            statements
                .iter()
                .any(|s| s["Sid"] == "Enable IAM User Permissions")
        });
        if let (true, Some(statements)) = (delegates, policy["Statement"].as_array_mut()) {
            statements.push(json!({"Sid": "Allow the partner account to decrypt",
                "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{partner}:root")},
                "Action": ["kms:Decrypt", "kms:DescribeKey"], "Resource": "*"}));
            output["Policy"] = json!(policy.to_string());
        }
    }
    write_json(path, &outputs)
}

/// Rewrites every file under `dir` for `account` (see `generate_organization`).
fn move_to_account(dir: &Path, account: &str) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            move_to_account(&path, account)?;
            continue;
        }
        let text = fs::read_to_string(&path)?;
        let moved = text
            .replace(MAIN_ACCOUNT, "\u{0}")
            .replace(ORG_MEMBER_ACCOUNT, MAIN_ACCOUNT)
            .replace('\u{0}', account);
        fs::write(&path, moved)?;
    }
    Ok(())
}

/// Puts the account of `path` (its `organizations/policies.json`) in the sandbox OU.
fn sandbox_ou(path: &Path, account: &str) -> std::io::Result<()> {
    let mut levels: Value = serde_json::from_str(&fs::read_to_string(path)?)?;
    let scp = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "SandboxAllowList", "Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Sid": "SandboxNoProdReads", "Effect": "Deny", "Action": "secretsmanager:GetSecretValue",
         "Resource": "arn:aws:secretsmanager:*:*:secret:prod/*"}]});
    let rcp = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "RCPFullAWSAccess", "Effect": "Allow", "Principal": "*", "Action": "*",
         "Resource": "*"},
        {"Sid": "SandboxReaders", "Effect": "Deny", "Principal": "*",
         "Action": "secretsmanager:GetSecretValue", "Resource": "*",
         "Condition": {"StringNotEqualsIfExists": {
             "aws:PrincipalAccount": [MAIN_ACCOUNT, account]}}}]});
    let describe = |id: &str, name: &str, document: &Value| {
        json!({"Policy": {"PolicySummary": {"Id": id, "Name": name},
            "Content": document.to_string()}})
    };
    if let Some(scps) = levels["scps"].as_array_mut() {
        scps.push(json!([describe("p-sandbox", "sandbox-ou", &scp)]));
    }
    if let Some(rcps) = levels["rcps"].as_array_mut() {
        rcps.push(json!([describe("p-rcp-sandbox", "sandbox-readers", &rcp)]));
    }
    write_json(path, &levels)
}

/// Writes a snapshot of `principals` IAM principals and `secrets` secrets sharing `groups`
/// resource policies into `out` (also used by the equivalence test of `src/access`).
pub fn generate(
    principals: usize,
    secrets_count: usize,
    groups: usize,
    seed: &str,
    out: &Path,
) -> std::io::Result<()> {
    let seed = format!("1/{seed}");
    let secrets: Vec<Secret> = (0..secrets_count)
        .map(|j| make_secret(&seed, j, groups, principals))
        .collect();
    let mut by_owner: Vec<(&'static str, Vec<usize>)> = Vec::new();
    for (j, s) in secrets.iter().enumerate() {
        let owner = s.owner.unwrap_or("");
        match by_owner.iter_mut().find(|(o, _)| *o == owner) {
            Some((_, list)) => list.push(j),
            None => by_owner.push((owner, vec![j])),
        }
    }
    let personas: Vec<Persona> = (0..principals).map(|i| persona(&seed, i)).collect();
    let model = Model {
        seed: &seed,
        secrets,
        by_owner,
        personas,
        managed: (principals / 20).max(8),
    };

    let regions: Vec<&str> = REGIONS.iter().map(|(r, _)| *r).collect();
    let mut coverage = vec![
        json!({"region": "global", "api": "iam:GetAccountAuthorizationDetails",
        "status": "ok"}),
    ];
    for region in &regions {
        for api in [
            "secretsmanager:ListSecrets",
            "secretsmanager:GetResourcePolicy",
            "secretsmanager:ListSecretVersionIds",
            "kms:DescribeKey",
            "kms:ListAliases",
            "kms:GetKeyPolicy",
        ] {
            coverage.push(json!({"region": region, "api": api, "status": "ok"}));
        }
    }
    write_json(
        &out.join("snapshot.json"),
        &json!({"schema_version": 1, "account_id": MAIN_ACCOUNT, "partition": "aws",
            "organization_id": ORG_ID,
            "collected_at": COLLECTED_AT, "regions": regions, "coverage": coverage}),
    )?;

    let mut users = Vec::new();
    let mut roles = Vec::new();
    for p in &model.personas {
        let detail = model.principal_detail(p);
        if p.is_user {
            users.push(detail);
        } else {
            roles.push(detail);
        }
    }
    let mut policies: Vec<Value> = (0..model.managed)
        .map(|k| model.managed_policy(k))
        .collect();
    policies.extend(boundary_policies());
    policies.extend(aws_managed_policies());
    write_json(
        &out.join("iam/get-account-authorization-details.json"),
        &json!({"UserDetailList": users, "GroupDetailList": model.groups(),
            "RoleDetailList": roles, "Policies": policies}),
    )?;
    write_json(&out.join("organizations/policies.json"), &organizations())?;

    let rps: Vec<Value> = (0..=groups).map(|g| model.resource_policy(g)).collect();
    for region in &regions {
        let in_region: Vec<&Secret> = model
            .secrets
            .iter()
            .filter(|s| s.region == *region)
            .collect();
        let dir = out.join(region).join("secretsmanager");
        let list: Vec<Value> = in_region.iter().map(|s| secret_entry(s)).collect();
        write_json(&dir.join("list-secrets.json"), &json!({"SecretList": list}))?;
        let policies: Vec<Value> = in_region
            .iter()
            .map(|s| {
                let mut entry = json!({"ARN": s.arn, "Name": s.name});
                if s.group != 0 {
                    entry["ResourcePolicy"] = json!(rps[s.group].to_string());
                }
                entry
            })
            .collect();
        write_json(&dir.join("get-resource-policy.json"), &json!(policies))?;
        let versions: Vec<Value> = in_region
            .iter()
            .map(|s| {
                let list: Vec<Value> = s
                    .stages
                    .iter()
                    .enumerate()
                    .map(|(k, stages)| {
                        json!({"VersionId": version_id(&s.arn, k), "VersionStages": stages,
                            "CreatedDate": "2026-10-01T00:00:00Z"})
                    })
                    .collect();
                json!({"ARN": s.arn, "Name": s.name, "Versions": list})
            })
            .collect();
        write_json(&dir.join("list-secret-version-ids.json"), &json!(versions))?;
        let (keys, aliases, key_policies) = kms_files(region, &model.personas);
        let kms = out.join(region).join("kms");
        write_json(&kms.join("describe-key.json"), &keys)?;
        write_json(&kms.join("list-aliases.json"), &aliases)?;
        write_json(&kms.join("get-key-policy.json"), &key_policies)?;
    }
    Ok(())
}
