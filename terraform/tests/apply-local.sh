#!/usr/bin/env bash
# Apply terraform/envs/local against a fresh AWS endpoint (moto) given as $1, then check that the
# stack's twelve SSM discovery parameters exist. Everything it writes goes to a temp dir, so two
# runs against two motos can go at once. Usage: terraform/tests/apply-local.sh http://127.0.0.1:PORT
set -euo pipefail

endpoint="${1:?usage: apply-local.sh <aws endpoint url>}"
here="$(cd "$(dirname "$0")" && pwd)"
env_dir="$here/../envs/local"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [ -d /opt/tf-plugins ]; then
  export TF_CLI_CONFIG_FILE="$here/../terraformrc.offline"
fi
export TF_DATA_DIR="$work/data" TF_IN_AUTOMATION=1 TF_INPUT=0
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1

# The lock file must not change under the repository: work on a copy of the env's directory tree.
cp -r "$here/../envs" "$here/../modules" "$work/"
cd "$work/envs/local"

timeout 120 terraform init -input=false -no-color > "$work/init.log" || { cat "$work/init.log"; exit 1; }
started=$(date +%s)
if ! timeout 600 terraform apply -auto-approve -input=false -no-color \
    -state="$work/terraform.tfstate" -var "aws_endpoint=$endpoint" > "$work/apply.log" 2>&1; then
  grep -A 20 "Error:" "$work/apply.log" || tail -40 "$work/apply.log"
  exit 1
fi
echo "apply-local: applied $(grep -c 'Creation complete' "$work/apply.log") resources in $(( $(date +%s) - started )) s"

found=$(aws --endpoint-url "$endpoint" --region us-east-1 ssm get-parameters-by-path \
  --path /stackdeck/courier-local/ --recursive --query 'Parameters[].Name' --output text)
missing=0
for key in cluster service task_family queue_url dlq_url topic_arn db_instance_id dynamodb_table \
           log_group alarm_prefix target_group_arn load_balancer_arn; do
  if ! grep -qw "/stackdeck/courier-local/$key" <<<"$found"; then
    echo "apply-local: discovery parameter /stackdeck/courier-local/$key is missing" >&2
    missing=1
  fi
done
[ "$missing" -eq 0 ] && echo "apply-local: all 12 discovery parameters exist"
exit "$missing"
