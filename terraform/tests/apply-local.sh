#!/usr/bin/env bash
# Apply terraform/envs/local against a fresh AWS endpoint (moto) given as $1, then check that the
# stack's twelve SSM discovery parameters exist. Everything it writes goes to a temp dir, so two
# runs against two motos can go at once. Usage: terraform/tests/apply-local.sh http://127.0.0.1:PORT
set -euo pipefail

endpoint="${1:?usage: apply-local.sh <aws endpoint url>}"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [ -d /opt/tf-plugins ]; then
  export TF_CLI_CONFIG_FILE="$here/../terraformrc.offline"
fi
export TF_DATA_DIR="$work/data" TF_IN_AUTOMATION=1 TF_INPUT=0
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
unset AWS_PROFILE AWS_SESSION_TOKEN

# The caller may have just started the endpoint: give it 30 s to answer.
for _ in $(seq 60); do curl -s -o /dev/null "$endpoint" && break; sleep 0.5; done
curl -s -o /dev/null "$endpoint" || { echo "apply-local: nothing answers at $endpoint" >&2; exit 1; }

# Nothing may change under the repository (lock files, .terraform): work on a copy of the envs and
# modules (and the mocks their tests name), without any .terraform folder an init left there.
mkdir -p "$work/tree"
tar -C "$here/.." --exclude=.terraform -cf - envs modules tests/mocks | tar -C "$work/tree" -xf -
cd "$work/tree/envs/local"

timeout -k 10 120 terraform init -input=false -no-color > "$work/init.log" 2>&1 || { cat "$work/init.log"; exit 1; }
started=$(date +%s)
# The full stack takes about two minutes against moto; an apply past five has met a wait moto never
# satisfies (see terraform/README.md) and is cut off.
if ! timeout -k 30 300 terraform apply -auto-approve -input=false -no-color \
    -state="$work/terraform.tfstate" -var "aws_endpoint=$endpoint" > "$work/apply.log" 2>&1; then
  grep -A 20 "Error:" "$work/apply.log" || tail -40 "$work/apply.log"
  exit 1
fi
echo "apply-local: applied $(grep -c 'Creation complete' "$work/apply.log") resources in $(( $(date +%s) - started )) s"

found=$(timeout 60 aws --endpoint-url "$endpoint" --region us-east-1 ssm get-parameters-by-path \
  --path /stackdeck/courier-local/ --recursive --query 'Parameters[].Name' --output text | tr '\t' '\n')
missing=0
for key in cluster service task_family queue_url dlq_url topic_arn db_instance_id dynamodb_table \
           log_group alarm_prefix target_group_arn load_balancer_arn; do
  if ! grep -qx "/stackdeck/courier-local/$key" <<<"$found"; then
    echo "apply-local: discovery parameter /stackdeck/courier-local/$key is missing" >&2
    missing=1
  fi
done
[ "$missing" -eq 0 ] && echo "apply-local: all 12 discovery parameters exist"
exit "$missing"
