//! The live tail: a `StartLiveTail` session where the endpoint can give one, and why not where it
//! cannot (the caller then polls).

use super::{synthetic_id, Logs};
use crate::aws::error::describe;
use crate::model::dashboard::LogLine;
use crate::model::logs::{TailEvent, TailMode};
use aws_sdk_cloudwatchlogs::types::StartLiveTailResponseStream;

/// StartLiveTail goes to `stream-<host>` (the SDK prefixes the endpoint's host): an endpoint
/// given as an IP address or `localhost` — a local emulator such as moto, which has no live
/// tail anyway — cannot answer it, and trying costs the retries of a failing name lookup.
pub fn live_tail_unreachable(endpoint: Option<&str>) -> Option<String> {
    let endpoint = endpoint?;
    let host = endpoint
        .split("://")
        .nth(1)
        .unwrap_or(endpoint)
        .split(['/', '?'])
        .next()?;
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(v6),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    let local = name == "localhost" || name.parse::<std::net::IpAddr>().is_ok();
    local.then(|| format!("the endpoint {endpoint} is a local address, which has no live tail"))
}

impl Logs {
    /// The group's ARN, which StartLiveTail wants: built from the caller's account (STS
    /// GetCallerIdentity needs no permission) so no extra Logs permission is needed.
    async fn group_arn(&self, group: &str) -> Result<String, String> {
        if group.starts_with("arn:") {
            return Ok(group.trim_end_matches(":*").to_owned());
        }
        let who = self
            .sts
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| describe(&e, "GetCallerIdentity", group, &self.profile).message)?;
        let account = who.account().unwrap_or_default();
        let partition = if self.region.starts_with("cn-") {
            "aws-cn"
        } else if self.region.starts_with("us-gov-") {
            "aws-us-gov"
        } else {
            "aws"
        };
        Ok(format!(
            "arn:{partition}:logs:{}:{account}:log-group:{group}",
            self.region
        ))
    }

    /// A live tail session. `Err(why)` when the endpoint cannot give one, before any event.
    pub(super) async fn live(
        &self,
        group: &str,
        pattern: Option<&str>,
        report: &mut impl FnMut(TailEvent) -> bool,
    ) -> Result<(), String> {
        if let Some(why) = &self.no_live_tail {
            return Err(why.clone());
        }
        let arn = self.group_arn(group).await?;
        let mut out = self
            .client
            .start_live_tail()
            .log_group_identifiers(arn)
            .set_log_event_filter_pattern(pattern.map(str::to_owned))
            .send()
            .await
            .map_err(|e| describe(&e, "StartLiveTail", group, &self.profile).message)?;
        // The first frame says whether the session really started.
        let mut started = false;
        loop {
            match out.response_stream.recv().await {
                Ok(Some(StartLiveTailResponseStream::SessionStart(_))) => {
                    started = true;
                    if !report(TailEvent::Mode(TailMode::Live)) {
                        return Ok(());
                    }
                }
                Ok(Some(StartLiveTailResponseStream::SessionUpdate(update))) => {
                    let lines: Vec<LogLine> = update
                        .session_results()
                        .iter()
                        .map(|e| {
                            let at_ms = e.timestamp().unwrap_or_default();
                            let stream = e.log_stream_name().unwrap_or_default().to_owned();
                            let message = e.message().unwrap_or_default().trim_end().to_owned();
                            LogLine {
                                id: synthetic_id(at_ms, &stream, &message),
                                at_ms,
                                stream,
                                message,
                            }
                        })
                        .collect();
                    if !report(TailEvent::Lines(lines)) {
                        return Ok(());
                    }
                }
                Ok(Some(_)) => {}
                // A session ends after three hours or on a server error: start over by polling.
                Ok(None) if started => return Err("the live tail session ended".into()),
                Ok(None) => return Err("StartLiveTail closed the stream at once".into()),
                Err(e) if !started => return Err(format!("StartLiveTail: {e}")),
                Err(e) => {
                    if !report(TailEvent::Error(format!("live tail: {e}"))) {
                        return Ok(());
                    }
                    return Err(format!("the live tail failed: {e}"));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::live_tail_unreachable;

    #[test]
    fn local_endpoints_skip_live_tail() {
        for local in [
            "http://127.0.0.1:4566",
            "http://localhost:4566/",
            "http://[::1]:4566",
            "10.0.0.5",
        ] {
            assert!(live_tail_unreachable(Some(local)).is_some(), "{local}");
        }
        for remote in [
            "https://logs.eu-west-1.amazonaws.com",
            "https://vpce-123.logs.eu-west-1.vpce.amazonaws.com:443",
        ] {
            assert_eq!(live_tail_unreachable(Some(remote)), None, "{remote}");
        }
        assert_eq!(live_tail_unreachable(None), None);
    }
}
