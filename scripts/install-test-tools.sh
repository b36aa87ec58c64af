#!/usr/bin/env bash
# Installs what the Kubernetes tests run offline, each only when missing (safe to run again):
# kubectl in client mode (Debian's kubernetes-client), shellcheck and yamllint (Debian), shasum
# (Debian's perl: the image tags on a machine without sha256sum), and action-validator (npm
# @action-validator/cli 0.6.0) for .github/workflows; wrk (Debian), the load client of make
# bench and its test. Helm itself runs inside the tests' JVM (helm-java). Needs root for apt.
set -euo pipefail

missing=()
command -v kubectl >/dev/null || missing+=(kubernetes-client)
command -v shellcheck >/dev/null || missing+=(shellcheck)
command -v yamllint >/dev/null || missing+=(yamllint)
command -v shasum >/dev/null || missing+=(perl)
command -v wrk >/dev/null || missing+=(wrk)
if ((${#missing[@]} > 0)); then
  echo "install-test-tools: apt-get install ${missing[*]}"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
if ! command -v action-validator >/dev/null; then
  echo "install-test-tools: npm install -g @action-validator/cli@0.6.0"
  npm install -g --no-audit --no-fund @action-validator/cli@0.6.0 >/dev/null
fi
