#!/usr/bin/env bash
# Port-forwards Grafana of kube-prometheus-stack and prints where to log in. Ctrl-C stops it.
set -euo pipefail
KIND_CLUSTER=${KIND_CLUSTER:-herdlab}
KUBE_CONTEXT=${KUBE_CONTEXT:-kind-$KIND_CLUSTER}
GRAFANA_PORT=${GRAFANA_PORT:-3000}
kube() { kubectl --context "$KUBE_CONTEXT" --namespace monitoring "$@"; }
secret=$(kube get secret kube-prometheus-stack-grafana -o jsonpath='{.data.admin-password}' | base64 -d)
user=$(kube get secret kube-prometheus-stack-grafana -o jsonpath='{.data.admin-user}' | base64 -d)
echo "Grafana: http://localhost:$GRAFANA_PORT/d/herdlab-overview   login: $user / $secret"
echo "(dashboard folder \"herdlab\"; Ctrl-C stops the port-forward)"
exec kubectl --context "$KUBE_CONTEXT" --namespace monitoring port-forward svc/kube-prometheus-stack-grafana "$GRAFANA_PORT:80"
