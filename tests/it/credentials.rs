//! First-run errors, each through a crafted AWS config directory (`HOME`, `AWS_CONFIG_FILE`,
//! `AWS_SHARED_CREDENTIALS_FILE`, an SSO token cache): the exact one line on stderr, naming the
//! profile, the cause and the fix, and exit 2 — before any AWS call (the endpoint is a closed
//! port: a call would end in "the AWS endpoint did not answer").

use std::path::PathBuf;
use std::process::{Command, Output};

/// A port nothing listens on.
const CLOSED: &str = "http://127.0.0.1:9";

/// The cache file of SSO session `corp`: aws-config's `sso/cache.rs` names it by the SHA-1 of
/// the session's name (`echo -n corp | sha1sum`).
const CORP_TOKEN: &str = "ee0bfd2552fbd840c02cc48b6e823320543c450f.json";

const CONFIG: &str = "[default]\nregion = us-east-1\n\n\
    [profile staging]\nregion = eu-west-1\n\n\
    [profile oncall]\nsso_session = corp\nsso_account_id = 123456789012\n\
    sso_role_name = ReadOnly\nregion = us-east-1\n\n\
    [sso-session corp]\nsso_start_url = https://example.awsapps.com/start\nsso_region = us-east-1\n\
    sso_registration_scopes = sso:account:access\n";
const CREDENTIALS: &str = "[ci]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = secret\n";

/// A home with `.aws/config` (and `.aws/credentials` when given).
struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new(config: &str, credentials: Option<&str>) -> Home {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".aws/sso/cache")).unwrap();
        std::fs::write(dir.path().join(".aws/config"), config).unwrap();
        if let Some(credentials) = credentials {
            std::fs::write(dir.path().join(".aws/credentials"), credentials).unwrap();
        }
        Home { dir }
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    /// Write the cached token of SSO session `corp`.
    fn sso_token(&self, json: &str) {
        std::fs::write(self.path(".aws/sso/cache").join(CORP_TOKEN), json).unwrap();
    }

    /// stackdeck with none of the caller's AWS settings: only this home's files, no instance
    /// metadata service (it would be tried last, and hang where there is none).
    fn stackdeck(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_stackdeck"));
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("AWS_") {
                cmd.env_remove(name);
            }
        }
        cmd.env_remove("STACKDECK_STACK")
            .env_remove("STACKDECK_CONFIG")
            .env("HOME", self.dir.path())
            .env("XDG_CONFIG_HOME", self.path(".config"))
            .env("XDG_STATE_HOME", self.path(".state"))
            .env("AWS_CONFIG_FILE", self.path(".aws/config"))
            .env("AWS_SHARED_CREDENTIALS_FILE", self.path(".aws/credentials"))
            .env("AWS_EC2_METADATA_DISABLED", "true");
        cmd
    }
}

fn home_of(home: &Home) -> String {
    home.dir.path().display().to_string()
}

/// `stackdeck --endpoint-url CLOSED --stack x ARGS… status`: its output.
fn status(mut cmd: Command, args: &[&str]) -> Output {
    cmd.args(["--endpoint-url", CLOSED, "--stack", "x"])
        .args(args)
        .arg("status")
        .output()
        .expect("run stackdeck")
}

/// Exit 2 and exactly `line` on stderr, alone.
fn assert_one_line(out: &Output, line: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr, format!("stackdeck: {line}\n"));
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn a_profile_in_neither_file_names_both_files_and_the_profiles_there() {
    let home = Home::new(CONFIG, Some(CREDENTIALS));
    let out = status(home.stackdeck(), &["--profile", "prod"]);
    let h = home_of(&home);
    assert_one_line(
        &out,
        &format!(
            "profile prod (from --profile) is in neither {h}/.aws/config nor {h}/.aws/credentials; \
             the profiles there: ci, default, oncall, staging; pass one of them, or create it with \
             `aws configure --profile prod`"
        ),
    );

    // From AWS_PROFILE, with the files the environment names (the credentials file absent).
    let elsewhere = tempfile::tempdir().unwrap();
    let config = elsewhere.path().join("aws.conf");
    std::fs::write(&config, "[profile staging]\nregion = eu-west-1\n").unwrap();
    let mut cmd = home.stackdeck();
    cmd.env("AWS_PROFILE", "prod")
        .env("AWS_CONFIG_FILE", &config)
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            elsewhere.path().join("creds"),
        );
    let out = status(cmd, &[]);
    let e = elsewhere.path().display();
    assert_one_line(
        &out,
        &format!(
            "profile prod (from AWS_PROFILE) is in neither {e}/aws.conf nor {e}/creds (absent); \
             the profiles there: staging; pass one of them, or create it with `aws configure \
             --profile prod`"
        ),
    );
}

#[test]
fn an_sso_session_never_started_says_aws_sso_login() {
    let home = Home::new(CONFIG, None);
    let out = status(home.stackdeck(), &["--profile", "oncall"]);
    let h = home_of(&home);
    assert_one_line(
        &out,
        &format!(
            "the SSO session of profile oncall is missing or expired (no cached token at \
             {h}/.aws/sso/cache/{CORP_TOKEN}); run `aws sso login --profile oncall`, then try again"
        ),
    );
}

#[test]
fn an_expired_sso_token_says_aws_sso_login() {
    let home = Home::new(CONFIG, None);
    home.sso_token(
        r#"{"accessToken": "old", "expiresAt": "2020-01-01T00:00:00Z", "region": "us-east-1",
            "startUrl": "https://example.awsapps.com/start"}"#,
    );
    let mut cmd = home.stackdeck();
    cmd.env("AWS_PROFILE", "oncall");
    let out = status(cmd, &[]);
    assert_one_line(
        &out,
        "the SSO session of profile oncall is missing or expired (the cached token has expired \
         and cannot be refreshed); run `aws sso login --profile oncall`, then try again",
    );
}

/// A token the SDK can refresh sends it to SSO OIDC, then to the SSO portal: both pointed at a
/// closed port, the message still says `aws sso login`.
#[test]
fn an_expired_sso_token_whose_refresh_fails_still_says_aws_sso_login() {
    let home = Home::new(CONFIG, None);
    home.sso_token(
        r#"{"accessToken": "old", "expiresAt": "2020-01-01T00:00:00Z", "region": "us-east-1",
            "startUrl": "https://example.awsapps.com/start", "refreshToken": "refresh",
            "clientId": "client", "clientSecret": "secret",
            "registrationExpiresAt": "2099-01-01T00:00:00Z"}"#,
    );
    let mut cmd = home.stackdeck();
    cmd.env("AWS_ENDPOINT_URL", CLOSED);
    let out = status(cmd, &["--profile", "oncall"]);
    assert_one_line(
        &out,
        "the SSO portal did not answer for profile oncall (Connection refused (os error 111)); \
         check the network and AWS_ENDPOINT_URL, or run `aws sso login --profile oncall` if its \
         session expired",
    );
}

#[test]
fn no_credentials_anywhere_says_so_and_how_to_get_them() {
    let home = Home::new("", None);
    let out = status(home.stackdeck(), &["--region", "us-east-1"]);
    assert_one_line(
        &out,
        "no AWS credentials found for profile default (none in the environment, the profile or an \
         instance role); run `aws configure --profile default`, or `aws sso login --profile NAME` \
         and pass --profile NAME",
    );
}

#[test]
fn no_region_says_where_to_set_one_before_any_call() {
    // Credentials, but a profile without a region.
    let home = Home::new(CONFIG, Some(CREDENTIALS));
    let out = status(home.stackdeck(), &["--profile", "ci"]);
    let h = home_of(&home);
    assert_one_line(
        &out,
        &format!(
            "no region for profile ci: pass --region, set AWS_REGION, or add region to profile ci \
             in {h}/.aws/config"
        ),
    );
}

/// The endpoint not answering is the one case that speaks of the network.
#[test]
fn only_an_endpoint_that_does_not_answer_says_check_the_network() {
    let home = Home::new(CONFIG, Some(CREDENTIALS));
    let out = status(
        home.stackdeck(),
        &["--profile", "ci", "--region", "us-east-1"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.starts_with(
            "stackdeck: GetParametersByPath on /stackdeck/x/: the AWS endpoint did not answer"
        ) && stderr
            .trim_end()
            .ends_with("check the network, --region and --endpoint-url")
            && stderr.lines().count() == 1,
        "{stderr}"
    );
}

/// A config file the SDK cannot parse stops a run that names a profile; without one, the default
/// chain goes on (here to the environment's credentials, then the closed endpoint).
#[test]
fn a_broken_config_file_fails_only_a_run_that_names_a_profile() {
    let home = Home::new("[profile ci\nregion = us-east-1\n", None);
    let out = status(home.stackdeck(), &["--profile", "ci"]);
    let h = home_of(&home);
    assert_one_line(
        &out,
        &format!(
            "cannot parse {h}/.aws/config (line 1: Profile definition must end with ']'); fix the \
             file, or point AWS_CONFIG_FILE elsewhere"
        ),
    );
    let mut cmd = home.stackdeck();
    cmd.env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test");
    let out = status(cmd, &["--region", "us-east-1"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("the AWS endpoint did not answer"),
        "{stderr}"
    );
}
