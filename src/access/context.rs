//! The request context AWS would supply when a principal of the analysis calls an action on a
//! secret, and the keys the snapshot cannot settle.
//!
//! | key | value |
//! | --- | --- |
//! | `aws:PrincipalArn`, `aws:PrincipalAccount` | the user or role (a role's sessions report the role ARN) |
//! | `aws:PrincipalType` | `User`, or `AssumedRole` for a role's sessions |
//! | `aws:username`, `aws:userid` | users only; a role session's `userid` holds its session name: unknown |
//! | `aws:PrincipalTag/*` | the user's or role's tags (session tags are not in the snapshot) |
//! | `aws:PrincipalOrgID`, `aws:ResourceOrgID` | the organization id when the snapshot knows it, else unknown |
//! | `aws:PrincipalIsAWSService` | `false` |
//! | `aws:SecureTransport` | `true`: Secrets Manager endpoints accept HTTPS only |
//! | `aws:RequestedRegion` | the secret's region |
//! | `aws:ResourceAccount` | the secret's account |
//! | `aws:ResourceTag/*`, `secretsmanager:ResourceTag/*` | the secret's tags |
//! | `secretsmanager:SecretId` | the secret ARN |
//! | `secretsmanager:SecretPrimaryRegion` | `PrimaryRegion`, else the secret's region |
//! | `secretsmanager:resource/AllowRotationLambdaArn` | the rotation function, when set |
//! | `secretsmanager:VersionStage` | the stage judged (`GetSecretValue`) |
//!
//! Every other key a relevant statement reads is `ContextValue::Unknown` (source IP, VPC and
//! endpoint, MFA, time, user agent, called-via, request parameters of the action such as
//! `secretsmanager:ForceDeleteWithoutRecovery`), except keys AWS never sends for this request:
//! tags the principal or secret does not have, `aws:username` of a role, service-principal keys
//! of IAM principals, and the request parameters of other actions. Unknown keys make an allowed
//! entry `Conditional`, never silently allowed or denied.

use std::collections::BTreeSet;

use super::actions;
use super::model::{AnalysedPrincipal, SecretFacts};
use crate::eval::{Context, ContextValue};

/// What the context of one request is built from.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RequestFacts<'a> {
    pub principal: &'a AnalysedPrincipal,
    pub secret: &'a SecretFacts,
    pub action: &'a str,
    /// The stage judged (`GetSecretValue`), else `None`.
    pub stage: Option<&'a str>,
    pub organization_id: Option<&'a str>,
}

fn text(value: &str) -> ContextValue {
    ContextValue::String(value.to_owned())
}

/// The known keys of the request, in the order they are inserted (later inserts of the same
/// key, in any case, replace earlier ones).
fn known_keys(facts: &RequestFacts<'_>) -> Vec<(String, ContextValue)> {
    let principal = &facts.principal.facts;
    let secret = facts.secret;
    let mut out: Vec<(String, ContextValue)> = Vec::new();
    if let Some(arn) = &principal.arn {
        out.push(("aws:PrincipalArn".to_owned(), text(arn)));
    }
    if let Some(account) = &principal.account {
        out.push(("aws:PrincipalAccount".to_owned(), text(account)));
    }
    if let Some(kind) = principal.principal_type {
        out.push(("aws:PrincipalType".to_owned(), text(kind)));
    }
    if let Some(name) = &principal.username {
        out.push(("aws:username".to_owned(), text(name)));
    }
    if let Some(id) = &principal.userid {
        out.push(("aws:userid".to_owned(), text(id)));
    }
    for (key, value) in principal.tags.iter().flatten() {
        out.push((format!("aws:PrincipalTag/{key}"), text(value)));
    }
    if let Some(org) = principal_org(facts) {
        out.push(("aws:PrincipalOrgID".to_owned(), text(org)));
    }
    if let Some(org) = facts.organization_id {
        out.push(("aws:ResourceOrgID".to_owned(), text(org)));
    }
    if principal.in_account {
        out.push((
            "aws:PrincipalIsAWSService".to_owned(),
            ContextValue::Bool(false),
        ));
    }
    out.push(("aws:SecureTransport".to_owned(), ContextValue::Bool(true)));
    out.push(("aws:RequestedRegion".to_owned(), text(&secret.region)));
    out.push(("aws:ResourceAccount".to_owned(), text(&secret.account)));
    for (key, value) in &secret.tags {
        out.push((format!("aws:ResourceTag/{key}"), text(value)));
        out.push((format!("secretsmanager:ResourceTag/{key}"), text(value)));
    }
    out.push(("secretsmanager:SecretId".to_owned(), text(&secret.arn)));
    out.push((
        "secretsmanager:SecretPrimaryRegion".to_owned(),
        text(secret.primary_region.as_deref().unwrap_or(&secret.region)),
    ));
    if let Some(lambda) = &secret.rotation_lambda_arn {
        out.push((
            "secretsmanager:resource/AllowRotationLambdaArn".to_owned(),
            text(lambda),
        ));
    }
    if let Some(stage) = facts.stage {
        out.push(("secretsmanager:VersionStage".to_owned(), text(stage)));
    }
    out
}

/// `aws:PrincipalOrgID`: the account's organization for its own principals, the organization
/// an outsider question fixes for others (`outsiders`), else unknown.
fn principal_org<'a>(facts: &RequestFacts<'a>) -> Option<&'a str> {
    let principal = &facts.principal.facts;
    match facts.organization_id {
        Some(org) if principal.in_account => Some(org),
        _ => principal.organization.as_deref(),
    }
}

/// `aws:PrincipalType` of an anonymous caller (the IAM User Guide's table of principal keys).
pub(crate) const ANONYMOUS_TYPE: &str = "Anonymous";

/// Whether AWS leaves the lower-case `key` out of this request (as opposed to sending a value
/// the snapshot cannot know).
fn is_absent(facts: &RequestFacts<'_>, key: &str) -> bool {
    let principal = &facts.principal.facts;
    // An anonymous caller has no ARN, account, organization or tags.
    if principal.principal_type == Some(ANONYMOUS_TYPE) && key.starts_with("aws:principal") {
        return true;
    }
    if key.starts_with("aws:resourcetag/") || key.starts_with("secretsmanager:resourcetag/") {
        return true;
    }
    if key.starts_with("aws:principaltag/") {
        return principal.tags.is_some();
    }
    match key {
        "aws:username" => principal.principal_type.is_some_and(|kind| kind != "User"),
        "aws:principalservicename" | "aws:principalservicenameslist" => principal.in_account,
        "secretsmanager:resource/allowrotationlambdaarn" => true,
        "secretsmanager:versionstage" => {
            facts.stage.is_none() && !actions::is_parameter_of(facts.action, key)
        }
        _ => actions::is_any_parameter(key) && !actions::is_parameter_of(facts.action, key),
    }
}

/// The known value of one key (lower case), the same value `known_keys` gives it.
pub(crate) fn known_value(facts: &RequestFacts<'_>, key: &str) -> Option<ContextValue> {
    let principal = &facts.principal.facts;
    let secret = facts.secret;
    if let Some(tag) = key.strip_prefix("aws:principaltag/") {
        return principal
            .tags
            .as_ref()?
            .iter()
            .rev()
            .find(|(k, _)| k.eq_ignore_ascii_case(tag))
            .map(|(_, v)| text(v));
    }
    if let Some(tag) = key
        .strip_prefix("aws:resourcetag/")
        .or_else(|| key.strip_prefix("secretsmanager:resourcetag/"))
    {
        return secret.tag_value(tag).map(text);
    }
    match key {
        "aws:principalarn" => principal.arn.as_deref().map(text),
        "aws:principalaccount" => principal.account.as_deref().map(text),
        "aws:principaltype" => principal.principal_type.map(text),
        "aws:username" => principal.username.as_deref().map(text),
        "aws:userid" => principal.userid.as_deref().map(text),
        "aws:principalorgid" => principal_org(facts).map(text),
        "aws:resourceorgid" => facts.organization_id.map(text),
        "aws:principalisawsservice" => principal.in_account.then_some(ContextValue::Bool(false)),
        "aws:securetransport" => Some(ContextValue::Bool(true)),
        "aws:requestedregion" => Some(text(&secret.region)),
        "aws:resourceaccount" => Some(text(&secret.account)),
        "secretsmanager:secretid" => Some(text(&secret.arn)),
        "secretsmanager:secretprimaryregion" => Some(text(
            secret.primary_region.as_deref().unwrap_or(&secret.region),
        )),
        "secretsmanager:resource/allowrotationlambdaarn" => {
            secret.rotation_lambda_arn.as_deref().map(text)
        }
        "secretsmanager:versionstage" => facts.stage.map(text),
        _ => None,
    }
}

/// Builds the context of a request. With `only`, the context holds only those keys (lower
/// case): the analysis passes the keys its policies read, which decide exactly as the full
/// context does; without it, every known key is there. In both cases every key of `referenced`
/// that AWS would send but the snapshot cannot settle is `Unknown`.
pub(crate) fn build_context(
    facts: &RequestFacts<'_>,
    referenced: &BTreeSet<String>,
    only: Option<&BTreeSet<String>>,
) -> Context {
    let mut context = Context::new();
    match only {
        Some(keys) => {
            for key in keys {
                match known_value(facts, key) {
                    Some(value) => context.insert(key, value),
                    None if referenced.contains(key) && !is_absent(facts, key) => {
                        context.insert(key, ContextValue::Unknown);
                    }
                    None => {}
                }
            }
        }
        None => {
            for (key, value) in known_keys(facts) {
                context.insert(&key, value);
            }
            for key in referenced {
                if context.get(key).is_none() && !is_absent(facts, key) {
                    context.insert(key, ContextValue::Unknown);
                }
            }
        }
    }
    context
}

/// Where a context key's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeySide {
    /// The caller: the same for every request of one principal.
    Principal,
    /// The secret (tags, region, account, ARN, rotation function, primary region) or the stage
    /// judged: it varies from request to request.
    Secret,
    /// The rest of the request: constant for one (principal, action), known or unknown.
    Request,
}

/// The side of a lower-case key.
pub(crate) fn key_side(key: &str) -> KeySide {
    if key.starts_with("aws:principaltag/") {
        return KeySide::Principal;
    }
    if key.starts_with("aws:resourcetag/") || key.starts_with("secretsmanager:resourcetag/") {
        return KeySide::Secret;
    }
    match key {
        "aws:principalarn"
        | "aws:principalaccount"
        | "aws:principaltype"
        | "aws:username"
        | "aws:userid"
        | "aws:principalorgid"
        | "aws:principalisawsservice"
        | "aws:principalservicename"
        | "aws:principalservicenameslist" => KeySide::Principal,
        "aws:requestedregion"
        | "aws:resourceaccount"
        | "secretsmanager:secretid"
        | "secretsmanager:secretprimaryregion"
        | "secretsmanager:resource/allowrotationlambdaarn"
        | "secretsmanager:versionstage" => KeySide::Secret,
        _ => KeySide::Request,
    }
}

/// A secret with no attributes: stands in for the secret when only keys of other sides are
/// looked up (their values never read it).
fn no_secret() -> SecretFacts {
    SecretFacts {
        arn: String::new(),
        name: String::new(),
        region: String::new(),
        account: String::new(),
        tags: Vec::new(),
        custom_stages: Vec::new(),
        primary_region: None,
        rotation_lambda_arn: None,
        resource_policy: None,
        key: None,
        problems: Vec::new(),
    }
}

/// What a key holds in a request: a value, `Unknown`, or nothing (absent).
fn slot_of(facts: &RequestFacts<'_>, key: &str, referenced: bool) -> Option<ContextValue> {
    match known_value(facts, key) {
        Some(value) => Some(value),
        None if referenced && !is_absent(facts, key) => Some(ContextValue::Unknown),
        None => None,
    }
}

/// The principal half of every request context of one principal, built once per principal:
/// the principal-side keys (lower case) of the analysis with their values, `Unknown` where the
/// snapshot cannot know them; keys AWS leaves out are not there.
#[derive(Debug, Clone, Default)]
pub(crate) struct PrincipalContext {
    pairs: Vec<(String, ContextValue)>,
}

impl PrincipalContext {
    /// The principal-side keys of `keys` (lower case) for `principal`.
    pub(crate) fn build(
        principal: &AnalysedPrincipal,
        organization_id: Option<&str>,
        keys: &BTreeSet<String>,
    ) -> PrincipalContext {
        let secret = no_secret();
        let facts = RequestFacts {
            principal,
            secret: &secret,
            action: "",
            stage: None,
            organization_id,
        };
        let pairs = keys
            .iter()
            .filter(|key| key_side(key) == KeySide::Principal)
            .filter_map(|key| slot_of(&facts, key, true).map(|value| (key.clone(), value)))
            .collect();
        PrincipalContext { pairs }
    }

    /// The value of a principal-side variable: `Ok(Some(text))`, `Ok(None)` when absent or not
    /// a single string, `Err(())` when unknown.
    pub(crate) fn variable(&self, key: &str) -> Result<Option<&str>, ()> {
        match self.pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v) {
            Some(ContextValue::Unknown) => Err(()),
            Some(ContextValue::String(text)) => Ok(Some(text)),
            _ => Ok(None),
        }
    }

    fn insert_into(&self, context: &mut Context) {
        for (key, value) in &self.pairs {
            context.insert(key, value.clone());
        }
    }
}

/// The context of the class path for one (principal, action), reused from request to request:
/// the principal half and the request side go in once, each request replaces only the secret
/// side: of `only` (lower case, the keys the policies read), every key of the other sides,
/// `Unknown` for the keys of `referenced` AWS sends but the snapshot cannot settle. Decides
/// exactly as `build_context(facts, referenced, Some(only))`.
#[derive(Debug, Clone)]
pub(crate) struct ClassContext {
    context: Context,
    /// The secret-side keys of `only` (lower case) and whether `referenced` holds them.
    secret_keys: Vec<(String, bool)>,
}

impl ClassContext {
    pub(crate) fn new(
        principal: &AnalysedPrincipal,
        principal_context: &PrincipalContext,
        organization_id: Option<&str>,
        action: &str,
        referenced: &BTreeSet<String>,
        only: &BTreeSet<String>,
    ) -> ClassContext {
        let context = request_context(
            principal,
            principal_context,
            organization_id,
            action,
            only,
            |key| referenced.contains(key),
        );
        let secret_keys = only
            .iter()
            .filter(|key| key_side(key) == KeySide::Secret)
            .map(|key| (key.clone(), referenced.contains(key)))
            .collect();
        ClassContext {
            context,
            secret_keys,
        }
    }

    /// The context of the request `facts` (same principal and action), taken out until
    /// `give_back`.
    pub(crate) fn take(&mut self, facts: &RequestFacts<'_>) -> Context {
        for (key, referenced) in &self.secret_keys {
            match slot_of(facts, key, *referenced) {
                // Neighbouring requests often share a value: nothing to replace then.
                Some(value) if self.context.get(key) == Some(&value) => {}
                Some(value) => self.context.insert(key, value),
                None => self.context.remove(key),
            }
        }
        std::mem::take(&mut self.context)
    }

    /// Returns the context `take` lent.
    pub(crate) fn give_back(&mut self, context: Context) {
        self.context = context;
    }
}

/// The context of a (principal, action) without its secret: the principal half and the
/// request-side keys of `keys`. Conditions that read neither the secret nor the stage decide
/// the same on it as on every request of that principal and action.
pub(crate) fn action_context(
    principal: &AnalysedPrincipal,
    principal_context: &PrincipalContext,
    organization_id: Option<&str>,
    action: &str,
    keys: &BTreeSet<String>,
) -> Context {
    request_context(
        principal,
        principal_context,
        organization_id,
        action,
        keys,
        |_| true,
    )
}

/// The principal half and the request-side keys of `keys` (each known to the policies when
/// `referenced` says so), without the secret: what `ClassContext` and `action_context` share.
fn request_context(
    principal: &AnalysedPrincipal,
    principal_context: &PrincipalContext,
    organization_id: Option<&str>,
    action: &str,
    keys: &BTreeSet<String>,
    referenced: impl Fn(&str) -> bool,
) -> Context {
    let secret = no_secret();
    let facts = RequestFacts {
        principal,
        secret: &secret,
        action,
        stage: None,
        organization_id,
    };
    let mut context = Context::new();
    principal_context.insert_into(&mut context);
    for key in keys {
        if key_side(key) == KeySide::Request
            && let Some(value) = slot_of(&facts, key, referenced(key))
        {
            context.insert(key, value);
        }
    }
    context
}

/// A tag condition's context, reused for every value of one principal's tag conditions: the
/// principal half and the secret's value of one tag key.
#[derive(Debug, Clone)]
pub(crate) struct TagContext {
    context: Context,
    /// The tag key set by the last `with`, removed by the next one.
    last: Option<String>,
}

impl TagContext {
    pub(crate) fn new(principal: &PrincipalContext) -> TagContext {
        let mut context = Context::new();
        principal.insert_into(&mut context);
        TagContext {
            context,
            last: None,
        }
    }

    /// The context with `key` (lower case) set to `value`, or absent for `None`.
    pub(crate) fn with(&mut self, key: &str, value: Option<&str>) -> &Context {
        if let Some(last) = self.last.take() {
            self.context.remove(&last);
        }
        if let Some(value) = value {
            self.context.insert(key, text(value));
            self.last = Some(key.to_owned());
        }
        &self.context
    }
}
