//! Logs: shipping task output to the service's log group. (Filled in by the ECS step.)
