//! courier: the messaging service the stack runs. The service itself arrives with its own issue;
//! until then this binary only says so, so that the workspace and the task definition have a name.

fn main() -> anyhow::Result<()> {
    anyhow::bail!("courier is not built yet: see the courier issue (service/)")
}
