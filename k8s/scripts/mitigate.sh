#!/usr/bin/env bash
# Switches every replica to another mitigation preset with a helm upgrade (the Deployment
# rolls its pods), keeping the release's other values and the replica count set by kubectl,
# and returns only when every pod runs the new preset: Helm 3's --wait accepts the rollout
# with replicas - maxUnavailable new pods, so a `make load` right after would herd a mix.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/cluster-env.sh"
MODE=${MODE:?MODE=<preset>: baseline, jitter, local, redisson, lua, tiered, full or owner}

replicas=$(kubectl --context "$KUBE_CONTEXT" -n "$NAMESPACE" get deployment "$RELEASE" -o jsonpath='{.spec.replicas}')
helm --kube-context "$KUBE_CONTEXT" upgrade "$RELEASE" "$root/helm/herdlab" --namespace "$NAMESPACE" --reuse-values \
  --set mitigation.preset="$MODE" --set replicaCount="$replicas" --wait --timeout 10m
kubectl --context "$KUBE_CONTEXT" -n "$NAMESPACE" rollout status "deployment/$RELEASE" --timeout=5m
kubectl --context "$KUBE_CONTEXT" -n "$NAMESPACE" get pods \
  -l app.kubernetes.io/instance="$RELEASE",app.kubernetes.io/component=app -L herdlab.io/preset
