//! The per-policy action index: which statements can apply to an action of a given service,
//! so that evaluation skips the others without matching their actions; for the Secrets
//! Manager actions, the exact list of statements whose `Action`/`NotAction` matches.

use std::cmp::Ordering;

use super::Statement;
use crate::arn::wildcard::{self, Case, Colons};

/// The Secrets Manager actions (lower-case, sorted) whose matching statements every policy
/// lists in advance.
pub(crate) const KNOWN_ACTIONS: [&str; 23] = [
    "secretsmanager:batchgetsecretvalue",
    "secretsmanager:cancelrotatesecret",
    "secretsmanager:createsecret",
    "secretsmanager:deleteresourcepolicy",
    "secretsmanager:deletesecret",
    "secretsmanager:describesecret",
    "secretsmanager:getrandompassword",
    "secretsmanager:getresourcepolicy",
    "secretsmanager:getsecretvalue",
    "secretsmanager:listsecrets",
    "secretsmanager:listsecretversionids",
    "secretsmanager:putresourcepolicy",
    "secretsmanager:putsecretvalue",
    "secretsmanager:removeregionsfromreplication",
    "secretsmanager:replicatesecrettoregions",
    "secretsmanager:restoresecret",
    "secretsmanager:rotatesecret",
    "secretsmanager:stopreplicationtoreplica",
    "secretsmanager:tagresource",
    "secretsmanager:untagresource",
    "secretsmanager:updatesecret",
    "secretsmanager:updatesecretversionstage",
    "secretsmanager:validateresourcepolicy",
];

/// The service prefix every known action shares.
const KNOWN_SERVICE: &str = "secretsmanager:";

/// The longest known action name after [`KNOWN_SERVICE`].
const KNOWN_NAME_MAX: usize = 32;

/// The position of `action` (any case) in [`KNOWN_ACTIONS`]: the service compared in place,
/// the name lower-cased on the stack and compared with the known names of its length.
pub(crate) fn known_action(action: &str) -> Option<usize> {
    let (service, name) = action.as_bytes().split_at_checked(KNOWN_SERVICE.len())?;
    if name.len() > KNOWN_NAME_MAX
        || !service
            .iter()
            .zip(KNOWN_SERVICE.as_bytes())
            .all(|(&b, &known)| b.to_ascii_lowercase() == known)
    {
        return None;
    }
    let mut buffer = [0u8; KNOWN_NAME_MAX];
    let lower = buffer.get_mut(..name.len())?;
    for (slot, &b) in lower.iter_mut().zip(name) {
        *slot = b.to_ascii_lowercase();
    }
    let lower: &[u8] = lower;
    KNOWN_ACTIONS
        .iter()
        .position(|known| known.len() == action.len() && known.as_bytes().ends_with(lower))
}

/// Whether the statement's `Action` / `NotAction` element matches `action` (any case).
pub(crate) fn action_matches(statement: &Statement, action: &str) -> bool {
    let any = statement.actions.items.iter().any(|pattern| {
        wildcard::matches_shaped(
            &pattern.lower,
            pattern.shape,
            action,
            Case::Insensitive,
            Colons::Free,
        )
    });
    any != statement.actions.negated
}

/// Statement indices by lower-cased service prefix, plus the statements any service may hit
/// (`*`, a wildcard in the service, `NotAction`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ActionIndex {
    // INVARIANT: sorted by service, services unique; every index list ascending.
    by_service: Vec<(Box<str>, Vec<u32>)>,
    any_service: Vec<u32>,
    /// For each of [`KNOWN_ACTIONS`], the statements whose action element matches it.
    by_known: Vec<Vec<u32>>,
}

impl ActionIndex {
    pub(crate) fn build(statements: &[Statement]) -> ActionIndex {
        let mut index = ActionIndex {
            by_known: vec![Vec::new(); KNOWN_ACTIONS.len()],
            ..ActionIndex::default()
        };
        for (i, statement) in statements.iter().enumerate() {
            let Ok(i) = u32::try_from(i) else {
                break;
            };
            let literal_services: Option<Vec<&str>> = if statement.actions.negated {
                None
            } else {
                statement
                    .actions
                    .items
                    .iter()
                    .map(|a| a.service.as_deref())
                    .collect()
            };
            for (known, list) in KNOWN_ACTIONS.iter().zip(index.by_known.iter_mut()) {
                if action_matches(statement, known) {
                    list.push(i);
                }
            }
            let Some(mut services) = literal_services else {
                index.any_service.push(i);
                continue;
            };
            services.sort_unstable();
            services.dedup();
            for service in services {
                match index
                    .by_service
                    .binary_search_by(|(s, _)| s.as_ref().cmp(service))
                {
                    Ok(at) => index.by_service[at].1.push(i),
                    Err(at) => index.by_service.insert(at, (service.into(), vec![i])),
                }
            }
        }
        index
    }

    /// The statements whose action element matches the known action at `known` (ascending).
    pub(crate) fn for_known(&self, known: usize) -> &[u32] {
        self.by_known.get(known).map_or(&[][..], Vec::as_slice)
    }

    /// The statements that may apply to `action` (`service:Action`, any case) by its service:
    /// two ascending lists, disjoint.
    pub(crate) fn candidates(&self, action: &str) -> (&[u32], &[u32]) {
        let service = action
            .split_once(':')
            .map_or(action, |(service, _)| service);
        let by_service = self
            .by_service
            .binary_search_by(|(s, _)| cmp_lower(s, service))
            .map_or(&[][..], |at| &self.by_service[at].1);
        (by_service, &self.any_service)
    }
}

/// Compares lower-case `lower` with `other` folded to lower case on the fly.
fn cmp_lower(lower: &str, other: &str) -> Ordering {
    lower
        .bytes()
        .cmp(other.bytes().map(|b| b.to_ascii_lowercase()))
}
