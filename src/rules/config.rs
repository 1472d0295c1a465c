//! `--config FILE`: per-rule parameter overrides and disabled rules,
//! `{"<rule id>": {"<param>": value}, "disabled": ["<rule id>", …]}`. Values may be numbers or
//! numeric strings and lists or comma-separated strings, as AWS Config passes them.
//!
//! This module validates a configuration against a catalogue (unknown rule ids and parameters
//! are errors naming their JSON path) and computes each rule's effective parameters; it reads no
//! files (the CLI hands it the text).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::catalogue::Catalogue;
use super::error::RuleError;
use super::meta::RuleMeta;
use super::params::{Params, describe};

/// Parameter overrides and disabled rules.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuleConfig {
    /// Rule id → parameter → value as written (validated against the catalogue).
    overrides: BTreeMap<String, BTreeMap<String, Value>>,
    disabled: BTreeSet<String>,
}

fn config_error(
    path: impl Into<crate::json_error::JsonPath>,
    message: impl Into<String>,
) -> RuleError {
    RuleError::Config(crate::json_error::JsonError::new(path, message))
}

impl RuleConfig {
    /// Reads a configuration and checks it against the built-in catalogue.
    pub fn from_json(text: &str) -> Result<RuleConfig, RuleError> {
        RuleConfig::from_json_for(text, &Catalogue::builtin()?)
    }

    /// Reads a configuration and checks it against `catalogue`.
    pub fn from_json_for(text: &str, catalogue: &Catalogue) -> Result<RuleConfig, RuleError> {
        let value: Value = serde_json::from_str(text).map_err(|cause| {
            RuleError::Config(crate::json_error::JsonError::in_text(format!(
                "invalid JSON: {cause}"
            )))
        })?;
        let map = value.as_object().ok_or_else(|| {
            config_error(
                "$",
                format!("expected an object, found {}", describe(&value)),
            )
        })?;
        let mut config = RuleConfig::default();
        for (key, value) in map {
            if key == "disabled" {
                let items = value.as_array().ok_or_else(|| {
                    config_error(
                        "disabled",
                        format!("expected a list of rule ids, found {}", describe(value)),
                    )
                })?;
                for (index, item) in items.iter().enumerate() {
                    let path = format!("disabled[{index}]");
                    let id = item.as_str().ok_or_else(|| {
                        config_error(
                            &path,
                            format!("expected a rule id, found {}", describe(item)),
                        )
                    })?;
                    if catalogue.get(id).is_none() {
                        return Err(config_error(path, format!("unknown rule `{id}`")));
                    }
                    config.disabled.insert(id.to_string());
                }
                continue;
            }
            let Some(meta) = catalogue.get(key) else {
                return Err(config_error(
                    key.as_str(),
                    format!("unknown rule `{key}`: expected a rule id or `disabled`"),
                ));
            };
            let params = value.as_object().ok_or_else(|| {
                config_error(
                    key.as_str(),
                    format!(
                        "expected an object of parameters, found {}",
                        describe(value)
                    ),
                )
            })?;
            let mut overrides = BTreeMap::new();
            for (name, value) in params {
                let path = format!("{key}.{name}");
                let Some(spec) = meta.parameters.get(name) else {
                    return Err(config_error(
                        path,
                        format!(
                            "unknown parameter `{name}` of rule `{key}`: expected {}",
                            expected_names(meta)
                        ),
                    ));
                };
                spec.coerce(value)
                    .map_err(|message| config_error(&path, message))?;
                overrides.insert(name.clone(), value.clone());
            }
            config.overrides.insert(key.clone(), overrides);
        }
        Ok(config)
    }

    /// Whether `--config` disabled the rule.
    pub fn is_disabled(&self, id: &str) -> bool {
        self.disabled.contains(id)
    }

    /// The disabled rule ids.
    pub fn disabled(&self) -> impl Iterator<Item = &str> {
        self.disabled.iter().map(String::as_str)
    }

    /// The effective parameters of `meta`: its defaults, overridden by this configuration.
    pub fn parameters(&self, meta: &RuleMeta) -> Result<Params, RuleError> {
        let overrides = self.overrides.get(&meta.id);
        let mut values = BTreeMap::new();
        for (name, spec) in &meta.parameters {
            let value = match overrides.and_then(|map| map.get(name)) {
                Some(raw) => spec
                    .coerce(raw)
                    .map_err(|message| config_error(format!("{}.{name}", meta.id), message))?,
                None => spec.default.clone(),
            };
            values.insert(name.clone(), value);
        }
        if let Some(unknown) = overrides
            .into_iter()
            .flat_map(BTreeMap::keys)
            .find(|name| !meta.parameters.contains_key(*name))
        {
            return Err(config_error(
                format!("{}.{unknown}", meta.id),
                format!(
                    "unknown parameter `{unknown}` of rule `{}`: expected {}",
                    meta.id,
                    expected_names(meta)
                ),
            ));
        }
        Ok(Params::new(&meta.id, values))
    }
}

fn expected_names(meta: &RuleMeta) -> String {
    if meta.parameters.is_empty() {
        "none (the rule has no parameters)".to_string()
    } else {
        meta.parameters
            .keys()
            .map(|name| format!("`{name}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}
