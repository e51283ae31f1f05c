//! What the command line writes about itself: shell completions (clap_complete) and the man
//! page (clap_mangen), both from the one clap definition, so they never drift from it.

use super::args::Cli;
use clap::CommandFactory;
use std::io::Write;

/// The completion script of `shell` on standard output.
pub fn completions(shell: clap_complete::Shell) -> i32 {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "stackdeck", &mut script);
    emit(&script, "the completion script")
}

/// The man page (section 1, roff) on standard output.
pub fn man() -> i32 {
    let mut page = Vec::new();
    if let Err(e) = clap_mangen::Man::new(Cli::command()).render(&mut page) {
        eprintln!("stackdeck: cannot render the man page: {e}");
        return super::EXIT_ERROR;
    }
    emit(&page, "the man page")
}

/// Write `bytes` to standard output; a reader that stopped early (`| head`) is no error.
fn emit(bytes: &[u8], what: &str) -> i32 {
    match std::io::stdout().write_all(bytes) {
        Ok(()) => super::EXIT_OK,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => super::EXIT_OK,
        Err(e) => {
            eprintln!("stackdeck: cannot write {what}: {e}");
            super::EXIT_ERROR
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completions_and_man_page_name_the_subcommands() {
        let mut script = Vec::new();
        clap_complete::generate(
            clap_complete::Shell::Bash,
            &mut Cli::command(),
            "stackdeck",
            &mut script,
        );
        let script = String::from_utf8(script).unwrap();
        for word in ["status", "redeploy", "doctor", "--read-only"] {
            assert!(
                script.contains(word),
                "{word} missing from the bash completions"
            );
        }
        let mut page = Vec::new();
        clap_mangen::Man::new(Cli::command())
            .render(&mut page)
            .unwrap();
        let page = String::from_utf8(page).unwrap();
        assert!(
            page.starts_with(".ie \\n(.g .ds Aq"),
            "roff: {}",
            &page[..40]
        );
        assert!(
            page.contains("stackdeck\\-status") || page.contains("status"),
            "{page}"
        );
    }

    #[test]
    fn the_version_names_the_commit() {
        let version = Cli::command().render_version();
        assert!(
            version.starts_with(&format!("stackdeck {} (", env!("CARGO_PKG_VERSION"))),
            "{version}"
        );
        assert!(!version.contains("()"), "{version}");
    }
}
