#!/usr/bin/env bash
# `make deploy` after the image is built: loads it into the kind workers, installs or upgrades
# the release with this build's tag, REPLICAS and MODE, and waits until every pod runs it.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/cluster-env.sh"
IMG_REPO=${IMG_REPO:-herdlab}
IMG_TAG=${IMG_TAG:?IMG_TAG=<the tag make image built>}
REPLICAS=${REPLICAS:-3}
MODE=${MODE:-baseline}

KIND_CLUSTER=$KIND_CLUSTER "$root/k8s/scripts/kind-load.sh" "$IMG_REPO:$IMG_TAG"

# Helm 4 applies server-side: after `make scale`, kubectl owns .spec.replicas and the upgrade
# would stop on that conflict. deploy sets exactly what it is given, so it takes the fields
# back; --server-side=true, since "auto" applies client-side to a release Helm 3 installed,
# where --force-conflicts is refused.
apply=()
if [[ $(helm version --short 2>/dev/null) == v4.* ]]; then
  apply=(--server-side=true --force-conflicts)
fi
# fullnameOverride: every object is named after the release, whatever its name (RELEASE=lab:
# deployment/lab, lab-management, lab-credentials), as make scale, mitigate and load expect.
# --set-string: a commit hash of digits only is a tag all the same, not a number.
helm --kube-context "$KUBE_CONTEXT" upgrade --install "$RELEASE" "$root/helm/herdlab" \
  --namespace "$NAMESPACE" --create-namespace \
  --values "$root/k8s/herdlab-kind-values.yaml" \
  --set fullnameOverride="$RELEASE" \
  --set image.repository="$IMG_REPO" --set-string image.tag="$IMG_TAG" \
  --set replicaCount="$REPLICAS" --set mitigation.preset="$MODE" \
  ${apply[@]+"${apply[@]}"} --wait --timeout 10m
kubectl --context "$KUBE_CONTEXT" -n "$NAMESPACE" rollout status "deployment/$RELEASE" --timeout=5m
kubectl --context "$KUBE_CONTEXT" -n "$NAMESPACE" get pods -o wide -L herdlab.io/preset
