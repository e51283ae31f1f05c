//! `stackdeck discover`: the stack's resources, where each was found (SSM, config, flag, the
//! service, the task definition, a redrive policy, a tag, alarm dimensions) and what is missing
//! and why; as JSON; or as a config stanza to paste, so the next start needs no discovery call.

use super::stacks::resolve_stack;
use super::{DiscoverFormat, GlobalArgs, EXIT_OK};
use crate::aws::config::AwsTarget;
use crate::config::Config;
use crate::model::stack::{StackResources, DISCOVERY_KEYS};

pub(super) async fn discover(
    format: DiscoverFormat,
    global: &GlobalArgs,
    target: &AwsTarget,
    sdk: &aws_config::SdkConfig,
    config: &Config,
) -> i32 {
    let found = match resolve_stack(global, target, sdk, config).await {
        Ok(found) => found,
        Err(code) => return code,
    };
    match format {
        DiscoverFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&found).expect("plain map serialises")
        ),
        DiscoverFormat::Text => print!("{}", text(&found)),
        DiscoverFormat::Toml => print!("{}", stanza(&found)),
    }
    let missing = shown_keys(&found)
        .into_iter()
        .filter(|k| found.get(k).is_none())
        .collect::<Vec<_>>();
    if !missing.is_empty() {
        eprintln!(
            "stackdeck: stack {} lacks {}: {}",
            found.stack,
            missing.len(),
            missing.join(", ")
        );
    }
    EXIT_OK
}

/// The contract's keys (with `alarm_names` in place of `alarm_prefix` when discovery listed the
/// alarms), then every other key found.
fn shown_keys(found: &StackResources) -> Vec<String> {
    let mut keys: Vec<String> = DISCOVERY_KEYS
        .iter()
        .map(|k| match *k {
            "alarm_prefix" if found.get("alarm_names").is_some() => "alarm_names",
            other => other,
        })
        .map(str::to_owned)
        .collect();
    let extra: Vec<String> = found
        .values
        .keys()
        .chain(found.notes.keys())
        .filter(|k| !keys.contains(k) && !DISCOVERY_KEYS.contains(&k.as_str()))
        .cloned()
        .collect();
    for key in extra {
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys
}

/// One line a key: the key, where it was found (or "missing"), the value (or why it is missing).
pub fn text(found: &StackResources) -> String {
    let mut out = format!("stack {}\n", found.stack);
    for key in shown_keys(found) {
        let (source, value) = match found.get(&key) {
            Some(value) => (found.source(&key).to_string(), value.replace(',', ", ")),
            None => (
                "missing".to_owned(),
                found
                    .notes
                    .get(&key)
                    .cloned()
                    .unwrap_or_else(|| "not found".to_owned()),
            ),
        };
        out.push_str(&format!("  {key:<18} {source:<16} {value}\n"));
    }
    out
}

/// `[stacks.<name>.resources]` with every value found, to paste into the config file.
pub fn stanza(found: &StackResources) -> String {
    let resources: toml::Table = found
        .values
        .iter()
        .map(|(k, v)| (k.clone(), toml::Value::String(v.clone())))
        .collect();
    let mut stack = toml::Table::new();
    stack.insert("resources".into(), toml::Value::Table(resources));
    let mut stacks = toml::Table::new();
    stacks.insert(found.stack.clone(), toml::Value::Table(stack));
    let mut root = toml::Table::new();
    root.insert("stacks".into(), toml::Value::Table(stacks));
    format!(
        "# stackdeck discover: paste into the config file; with these the stack opens without discovery calls\n{}",
        toml::to_string(&root).expect("strings serialise")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::stack::Source;

    fn found() -> StackResources {
        let mut found = StackResources {
            stack: "orders.prod".into(),
            ..StackResources::default()
        };
        found.set("cluster", "c", Source::Flag);
        found.set("service", "api", Source::Flag);
        found.set("queue_url", "http://q/1/work", Source::TaskDefinition);
        found.set("alarm_names", "a,b", Source::AlarmDimensions);
        found.note(
            "log_group",
            "logs not in CloudWatch (container app logs with driver awsfirelens)",
        );
        found
    }

    #[test]
    fn text_names_each_source_and_each_reason() {
        let out = text(&found());
        assert!(out.starts_with("stack orders.prod\n"), "{out}");
        assert!(
            out.contains("  cluster            flag             c\n"),
            "{out}"
        );
        assert!(
            out.contains("  queue_url          task definition  http://q/1/work\n"),
            "{out}"
        );
        assert!(
            out.contains("  alarm_names        alarm dimensions a, b\n"),
            "{out}"
        );
        assert!(
            out.contains(
                "  log_group          missing          logs not in CloudWatch (container app"
            ),
            "{out}"
        );
        assert!(
            out.contains("  db_instance_id     missing          not found\n"),
            "{out}"
        );
        assert!(!out.contains("alarm_prefix"), "{out}");
    }

    #[test]
    fn the_stanza_parses_back_as_the_same_resources() {
        let out = stanza(&found());
        let config = Config::parse(&out, "stanza").expect(&out);
        let resources = config.stack("orders.prod").resources;
        assert_eq!(resources, found().values);
    }
}
