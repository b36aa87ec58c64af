#!/usr/bin/env bash
# Creates the kind cluster (unless it exists) and installs or upgrades kube-prometheus-stack at
# a pinned chart version. Safe to run again: both steps are idempotent. Every kubectl and helm
# call names the cluster's context, so no other cluster is touched.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
KIND_CLUSTER=${KIND_CLUSTER:-herdlab}
KUBE_CONTEXT=${KUBE_CONTEXT:-kind-$KIND_CLUSTER}
KPS_VERSION=${KPS_VERSION:-77.10.0}   # kube-prometheus-stack chart, pinned

for tool in docker kind kubectl helm; do
  command -v "$tool" >/dev/null || { echo "kind-up: $tool is not installed (make doctor says how to fix it)" >&2; exit 1; }
done

if kind get clusters | grep -qx "$KIND_CLUSTER"; then
  echo "kind cluster $KIND_CLUSTER exists"
else
  # kind-config.yaml pins the node image (Kubernetes version and digest)
  kind create cluster --name "$KIND_CLUSTER" --config "$root/kind-config.yaml" --wait 120s
fi
kubectl --context "$KUBE_CONTEXT" get nodes -o wide

helm --kube-context "$KUBE_CONTEXT" repo add prometheus-community https://prometheus-community.github.io/helm-charts --force-update >/dev/null
helm --kube-context "$KUBE_CONTEXT" repo update prometheus-community >/dev/null
helm --kube-context "$KUBE_CONTEXT" upgrade --install kube-prometheus-stack prometheus-community/kube-prometheus-stack \
  --version "$KPS_VERSION" \
  --namespace monitoring --create-namespace \
  --values "$root/k8s/kube-prometheus-stack-values.yaml" \
  --wait --timeout 10m
echo "kube-prometheus-stack $KPS_VERSION is up in namespace monitoring of $KUBE_CONTEXT; next: make deploy"
