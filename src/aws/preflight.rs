//! The checks before the first AWS call, each failing with one line that names the profile, the
//! cause and the fix: the profile named by `--profile` or `AWS_PROFILE` exists in the shared
//! files (read with the SDK's own profile parser), a region is set, and the credential chain gives
//! credentials. Without them the first call would fail with the SDK's words, after retries, and
//! a missing profile would look like a network problem.

use super::config::AwsTarget;
use super::error::{credentials_fix, root_cause, sso_portal_fix};
use aws_config::profile::ProfileSet;
use aws_config::SdkConfig;
use aws_runtime::env_config::file::{EnvConfigFileKind as ProfileFileKind, EnvConfigFiles};
use aws_sdk_sts::config::ProvideCredentials;
use aws_sdk_sts::error::DisplayErrorContext;
use aws_types::os_shim_internal::{Env, Fs};
use std::path::{Path, PathBuf};

/// The two shared files the SDK reads: `$AWS_CONFIG_FILE` else `~/.aws/config`, and
/// `$AWS_SHARED_CREDENTIALS_FILE` else `~/.aws/credentials`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharedFiles {
    pub config: PathBuf,
    pub credentials: PathBuf,
}

impl SharedFiles {
    pub fn locate(env: &Env) -> SharedFiles {
        let home = env.get("HOME").ok();
        let path = |var: &str, default: &str| {
            let path = env
                .get(var)
                .ok()
                .filter(|p| !p.is_empty())
                .unwrap_or_else(|| default.into());
            match (path.strip_prefix("~/"), &home) {
                (Some(rest), Some(home)) => Path::new(home).join(rest),
                _ => PathBuf::from(path),
            }
        };
        SharedFiles {
            config: path("AWS_CONFIG_FILE", "~/.aws/config"),
            credentials: path("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials"),
        }
    }
}

/// The profiles of the shared files, parsed as the SDK parses them; `None` for a file absent.
pub struct Profiles {
    pub files: SharedFiles,
    config: Option<ProfileSet>,
    credentials: Option<ProfileSet>,
}

impl Profiles {
    pub async fn read(env: &Env, fs: &Fs) -> Result<Profiles, String> {
        let files = SharedFiles::locate(env);
        let config = parse(env, fs, &files.config, ProfileFileKind::Config).await?;
        let credentials = parse(env, fs, &files.credentials, ProfileFileKind::Credentials).await?;
        Ok(Profiles {
            files,
            config,
            credentials,
        })
    }

    /// The files that define profile `name`.
    pub fn found_in(&self, name: &str) -> Vec<&Path> {
        [
            (&self.config, &self.files.config),
            (&self.credentials, &self.files.credentials),
        ]
        .into_iter()
        .filter(|(set, _)| set.as_ref().is_some_and(|s| s.get_profile(name).is_some()))
        .map(|(_, path)| path.as_path())
        .collect()
    }

    /// Whether profile `name` takes its credentials from an SSO session.
    pub fn is_sso(&self, name: &str) -> bool {
        [&self.config, &self.credentials]
            .into_iter()
            .flatten()
            .filter_map(|set| set.get_profile(name))
            .any(|p| p.get("sso_session").is_some() || p.get("sso_start_url").is_some())
    }

    /// Every profile of both files, sorted, once each.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = [&self.config, &self.credentials]
            .into_iter()
            .flatten()
            .flat_map(|set| set.profiles().map(str::to_owned))
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// "no such profile": the files read (an absent one said so) and the profiles there are.
    fn not_found(&self, name: &str, named_by: &str) -> String {
        let absent = |set: &Option<ProfileSet>| if set.is_none() { " (absent)" } else { "" };
        let names = self.names();
        let there = if names.is_empty() {
            "neither file has a profile".to_owned()
        } else {
            format!("the profiles there: {}", names.join(", "))
        };
        format!(
            "profile {name} (from {named_by}) is in neither {}{} nor {}{}; {there}; pass one of \
             them, or create it with `aws configure --profile {name}`",
            self.files.config.display(),
            absent(&self.config),
            self.files.credentials.display(),
            absent(&self.credentials),
        )
    }
}

/// One shared file parsed by the SDK's parser; `None` when it does not exist.
async fn parse(
    env: &Env,
    fs: &Fs,
    path: &Path,
    kind: ProfileFileKind,
) -> Result<Option<ProfileSet>, String> {
    let contents = match fs.read_to_end(path).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let files = EnvConfigFiles::builder()
        .with_contents(kind, contents)
        .build();
    aws_config::profile::load(fs, env, &files, None)
        .await
        .map(Some)
        .map_err(|e| {
            // The parser's words ("error parsing  on line 1:\n  Profile definition must end
            // with ']'": the contents were handed over without their path), on one line.
            let cause = root_cause(&e).replace("error parsing  on ", "");
            format!(
                "cannot parse {} ({}); fix the file, or point {} elsewhere",
                path.display(),
                cause.split_whitespace().collect::<Vec<_>>().join(" "),
                match kind {
                    ProfileFileKind::Config => "AWS_CONFIG_FILE",
                    _ => "AWS_SHARED_CREDENTIALS_FILE",
                }
            )
        })
}

/// The profile named by `--profile` (else `AWS_PROFILE`), and which of the two named it.
pub fn named_profile(target: &AwsTarget, env: &Env) -> Option<(String, &'static str)> {
    let named = |name: String, by| Some((name, by)).filter(|(n, _)| !n.is_empty());
    match &target.profile {
        Some(profile) => named(profile.clone(), "--profile"),
        None => named(env.get("AWS_PROFILE").ok()?, "AWS_PROFILE"),
    }
}

/// Where the profile in effect was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProfileFound {
    /// None named (or `default`, absent): the SDK's default chain, environment first.
    DefaultChain,
    /// Named, and defined in these files.
    In(String, Vec<PathBuf>),
}

/// The profile named explicitly exists in the shared files. A `default` profile that does not
/// exist is no error: the SDK's chain goes on to the environment and the instance role.
pub fn profile(target: &AwsTarget, env: &Env, profiles: &Profiles) -> Result<ProfileFound, String> {
    let Some((name, named_by)) = named_profile(target, env) else {
        return Ok(ProfileFound::DefaultChain);
    };
    let found: Vec<PathBuf> = profiles
        .found_in(&name)
        .into_iter()
        .map(Path::to_path_buf)
        .collect();
    match found.is_empty() {
        false => Ok(ProfileFound::In(name, found)),
        true if name == "default" => Ok(ProfileFound::DefaultChain),
        true => Err(profiles.not_found(&name, named_by)),
    }
}

/// The region the SDK will use, or what to do when there is none.
pub fn region(sdk: &SdkConfig, profile: &str, files: &SharedFiles) -> Result<String, String> {
    sdk.region().map(|r| r.to_string()).ok_or_else(|| {
        format!(
            "no region for profile {profile}: pass --region, set AWS_REGION, or add region to \
             profile {profile} in {}",
            files.config.display()
        )
    })
}

/// Credentials from the SDK's chain (no AWS call, unless the chain itself makes one: SSO, an
/// assumed role, the instance role); `Ok` names the provider that gave them. `sso`: the profile
/// gets them from an SSO session, which then is what to renew whatever the chain said.
pub async fn credentials(sdk: &SdkConfig, profile: &str, sso: bool) -> Result<String, String> {
    let Some(provider) = sdk.credentials_provider() else {
        return Err(format!(
            "no credential provider configured for profile {profile}; run `aws configure --profile {profile}`"
        ));
    };
    let e = match provider.provide_credentials().await {
        Ok(credentials) => return Ok(provider_name(&credentials)),
        Err(e) => e,
    };
    let chain = DisplayErrorContext(&e).to_string();
    let fix = credentials_fix(&chain, profile);
    if sso && !fix.starts_with("the SSO session") {
        let unreachable = ["dispatch failure", "timeout", "timed out"]
            .iter()
            .any(|words| chain.contains(words));
        return Err(sso_portal_fix(profile, &root_cause(&e), unreachable));
    }
    Err(fix)
}

/// The provider that gave `credentials` (`EnvironmentVariable`, `ProfileFile`, `SSO`, `IMDSv2` …):
/// the SDK keeps it private and shows it only in the credentials' `Debug`, which redacts the
/// secret.
fn provider_name(credentials: &aws_sdk_sts::config::Credentials) -> String {
    let debug = format!("{credentials:?}");
    debug
        .split_once("provider_name: \"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map_or_else(
            || "the SDK's default chain".to_owned(),
            |(name, _)| name.to_owned(),
        )
}

/// Every check above, in order, with the real environment and files: the first failure's line.
/// Shared files the SDK's parser refuses fail only a run that names a profile: the default
/// chain goes on without them (to the environment's credentials, say).
pub async fn check(target: &AwsTarget, sdk: &SdkConfig) -> Result<(), String> {
    let env = Env::real();
    let profiles = match Profiles::read(&env, &Fs::real()).await {
        Ok(profiles) => Some(profiles),
        Err(why) if named_profile(target, &env).is_some() => return Err(why),
        Err(_) => None,
    };
    if let Some(profiles) = &profiles {
        profile(target, &env, profiles)?;
    }
    let name = target.profile_name();
    region(sdk, &name, &SharedFiles::locate(&env))?;
    let sso = profiles.as_ref().is_some_and(|p| p.is_sso(&name));
    credentials(sdk, &name, sso).await?;
    Ok(())
}

#[cfg(test)]
#[path = "preflight_tests.rs"]
mod tests;
