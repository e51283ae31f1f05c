//! Running a client and reading what it cost: wall time, peak RSS and CPU time of a child
//! (wait4), CPU time of a running process (/proc).

use anyhow::{bail, Context, Result};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// What one run of a command cost: wall time, and the process's own peak RSS and CPU time.
pub struct Run {
    pub wall: Duration,
    pub max_rss_kib: i64,
    pub cpu: Duration,
}

/// Run `cmd` to its end, output discarded. Waited for with wait4 so that the figures are this
/// child's alone (getrusage's RUSAGE_CHILDREN keeps the peak of every child waited for before).
pub fn run(mut cmd: Command) -> Result<Run> {
    let started = Instant::now();
    let child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("running {cmd:?}"))?;
    let mut status = 0;
    // SAFETY: wait4 on our own child's pid, with valid pointers to a status and a zeroed rusage.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        if libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) < 0 {
            bail!("waiting for {cmd:?}: {}", std::io::Error::last_os_error());
        }
        usage
    };
    let wall = started.elapsed();
    // `status` exits 1 on a degraded stack: the read still happened.
    if !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) > 1 {
        bail!("{cmd:?} failed: wait status {status}");
    }
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    Ok(Run {
        wall,
        max_rss_kib: usage.ru_maxrss,
        cpu: time(usage.ru_utime) + time(usage.ru_stime),
    })
}

pub fn timed(cmd: Command) -> Result<Duration> {
    Ok(run(cmd)?.wall)
}

/// The unit of /proc's CPU times (100 on Linux).
pub fn clock_ticks_per_second() -> f64 {
    // SAFETY: sysconf only reads a system constant.
    unsafe { libc::sysconf(libc::_SC_CLK_TCK) as f64 }
}

/// User and system CPU time of `pid` so far, in clock ticks.
pub fn user_system_ticks(pid: u32) -> Result<(u64, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // Fields after the command name (which may hold spaces) are space-separated.
    let rest = &stat[stat.rfind(')').context("stat format")? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    Ok((fields[11].parse()?, fields[12].parse()?))
}

/// CPU time (user + system) of `pid` so far, in clock ticks.
pub fn cpu_ticks(pid: u32) -> Result<u64> {
    let (user, system) = user_system_ticks(pid)?;
    Ok(user + system)
}
