//! What moto drops from a service and ECS keeps: the deployment configuration (minimum healthy
//! and maximum percent, the deployment circuit breaker, the deployment alarms), the capacity
//! provider strategy and `enableExecuteCommand` (ECS Exec, which stackdeck's exec checks first;
//! moto 5.2 has no such field at all). moto accepts them in CreateService / UpdateService; the
//! agent keeps what the requests set, per service ARN, and lays it over every DescribeServices,
//! CreateService and UpdateService answer, so the dashboard and Terraform read back what was set.
//! The control loop takes its deployment limits from here too.
//!
//! Kept in memory, as moto keeps the services: a service created before the agent started has
//! nothing kept and answers as moto does until its next UpdateService (Terraform sends one on
//! its next apply, as it sees the configuration missing).

use super::rollout::Limits;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::Mutex;

/// The kept fields by service ARN.
#[derive(Default)]
pub struct Configs {
    kept: Mutex<HashMap<String, Map<String, Value>>>,
}

/// The request fields kept, as ECS's API names them.
const KEPT: [&str; 3] = [
    "deploymentConfiguration",
    "capacityProviderStrategy",
    "enableExecuteCommand",
];

impl Configs {
    /// Keep what a CreateService or UpdateService `request` sets for the service `arn`. A
    /// deployment configuration given in part changes only the parts given (UpdateService
    /// keeps the rest, as ECS does).
    pub fn record(&self, arn: &str, request: &Value) {
        if arn.is_empty() {
            return;
        }
        let mut kept = self.kept.lock().expect("configs lock");
        let entry = kept.entry(arn.to_owned()).or_default();
        for key in KEPT {
            match (request.get(key), entry.get_mut(key)) {
                (None | Some(Value::Null), _) => {}
                (Some(Value::Object(given)), Some(Value::Object(old))) => {
                    for (k, v) in given {
                        old.insert(k.clone(), v.clone());
                    }
                }
                (Some(given), _) => {
                    entry.insert(key.to_owned(), given.clone());
                }
            }
        }
    }

    /// Lay the kept fields over one service of an answer (matched by its `serviceArn`). They
    /// replace moto's: moto answers `null`, or after an UpdateService only what that request
    /// gave, where ECS answers the whole configuration.
    pub fn lay_over(&self, service: &mut Value) {
        let arn = service["serviceArn"].as_str().unwrap_or_default();
        let kept = self.kept.lock().expect("configs lock");
        let Some(fields) = kept.get(arn) else {
            return;
        };
        for (key, value) in fields {
            service[key.as_str()] = value.clone();
        }
    }

    /// The deployment configuration kept for the service `arn` (`null` when none was).
    pub fn deployment_configuration(&self, arn: &str) -> Value {
        let kept = self.kept.lock().expect("configs lock");
        (kept
            .get(arn)
            .and_then(|fields| fields.get("deploymentConfiguration")))
        .cloned()
        .unwrap_or(Value::Null)
    }

    /// The deployment limits of the service `arn` from what was kept, where anything was.
    pub fn limits(&self, arn: &str) -> Option<Limits> {
        let kept = self.kept.lock().expect("configs lock");
        kept.get(arn)
            .and_then(|fields| fields.get("deploymentConfiguration"))
            .map(limits_of)
    }
}

impl Configs {
    /// The service's deployment alarms when they are enabled: their names, and whether an alarm
    /// rolls the deployment back (or only fails it).
    pub fn deployment_alarms(&self, arn: &str) -> Option<(Vec<String>, bool)> {
        let kept = self.kept.lock().expect("configs lock");
        let alarms = &kept.get(arn)?.get("deploymentConfiguration")?["alarms"];
        if !alarms["enable"].as_bool().unwrap_or(false) {
            return None;
        }
        let names: Vec<String> = (alarms["alarmNames"].as_array()?.iter())
            .filter_map(|n| n.as_str().map(str::to_owned))
            .collect();
        (!names.is_empty()).then(|| (names, alarms["rollback"].as_bool().unwrap_or(false)))
    }
}

/// Limits from a `deploymentConfiguration` in ECS's JSON: ECS's defaults for what it omits (a
/// circuit breaker left out is off, as in ECS).
pub fn limits_of(config: &Value) -> Limits {
    let default = Limits::default();
    let percent = |key: &str, or: i32| config[key].as_i64().map_or(or, |n| n as i32);
    let breaker = &config["deploymentCircuitBreaker"];
    Limits {
        minimum_healthy_percent: percent("minimumHealthyPercent", default.minimum_healthy_percent),
        maximum_percent: percent("maximumPercent", default.maximum_percent),
        circuit_breaker: breaker["enable"].as_bool().unwrap_or(false),
        rollback: breaker["rollback"].as_bool().unwrap_or(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ARN: &str = "arn:aws:ecs:eu-west-1:123456789012:service/c/s";

    #[test]
    fn what_create_and_update_set_is_laid_over_moto_s_null() {
        let configs = Configs::default();
        configs.record(
            ARN,
            &json!({
                "deploymentConfiguration": {
                    "minimumHealthyPercent": 100, "maximumPercent": 200,
                    "deploymentCircuitBreaker": {"enable": true, "rollback": true},
                },
                "capacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1, "base": 1}],
            }),
        );
        // An UpdateService that sets only the alarms keeps the percentages and the breaker.
        configs.record(
            ARN,
            &json!({"deploymentConfiguration": {"alarms": {"alarmNames": ["a"], "enable": true, "rollback": true}}}),
        );
        let mut service = json!({"serviceArn": ARN, "deploymentConfiguration": {"alarms": {}}});
        configs.lay_over(&mut service);
        let config = &service["deploymentConfiguration"];
        assert_eq!(config["maximumPercent"], 200);
        assert_eq!(config["deploymentCircuitBreaker"]["rollback"], true);
        assert_eq!(config["alarms"]["alarmNames"][0], "a");
        assert_eq!(
            service["capacityProviderStrategy"][0]["capacityProvider"],
            "FARGATE"
        );
        let limits = configs.limits(ARN).unwrap();
        assert!(limits.circuit_breaker && limits.rollback);

        // ECS Exec: set, then turned off again.
        configs.record(ARN, &json!({"enableExecuteCommand": true}));
        configs.lay_over(&mut service);
        assert_eq!(service["enableExecuteCommand"], true);
        configs.record(ARN, &json!({"enableExecuteCommand": false}));
        configs.lay_over(&mut service);
        assert_eq!(service["enableExecuteCommand"], false);

        let mut other = json!({"serviceArn": "arn:other", "deploymentConfiguration": null});
        configs.lay_over(&mut other);
        assert_eq!(other["deploymentConfiguration"], Value::Null);
        assert_eq!(configs.limits("arn:other"), None);
    }

    #[test]
    fn a_configuration_without_a_breaker_has_it_off_as_in_ecs() {
        let limits = limits_of(&json!({"minimumHealthyPercent": 50, "maximumPercent": 150}));
        assert_eq!(
            limits,
            Limits {
                minimum_healthy_percent: 50,
                maximum_percent: 150,
                circuit_breaker: false,
                rollback: false,
            }
        );
    }
}
