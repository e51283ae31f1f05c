//! `devstack drill NAME`: rehearse an incident on the local stack. Each drill injects one scripted
//! fault into the running stack, says which signal it should raise on the dashboard and how to
//! recover, and (where the signal needs it) keeps steady traffic going. `devstack drill --list`
//! prints them all.
//!
//! A drill acts only through what an incident would touch: the AWS API at the local endpoint (a
//! deployment, an SNS publish, a table gone), courier's database (load, rows) and the task
//! processes (a kill). It reads the stack from the SSM discovery parameters, as stackdeck does,
//! so the same drill runs against the local stack or a test's own stack.

mod bad_deploy;
mod deploy;
mod errors;
mod poison;
mod slow_db;
mod stall_worker;
mod target;
mod task_kill;

pub use poison::MESSAGES as POISON_MESSAGES;
pub use target::Target;

use anyhow::Result;

/// The drills, in the order `--list` prints them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Name {
    /// courier deployed without its worker: the queue grows, its alarms fire.
    StallWorker,
    /// A revision whose task exits at start: the circuit breaker fails it and rolls back.
    BadDeploy,
    /// Messages courier cannot process: the DLQ fills, its alarm fires.
    Poison,
    /// Load on the database: RDS CPU over its alarm.
    SlowDb,
    /// courier answering 5xx for a while: the 5xx alarm.
    Errors,
    /// A task killed: ECS replaces it, the stop reason shown.
    TaskKill,
}

/// What a drill does, what to look at while it runs and how to recover: printed by the drill and
/// by `--list`, and listed in the README.
pub struct About {
    pub fault: &'static str,
    pub look: &'static str,
    pub recover: &'static str,
}

impl Name {
    pub const ALL: [Name; 6] = [
        Name::StallWorker,
        Name::BadDeploy,
        Name::Poison,
        Name::SlowDb,
        Name::Errors,
        Name::TaskKill,
    ];

    /// The drill's name on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Name::StallWorker => "stall-worker",
            Name::BadDeploy => "bad-deploy",
            Name::Poison => "poison",
            Name::SlowDb => "slow-db",
            Name::Errors => "errors",
            Name::TaskKill => "task-kill",
        }
    }

    pub fn about(self) -> About {
        match self {
            Name::StallWorker => stall_worker::ABOUT,
            Name::BadDeploy => bad_deploy::ABOUT,
            Name::TaskKill => task_kill::ABOUT,
            Name::Poison => poison::ABOUT,
            Name::SlowDb => slow_db::ABOUT,
            Name::Errors => errors::ABOUT,
        }
    }
}

/// `devstack drill --list`: every drill with its fault, one block each.
pub fn list() -> String {
    let mut out = String::new();
    for name in Name::ALL {
        let about = name.about();
        out.push_str(&format!(
            "{}\n  fault:   {}\n  look at: {}\n  recover: {}\n",
            name.as_str(),
            about.fault,
            about.look,
            about.recover
        ));
    }
    out
}

/// Run the drill `name` against `target`: inject its fault, print what to look at and how to
/// recover, then (for the drills that need it) keep its traffic or load going until `--seconds`
/// end or ctrl-c.
pub async fn run(name: Name, target: &Target) -> Result<()> {
    let about = name.about();
    let (injected, then) = match name {
        Name::StallWorker => (stall_worker::inject(target).await?, Then::Traffic),
        Name::BadDeploy => (bad_deploy::inject(target).await?, Then::Nothing),
        Name::Poison => {
            let import = poison::inject(target).await?;
            (import.line(), Then::Commit(import))
        }
        Name::SlowDb => (slow_db::inject(target).await?, Then::Load),
        Name::Errors => {
            let (line, definition) = errors::inject(target).await?;
            (line, Then::Outage(definition))
        }
        Name::TaskKill => (task_kill::inject(target).await?, Then::Nothing),
    };
    println!("{}: {injected}", name.as_str());
    println!("  look at: {}", about.look);
    println!("  recover: {}", about.recover);
    match then {
        Then::Nothing => Ok(()),
        Then::Traffic => target.traffic().await,
        Then::Commit(import) => poison::commit_late(target, import).await,
        Then::Load => slow_db::run(target).await,
        Then::Outage(definition) => errors::outage(target, &definition).await,
    }
}

/// What a drill keeps doing once its fault is in, until `--seconds` end or ctrl-c.
enum Then {
    Nothing,
    /// Steady traffic (the fault shows only under load).
    Traffic,
    /// The poison drill's import, whose rows commit late.
    Commit(poison::Import),
    /// The slow-db drill's load on the database.
    Load,
    /// The errors drill's outage: the table, recreated from this definition at its end.
    Outage(errors::Definition),
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ValueEnum;

    #[test]
    fn every_drill_is_listed_under_its_command_line_name() {
        let list = list();
        for name in Name::ALL {
            let value = name.to_possible_value().unwrap();
            assert_eq!(value.get_name(), name.as_str());
            assert!(
                list.contains(&format!("{}\n  fault:", name.as_str())),
                "{list}"
            );
        }
        assert_eq!(Name::value_variants().len(), Name::ALL.len());
    }
}
