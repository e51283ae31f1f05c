//! `courier healthcheck`: the container health check of the task definition. The runtime image
//! has no shell and no curl, so the binary asks its own /healthz.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// GET http://127.0.0.1:{port}/healthz; Ok when it answers 200.
pub fn check(port: u16) -> anyhow::Result<()> {
    let timeout = Duration::from_secs(3);
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let mut stream = TcpStream::connect_timeout(&addr, timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    stream.write_all(b"GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head)?;
    let status_line = String::from_utf8_lossy(&head);
    if status_line.starts_with("HTTP/1.") && &head[9..12] == b"200" {
        Ok(())
    } else {
        anyhow::bail!("courier on port {port} answered {status_line:?} to /healthz")
    }
}
