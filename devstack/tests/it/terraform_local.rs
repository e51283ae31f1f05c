//! The whole of terraform/envs/local applies against a fresh moto and writes the stack's twelve
//! discovery parameters (terraform/tests/apply-local.sh does the work; this gives it its own moto).

use devstack::testenv::TestEnv;
use devstack::testkit::command::output_text;
use std::process::Command;

#[test]
fn envs_local_applies_against_a_fresh_moto() {
    // Its own moto: one IAM OIDC provider URL and one RDS resource id per moto process.
    let env = TestEnv::start().expect("start moto and PostgreSQL");
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../terraform/tests/apply-local.sh");
    let out = Command::new(&script)
        .arg(env.aws_endpoint())
        .output()
        .expect("run apply-local.sh");
    let text = output_text(&out);
    assert!(out.status.success(), "apply-local.sh failed:\n{text}");
    assert!(text.contains("all 12 discovery parameters exist"), "{text}");
    println!("{text}");
}
