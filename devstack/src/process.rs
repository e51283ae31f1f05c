//! Child processes: started detached with a pid file (devstack up), or tied to the test process
//! (test environments), and stopped by pid.

use anyhow::{Context, Result};
use std::fs;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command};
use std::sync::mpsc;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The account a server process runs as: PostgreSQL refuses to run as root, so when we are root
/// it runs as the `postgres` user.
#[derive(Clone, Copy, Debug)]
pub struct RunAs {
    pub uid: u32,
    pub gid: u32,
}

impl RunAs {
    /// `None` when we are not root (run as ourselves), the `postgres` account when we are.
    pub fn postgres_if_root() -> Result<Option<RunAs>> {
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            return Ok(None);
        }
        let name = std::ffi::CString::new("postgres").expect("no NUL");
        // SAFETY: getpwnam returns a pointer into static storage or NULL; we copy out at once.
        let pw = unsafe { libc::getpwnam(name.as_ptr()) };
        anyhow::ensure!(
            !pw.is_null(),
            "running as root, but there is no `postgres` user to run PostgreSQL as: \
             create it (useradd -r postgres) or run devstack as an ordinary user"
        );
        // SAFETY: pw is non-null and points to a valid passwd record.
        let (uid, gid) = unsafe { ((*pw).pw_uid, (*pw).pw_gid) };
        Ok(Some(RunAs { uid, gid }))
    }

    /// Give `path` (a directory we created) to this account.
    pub fn chown(&self, path: &Path) -> Result<()> {
        std::os::unix::fs::chown(path, Some(self.uid), Some(self.gid))
            .with_context(|| format!("cannot give {} to uid {}", path.display(), self.uid))
    }

    pub fn apply(&self, cmd: &mut Command) {
        cmd.uid(self.uid).gid(self.gid);
    }
}

/// Start `cmd` detached from our terminal and process group, so that it outlives `devstack up`,
/// and record its pid in `pid_file`.
pub fn spawn_daemon(mut cmd: Command, pid_file: &Path) -> Result<Child> {
    cmd.process_group(0).stdin(std::process::Stdio::null());
    let child = cmd
        .spawn()
        .with_context(|| format!("cannot start {:?}", cmd.get_program()))?;
    fs::write(pid_file, format!("{}\n", child.id()))
        .with_context(|| format!("cannot write {}", pid_file.display()))?;
    Ok(child)
}

/// Start `cmd` so that it dies with the current process: it gets `signal` when the process exits
/// or is killed, even by SIGKILL. The parent-death signal fires when the *thread* that forked
/// exits, so every such child is forked by one thread that lives as long as the process.
pub fn spawn_tied(mut cmd: Command, signal: libc::c_int) -> Result<Child> {
    type Job = (Command, libc::c_int, mpsc::Sender<std::io::Result<Child>>);
    static SPAWNER: OnceLock<std::sync::Mutex<mpsc::Sender<Job>>> = OnceLock::new();
    let spawner = SPAWNER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("devstack-spawner".into())
            .spawn(move || {
                for (mut cmd, signal, reply) in rx {
                    // SAFETY: prctl is async-signal-safe; it runs in the child between fork and exec.
                    unsafe {
                        cmd.pre_exec(move || {
                            if libc::prctl(libc::PR_SET_PDEATHSIG, signal as libc::c_ulong) != 0 {
                                return Err(std::io::Error::last_os_error());
                            }
                            Ok(())
                        });
                    }
                    let _ = reply.send(cmd.spawn());
                }
                // Keep the thread (and so the children's parent-death signal) alive for good.
                loop {
                    std::thread::park();
                }
            })
            .expect("spawn devstack-spawner thread");
        std::sync::Mutex::new(tx)
    });
    cmd.stdin(std::process::Stdio::null());
    let program = cmd.get_program().to_os_string();
    let (reply_tx, reply_rx) = mpsc::channel();
    spawner
        .lock()
        .expect("spawner lock")
        .send((cmd, signal, reply_tx))
        .expect("spawner thread alive");
    reply_rx
        .recv()
        .expect("spawner replies")
        .with_context(|| format!("cannot start {program:?}"))
}

/// Read a pid file; `None` when it is missing or unreadable.
pub fn read_pid(pid_file: &Path) -> Option<i32> {
    fs::read_to_string(pid_file).ok()?.trim().parse().ok()
}

/// Whether `pid` is alive and its command line contains `marker` (guards against pid reuse).
pub fn is_running(pid: i32, marker: &str) -> bool {
    match fs::read(format!("/proc/{pid}/cmdline")) {
        Ok(cmdline) => {
            let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            cmdline.contains(marker) && !is_zombie(pid)
        }
        Err(_) => false,
    }
}

fn is_zombie(pid: i32) -> bool {
    fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            // The state follows the parenthesised command name.
            stat.rsplit_once(") ")
                .and_then(|(_, rest)| rest.chars().next())
        })
        .is_some_and(|state| state == 'Z')
}

/// Send `signal` to `pid`, then wait up to `grace` for it to go; SIGKILL after that.
/// Returns whether it had to be killed.
pub fn stop(pid: i32, signal: libc::c_int, marker: &str, grace: Duration) -> bool {
    // SAFETY: kill has no memory-safety preconditions.
    unsafe { libc::kill(pid, signal) };
    let deadline = Instant::now() + grace;
    while Instant::now() < deadline {
        reap(pid);
        if !is_running(pid, marker) {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    // SAFETY: as above.
    unsafe { libc::kill(pid, libc::SIGKILL) };
    std::thread::sleep(Duration::from_millis(100));
    reap(pid);
    true
}

/// Collect `pid` if it is our own exited child (no-op otherwise).
fn reap(pid: i32) {
    let mut status = 0;
    // SAFETY: waitpid with WNOHANG on a pid; harmless if it is not our child.
    unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
}
