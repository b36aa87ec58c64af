#!/usr/bin/env bash
# `make doctor`: checks what `make kind-up deploy load` needs on this machine and says how to
# fix each problem. Exit status 1 when anything required is missing; warnings do not fail.
set -uo pipefail
KIND_CLUSTER=${KIND_CLUSTER:-herdlab}
KUBE_CONTEXT=${KUBE_CONTEXT:-kind-$KIND_CLUSTER}
HOST_PORTS=${HOST_PORTS:-8080 3000}   # kind-config.yaml's mapping, make grafana's port-forward
# Docker's memory for the documented replica counts: every memory limit of the release at that
# count, the load Job's, and 2.5 GiB for kube-prometheus-stack and kind's control plane and node
# agents, with headroom (docs/kubernetes.md; ClusterMemoryTest computes them from the render).
# kind's nodes all report the whole VM as allocatable, so nothing else refuses a pod that does
# not fit: the kernel's OOM killer would pick a victim.
MIN_DOCKER_GIB=${MIN_DOCKER_GIB:-9}    # make deploy: 3 replicas
GOOD_DOCKER_GIB=${GOOD_DOCKER_GIB:-11} # make scale REPLICAS=5
# A VM given N GiB reports a little less as MemTotal (the kernel keeps some): 5 % below counts.
TOLERANCE_PERCENT=5
KIND_MIN=0.33.0  # the release kind-config.yaml's node image is built for
HELM_MIN=3.7.0   # helm repo update <name> (kind-up.sh)
PROC_SYS=${PROC_SYS:-/proc/sys}

failed=()
ok() { printf 'ok    %-10s %s\n' "$1" "$2"; }
warn() { printf 'warn  %-10s %s\n      fix: %s\n' "$1" "$2" "$3"; }
fail() { printf 'FAIL  %-10s %s\n      fix: %s\n' "$1" "$2" "$3"; failed+=("$1"); }
has() { command -v "$1" >/dev/null 2>&1; }
# at_least <version> <minimum>: whether a dotted version (a leading v and a -suffix ignored) is at least the minimum
at_least() {
  local have want i
  IFS=. read -ra have <<<"${1#v}"
  IFS=. read -ra want <<<"$2"
  for i in 0 1 2; do
    local h=${have[i]:-0} w=${want[i]:-0}
    h=${h%%[!0-9]*}
    ((${h:-0} > w)) && return 0
    ((${h:-0} < w)) && return 1
  done
  return 0
}

# docker: installed, its daemon answering, enough memory for the cluster
docker_arch=""
if ! has docker; then
  fail docker "not installed" "install Docker Desktop (macOS: give it ${GOOD_DOCKER_GIB} GiB in Settings > Resources) or Docker Engine (Linux: https://docs.docker.com/engine/install/)"
elif ! answer=$(docker version --format '{{.Server.Arch}}' 2>&1); then
  fail docker "installed, but its daemon does not answer: ${answer##*$'\n'}" "start Docker Desktop, or on Linux: sudo systemctl start docker (and add yourself to the docker group)"
else
  docker_arch=$answer
  mem_bytes=$(docker info --format '{{.MemTotal}}')
  mem_mib=$((mem_bytes / 1024 / 1024))
  mem_gib=$(awk -v mib="$mem_mib" 'BEGIN { printf "%.1f", mib / 1024 }')
  if ((mem_mib * 100 < MIN_DOCKER_GIB * 1024 * (100 - TOLERANCE_PERCENT))); then
    fail docker "the daemon has ${mem_gib} GiB of memory; the cluster needs ${MIN_DOCKER_GIB} GiB for 3 replicas (${GOOD_DOCKER_GIB} GiB for 5)" "give Docker more memory (Docker Desktop: Settings > Resources > Memory)"
  elif ((mem_mib * 100 < GOOD_DOCKER_GIB * 1024 * (100 - TOLERANCE_PERCENT))); then
    warn docker "the daemon has ${mem_gib} GiB of memory: enough for 3 replicas; 5 (make scale REPLICAS=5) need ${GOOD_DOCKER_GIB} GiB" "give Docker more memory, or stay at 3 replicas"
  else
    ok docker "daemon answering, ${mem_gib} GiB of memory (5 replicas fit), ${docker_arch}"
  fi
fi

tool() { # name, version command, fix
  local name=$1 version=$2 fix=$3
  if has "$name"; then
    local out
    out=$(eval "$version" 2>&1)
    out=${out//$'\e'\[[0-9]m/} # Maven colours its version line even in batch mode
    ok "$name" "${out%%$'\n'*}"
  else
    fail "$name" "not installed" "$fix"
  fi
}
# versioned <name> <version output> <minimum> <fix> [note]: ok when the version in the output is at least the minimum
versioned() {
  local name=$1 out=$2 minimum=$3 fix=$4 version
  local pattern='v?[0-9]+\.[0-9]+(\.[0-9]+)?'
  [[ $out =~ $pattern ]] && version=${BASH_REMATCH[0]}
  if [[ -z ${version:-} ]]; then
    fail "$name" "cannot tell its version from: ${out%%$'\n'*}" "$fix"
  elif ! at_least "$version" "$minimum"; then
    fail "$name" "$version is older than v$minimum" "$fix"
  else
    ok "$name" "${out%%$'\n'*}${5:+ ($5)}"
  fi
}
kind_fix="install kind v$KIND_MIN or newer: https://kind.sigs.k8s.io/docs/user/quick-start/#installation (macOS: brew install kind)"
if has kind; then
  versioned kind "$(kind version 2>&1)" "$KIND_MIN" "$kind_fix"
else
  fail kind "not installed" "$kind_fix"
fi
tool kubectl "kubectl version --client" "install kubectl: https://kubernetes.io/docs/tasks/tools/ (macOS: brew install kubectl)"
helm_fix="install Helm 3.7 or newer, or Helm 4: https://helm.sh/docs/intro/install/ (macOS: brew install helm)"
if has helm; then
  helm_version=$(helm version --short 2>&1)
  case "$helm_version" in
    v4.*) versioned helm "$helm_version" 4.0.0 "$helm_fix" "Helm 4: make deploy applies server-side, forcing its own values over kubectl's" ;;
    *) versioned helm "$helm_version" "$HELM_MIN" "$helm_fix" ;;
  esac
else
  fail helm "not installed" "$helm_fix"
fi

# make image builds the jar and the image with the project's Maven and a JDK 17+
if ! has java; then
  fail java "no JDK" "install a JDK 17 or newer (e.g. Eclipse Temurin 17: https://adoptium.net; macOS: brew install --cask temurin@17)"
else
  java_version=$(java -version 2>&1 | awk -F'"' '/version/ { print $2; exit }')
  java_major=${java_version%%.*}
  if [[ "$java_major" =~ ^[0-9]+$ ]] && ((java_major >= 17)); then
    ok java "JDK $java_version"
  else
    fail java "JDK ${java_version:-of unknown version}; the build needs 17 or newer" "install a JDK 17 or newer and put it first on PATH (or set JAVA_HOME)"
  fi
fi
tool mvn "mvn -B -v" "install Maven 3.6.3 or newer: https://maven.apache.org/install.html (macOS: brew install maven)"

# the images are built for the Docker host's architecture: amd64 or arm64
machine=$(uname -m)
case "${docker_arch:-$machine}" in
  x86_64 | amd64 | aarch64 | arm64) ok arch "machine $machine${docker_arch:+, Docker $docker_arch}: images are built for it" ;;
  *) fail arch "${docker_arch:-$machine} is neither amd64 nor arm64" "use an amd64 or arm64 machine: the base images exist for those two" ;;
esac

# host ports: kind maps 8080 to the app's NodePort, make grafana forwards GRAFANA_PORT
cluster_exists=false
if has kind && kind get clusters 2>/dev/null | grep -qx "$KIND_CLUSTER"; then
  cluster_exists=true
fi
for port in $HOST_PORTS; do
  if [[ $port == 8080 && $cluster_exists == true ]]; then
    ok port "8080 belongs to the kind cluster $KIND_CLUSTER"
  elif (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    fail port "127.0.0.1:$port is in use" "stop what listens there (lsof -iTCP:$port -sTCP:LISTEN), or for Grafana pick another: make grafana GRAFANA_PORT=3001"
  else
    ok port "127.0.0.1:$port is free"
  fi
done

# inotify: kind's nodes and their pods share the host's limits (Linux only; Docker Desktop has its own VM)
if [[ -r "$PROC_SYS/fs/inotify/max_user_watches" ]]; then
  watches=$(<"$PROC_SYS/fs/inotify/max_user_watches")
  instances=$(<"$PROC_SYS/fs/inotify/max_user_instances")
  if ((watches < 524288 || instances < 512)); then
    warn inotify "max_user_watches=$watches, max_user_instances=$instances: pods may fail with \"too many open files\"" "sudo sysctl fs.inotify.max_user_watches=524288 fs.inotify.max_user_instances=512"
  else
    ok inotify "max_user_watches=$watches, max_user_instances=$instances"
  fi
fi

# the kube context every make target names
if $cluster_exists; then
  if has kubectl && kubectl config get-contexts -o name 2>/dev/null | grep -qx "$KUBE_CONTEXT"; then
    ok context "$KUBE_CONTEXT (make targets never use another context)"
  else
    fail context "the kind cluster $KIND_CLUSTER exists but kubeconfig has no context $KUBE_CONTEXT" "kind export kubeconfig --name $KIND_CLUSTER"
  fi
elif has kind; then
  ok context "$KUBE_CONTEXT does not exist yet: make kind-up creates it"
fi

if ((${#failed[@]} > 0)); then
  echo "doctor: ${#failed[@]} problem(s) to fix first: ${failed[*]}"
  exit 1
fi
echo "doctor: ready for make kind-up deploy load"
