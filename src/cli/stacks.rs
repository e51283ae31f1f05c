//! The subcommands about stacks: `stacks` (every stack found), `discover` (one stack's
//! resources), and the resolution of `--stack` every other command starts with.

use super::{Format, GlobalArgs, EXIT_ERROR, EXIT_OK};
use crate::aws::config::AwsTarget;
use crate::aws::ssm::Discovery;
use crate::model::stack::{discovery_path, StackResources, DISCOVERY_KEYS};

/// The resources of `--stack`, or the exit code after saying why there are none.
pub(super) async fn resolve_stack(
    global: &GlobalArgs,
    target: &AwsTarget,
    discovery: &Discovery,
) -> Result<StackResources, i32> {
    let Some(stack) = global.stack.as_deref() else {
        eprintln!("stackdeck: no stack given: pass --stack NAME or set STACKDECK_STACK (`stackdeck stacks` lists them)");
        return Err(EXIT_ERROR);
    };
    match discovery.stack(stack).await {
        Ok(found) if !found.values.is_empty() => Ok(found),
        Ok(_) => {
            eprintln!(
                "stackdeck: no parameters under {} (profile {}): check --stack and --region; `stackdeck stacks` lists the stacks found",
                discovery_path(stack),
                target.profile_name()
            );
            Err(EXIT_ERROR)
        }
        Err(e) => {
            eprintln!("stackdeck: {e}");
            Err(EXIT_ERROR)
        }
    }
}

/// `stackdeck stacks`: every stack under `/stackdeck/`, one a line.
pub(super) async fn stacks(discovery: &Discovery, target: &AwsTarget) -> i32 {
    match discovery.stacks().await {
        Ok(stacks) if stacks.is_empty() => {
            eprintln!(
                "stackdeck: no stacks under /stackdeck/ in this account and region (profile {})",
                target.profile_name()
            );
            EXIT_ERROR
        }
        Ok(stacks) => {
            for stack in stacks {
                println!("{stack}");
            }
            EXIT_OK
        }
        Err(e) => {
            eprintln!("stackdeck: {e}");
            EXIT_ERROR
        }
    }
}

/// `stackdeck discover`: the resources found for `--stack`, the contract's keys first, and on
/// stderr the keys it lacks.
pub(super) async fn discover(
    format: Format,
    global: &GlobalArgs,
    target: &AwsTarget,
    discovery: &Discovery,
) -> i32 {
    let found = match resolve_stack(global, target, discovery).await {
        Ok(found) => found,
        Err(code) => return code,
    };
    let stack = &found.stack;
    match format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&found).expect("plain map serialises")
        ),
        Format::Text => {
            println!("stack {stack}");
            for key in DISCOVERY_KEYS {
                println!("  {key:<18} {}", found.get(key).unwrap_or("(missing)"));
            }
            for (key, value) in found
                .values
                .iter()
                .filter(|(k, _)| !DISCOVERY_KEYS.contains(&k.as_str()))
            {
                println!("  {key:<18} {value}");
            }
        }
    }
    let missing = found.missing();
    if !missing.is_empty() {
        eprintln!(
            "stackdeck: stack {stack} lacks {} of the discovery parameters: {}",
            missing.len(),
            missing.join(", ")
        );
    }
    EXIT_OK
}
