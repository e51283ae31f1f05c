//! `.devstack/env`: how other tools find the local stack.

use std::fmt::Write as _;

/// The variables of `.devstack/env`, in order.
pub fn variables(aws_port: u16, pg_port: u16, lb_port: u16) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{aws_port}")),
        ("AWS_ACCESS_KEY_ID", "test".into()),
        ("AWS_SECRET_ACCESS_KEY", "test".into()),
        ("AWS_REGION", crate::REGION.into()),
        ("AWS_DEFAULT_REGION", crate::REGION.into()),
        (
            "DATABASE_URL",
            crate::postgres::database_url(pg_port, crate::COURIER_DB),
        ),
        ("STACKDECK_STACK", crate::STACK_NAME.into()),
        ("COURIER_URL", format!("http://127.0.0.1:{lb_port}")),
    ]
}

/// The file's text: `KEY=value` lines, readable by `set -a; . .devstack/env`, by Make's `include`,
/// and by `--env-file`-style loaders (no quoting needed: no value has spaces).
pub fn render(vars: &[(&str, String)]) -> String {
    let mut text = String::from(
        "# Written by `devstack up`: the local stack's endpoint, credentials and names.\n",
    );
    for (key, value) in vars {
        let _ = writeln!(text, "{key}={value}");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_file_names_endpoint_database_and_stack() {
        let text = render(&variables(4566, 55432, 8080));
        assert!(text.contains("\nAWS_ENDPOINT_URL=http://127.0.0.1:4566\n"));
        assert!(text.contains("\nDATABASE_URL=postgres://postgres@127.0.0.1:55432/courier\n"));
        assert!(text.contains("\nSTACKDECK_STACK=courier-local\n"));
        assert!(text.contains("\nCOURIER_URL=http://127.0.0.1:8080\n"));
        assert!(text
            .lines()
            .skip(1)
            .all(|l| l.split_once('=').is_some_and(|(_, v)| !v.contains(' '))));
    }
}
