#!/usr/bin/env bash
# The image tag of this build: the git commit, plus "-dirty-<hash of the uncommitted changes>"
# when the work tree differs from it, so every build that changes something gets a new tag and
# `make deploy` rolls the pods to it (a fixed tag with IfNotPresent never would).
set -euo pipefail
cd "$(dirname "$0")/../.."
sha256=k8s/scripts/sha256.sh  # sha256sum, or shasum where there is none (macOS 13 and older)
if ! commit=$(git rev-parse --short=12 HEAD 2>/dev/null); then
  echo "dev-$(date +%Y%m%d%H%M%S)" # not a git checkout: a new tag for every build
  exit 0
fi
if [[ -z $(git status --porcelain --untracked-files=normal) ]]; then
  echo "$commit"
  exit 0
fi
changes=$({
  git diff HEAD --binary
  git ls-files --others --exclude-standard -z | xargs -0 -r "$sha256"
} | "$sha256" | cut -c1-8)
echo "$commit-dirty-$changes"
