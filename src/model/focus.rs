//! One of a stack's several queues or services put first (`--queue NAME`, the dashboard's
//! chooser), so that every step acting on "the" queue or service acts on it.

use super::sqs::queue_name;
use super::stack::{numbered_key, StackResources};

impl StackResources {
    /// The stack with its queue named `name` (its name or URL) first, as `--queue NAME` asks: its
    /// `queue_url` and `dlq_url` trade places with the first queue's, so that every step that
    /// acts on "the" queue acts on it. The one-line error lists the stack's queues.
    pub fn focus_queue(&self, name: &str) -> Result<StackResources, String> {
        let queues = self.queues();
        let names: Vec<&str> = queues.iter().map(|(url, _)| queue_name(url)).collect();
        let Some(n) = queues
            .iter()
            .position(|(url, _)| *url == name || queue_name(url) == name)
            .map(|i| i + 1)
        else {
            return Err(format!(
                "--queue {name}: not a queue of stack {} (its queues: {}); pass one of them",
                self.stack,
                if names.is_empty() {
                    "none".into()
                } else {
                    names.join(", ")
                }
            ));
        };
        let mut focused = self.clone();
        for key in ["queue_url", "dlq_url"] {
            let (first, nth) = (self.get(key), self.get(&numbered_key(key, n)));
            for (at, value) in [(key.to_owned(), nth), (numbered_key(key, n), first)] {
                match value {
                    Some(v) => focused.values.insert(at, v.to_owned()),
                    None => focused.values.remove(&at),
                };
            }
        }
        Ok(focused)
    }

    /// The stack with its service `name` first, as the dashboard's chooser asks: its `service`
    /// and `cluster` (the first's where it names none) trade places with the first service's.
    pub fn focus_service(&self, name: &str) -> Result<StackResources, String> {
        let services = self.numbered("service");
        let Some(n) = services.iter().position(|s| *s == name).map(|i| i + 1) else {
            return Err(format!(
                "service {name}: not a service of stack {} (its services: {})",
                self.stack,
                services.join(", ")
            ));
        };
        let mut focused = self.clone();
        let first_cluster = self.get("cluster");
        let cluster = self.get(&numbered_key("cluster", n)).or(first_cluster);
        for (key, first, nth) in [
            ("service", self.get("service"), Some(name)),
            ("cluster", first_cluster, cluster),
        ] {
            for (at, value) in [(key.to_owned(), nth), (numbered_key(key, n), first)] {
                match value {
                    Some(v) => focused.values.insert(at, v.to_owned()),
                    None => focused.values.remove(&at),
                };
            }
        }
        Ok(focused)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn focus_queue_puts_the_named_queue_and_its_dlq_first() {
        let mut s = StackResources {
            stack: "s".into(),
            ..StackResources::default()
        };
        for (k, v) in [
            ("queue_url", "https://q/1/work"),
            ("dlq_url", "https://q/1/work-dlq"),
            ("queue_url_2", "https://q/1/events"),
            ("dlq_url_2", "https://q/1/events-dlq"),
        ] {
            s.values.insert(k.into(), v.into());
        }
        let f = s.focus_queue("events").unwrap();
        assert_eq!(
            f.queues(),
            [
                ("https://q/1/events", Some("https://q/1/events-dlq")),
                ("https://q/1/work", Some("https://q/1/work-dlq"))
            ]
        );
        assert_eq!(s.focus_queue("https://q/1/work").unwrap(), s);
        assert_eq!(
            s.focus_queue("nope").unwrap_err(),
            "--queue nope: not a queue of stack s (its queues: work, events); pass one of them"
        );
    }
}
