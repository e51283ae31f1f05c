//! The subcommand `stacks` (every stack found), and the resolution of the stack every other
//! command starts with.

use super::{GlobalArgs, EXIT_ERROR, EXIT_OK};
use crate::aws::config::AwsTarget;
use crate::aws::discover::resolve::{resolve, Flags, Request};
use crate::aws::ssm::Discovery;
use crate::config::Config;
use crate::model::stack::StackResources;

/// The resources of the stack the flags and config name, or the exit code after saying why
/// there are none.
pub(super) async fn resolve_stack(
    global: &GlobalArgs,
    target: &AwsTarget,
    sdk: &aws_config::SdkConfig,
    config: &Config,
) -> Result<StackResources, i32> {
    let flags = Flags {
        cluster: global.cluster.as_deref(),
        service: global.service.as_deref(),
        tags: &global.tags,
    };
    let resolved = match Request::new(global.stack.clone(), flags, config) {
        Ok(request) => resolve(sdk, &target.profile_name(), &request).await,
        Err(e) => Err(e),
    };
    resolved.map_err(|e| {
        eprintln!("stackdeck: {e}");
        EXIT_ERROR
    })
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
