#!/usr/bin/env bash
# Check, and where a registry has it, install what `make demo` and `make test` need on a fresh
# machine. Idempotent and quick when everything is there. Tools that no registry reachable here
# ships (the Rust toolchain, terraform) are checked and named with what to do.
set -euo pipefail

venv="${TOOLS_VENV:-.tools/venv}"
missing=()

have() { command -v "$1" >/dev/null 2>&1; }

apt_install() {
  if [ "$(id -u)" -ne 0 ] || ! have apt-get; then
    missing+=("$*: install with your package manager")
    return
  fi
  echo "prereqs: installing $* from Debian's packages"
  if [ ! -f /tmp/.stackdeck-apt-updated ]; then
    apt-get update -qq >/dev/null && touch /tmp/.stackdeck-apt-updated
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

have cargo || missing+=("cargo (the Rust toolchain): install rustup from rustup.rs")
have terraform || missing+=("terraform >= 1.11: install it from HashiCorp's releases")
have python3 || apt_install python3 python3-venv

# PostgreSQL server binaries (initdb, postgres, pg_isready, createdb).
if ! have initdb && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  apt_install postgresql
fi
have pg_isready || apt_install postgresql-client
have tmux || apt_install tmux

# The project-local Python tool env: moto when the machine lacks it, checkov and the workflow
# linters always (pinned in tools/requirements.txt).
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
stamp="$venv/.requirements.stamp"
if [ ! -f "$stamp" ] || ! cmp -s tools/requirements.txt "$stamp"; then
  echo "prereqs: installing Python tools into $venv (tools/requirements.txt)"
  "$venv/bin/pip" install -q --disable-pip-version-check -r tools/requirements.txt
  cp tools/requirements.txt "$stamp"
fi
if ! have moto_server && ! python3 -c 'import moto.server' >/dev/null 2>&1; then
  if [ ! -x "$venv/bin/moto_server" ]; then
    echo "prereqs: installing moto's server into $venv"
    "$venv/bin/pip" install -q --disable-pip-version-check 'moto[server]==5.2.1'
  fi
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "prereqs: missing, and not installable from here:" >&2
  printf '  - %s\n' "${missing[@]}" >&2
  exit 1
fi
