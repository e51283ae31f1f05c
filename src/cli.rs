//! Command line: global AWS flags, the stack, and the subcommands.

use crate::aws::config::{self, AwsTarget};
use crate::aws::ssm::Discovery;
use crate::model::stack::{discovery_path, DISCOVERY_KEYS};
use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    version,
    about = "The on-call engineer's dashboard for a messaging stack on AWS"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Flags every subcommand takes.
#[derive(Args, Debug, Clone)]
pub struct GlobalArgs {
    /// Stack name: its resources are read from SSM under /stackdeck/<STACK>/.
    #[arg(long, global = true, env = "STACKDECK_STACK")]
    pub stack: Option<String>,
    /// AWS profile (default: AWS_PROFILE, then "default"); SSO profiles work.
    #[arg(long, global = true)]
    pub profile: Option<String>,
    /// AWS region (default: AWS_REGION, then the profile's).
    #[arg(long, global = true)]
    pub region: Option<String>,
    /// AWS endpoint URL, e.g. http://127.0.0.1:4566 for the local stack (default: AWS_ENDPOINT_URL).
    #[arg(long, global = true)]
    pub endpoint_url: Option<String>,
}

impl GlobalArgs {
    pub fn target(&self) -> AwsTarget {
        AwsTarget {
            profile: self.profile.clone(),
            region: self.region.clone(),
            endpoint_url: self.endpoint_url.clone(),
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// List the stacks found in SSM under /stackdeck/.
    Stacks,
    /// Print the resources discovered for --stack (the default command for now).
    Discover {
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// Exit codes: 0 fine, 2 error (1 is kept for "degraded" in `status`).
pub const EXIT_OK: i32 = 0;
pub const EXIT_ERROR: i32 = 2;

pub async fn run(cli: Cli) -> i32 {
    let target = cli.global.target();
    let sdk = config::load(&target).await;
    let discovery = Discovery::new(&sdk, target.profile_name());
    match cli.command.unwrap_or(Command::Discover {
        format: Format::Text,
    }) {
        Command::Stacks => match discovery.stacks().await {
            Ok(stacks) if stacks.is_empty() => {
                eprintln!("stackdeck: no stacks under /stackdeck/ in this account and region (profile {})", target.profile_name());
                EXIT_ERROR
            }
            Ok(stacks) => {
                for stack in stacks {
                    println!("{stack}");
                }
                EXIT_OK
            }
            Err(e) => {
                eprintln!("stackdeck: {e}");
                EXIT_ERROR
            }
        },
        Command::Discover { format } => {
            let Some(stack) = cli.global.stack.as_deref() else {
                eprintln!("stackdeck: no stack given: pass --stack NAME or set STACKDECK_STACK (`stackdeck stacks` lists them)");
                return EXIT_ERROR;
            };
            match discovery.stack(stack).await {
                Ok(found) if found.values.is_empty() => {
                    eprintln!(
                        "stackdeck: no parameters under {} (profile {}): check --stack and --region; `stackdeck stacks` lists the stacks found",
                        discovery_path(stack),
                        target.profile_name()
                    );
                    EXIT_ERROR
                }
                Ok(found) => {
                    match format {
                        Format::Json => println!(
                            "{}",
                            serde_json::to_string_pretty(&found).expect("plain map serialises")
                        ),
                        Format::Text => {
                            println!("stack {stack}");
                            for key in DISCOVERY_KEYS {
                                println!("  {key:<18} {}", found.get(key).unwrap_or("(missing)"));
                            }
                            for (key, value) in found
                                .values
                                .iter()
                                .filter(|(k, _)| !DISCOVERY_KEYS.contains(&k.as_str()))
                            {
                                println!("  {key:<18} {value}");
                            }
                        }
                    }
                    let missing = found.missing();
                    if !missing.is_empty() {
                        eprintln!(
                            "stackdeck: stack {stack} lacks {} of the discovery parameters: {}",
                            missing.len(),
                            missing.join(", ")
                        );
                    }
                    EXIT_OK
                }
                Err(e) => {
                    eprintln!("stackdeck: {e}");
                    EXIT_ERROR
                }
            }
        }
    }
}
