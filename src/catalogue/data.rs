//! The catalogue's model and its loader: the line format written by `scripts/gen-catalogue.py`
//! (documented there and in docs/lint.md), parsed once into borrowed slices of the embedded text.

use std::sync::OnceLock;

use crate::arn::wildcard::{self, Case, Colons};

/// The generated catalogue text, compiled into the binary.
const TEXT: &str = include_str!("../../data/aws-catalogue.txt");

/// The type of a condition key, as the reference gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyType {
    String,
    Arn,
    Bool,
    Numeric,
    Date,
    IpAddress,
}

/// A condition key: its name (placeholders such as `${TagKey}` written `*`), type and whether
/// it is multivalued (`ArrayOf…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub name: &'static str,
    pub kind: KeyType,
    pub multivalued: bool,
}

impl Key {
    /// Whether `key` (any case) is this key, placeholders matching any text.
    pub fn matches(&self, key: &str) -> bool {
        if self.name.contains('*') {
            wild(self.name, key)
        } else {
            self.name.eq_ignore_ascii_case(key)
        }
    }

    /// The type as the reference spells it (`ArrayOfString`, `ARN`, …).
    pub fn type_name(&self) -> String {
        let base = match self.kind {
            KeyType::String => "String",
            KeyType::Arn => "ARN",
            KeyType::Bool => "Bool",
            KeyType::Numeric => "Numeric",
            KeyType::Date => "Date",
            KeyType::IpAddress => "IPAddress",
        };
        if self.multivalued {
            format!("ArrayOf{base}")
        } else {
            base.to_owned()
        }
    }
}

/// A resource type of a service and the shape of its ARNs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceType {
    pub name: &'static str,
    /// `arn:${Partition}:secretsmanager:${Region}:${Account}:secret:${SecretId}`.
    pub format: &'static str,
}

/// An action: the resource types it acts on (`true`: required) and its condition keys (indices
/// into the service's lists).
#[derive(Debug, Clone)]
pub struct Action {
    pub name: &'static str,
    pub resources: Vec<(u16, bool)>,
    pub keys: Vec<u16>,
}

/// One service prefix (`secretsmanager`) with its resource types, keys and actions.
#[derive(Debug, Clone)]
pub struct Service {
    pub prefix: &'static str,
    pub resources: Vec<ResourceType>,
    pub keys: Vec<Key>,
    /// Sorted by lower-cased name.
    pub actions: Vec<Action>,
}

impl Service {
    /// The action called `name` (any case).
    pub fn action(&self, name: &str) -> Option<&Action> {
        self.actions
            .binary_search_by(|action| cmp_ignore_case(action.name, name))
            .ok()
            .map(|at| &self.actions[at])
    }

    /// The resource types `action` acts on.
    pub fn resource_types<'a>(
        &'a self,
        action: &'a Action,
    ) -> impl Iterator<Item = &'a ResourceType> + 'a {
        action
            .resources
            .iter()
            .filter_map(|(at, _)| self.resources.get(usize::from(*at)))
    }

    /// The service's own condition keys that `action` supports.
    pub fn action_keys<'a>(&'a self, action: &'a Action) -> impl Iterator<Item = &'a Key> + 'a {
        action
            .keys
            .iter()
            .filter_map(|at| self.keys.get(usize::from(*at)))
    }
}

/// The whole catalogue.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    /// Sorted by prefix.
    pub services: Vec<Service>,
    /// The global condition keys (`aws:SourceIp`, `aws:PrincipalTag/*`, …).
    pub globals: Vec<Key>,
    /// The first comment lines: the source, its version and licence.
    pub provenance: Vec<&'static str>,
}

/// The catalogue, parsed on first use.
pub fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| Catalogue::parse(TEXT))
}

impl Catalogue {
    /// Parses the generated line format; malformed lines are skipped (the file is generated and
    /// checked by the tests, not user input).
    pub fn parse(text: &'static str) -> Catalogue {
        let mut catalogue = Catalogue::default();
        for line in text.lines() {
            let mut fields = line.split('\t');
            match (fields.next(), fields.next(), fields.next(), fields.next()) {
                (Some(comment), ..) if comment.starts_with('#') => {
                    catalogue.provenance.push(comment.trim_start_matches("# "));
                }
                (Some("G"), Some(name), Some(kind), None) => {
                    if let Some(key) = key(name, kind) {
                        catalogue.globals.push(key);
                    }
                }
                (Some("S"), Some(prefix), None, None) => catalogue.services.push(Service {
                    prefix,
                    resources: Vec::new(),
                    keys: Vec::new(),
                    actions: Vec::new(),
                }),
                (Some(tag), Some(name), Some(third), fourth) => {
                    let Some(service) = catalogue.services.last_mut() else {
                        continue;
                    };
                    match (tag, fourth) {
                        ("R", None) => service.resources.push(ResourceType {
                            name,
                            format: third,
                        }),
                        ("K", None) => service.keys.extend(key(name, third)),
                        ("A", Some(keys)) => service.actions.push(Action {
                            name,
                            resources: third
                                .split(',')
                                .filter(|item| !item.is_empty())
                                .filter_map(|item| {
                                    let required = item.ends_with('*');
                                    item.trim_end_matches('*')
                                        .parse()
                                        .ok()
                                        .map(|at| (at, required))
                                })
                                .collect(),
                            keys: keys.split(',').filter_map(|at| at.parse().ok()).collect(),
                        }),
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        catalogue
            .services
            .sort_by(|a, b| cmp_ignore_case(a.prefix, b.prefix));
        for service in &mut catalogue.services {
            service
                .actions
                .sort_by(|a, b| cmp_ignore_case(a.name, b.name));
        }
        catalogue
    }

    /// The service with this prefix (any case).
    pub fn service(&self, prefix: &str) -> Option<&Service> {
        self.services
            .binary_search_by(|service| cmp_ignore_case(service.prefix, prefix))
            .ok()
            .map(|at| &self.services[at])
    }

    /// `service:Action` (any case), when both exist.
    pub fn action(&self, action: &str) -> Option<(&Service, &Action)> {
        let (prefix, name) = action.split_once(':')?;
        let service = self.service(prefix)?;
        service.action(name).map(|action| (service, action))
    }

    /// Every action an `Action` element value (`secretsmanager:Get*`, `*`) matches.
    pub fn actions_matching(&self, pattern: &str) -> Vec<(&Service, &Action)> {
        let (prefix, name) = pattern.split_once(':').unwrap_or((pattern, "*"));
        let literal = !prefix.contains(['*', '?']);
        let services: Vec<&Service> = if literal {
            self.service(prefix).into_iter().collect()
        } else {
            self.services
                .iter()
                .filter(|service| wild(prefix, service.prefix))
                .collect()
        };
        let mut found = Vec::new();
        for service in services {
            if !name.contains(['*', '?']) {
                found.extend(service.action(name).map(|action| (service, action)));
                continue;
            }
            found.extend(
                service
                    .actions
                    .iter()
                    .filter(|action| wild(name, action.name))
                    .map(|action| (service, action)),
            );
        }
        found
    }

    /// The global key `key` (any case) matches.
    pub fn global_key(&self, key: &str) -> Option<&Key> {
        self.globals.iter().find(|known| known.matches(key))
    }

    /// The key `key` as `action` of `service` supports it: a global key or one of the action's.
    pub fn key_for_action<'a>(
        &'a self,
        service: &'a Service,
        action: &'a Action,
        key: &str,
    ) -> Option<&'a Key> {
        self.global_key(key)
            .or_else(|| service.action_keys(action).find(|known| known.matches(key)))
            .or_else(|| {
                (service.prefix == "sts" && action.name == "AssumeRoleWithWebIdentity")
                    .then(|| oidc_claim_key(key))
                    .flatten()
            })
    }

    /// The key `key` wherever it is defined: global, or any service's list (the service of the
    /// same prefix first; an identity provider's keys, for one, are listed under `sts`).
    pub fn any_key(&self, key: &str) -> Option<&Key> {
        if let Some(known) = self.global_key(key) {
            return Some(known);
        }
        let prefix = key.split_once(':').map_or(key, |(prefix, _)| prefix);
        let own = self
            .service(prefix)
            .and_then(|service| service.keys.iter().find(|known| known.matches(key)));
        own.or_else(|| {
            self.services
                .iter()
                .flat_map(|service| service.keys.iter())
                .find(|known| known.matches(key))
        })
    }
}

fn key(name: &'static str, code: &str) -> Option<Key> {
    let (kind, multivalued) = match code {
        "s" => (KeyType::String, false),
        "S" => (KeyType::String, true),
        "a" => (KeyType::Arn, false),
        "A" => (KeyType::Arn, true),
        "b" => (KeyType::Bool, false),
        "B" => (KeyType::Bool, true),
        "n" => (KeyType::Numeric, false),
        "N" => (KeyType::Numeric, true),
        "d" => (KeyType::Date, false),
        "D" => (KeyType::Date, true),
        "i" => (KeyType::IpAddress, false),
        "I" => (KeyType::IpAddress, true),
        _ => return None,
    };
    Some(Key {
        name,
        kind,
        multivalued,
    })
}

/// `pattern` (`*`, `?`) matches `text`, both compared in lower case.
fn wild(pattern: &str, text: &str) -> bool {
    wildcard::matches(
        &pattern.to_ascii_lowercase(),
        &text.to_ascii_lowercase(),
        Case::Sensitive,
        Colons::Free,
    )
}

fn cmp_ignore_case(a: &str, b: &str) -> std::cmp::Ordering {
    a.bytes()
        .map(|byte| byte.to_ascii_lowercase())
        .cmp(b.bytes().map(|byte| byte.to_ascii_lowercase()))
}

/// The claims IAM passes on from any OIDC identity provider as `<provider URL>:<claim>` keys of
/// `sts:AssumeRoleWithWebIdentity` (`token.actions.githubusercontent.com:sub`): the provider's
/// URL is the account's own, so the reference cannot list it.
fn oidc_claim_key(key: &str) -> Option<&'static Key> {
    static CLAIMS: [Key; 6] = {
        const fn claim(name: &'static str) -> Key {
            Key {
                name,
                kind: KeyType::String,
                multivalued: false,
            }
        }
        [
            // `amr` lists the authentication methods: multivalued (`ForAnyValue:StringLike`).
            Key {
                name: "<provider>:amr",
                kind: KeyType::String,
                multivalued: true,
            },
            claim("<provider>:aud"),
            claim("<provider>:azp"),
            claim("<provider>:email"),
            claim("<provider>:oaud"),
            claim("<provider>:sub"),
        ]
    };
    let (provider, claim) = key.rsplit_once(':')?;
    // A provider is a host name with an optional path: `example.com/oidc`.
    let host = provider.split('/').next().unwrap_or_default();
    let looks_like_host = host.contains('.')
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    let known = CLAIMS.iter().find(|known| {
        known
            .name
            .strip_prefix("<provider>:")
            .is_some_and(|name| name.eq_ignore_ascii_case(claim))
    })?;
    looks_like_host.then_some(known)
}
