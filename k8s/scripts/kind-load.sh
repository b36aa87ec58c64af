#!/usr/bin/env bash
# Loads a local Docker image into the kind cluster's worker nodes that do not hold it yet. The
# pods run on the workers only (kind taints the control plane when the cluster has workers),
# and `kind load` of every node on every run would copy the ~0.8 GB load image again and again
# (with Docker's containerd image store, even when the node has it). A cluster of only a
# control plane gets it there.
set -euo pipefail
IMAGE=${1:?usage: kind-load.sh <image>}
KIND_CLUSTER=${KIND_CLUSTER:-herdlab}

nodes=()
control_planes=()
for node in $(kind get nodes --name "$KIND_CLUSTER"); do
  case "$node" in
    *-control-plane*) control_planes+=("$node") ;;
    *) nodes+=("$node") ;;
  esac
done
((${#nodes[@]} > 0)) || nodes=(${control_planes[@]+"${control_planes[@]}"})
if ((${#nodes[@]} == 0)); then
  echo "kind-load: the kind cluster $KIND_CLUSTER has no nodes (make kind-up creates it)" >&2
  exit 1
fi

missing=()
for node in ${nodes[@]+"${nodes[@]}"}; do
  # the node's containerd knows the image: crictl answers for it
  if docker exec "$node" crictl inspecti -q "$IMAGE" >/dev/null 2>&1; then
    echo "kind-load: $IMAGE is already on $node"
  else
    missing+=("$node")
  fi
done
if ((${#missing[@]} > 0)); then
  kind load docker-image "$IMAGE" --name "$KIND_CLUSTER" --nodes "$(IFS=,; echo "${missing[*]}")"
fi
