# shellcheck shell=bash disable=SC2034  # the variables are read by the scripts that source this file
# Sourced by the cluster scripts: the repository root, and the names the make targets pass, with
# make's defaults. Every kubectl and helm call names KUBE_CONTEXT, the kind cluster's context.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
KIND_CLUSTER=${KIND_CLUSTER:-herdlab}
KUBE_CONTEXT=${KUBE_CONTEXT:-kind-$KIND_CLUSTER}
NAMESPACE=${NAMESPACE:-herdlab}
RELEASE=${RELEASE:-herdlab}
