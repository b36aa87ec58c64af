#!/usr/bin/env bash
# Switches every replica to another mitigation preset with a helm upgrade (the Deployment
# rolls its pods), keeping the release's other values and the replica count set by kubectl.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
KIND_CLUSTER=${KIND_CLUSTER:-herdlab}
KUBE_CONTEXT=${KUBE_CONTEXT:-kind-$KIND_CLUSTER}
NAMESPACE=${NAMESPACE:-herdlab}
RELEASE=${RELEASE:-herdlab}
MODE=${MODE:?MODE=<preset>: baseline, jitter, local, redisson, lua or full}

replicas=$(kubectl --context "$KUBE_CONTEXT" -n "$NAMESPACE" get deployment "$RELEASE" -o jsonpath='{.spec.replicas}')
helm --kube-context "$KUBE_CONTEXT" upgrade "$RELEASE" "$root/helm/herdlab" --namespace "$NAMESPACE" --reuse-values \
  --set mitigation.preset="$MODE" --set replicaCount="$replicas" --wait --timeout 10m
kubectl --context "$KUBE_CONTEXT" -n "$NAMESPACE" get pods \
  -l app.kubernetes.io/instance="$RELEASE",app.kubernetes.io/component=app -L herdlab.io/preset
