//! Vacuous-test detection: a request whose action, context keys, resource ARN or principal ARN
//! does not exist in AWS can only be denied, so a test expecting a denial would pass whatever the
//! policies say. `secaudit test` checks every request against the catalogue
//! (`crate::catalogue`) unless the request or its file says `"allow_unknown": true`.

use crate::catalogue::{self, Catalogue, Service, arn_has_format, edit_distance as distance};
use crate::eval::{Principal, PrincipalType, Request};

use super::error::CaseError;

/// The first thing in `request` that the catalogue does not know, as an error at the field's
/// path (relative to the request).
pub(crate) fn check_request(request: &Request) -> Result<(), CaseError> {
    let catalogue = catalogue::catalogue();
    let hint = "; add `\"allow_unknown\": true` to the request if that is deliberate";
    let Some((service, action)) = catalogue.action(&request.action) else {
        return Err(CaseError::new(
            "action",
            format!(
                "unknown action `{}`{}{hint}",
                request.action,
                suggest_action(catalogue, &request.action)
            ),
        ));
    };
    for (key, _) in request.context.iter() {
        if catalogue.key_for_action(service, action, key).is_none() {
            let known_elsewhere = catalogue.any_key(key).is_some();
            let what = if known_elsewhere {
                format!(
                    "condition key `{key}` is not one that `{}:{}` requests carry",
                    service.prefix, action.name
                )
            } else {
                format!("unknown condition key `{key}`")
            };
            return Err(CaseError::new(
                format!("context.{key}"),
                format!("{what}{hint}"),
            ));
        }
    }
    check_resource(service, action, &request.resource)
        .map_err(|message| CaseError::new("resource", format!("{message}{hint}")))?;
    check_principal(catalogue, &request.principal)
        .map_err(|message| CaseError::new("principal", format!("{message}{hint}")))
}

fn check_resource(
    service: &Service,
    action: &catalogue::Action,
    resource: &str,
) -> Result<(), String> {
    let formats: Vec<&str> = service
        .resource_types(action)
        .map(|resource| resource.format)
        .collect();
    if resource == "*" {
        // Actions that act on no resource type are requested on `*`; an action with a
        // required resource type always names one.
        return if action.resources.iter().any(|(_, required)| *required) {
            Err(format!(
                "`{}:{}` acts on a resource ARN ({}), not `*`",
                service.prefix,
                action.name,
                formats.join(" or ")
            ))
        } else {
            Ok(())
        };
    }
    if formats.is_empty() {
        // No resource-level permissions: AWS evaluates such requests against `*`, but a test
        // may name the ARN of the service it concerns.
        return check_service_arn(service, resource);
    }
    if formats
        .iter()
        .any(|format| arn_has_format(resource, format))
    {
        Ok(())
    } else {
        Err(format!(
            "`{resource}` is not an ARN that `{}:{}` acts on (expected {})",
            service.prefix,
            action.name,
            formats.join(" or ")
        ))
    }
}

fn check_service_arn(service: &Service, resource: &str) -> Result<(), String> {
    let parts: Vec<&str> = resource.splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", partition, prefix, ..]
            if catalogue::PARTITIONS.contains(partition) && *prefix == service.prefix =>
        {
            Ok(())
        }
        _ => Err(format!(
            "`{resource}` is neither `*` nor an ARN of `{}`",
            service.prefix
        )),
    }
}

fn check_principal(catalogue: &Catalogue, principal: &Principal) -> Result<(), String> {
    let Principal::Arn(arn) = principal else {
        return Ok(());
    };
    let text = arn.arn();
    let (service, kind) = match arn.kind() {
        PrincipalType::Root => ("sts", "root-user"),
        PrincipalType::User => ("iam", "user"),
        PrincipalType::Role => ("iam", "role"),
        PrincipalType::FederatedUser => ("sts", "federated-user"),
        // The reference lists the session under `iam:`; its ARN is `arn:…:sts::A:assumed-role/R/S`,
        // whose parts `Principal::parse` already checks.
        PrincipalType::AssumedRole => ("", ""),
        PrincipalType::IdentityProvider if text.contains(":saml-provider/") => {
            ("iam", "saml-provider")
        }
        PrincipalType::IdentityProvider => ("iam", "oidc-provider"),
        // `lambda.amazonaws.com`: a service principal, not an ARN; `Principal::parse` checked
        // its shape.
        PrincipalType::Service => return Ok(()),
    };
    let partition = text.split(':').nth(1).unwrap_or_default();
    if !catalogue::PARTITIONS.contains(&partition) {
        return Err(format!(
            "`{text}`: unknown partition `{partition}` (expected one of {})",
            catalogue::PARTITIONS.join(", ")
        ));
    }
    let format = catalogue
        .service(service)
        .and_then(|service| service.resources.iter().find(|r| r.name == kind));
    match format {
        Some(format) if !arn_has_format(text, format.format) => Err(format!(
            "`{text}` is not a {kind} ARN (expected {})",
            format.format
        )),
        _ => Ok(()),
    }
}

/// `; did you mean `secretsmanager:GetSecretValue`?` for a near miss, or nothing.
fn suggest_action(catalogue: &Catalogue, action: &str) -> String {
    let (prefix, name) = action.split_once(':').unwrap_or((action, ""));
    let services: Vec<&Service> = match catalogue.service(prefix) {
        Some(service) => vec![service],
        None => catalogue
            .services
            .iter()
            .filter(|service| distance(service.prefix, prefix) <= 2)
            .collect(),
    };
    let best = services
        .iter()
        .flat_map(|service| {
            service.actions.iter().map(move |candidate| {
                let score = distance(
                    &candidate.name.to_ascii_lowercase(),
                    &name.to_ascii_lowercase(),
                ) + distance(service.prefix, &prefix.to_ascii_lowercase());
                (score, service.prefix, candidate.name)
            })
        })
        .min();
    match best {
        Some((score, prefix, name)) if score <= 3 => format!("; did you mean `{prefix}:{name}`?"),
        _ => String::new(),
    }
}
