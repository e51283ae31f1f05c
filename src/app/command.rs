//! The command line behind `:`: one table ([`COMMANDS`]) of every command, its argument, its help
//! line and whether it mutates. The parser, the help overlay, the command line's hint and the
//! "unknown command" error all read it.

use crate::model::exec::ExecAsk;
use crate::model::mutation::Request;
use crate::model::rollback::Wanted;

/// A `:` line, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    Quit,
    Help,
    Stack(String),
    /// `:service [C/]NAME`: another ECS service, found from the AWS API.
    Service(String),
    /// `:profile NAME`: the same stack through another AWS profile.
    Profile(String),
    /// `:region NAME`: the same stack and profile in another region.
    Region(String),
    Theme(String),
    Audit,
    Timeline,
    /// A mutation: planned and confirmed first, refused under read-only.
    Mutate(Request),
    /// `:exec [TASK]`: a shell in the task's container (no mutation; refused under read-only
    /// unless the config allows it).
    Exec(ExecAsk),
}

/// One row of the table.
pub struct Spec {
    /// What is typed: the first is the name shown, the others are aliases.
    pub names: &'static [&'static str],
    /// The argument as the help writes it (`NAME`, `[REV]`, `[dlq]`), or empty.
    pub args: &'static str,
    /// The help overlay's line; `None`: not listed there.
    pub help: Option<&'static str>,
    /// Changes the stack: confirmed first, refused (and audited) under read-only, and left
    /// out of the help and hint of a read-only dashboard.
    pub mutates: bool,
    parse: fn(&Spec, Option<&str>) -> Result<Command, String>,
}

impl Spec {
    pub fn name(&self) -> &'static str {
        self.names[0]
    }

    /// `stack NAME`, `redeploy`: as the command line's hint writes it.
    pub fn usage(&self) -> String {
        if self.args.is_empty() {
            self.name().to_owned()
        } else {
            format!("{} {}", self.name(), self.args)
        }
    }

    /// A command that takes no argument, or says it does not.
    fn no_argument(&self, arg: Option<&str>, command: Command) -> Result<Command, String> {
        match arg {
            None => Ok(command),
            Some(extra) => Err(format!(
                ":{} takes no `{extra}` (usage: :{})",
                self.name(),
                self.usage()
            )),
        }
    }

    fn named(&self, arg: Option<&str>, command: fn(String) -> Command) -> Result<Command, String> {
        let verb = self.name();
        arg.map(|name| command(name.to_owned()))
            .ok_or_else(|| format!(":{verb} needs a name, e.g. :{verb} NAME"))
    }
}

/// Every `:` command, in the order the "unknown command" error and the hint list them (the help
/// overlay lists those that read first, then those that mutate).
pub const COMMANDS: &[Spec] = &[
    Spec {
        names: &["stack"],
        args: "NAME",
        help: Some("other stack"),
        mutates: false,
        parse: |spec, arg| spec.named(arg, Command::Stack),
    },
    Spec {
        names: &["service"],
        args: "[C/]NAME",
        help: Some("other ECS service"),
        mutates: false,
        parse: |spec, arg| spec.named(arg, Command::Service),
    },
    Spec {
        names: &["profile"],
        args: "NAME",
        help: Some("other AWS profile"),
        mutates: false,
        parse: |spec, arg| spec.named(arg, Command::Profile),
    },
    Spec {
        names: &["region"],
        args: "NAME",
        help: Some("other AWS region"),
        mutates: false,
        parse: |spec, arg| spec.named(arg, Command::Region),
    },
    Spec {
        names: &["theme"],
        args: "NAME",
        help: Some("dark, light, …"),
        mutates: false,
        parse: |spec, arg| spec.named(arg, Command::Theme),
    },
    Spec {
        names: &["redeploy"],
        args: "",
        help: Some("force new deployment"),
        mutates: true,
        parse: |spec, arg| spec.no_argument(arg, Command::Mutate(Request::Redeploy)),
    },
    Spec {
        names: &["rollback"],
        args: "[REV]",
        help: Some("roll back (picker)"),
        mutates: true,
        parse: |_, arg| {
            let to = match arg {
                None => Wanted::LastCompleted,
                Some(to) => to
                    .parse()
                    .map_err(|e: String| e.replace("--to", ":rollback"))?,
            };
            Ok(Command::Mutate(Request::Rollback { to }))
        },
    },
    Spec {
        names: &["scale"],
        args: "N",
        help: Some("desired count → N"),
        mutates: true,
        parse: |_, arg| match arg.map(str::parse::<i32>) {
            Some(Ok(count)) if count >= 0 => Ok(Command::Mutate(Request::Scale { count })),
            Some(_) => Err(format!(
                ":scale takes a task count (0 or more), not `{}`",
                arg.unwrap_or_default()
            )),
            None => Err(":scale needs the desired count, e.g. :scale 3".into()),
        },
    },
    Spec {
        names: &["stop-task"],
        args: "[ID]",
        help: Some("stop one task"),
        mutates: true,
        parse: |_, arg| {
            let task = arg.map(str::to_owned);
            Ok(Command::Mutate(Request::StopTask { task }))
        },
    },
    Spec {
        names: &["exec"],
        args: "[ID]",
        // `e`'s line in the help says it; left out of the hint, which then still fits 160 columns.
        help: None,
        mutates: false,
        parse: |_, arg| {
            let task = arg.map(str::to_owned);
            Ok(Command::Exec(ExecAsk {
                task,
                ..ExecAsk::default()
            }))
        },
    },
    Spec {
        // The `X` key's help line names it; left out of the hint, which keeps to 160 columns.
        names: &["stop-deployment"],
        args: "",
        help: None,
        mutates: true,
        parse: |_, _| Ok(Command::Mutate(Request::StopDeployment)),
    },
    Spec {
        names: &["purge"],
        args: "[dlq]",
        help: Some("purge queue / DLQ"),
        mutates: true,
        parse: |spec, arg| match arg {
            Some("dlq") => Ok(Command::Mutate(Request::Purge { dlq: true })),
            other => spec.no_argument(other, Command::Mutate(Request::Purge { dlq: false })),
        },
    },
    Spec {
        names: &["redrive"],
        args: "",
        help: Some("DLQ → its queue"),
        mutates: true,
        parse: |spec, arg| spec.no_argument(arg, Command::Mutate(Request::Redrive)),
    },
    Spec {
        names: &["audit"],
        args: "",
        help: Some("the audit log"),
        mutates: false,
        parse: |spec, arg| spec.no_argument(arg, Command::Audit),
    },
    Spec {
        names: &["timeline"],
        args: "",
        help: Some("incident timeline"),
        mutates: false,
        parse: |spec, arg| spec.no_argument(arg, Command::Timeline),
    },
    Spec {
        names: &["q", "q!", "quit", "qa"],
        args: "",
        help: Some("quit"),
        mutates: false,
        parse: |_, _| Ok(Command::Quit),
    },
    Spec {
        // The `?` key's line in the help already says "this help".
        names: &["help"],
        args: "",
        help: None,
        mutates: false,
        parse: |_, _| Ok(Command::Help),
    },
];

/// Parse a `:` line: its first word names the command, the second is its argument (later words
/// are ignored). `Ok(None)` for an empty line; `Err` says what is wrong, for the footer.
pub fn parse(line: &str) -> Result<Option<Command>, String> {
    let mut words = line.split_whitespace();
    let Some(verb) = words.next() else {
        return Ok(None);
    };
    let arg = words.next();
    match COMMANDS.iter().find(|spec| spec.names.contains(&verb)) {
        Some(spec) => (spec.parse)(spec, arg).map(Some),
        None => Err(format!(
            "unknown command :{verb} (known: {})",
            COMMANDS
                .iter()
                .map(|spec| format!(":{}", spec.usage()))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// The commands a dashboard offers: all of them, or only those that read when it is read-only.
pub fn offered(read_only: bool) -> impl Iterator<Item = &'static Spec> {
    COMMANDS
        .iter()
        .filter(move |spec| !(read_only && spec.mutates))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_says_which_commands_mutate_as_the_parser_does() {
        for spec in COMMANDS {
            let line = match spec.args {
                "NAME" | "[C/]NAME" => format!("{} x", spec.name()),
                "N" => format!("{} 2", spec.name()),
                _ => spec.name().to_owned(),
            };
            let parsed = parse(&line).unwrap().unwrap();
            assert_eq!(matches!(parsed, Command::Mutate(_)), spec.mutates, "{line}");
        }
    }

    #[test]
    fn lines_parse_and_bad_ones_are_explained() {
        assert_eq!(parse("  "), Ok(None));
        assert_eq!(parse("q!"), Ok(Some(Command::Quit)));
        assert_eq!(
            parse("stack courier-prod extra"),
            Ok(Some(Command::Stack("courier-prod".into())))
        );
        assert_eq!(
            parse("profile prod-admin"),
            Ok(Some(Command::Profile("prod-admin".into())))
        );
        assert_eq!(
            parse("service prod/api"),
            Ok(Some(Command::Service("prod/api".into())))
        );
        assert_eq!(
            parse("region eu-west-1"),
            Ok(Some(Command::Region("eu-west-1".into())))
        );
        assert_eq!(
            parse("region"),
            Err(":region needs a name, e.g. :region NAME".into())
        );
        assert_eq!(
            parse("theme"),
            Err(":theme needs a name, e.g. :theme NAME".into())
        );
        assert_eq!(
            parse("scale 3"),
            Ok(Some(Command::Mutate(Request::Scale { count: 3 })))
        );
        assert_eq!(
            parse("scale many"),
            Err(":scale takes a task count (0 or more), not `many`".into())
        );
        assert_eq!(
            parse("scale"),
            Err(":scale needs the desired count, e.g. :scale 3".into())
        );
        assert_eq!(
            parse("stop-task 0a1b"),
            Ok(Some(Command::Mutate(Request::StopTask {
                task: Some("0a1b".into())
            })))
        );
        assert_eq!(
            parse("exec 0a1b"),
            Ok(Some(Command::Exec(ExecAsk {
                task: Some("0a1b".into()),
                ..ExecAsk::default()
            })))
        );
        assert_eq!(
            parse("purge dlq"),
            Ok(Some(Command::Mutate(Request::Purge { dlq: true })))
        );
        assert_eq!(
            parse("purge all"),
            Err(":purge takes no `all` (usage: :purge [dlq])".into())
        );
        assert_eq!(
            parse("bogus"),
            Err("unknown command :bogus (known: :stack NAME, :service [C/]NAME, :profile NAME, :region NAME, :theme NAME, :redeploy, :rollback [REV], :scale N, :stop-task [ID], :exec [ID], :stop-deployment, :purge [dlq], :redrive, :audit, :timeline, :q, :help)".into())
        );
    }
}
