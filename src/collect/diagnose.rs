//! Errors a person can act on when a live run cannot start: the SDK's error chain (often more
//! than a thousand characters) becomes one line, the cause first and a hint second. Three causes
//! are recognised: a `--profile` that no AWS configuration file defines (checked before any call:
//! the SDK's default chain would silently move on to other providers and never name it), no
//! credentials at all, and an endpoint that cannot be reached. Anything else keeps the SDK's last
//! words, shortened.

use std::path::{Path, PathBuf};

/// Where the shared AWS configuration files are: `AWS_CONFIG_FILE` and
/// `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/config` and `~/.aws/credentials`.
fn aws_files() -> (PathBuf, PathBuf) {
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    let from_env = |name: &str, default: &str| {
        std::env::var_os(name)
            .filter(|value| !value.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| home.join(".aws").join(default))
    };
    (
        from_env("AWS_CONFIG_FILE", "config"),
        from_env("AWS_SHARED_CREDENTIALS_FILE", "credentials"),
    )
}

/// The profile names a config file (`[profile NAME]`, `[default]`) or a credentials file
/// (`[NAME]`) defines.
pub fn profile_names(text: &str, config_file: bool) -> Vec<String> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim();
            let inner = line.strip_prefix('[')?.strip_suffix(']')?.trim();
            if config_file {
                if inner == "default" {
                    return Some("default".to_owned());
                }
                let name = inner.strip_prefix("profile")?;
                name.starts_with(char::is_whitespace)
                    .then(|| name.trim().to_owned())
            } else {
                Some(inner.to_owned())
            }
        })
        .collect()
}

fn shown(path: &Path) -> String {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    match home.and_then(|home| path.strip_prefix(home).ok().map(Path::to_path_buf)) {
        Some(relative) => format!("~/{}", relative.display()),
        None => path.display().to_string(),
    }
}

/// `Some(message)` when `profile` is defined in neither AWS configuration file.
pub fn missing_profile(profile: &str) -> Option<String> {
    let (config, credentials) = aws_files();
    let read = |path: &Path| std::fs::read_to_string(path).unwrap_or_default();
    let defined = profile_names(&read(&config), true)
        .into_iter()
        .chain(profile_names(&read(&credentials), false))
        .any(|name| name == profile);
    (!defined).then(|| {
        format!(
            "profile `{profile}` not found in {} or {}; hint: `aws configure --profile {profile}` \
             (or `aws configure sso`), or pass an existing `--profile`",
            shown(&config),
            shown(&credentials)
        )
    })
}

/// One line for a failed first call (sts:GetCallerIdentity), from the SDK's error text.
pub fn start_failure(error_text: &str, endpoint: Option<&str>, profile: Option<&str>) -> String {
    let lower = error_text.to_ascii_lowercase();
    let target = endpoint.map_or_else(|| "the AWS endpoint".to_owned(), |url| format!("`{url}`"));
    if lower.contains("connection refused") {
        return format!(
            "cannot connect to {target}: connection refused; hint: check `AWS_ENDPOINT_URL` \
             and that the endpoint is running"
        );
    }
    if lower.contains("dns error") || lower.contains("failed to lookup address") {
        return format!(
            "cannot resolve {target}; hint: check the region, `AWS_ENDPOINT_URL` and the network"
        );
    }
    if lower.contains("timed out") || lower.contains("timeout") {
        return format!(
            "no answer from {target} in time; hint: check the network, a proxy or firewall, and \
             `AWS_ENDPOINT_URL`"
        );
    }
    if lower.contains("no providers in chain provided credentials")
        || lower.contains("credentialsnotloaded")
        || lower.contains("failed to load credentials")
    {
        let which = profile.map_or_else(String::new, |p| format!(" for profile `{p}`"));
        return format!(
            "no AWS credentials found{which}; hint: pass `--profile`, set `AWS_PROFILE`, run \
             `aws sso login`, or set `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`"
        );
    }
    if lower.contains("expiredtoken") || lower.contains("token has expired") {
        return "the AWS credentials have expired; hint: refresh them (`aws sso login`, or a new \
                session token)"
            .to_owned();
    }
    if lower.contains("invalidclienttokenid") || lower.contains("signaturedoesnotmatch") {
        return "the AWS credentials were rejected (unknown access key or wrong secret); hint: \
                check `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` or the profile"
            .to_owned();
    }
    // Unknown: the last, most specific part of the chain, kept short.
    let last = error_text
        .rsplit(": ")
        .find(|part| !part.trim().is_empty())
        .unwrap_or(error_text)
        .trim();
    let last: String = last.chars().take(200).collect();
    format!("cannot call sts:GetCallerIdentity: {last}; hint: `-vv` logs the whole SDK error")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_names_of_both_files() {
        let config = "[default]\nregion = us-east-1\n[profile prod]\nregion=eu-west-1\n[sso-session x]\n[profileless]\n";
        assert_eq!(profile_names(config, true), ["default", "prod"]);
        let credentials = "[default]\naws_access_key_id = A\n[ci]\n";
        assert_eq!(profile_names(credentials, false), ["default", "ci"]);
    }

    #[test]
    fn causes_come_first_with_a_hint() {
        let refused = "dispatch failure: io error: client error (Connect): tcp connect error: Connection refused (os error 111)";
        let line = start_failure(refused, Some("http://127.0.0.1:9"), None);
        assert!(
            line.starts_with("cannot connect to `http://127.0.0.1:9`: connection refused; hint:"),
            "{line}"
        );
        let none = "dispatch failure: other: failed to load credentials: an error occurred while loading credentials: no providers in chain provided credentials";
        let line = start_failure(none, None, Some("prod"));
        assert!(
            line.starts_with("no AWS credentials found for profile `prod`; hint:"),
            "{line}"
        );
        assert!(!line.contains("dispatch failure"));
        let other = "service error: unhandled error (Weird): something odd";
        let line = start_failure(other, None, None);
        assert!(
            line.starts_with("cannot call sts:GetCallerIdentity: something odd; hint:"),
            "{line}"
        );
    }
}
