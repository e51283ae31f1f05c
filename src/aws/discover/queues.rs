//! The queues a task definition names, confirmed, each with its DLQ from its RedrivePolicy.

use super::Discoverer;
use crate::aws::error::{describe, AwsError, AwsErrorKind};
use crate::model::discovery::{queue_name_of_arn, Arn, QueueRef};
use aws_sdk_sqs::types::QueueAttributeName;
use futures_util::future::join_all;

/// A confirmed queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Queue {
    pub url: String,
    pub arn: String,
    /// The DLQ's URL, where the RedrivePolicy names one.
    pub dlq: Option<String>,
}

impl Discoverer {
    /// Each candidate that is a queue, in order; a queue that is another's DLQ is left out of
    /// the list (it is shown as that queue's DLQ). Candidates that are not queues are skipped.
    pub(super) async fn queues(&self, refs: &[QueueRef]) -> Result<Vec<Queue>, AwsError> {
        let found: Vec<Option<Queue>> = join_all(refs.iter().map(|r| self.queue(r)))
            .await
            .into_iter()
            .collect::<Result<_, _>>()?;
        let found: Vec<Queue> = found.into_iter().flatten().collect();
        let dlqs: Vec<String> = found.iter().filter_map(|q| q.dlq.clone()).collect();
        let mut queues: Vec<Queue> = Vec::new();
        for queue in found {
            if !dlqs.contains(&queue.url) && !queues.iter().any(|q| q.url == queue.url) {
                queues.push(queue);
            }
        }
        Ok(queues)
    }

    /// `r` confirmed: its URL, ARN and DLQ; None when there is no such queue.
    async fn queue(&self, r: &QueueRef) -> Result<Option<Queue>, AwsError> {
        let url = match r {
            QueueRef::Url(url) => url.clone(),
            QueueRef::Name(name) => match self.queue_url(name, None).await? {
                Some(url) => url,
                None => return Ok(None),
            },
        };
        let out = self
            .sqs
            .get_queue_attributes()
            .queue_url(&url)
            .attribute_names(QueueAttributeName::QueueArn)
            .attribute_names(QueueAttributeName::RedrivePolicy)
            .send()
            .await;
        let out = match out {
            Ok(out) => out,
            Err(e) => {
                let err = describe(
                    &e,
                    "GetQueueAttributes",
                    &format!("queue {url}"),
                    &self.profile,
                );
                return match err.kind {
                    AwsErrorKind::NotFound | AwsErrorKind::Other => Ok(None),
                    _ => Err(err),
                };
            }
        };
        let attributes = out.attributes();
        let attribute = |name: QueueAttributeName| attributes.and_then(|a| a.get(&name)).cloned();
        let arn = attribute(QueueAttributeName::QueueArn).unwrap_or_default();
        let target = attribute(QueueAttributeName::RedrivePolicy).and_then(|policy| {
            let policy: serde_json::Value = serde_json::from_str(&policy).ok()?;
            policy["deadLetterTargetArn"].as_str().map(str::to_owned)
        });
        let dlq = match target {
            Some(target) => {
                let account = Arn::parse(&target).map(|a| a.account.to_owned());
                match queue_name_of_arn(&target) {
                    Some(name) => self.queue_url(name, account.as_deref()).await?,
                    None => None,
                }
            }
            None => None,
        };
        Ok(Some(Queue { url, arn, dlq }))
    }

    /// GetQueueUrl of `name` (in `account` when given); None when there is no such queue.
    async fn queue_url(
        &self,
        name: &str,
        account: Option<&str>,
    ) -> Result<Option<String>, AwsError> {
        let out = self
            .sqs
            .get_queue_url()
            .queue_name(name)
            .set_queue_owner_aws_account_id(account.map(str::to_owned))
            .send()
            .await;
        match out {
            Ok(out) => Ok(out.queue_url().map(str::to_owned)),
            Err(e) => {
                let err = describe(&e, "GetQueueUrl", &format!("queue {name}"), &self.profile);
                match err.kind {
                    AwsErrorKind::NotFound | AwsErrorKind::Other => Ok(None),
                    _ => Err(err),
                }
            }
        }
    }
}
