use super::*;

const CONFIG: &str = "[default]\nregion = us-east-1\n\n[profile oncall]\nsso_session = corp\n\
    region = eu-west-1\n\n[sso-session corp]\nsso_start_url = https://x.awsapps.com/start\n\
    sso_region = us-east-1\n\n[profile legacy]\nsso_start_url = https://x.awsapps.com/start\n";
const CREDENTIALS: &str = "[ci]\naws_access_key_id = a\naws_secret_access_key = b\n";

fn target(profile: Option<&str>) -> AwsTarget {
    AwsTarget {
        profile: profile.map(str::to_owned),
        ..AwsTarget::default()
    }
}

async fn profiles(env: &Env, files: &[(&str, &str)]) -> Profiles {
    Profiles::read(env, &Fs::from_slice(files)).await.unwrap()
}

#[test]
fn the_files_are_the_environments_else_the_homes() {
    let env = Env::from_slice(&[("HOME", "/h")]);
    assert_eq!(
        SharedFiles::locate(&env),
        SharedFiles {
            config: "/h/.aws/config".into(),
            credentials: "/h/.aws/credentials".into()
        }
    );
    let env = Env::from_slice(&[
        ("HOME", "/h"),
        ("AWS_CONFIG_FILE", "/etc/aws.conf"),
        ("AWS_SHARED_CREDENTIALS_FILE", "~/creds"),
    ]);
    let files = SharedFiles::locate(&env);
    assert_eq!(files.config, PathBuf::from("/etc/aws.conf"));
    assert_eq!(files.credentials, PathBuf::from("/h/creds"));
}

#[tokio::test]
async fn a_profile_is_found_in_whichever_file_defines_it() {
    let env = Env::from_slice(&[("HOME", "/h"), ("AWS_PROFILE", "ci")]);
    let found = profiles(
        &env,
        &[
            ("/h/.aws/config", CONFIG),
            ("/h/.aws/credentials", CREDENTIALS),
        ],
    )
    .await;
    assert_eq!(found.names(), ["ci", "default", "legacy", "oncall"]);
    assert_eq!(
        profile(&target(None), &env, &found),
        Ok(ProfileFound::In(
            "ci".into(),
            vec!["/h/.aws/credentials".into()]
        ))
    );
    assert_eq!(
        profile(&target(Some("oncall")), &env, &found),
        Ok(ProfileFound::In(
            "oncall".into(),
            vec!["/h/.aws/config".into()]
        )),
        "the flag wins over AWS_PROFILE"
    );
    assert!(found.is_sso("oncall") && found.is_sso("legacy") && !found.is_sso("ci"));
}

#[tokio::test]
async fn no_such_profile_names_the_files_read_and_the_profiles_there() {
    let env = Env::from_slice(&[("HOME", "/h"), ("AWS_PROFILE", "prod")]);
    let found = profiles(&env, &[("/h/.aws/config", CONFIG)]).await;
    assert_eq!(
        profile(&target(None), &env, &found),
        Err(
            "profile prod (from AWS_PROFILE) is in neither /h/.aws/config nor \
             /h/.aws/credentials (absent); the profiles there: default, legacy, oncall; pass one \
             of them, or create it with `aws configure --profile prod`"
                .into()
        )
    );
    let nothing = profiles(&env, &[]).await;
    let why = profile(&target(Some("prod")), &env, &nothing).unwrap_err();
    assert!(
        why.starts_with("profile prod (from --profile) is in neither /h/.aws/config (absent) nor")
            && why.contains("neither file has a profile"),
        "{why}"
    );
}

#[tokio::test]
async fn no_profile_named_or_an_absent_default_is_the_default_chain() {
    let env = Env::from_slice(&[("HOME", "/h")]);
    let nothing = profiles(&env, &[]).await;
    assert_eq!(
        profile(&target(None), &env, &nothing),
        Ok(ProfileFound::DefaultChain)
    );
    assert_eq!(
        profile(&target(Some("default")), &env, &nothing),
        Ok(ProfileFound::DefaultChain)
    );
}

#[tokio::test]
async fn a_file_the_sdk_cannot_parse_is_named() {
    let env = Env::from_slice(&[("HOME", "/h")]);
    let broken = Profiles::read(&env, &Fs::from_slice(&[("/h/.aws/config", "[profile x\n")]))
        .await
        .err()
        .expect("a parse error");
    assert_eq!(
        broken,
        "cannot parse /h/.aws/config (line 1: Profile definition must end with ']'); fix the \
         file, or point AWS_CONFIG_FILE elsewhere"
    );
}

#[test]
fn no_region_says_where_to_set_one() {
    let sdk = aws_config::SdkConfig::builder().build();
    let files = SharedFiles::locate(&Env::from_slice(&[("HOME", "/h")]));
    assert_eq!(
        region(&sdk, "prod", &files),
        Err(
            "no region for profile prod: pass --region, set AWS_REGION, or add region to profile \
             prod in /h/.aws/config"
                .into()
        )
    );
    let sdk = aws_config::SdkConfig::builder()
        .region(aws_config::Region::new("eu-west-1"))
        .build();
    assert_eq!(region(&sdk, "prod", &files), Ok("eu-west-1".into()));
}

#[test]
fn the_provider_is_read_from_the_credentials_debug() {
    let credentials = aws_sdk_sts::config::Credentials::new("a", "b", None, None, "Environment");
    assert_eq!(provider_name(&credentials), "Environment");
}
