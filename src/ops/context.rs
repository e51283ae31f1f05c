//! Who is acting, where, and how carefully ([`Context`]), and the audit line every attempt
//! writes through it.

use super::audit;
use crate::aws::autoscaling::Autoscaling;
use crate::aws::ecs_actions::EcsActions;
use crate::aws::sqs_actions::SqsActions;
use crate::model::audit::Record;
use crate::model::ecs::ServiceRef;
use crate::model::stack::StackResources;
use std::path::PathBuf;

/// Who is acting, where, and how carefully.
pub struct Context {
    pub sdk: aws_config::SdkConfig,
    pub profile: String,
    pub stack: StackResources,
    pub audit_path: PathBuf,
    pub read_only: bool,
    pub assume_yes: bool,
}

impl Context {
    pub fn region(&self) -> String {
        self.sdk
            .region()
            .map(|r| r.to_string())
            .unwrap_or_else(|| "unknown".into())
    }

    pub fn ecs(&self) -> EcsActions {
        EcsActions::new(&self.sdk, self.profile.clone())
    }

    pub fn autoscaling(&self) -> Autoscaling {
        Autoscaling::new(&self.sdk, self.profile.clone())
    }

    pub fn sqs(&self) -> SqsActions {
        SqsActions::new(&self.sdk, self.profile.clone())
    }

    /// The discovery parameter `key`, or the sentence saying it is missing and how to fix that.
    pub(super) fn require(&self, key: &str) -> Result<String, String> {
        self.stack.get(key).map(str::to_owned).ok_or_else(|| {
            format!(
                "{}: apply the stack's Terraform, or name it in the config file",
                self.stack.missing_message(key)
            )
        })
    }

    pub fn service(&self) -> Result<ServiceRef, String> {
        Ok(ServiceRef {
            cluster: self.require("cluster")?,
            service: self.require("service")?,
        })
    }

    /// The caller's ARN for the audit log (STS GetCallerIdentity needs no permission).
    pub async fn caller(&self) -> String {
        match aws_sdk_sts::Client::new(&self.sdk)
            .get_caller_identity()
            .send()
            .await
        {
            Ok(id) => id.arn().unwrap_or("unknown").to_owned(),
            Err(e) => format!("unknown ({})", aws_sdk_sts::error::DisplayErrorContext(&e)),
        }
    }

    /// Append one audit line. A failure to write it is returned as the sentence to show: the
    /// caller must report it (stderr for a command, the dialog or footer in the dashboard).
    pub async fn audit(
        &self,
        mutation_name: &str,
        target: &str,
        parameters: serde_json::Value,
        result: Result<(), &str>,
        refused: bool,
    ) -> Result<(), String> {
        let now = jiff::Timestamp::now();
        let record = Record {
            time: now.to_string(),
            unix: now.as_second(),
            user: self.caller().await,
            profile: self.profile.clone(),
            region: self.region(),
            stack: self.stack.stack.clone(),
            action: mutation_name.to_owned(),
            target: target.to_owned(),
            parameters,
            result: match (refused, result) {
                (true, _) => "refused".into(),
                (false, Ok(())) => "ok".into(),
                (false, Err(_)) => "error".into(),
            },
            error: result.err().map(str::to_owned),
        };
        audit::append(&self.audit_path, &record).map_err(|e| {
            format!(
                "could not write the audit log {}: {e} (the action itself {}); fix the file's directory or permissions",
                self.audit_path.display(),
                if record.result == "ok" {
                    "succeeded"
                } else {
                    "did not succeed"
                }
            )
        })
    }
}

/// `message`, followed by the audit log's failure if there was one.
pub fn with_audit_failure(message: String, audited: Result<(), String>) -> String {
    match audited {
        Ok(()) => message,
        Err(failure) => format!("{message}; and {failure}"),
    }
}

/// Audit an attempt refused before anything was planned (read-only, a missing parameter).
pub async fn refuse(ctx: &Context, action: &str, message: &str) -> Result<(), String> {
    ctx.audit(
        action,
        &ctx.stack.stack,
        serde_json::json!({}),
        Err(message),
        true,
    )
    .await
}
