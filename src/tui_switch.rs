//! The runner's part of `:profile NAME` and `:region NAME` ([`Effect::SwitchAws`]): a new SDK
//! configuration built as at start (`aws::config::load`, the same endpoint override), the same
//! pre-flight checks, and the current stack resolved again through it. Only when all three
//! succeed does the runner take the new configuration (in its loop, before `update` hears of
//! it, so that the refresh and log tail `update` then asks for already use it); otherwise the
//! footer gets the one line why, and everything stays on the old profile and region.
//!
//! [`Effect::SwitchAws`]: crate::app::Effect::SwitchAws

use crate::app::{AwsSwitch, Msg, Switched};
use crate::aws::config::{self, AwsTarget};
use crate::aws::discover::resolve::{resolve, Flags, Request};
use crate::config::Config;
use crate::model::stack::{Source, StackResources};
use tokio::sync::mpsc;

/// Where the runner reads from: the flags (as `:profile` / `:region` changed them) and the SDK
/// configuration built from them.
#[derive(Clone, Debug)]
pub struct Aws {
    pub target: AwsTarget,
    pub sdk: aws_config::SdkConfig,
    /// The profile in effect, for messages, the audit log and the header.
    pub profile: String,
}

impl Aws {
    pub fn new(target: AwsTarget, sdk: aws_config::SdkConfig) -> Aws {
        let profile = target.profile_name();
        Aws {
            target,
            sdk,
            profile,
        }
    }

    /// The region in effect (the pre-flight checks made sure there is one).
    pub fn region(&self) -> String {
        region_of(&self.sdk)
    }
}

fn region_of(sdk: &aws_config::SdkConfig) -> String {
    sdk.region()
        .map_or_else(|| "no region".into(), ToString::to_string)
}

/// A switch that succeeded: what the runner takes, and the message for `update`.
pub struct Arrived {
    pub aws: Aws,
    pub msg: Msg,
}

/// Start the switch to `to` from `from`, re-resolving `stack`: a success arrives on `arrived`,
/// a failure on `tx` as `Msg::AwsSwitched(Err(..))`.
pub fn spawn(
    from: &Aws,
    to: AwsSwitch,
    stack: StackResources,
    config: &Config,
    tx: &mpsc::UnboundedSender<Msg>,
    arrived: &mpsc::UnboundedSender<Arrived>,
) {
    let (from, config, tx, arrived) = (from.clone(), config.clone(), tx.clone(), arrived.clone());
    tokio::spawn(async move {
        match switch(&from, &to, &stack, &config).await {
            Ok(switched) => {
                let _ = arrived.send(switched);
            }
            Err(why) => {
                let _ = tx.send(Msg::AwsSwitched(Err(why)));
            }
        }
    });
}

/// The target `to` asks for: `from`'s flags with the profile or the region replaced.
pub fn target(from: &AwsTarget, to: &AwsSwitch) -> AwsTarget {
    match to {
        AwsSwitch::Profile(name) => AwsTarget {
            profile: Some(name.clone()),
            ..from.clone()
        },
        AwsSwitch::Region(name) => AwsTarget {
            region: Some(name.clone()),
            ..from.clone()
        },
    }
}

/// What the stack was opened with, to find it again elsewhere: its name (SSM and the config's
/// stanza), and the `--cluster/--service` it was given, if any. (`--tag` is not kept with the
/// resources: a stack opened by its tags only is found again by its name.)
pub fn request(stack: &StackResources, config: &Config) -> Result<Request, String> {
    let flag = |key: &str| {
        (stack.sources.get(key) == Some(&Source::Flag))
            .then(|| stack.get(key))
            .flatten()
    };
    let flags = Flags {
        cluster: flag("cluster"),
        service: flag("service"),
        tags: &[],
    };
    Request::new(Some(stack.stack.clone()), flags, config)
}

async fn switch(
    from: &Aws,
    to: &AwsSwitch,
    stack: &StackResources,
    config: &Config,
) -> Result<Arrived, String> {
    let target = target(&from.target, to);
    let sdk = config::load(&target).await;
    // The checks name the profile as given on the command line; here `:profile` gave it.
    crate::aws::preflight::check(&target, &sdk)
        .await
        .map_err(|why| why.replacen("(from --profile)", "(from :profile)", 1))?;
    let aws = Aws::new(target, sdk);
    let (profile, region) = (aws.profile.clone(), aws.region());
    let still = format!("still on {} · {}", from.profile, from.region());
    let resources = match request(stack, config) {
        Ok(request) => resolve(&aws.sdk, &profile, &request).await,
        Err(e) => Err(e),
    }
    .map_err(|e| match to {
        // The stack's name is in the resolver's line; what was asked for goes first, as an
        // 80-column footer cuts the end.
        AwsSwitch::Region(_) => format!("{to}: {e} ({still})"),
        AwsSwitch::Profile(_) => format!("{to} in {region}: {e} ({still})"),
    })?;
    let msg = Msg::AwsSwitched(Ok(Switched {
        profile,
        region,
        resources,
    }));
    Ok(Arrived { aws, msg })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_switch_replaces_the_profile_or_the_region_and_keeps_the_rest() {
        let from = AwsTarget {
            profile: Some("staging".into()),
            region: None,
            endpoint_url: Some("http://127.0.0.1:4566".into()),
        };
        let to = target(&from, &AwsSwitch::Region("eu-west-2".into()));
        assert_eq!(to.profile.as_deref(), Some("staging"));
        assert_eq!(to.region.as_deref(), Some("eu-west-2"));
        assert_eq!(to.endpoint_url, from.endpoint_url);
        let to = target(&to, &AwsSwitch::Profile("prod-admin".into()));
        assert_eq!(to.profile.as_deref(), Some("prod-admin"));
        assert_eq!(
            to.region.as_deref(),
            Some("eu-west-2"),
            "the region given stays"
        );
        assert_eq!(to.endpoint_url, from.endpoint_url);
    }

    #[test]
    fn the_stack_is_found_again_by_its_name_and_the_service_it_was_given() {
        let mut stack = StackResources {
            stack: "courier".into(),
            ..StackResources::default()
        };
        stack.set("cluster", "apps", Source::Flag);
        stack.set("service", "courier", Source::Flag);
        stack.set("queue_url", "http://q", Source::TaskDefinition);
        let asked = request(&stack, &Config::default()).unwrap();
        assert_eq!(asked.stack.as_deref(), Some("courier"));
        assert_eq!(asked.cluster.as_deref(), Some("apps"));
        assert_eq!(asked.service.as_deref(), Some("courier"));
        let ssm = StackResources::from_parameters(
            "courier-local",
            vec![("/stackdeck/courier-local/cluster".into(), "c".into())],
        );
        let asked = request(&ssm, &Config::default()).unwrap();
        assert_eq!(asked.stack.as_deref(), Some("courier-local"));
        assert_eq!((asked.cluster, asked.service), (None, None));
    }
}
