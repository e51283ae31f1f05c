//! Resource use of local processes from /proc, and PostgreSQL's connection count: the sources of
//! the AWS/ECS and AWS/RDS metrics.

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

/// CPU time of processes between two samples, as a percentage of one core.
#[derive(Default)]
pub struct CpuSampler {
    last: HashMap<i32, (u64, Instant)>,
}

fn clock_ticks() -> f64 {
    // SAFETY: sysconf has no preconditions.
    (unsafe { libc::sysconf(libc::_SC_CLK_TCK) }).max(1) as f64
}

/// (ppid, utime + stime in ticks, rss in pages) of `pid`.
pub fn stat(pid: i32) -> Option<(i32, u64, u64)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = text.rsplit_once(") ")?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // Fields after the command: state(0) ppid(1) … utime(11) stime(12) … rss(21).
    let ppid = fields.get(1)?.parse().ok()?;
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    let rss: u64 = fields.get(21)?.parse().ok()?;
    Some((ppid, utime + stime, rss))
}

/// Resident memory of `pid` in bytes.
pub fn rss_bytes(pid: i32) -> Option<f64> {
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) }.max(1) as f64;
    stat(pid).map(|(_, _, rss)| rss as f64 * page)
}

impl CpuSampler {
    /// Percent of one core used by `pids` since the previous call that saw them (0 on first sight).
    pub fn percent(&mut self, pids: &[i32]) -> f64 {
        let now = Instant::now();
        let ticks = clock_ticks();
        let mut total = 0.0;
        for &pid in pids {
            let Some((_, cpu, _)) = stat(pid) else {
                continue;
            };
            if let Some((last_cpu, at)) = self.last.insert(pid, (cpu, now)) {
                let secs = now.duration_since(at).as_secs_f64();
                if secs > 0.0 {
                    total += (cpu.saturating_sub(last_cpu)) as f64 / ticks / secs * 100.0;
                }
            }
        }
        self.last.retain(|pid, _| pids.contains(pid));
        total
    }

    /// CPU of the PostgreSQL cluster whose data directory is `data` (postmaster and children).
    pub fn postgres_percent(&mut self, data: &Path) -> Option<f64> {
        let first = std::fs::read_to_string(data.join("postmaster.pid")).ok()?;
        let postmaster: i32 = first.lines().next()?.trim().parse().ok()?;
        let mut pids = vec![postmaster];
        for entry in std::fs::read_dir("/proc").ok()?.flatten() {
            if let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<i32>().ok())
            {
                if stat(pid).is_some_and(|(ppid, _, _)| ppid == postmaster) {
                    pids.push(pid);
                }
            }
        }
        Some(self.percent(&pids))
    }
}

/// Client connections of the PostgreSQL on 127.0.0.1:`port` (pg_stat_activity), through psql.
pub async fn pg_connections(port: u16) -> Option<f64> {
    let bin = crate::postgres::bin_dir().ok()?;
    let psql = ["psql", "../../../bin/psql"]
        .iter()
        .map(|p| bin.join(p))
        .find(|p| p.is_file())
        .unwrap_or_else(|| "psql".into());
    let out = tokio::process::Command::new(psql)
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            &port.to_string(),
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-Atc",
        ])
        .arg("select count(*) from pg_stat_activity where backend_type = 'client backend'")
        .env_remove("PGPASSWORD")
        .output()
        .await
        .ok()?;
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}
