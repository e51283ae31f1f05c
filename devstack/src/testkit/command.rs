//! Running a program (stackdeck, devstack, the aws CLI) against a test's endpoint with the
//! local test credentials (ARCHITECTURE.md, "Local ports and environment").

use std::ffi::OsStr;
use std::process::Command;

/// `program` with the test credentials, region and endpoint in its environment, and none of the
/// caller's AWS profile or stackdeck stack. Pass the binary under test, for example
/// `env!("CARGO_BIN_EXE_stackdeck")`.
pub fn aws_command(program: impl AsRef<OsStr>, endpoint: &str) -> Command {
    let mut cmd = Command::new(program);
    cmd.env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", crate::REGION)
        // The AWS CLI v1 reads this one.
        .env("AWS_DEFAULT_REGION", crate::REGION)
        .env_remove("AWS_PROFILE")
        .env_remove("STACKDECK_STACK");
    cmd
}

/// `cmd` as one shell command line (`env -u NAME NAME=value … program args…`), for a terminal
/// multiplexer that takes a command as text. Values are single-quoted.
pub fn shell_line(cmd: &Command) -> String {
    let quote = |s: &OsStr| format!("'{}'", s.to_string_lossy().replace('\'', r"'\''"));
    let mut words = vec!["env".to_owned()];
    // Options before assignments: `env` takes the first word after an assignment as the program.
    for (name, _) in cmd.get_envs().filter(|(_, value)| value.is_none()) {
        words.push(format!("-u {}", name.to_string_lossy()));
    }
    for (name, value) in cmd.get_envs() {
        if let Some(value) = value {
            words.push(format!("{}={}", name.to_string_lossy(), quote(value)));
        }
    }
    words.push(quote(cmd.get_program()));
    words.extend(cmd.get_args().map(quote));
    words.join(" ")
}

/// A finished program's standard output and standard error, one after the other.
pub fn output_text(output: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}
