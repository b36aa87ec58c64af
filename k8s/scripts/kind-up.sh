#!/usr/bin/env bash
# Creates the kind cluster (unless it exists) and installs or upgrades kube-prometheus-stack.
# Safe to run again: both steps are idempotent.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
KIND_CLUSTER=${KIND_CLUSTER:-herdlab}
KPS_VERSION=${KPS_VERSION:-}

for tool in docker kind kubectl helm; do
  command -v "$tool" >/dev/null || { echo "kind-up: $tool is not installed (docs/kubernetes.md lists the prerequisites)" >&2; exit 1; }
done

if kind get clusters | grep -qx "$KIND_CLUSTER"; then
  echo "kind cluster $KIND_CLUSTER exists"
else
  kind create cluster --name "$KIND_CLUSTER" --config "$root/kind-config.yaml" --wait 120s
fi
kubectl config use-context "kind-$KIND_CLUSTER" >/dev/null

helm repo add prometheus-community https://prometheus-community.github.io/helm-charts --force-update >/dev/null
helm repo update prometheus-community >/dev/null
helm upgrade --install kube-prometheus-stack prometheus-community/kube-prometheus-stack \
  ${KPS_VERSION:+--version "$KPS_VERSION"} \
  --namespace monitoring --create-namespace \
  --values "$root/k8s/kube-prometheus-stack-values.yaml" \
  --wait --timeout 10m
echo "kube-prometheus-stack is up in namespace monitoring; next: make deploy"
