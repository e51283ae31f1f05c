//! `stackdeck doctor`: what stands between this machine and the dashboard, checked in order —
//! the profile, the credentials, the region, the caller's identity, the stack's discovery, then
//! every read stackdeck makes (`aws::permissions`), each tried once — as ✓/✗ rows with the fix.
//! Exit 0 when nothing failed, 1 otherwise.

mod report;

pub use report::{exit_code, read_row, Mark, Row};

use crate::aws::config::AwsTarget;
use crate::aws::preflight::{self, ProfileFound, Profiles, SharedFiles};
use crate::aws::probe::{self, Aim};
use crate::aws::ssm::Discovery;
use crate::aws::{permissions, sts};
use crate::cli::{Format, GlobalArgs};
use crate::config::Config;
use crate::model::stack::{discovery_path, StackResources};
use aws_config::SdkConfig;
use aws_types::os_shim_internal::{Env, Fs};

/// Every IAM action stackdeck reads with (discovery from SSM and from the AWS API, `status`, the
/// dashboard, the log panel), each once, in the order the tables name them.
pub fn reads() -> Vec<&'static str> {
    let mut actions: Vec<&'static str> = Vec::new();
    for table in [
        permissions::DISCOVER,
        permissions::DISCOVER_API,
        permissions::STATUS,
        permissions::DASHBOARD,
        permissions::LOGS,
    ] {
        for action in table {
            if !actions.contains(action) {
                actions.push(action);
            }
        }
    }
    actions
}

/// Run the checks and print them; the exit code.
pub async fn run(
    sdk: &SdkConfig,
    target: &AwsTarget,
    global: &GlobalArgs,
    config: &Config,
    format: Format,
) -> i32 {
    let profile = target.profile_name();
    let region = sdk.region().map(|r| r.to_string());
    let endpoint = sdk.endpoint_url().map(str::to_owned);
    let rows = checks(sdk, target, global, config).await;
    match format {
        Format::Text => {
            let mut header = format!(
                "stackdeck doctor: profile {profile}, region {}",
                region.as_deref().unwrap_or("(none)")
            );
            if let Some(endpoint) = &endpoint {
                header += &format!(", endpoint {endpoint}");
            }
            print!("{}", report::text(&header, &rows));
        }
        Format::Json => {
            let facts = serde_json::json!({
                "profile": profile,
                "region": region,
                "endpoint": endpoint,
                "stack": global.stack,
            });
            let json = report::json(facts, &rows);
            println!(
                "{}",
                serde_json::to_string_pretty(&json).expect("plain values")
            );
        }
    }
    exit_code(&rows)
}

async fn checks(
    sdk: &SdkConfig,
    target: &AwsTarget,
    global: &GlobalArgs,
    config: &Config,
) -> Vec<Row> {
    let env = Env::real();
    let name = target.profile_name();
    let files = SharedFiles::locate(&env);
    let mut rows = Vec::new();

    let profiles = Profiles::read(&env, &Fs::real()).await;
    rows.push(match &profiles {
        Err(why) => Row::fail("profile", why),
        Ok(profiles) => match preflight::profile(target, &env, profiles) {
            Ok(ProfileFound::DefaultChain) => Row::pass(
                "profile",
                format!("{name}: none named (--profile, AWS_PROFILE), so the SDK's default chain"),
            ),
            Ok(ProfileFound::In(name, found)) => {
                let found: Vec<String> = found.iter().map(|p| p.display().to_string()).collect();
                Row::pass("profile", format!("{name}, in {}", found.join(" and ")))
            }
            Err(why) => Row::fail("profile", &why),
        },
    });
    let sso = profiles.as_ref().is_ok_and(|p| p.is_sso(&name));

    let credentials = preflight::credentials(sdk, &name, sso).await;
    rows.push(match &credentials {
        Ok(provider) => Row::pass("credentials", format!("loaded, from {provider}")),
        Err(why) => Row::fail("credentials", why),
    });

    let region = preflight::region(sdk, &name, &files);
    rows.push(match &region {
        Ok(region) => Row::pass(
            "region",
            format!("{region}, from {}", region_source(target, &name)),
        ),
        Err(why) => Row::fail("region", why),
    });

    let identity = match (&credentials, &region) {
        (Ok(_), Ok(_)) => Some(sts::caller(sdk, &name).await),
        _ => None,
    };
    rows.push(match &identity {
        Some(Ok(id)) => Row::pass("identity", format!("account {}, {}", id.account, id.arn)),
        Some(Err(e)) => Row::fail("identity", &e.message),
        None => Row::skip("identity", "needs credentials and a region"),
    });
    let (Some(Ok(identity)), Ok(region)) = (identity, region) else {
        rows.push(Row::skip("discovery", "needs the caller's identity"));
        rows.push(Row::skip("reads", "need the caller's identity"));
        return rows;
    };

    let (resources, row) = discovery(sdk, global, config, &name).await;
    rows.push(row);
    let no_live_tail = crate::aws::logs::live_tail_unreachable(sdk.endpoint_url());
    let aim = Aim {
        resources: &resources,
        account: &identity.account,
        region: &region,
        profile: &name,
        no_live_tail: no_live_tail.as_deref(),
    };
    let tried = reads()
        .into_iter()
        .map(|action| async move { read_row(action, probe::try_action(sdk, action, &aim).await) });
    rows.extend(futures_util::future::join_all(tried).await);
    rows
}

/// Where the region came from, in words.
fn region_source(target: &AwsTarget, profile: &str) -> String {
    if target.region.is_some() {
        "--region".into()
    } else if std::env::var("AWS_REGION").is_ok_and(|r| !r.is_empty()) {
        "AWS_REGION".into()
    } else {
        format!("profile {profile}")
    }
}

/// The stack's resources (its SSM parameters, over them the config file's and the flags'), and
/// the row that says what was found.
async fn discovery(
    sdk: &SdkConfig,
    global: &GlobalArgs,
    config: &Config,
    profile: &str,
) -> (StackResources, Row) {
    let mut flags: Vec<(String, String)> = Vec::new();
    flags.extend(global.cluster.clone().map(|c| ("cluster".to_owned(), c)));
    flags.extend(global.service.clone().map(|s| ("service".to_owned(), s)));
    let Some(stack) = global.stack.as_deref() else {
        let resources = StackResources {
            values: flags.iter().cloned().collect(),
            ..StackResources::default()
        };
        let why = "no stack given (pass --stack NAME; `stackdeck stacks` lists them): the reads \
                   below are tried on no particular resource";
        return (resources, Row::skip("discovery", why));
    };
    let path = discovery_path(stack);
    let mut found = match Discovery::new(sdk, profile.to_owned()).stack(stack).await {
        Ok(found) => found,
        Err(e) => {
            let resources = StackResources {
                stack: stack.to_owned(),
                ..StackResources::default()
            };
            return (resources, Row::fail("discovery", &e.message));
        }
    };
    let from_ssm = found.values.len();
    let mut overrides = config.stack(stack).resources;
    overrides.extend(flags);
    let others = overrides.len();
    found.values.extend(overrides);
    let lacks = found.missing();
    let lacks = match lacks.is_empty() {
        true => String::new(),
        false => format!("; it lacks {} (tried on no resource)", lacks.join(", ")),
    };
    let row = match (from_ssm, others) {
        (0, 0) => Row::fail(
            "discovery",
            &format!(
                "stack {stack}: no parameters under {path} (profile {profile}); check --stack and \
                 --region, or name the resources in the config file (`stackdeck stacks` lists \
                 the stacks found)"
            ),
        ),
        (n, 0) => Row::pass("discovery", format!("stack {stack}: {n} parameters under {path}{lacks}")),
        (n, m) => Row::pass(
            "discovery",
            format!("stack {stack}: {n} parameters under {path}, {m} from the config file and flags{lacks}"),
        ),
    };
    (found, row)
}
