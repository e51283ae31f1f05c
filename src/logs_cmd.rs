//! `stackdeck logs`: the service's log events printed as the log panel shows them.

use crate::aws::logs::{History, Logs, Tail};
use crate::model::dashboard::LogLine;
use crate::model::logs::TailEvent;
use crate::model::stack::StackResources;
use crate::ui::format;
use std::io::Write;
use std::time::Duration;

fn print(out: &mut impl Write, lines: &[LogLine]) -> std::io::Result<()> {
    for line in lines {
        writeln!(
            out,
            "{} {} {}",
            format::clock(line.at_ms),
            line.stream,
            line.message
        )?;
    }
    Ok(())
}

pub async fn run(
    sdk: &aws_config::SdkConfig,
    profile: &str,
    stack: &StackResources,
    since: Duration,
    pattern: Option<&str>,
    follow: bool,
) -> i32 {
    let Some(group) = stack.get("log_group") else {
        eprintln!(
            "stackdeck: stack {} has no `log_group` discovery parameter (/stackdeck/{}/log_group)",
            stack.stack, stack.stack
        );
        return 2;
    };
    let logs = Logs::new(sdk, profile.to_owned());
    let now = jiff::Timestamp::now().as_millisecond();
    let start = now - since.as_millis() as i64;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    if follow {
        let tail = Tail {
            group,
            start_ms: start,
            history: History::All,
            pattern,
            every: Duration::from_secs(2),
        };
        // The tail keeps trying after an error: each new error is shown once, as it happens.
        let mut last_error = None;
        logs.tail(tail, |event| match event {
            TailEvent::Lines(lines) => {
                last_error = None;
                print(&mut out, &lines).is_ok() && out.flush().is_ok()
            }
            TailEvent::Mode(mode) => {
                eprintln!("stackdeck: {group}: {mode}");
                true
            }
            TailEvent::Error(e) => {
                if last_error.as_ref() != Some(&e) {
                    eprintln!("stackdeck: {e} (still trying)");
                    last_error = Some(e);
                }
                true
            }
        })
        .await;
        return 0;
    }
    // Printed window by window as they arrive, so the memory held stays that of a few windows
    // however long the history (a closed pipe, as `| head`, ends the read).
    let mut written = true;
    let read = logs
        .fetch_windows(group, start, now, pattern, |lines| {
            written = print(&mut out, &lines).is_ok();
            written
        })
        .await;
    if !written || out.flush().is_err() {
        return 2;
    }
    match read {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("stackdeck: {e}");
            2
        }
    }
}
