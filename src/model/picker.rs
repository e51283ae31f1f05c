//! The start picker's rows: the SSM stacks, then every ECS service of every cluster; what a typed
//! filter matches; their order; and what picking one yields.

use super::ecs::Rollout;
use std::cmp::Ordering;

/// One ECS service as the picker lists it (from DescribeServices).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceRow {
    pub cluster: String,
    pub service: String,
    /// ACTIVE, DRAINING or INACTIVE.
    pub status: String,
    pub running: i32,
    pub desired: i32,
    /// The PRIMARY deployment's rollout state.
    pub rollout: Rollout,
}

/// A row of the picker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Row {
    /// A stack with parameters under `/stackdeck/<name>/`.
    Stack(String),
    Service(ServiceRow),
}

/// What the user picked: the dashboard opens on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Picked {
    Stack(String),
    Service { cluster: String, service: String },
}

impl Row {
    pub fn picked(&self) -> Picked {
        match self {
            Row::Stack(name) => Picked::Stack(name.clone()),
            Row::Service(s) => Picked::Service {
                cluster: s.cluster.clone(),
                service: s.service.clone(),
            },
        }
    }

    /// The text a filter is matched against, lower-cased: the stack's name, or the cluster and
    /// the service (a new line between them, so that no word matches across the two).
    pub fn folded(&self) -> String {
        match self {
            Row::Stack(name) => name.to_lowercase(),
            Row::Service(s) => format!("{}\n{}", s.cluster, s.service).to_lowercase(),
        }
    }

    /// The picker's order: stacks first by name, then services by cluster and service.
    pub fn order(&self, other: &Row) -> Ordering {
        match (self, other) {
            (Row::Stack(a), Row::Stack(b)) => a.cmp(b),
            (Row::Stack(_), Row::Service(_)) => Ordering::Less,
            (Row::Service(_), Row::Stack(_)) => Ordering::Greater,
            (Row::Service(a), Row::Service(b)) => {
                (&a.cluster, &a.service).cmp(&(&b.cluster, &b.service))
            }
        }
    }
}

/// Does a row whose [`Row::folded`] text is `folded` match `filter`? Every word of the filter
/// must be a substring, case-insensitive, of the stack, the cluster or the service: `prod api`
/// matches the service `api` of the cluster `prod`. An empty filter matches every row.
pub fn matches(folded: &str, filter: &str) -> bool {
    filter
        .split_whitespace()
        .all(|word| folded.contains(&word.to_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(cluster: &str, service: &str) -> Row {
        Row::Service(ServiceRow {
            cluster: cluster.into(),
            service: service.into(),
            status: "ACTIVE".into(),
            running: 1,
            desired: 1,
            rollout: Rollout::Completed,
        })
    }

    #[test]
    fn a_filter_matches_substrings_of_the_stack_cluster_or_service_case_insensitively() {
        let api = service("Prod-East", "orders-API");
        assert!(matches(&api.folded(), ""));
        assert!(matches(&api.folded(), "api"));
        assert!(matches(&api.folded(), "PROD"));
        assert!(matches(&api.folded(), "east ord"), "each word anywhere");
        assert!(!matches(&api.folded(), "worker"));
        assert!(!matches(&api.folded(), "east-orders"), "not across fields");
        let stack = Row::Stack("courier-local".into());
        assert!(matches(&stack.folded(), "Courier"));
        assert!(!matches(&stack.folded(), "prod"));
    }

    #[test]
    fn stacks_come_first_then_services_by_cluster_and_service() {
        let mut rows = vec![
            service("b", "a"),
            Row::Stack("zeta".into()),
            service("a", "z"),
            service("a", "b"),
            Row::Stack("alpha".into()),
        ];
        rows.sort_by(Row::order);
        assert_eq!(
            rows,
            [
                Row::Stack("alpha".into()),
                Row::Stack("zeta".into()),
                service("a", "b"),
                service("a", "z"),
                service("b", "a"),
            ]
        );
    }

    #[test]
    fn picking_a_row_names_the_stack_or_the_cluster_and_service() {
        assert_eq!(Row::Stack("s".into()).picked(), Picked::Stack("s".into()));
        assert_eq!(
            service("c", "s").picked(),
            Picked::Service {
                cluster: "c".into(),
                service: "s".into()
            }
        );
    }
}
