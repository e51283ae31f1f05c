//! STS: who the credentials belong to (GetCallerIdentity needs no permission).

use super::error::{describe, AwsError};

/// The caller behind the credentials.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Identity {
    pub account: String,
    pub arn: String,
}

/// GetCallerIdentity with `sdk`'s credentials; `profile` names them in an error.
pub async fn caller(sdk: &aws_config::SdkConfig, profile: &str) -> Result<Identity, AwsError> {
    let who = aws_sdk_sts::Client::new(sdk)
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| describe(&e, "GetCallerIdentity", "the caller", profile))?;
    Ok(Identity {
        account: who.account().unwrap_or_default().to_owned(),
        arn: who.arn().unwrap_or_default().to_owned(),
    })
}
