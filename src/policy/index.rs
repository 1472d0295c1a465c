//! The per-policy action index: which statements can apply to an action of a given service,
//! so that evaluation skips the others without matching their actions.

use std::cmp::Ordering;

use super::Statement;

/// Statement indices by lower-cased service prefix, plus the statements any service may hit
/// (`*`, a wildcard in the service, `NotAction`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ActionIndex {
    // INVARIANT: sorted by service, services unique; every index list ascending.
    by_service: Vec<(Box<str>, Vec<u32>)>,
    any_service: Vec<u32>,
}

impl ActionIndex {
    pub(crate) fn build(statements: &[Statement]) -> ActionIndex {
        let mut index = ActionIndex::default();
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

    /// The statements that may apply to an action of `service` (any case): two ascending
    /// lists, disjoint.
    pub(crate) fn candidates(&self, service: &str) -> (&[u32], &[u32]) {
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
