#!/usr/bin/env bash
# Make sure the machine's PostgreSQL answers on 127.0.0.1 before the tests (make test, make postgres):
# started when it is down, installed from Debian's packages when it is missing (as root, or through sudo).
# REPO_ENGINE_TEST_POSTGRES names another server instead: then it is only waited for, never started here.
set -euo pipefail

HOST=127.0.0.1
if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi

answers() { pg_isready -q -h "$HOST" 2>/dev/null; }

if [ -n "${REPO_ENGINE_TEST_POSTGRES:-}" ]; then
  pg_isready -q -d "$REPO_ENGINE_TEST_POSTGRES" && exit 0
  echo "PostgreSQL at REPO_ENGINE_TEST_POSTGRES does not answer: start it, or unset the variable" >&2
  exit 1
fi

fresh=
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "Installing Debian's postgresql for the tests"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fresh=1
fi
command -v pg_ctlcluster >/dev/null 2>&1 || {
  echo "PostgreSQL is not installed and could not be installed (apt-get install postgresql)" >&2; exit 1; }

answers && exit 0
version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
[ -n "$version" ] || { echo "No PostgreSQL cluster in /etc/postgresql (pg_createcluster makes one)" >&2; exit 1; }
echo "Starting PostgreSQL $version"
if [ -n "$fresh" ]; then
  # A cluster installed just now, for the tests: they connect as postgres over TCP without a password.
  hba=/etc/postgresql/$version/main/pg_hba.conf
  $SUDO sed -i '1i host all postgres 127.0.0.1/32 trust' "$hba"
fi
$SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start
for _ in $(seq 1 30); do answers && exit 0; sleep 1; done
echo "PostgreSQL $version was started but does not answer on $HOST:5432" >&2
exit 1
