#!/usr/bin/env bash
# Runs the Artillery load as a Job in the cluster: writes the run's parameters to the
# ConfigMap herdlab-load-params (the Job reads them with envFrom, so any combination, the
# defaults included, gives a Job), the scenario ConfigMap from artillery/, (re)creates the Job
# from k8s/load/job.yaml with the load image and the release's Secret, waits for it (failing
# fast when its image cannot be pulled or its pod fails) and prints the in-cluster report.
# The whole log is kept under reports/. Every kubectl call that reaches a cluster names the
# kind context; the others run client-side only (--dry-run=client, --local).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/cluster-env.sh"
SCENARIO=${SCENARIO:-herd.yml}
LOAD_ENV=${LOAD_ENV:-}                         # empty: the full herd; quick: the scenario's "quick" environment
HERD_DIST=${HERD_DIST:-uniform}                # uniform | zipf
HERD_WARM_ALIGNED=${HERD_WARM_ALIGNED:-false}  # true: warm without the preset's jitter
HERD_USERS=${HERD_USERS:-10000}
LOAD_IMG=${LOAD_IMG:?LOAD_IMG=<the load image, as make load-image tags it>}
CREDENTIALS_SECRET=${CREDENTIALS_SECRET:-$RELEASE-credentials}  # the chart's Secret, or its existingSecret
LOAD_TIMEOUT=${LOAD_TIMEOUT:-1200}
POLL_SECONDS=${POLL_SECONDS:-5}
job=herdlab-load

fail() { echo "load: $*" >&2; exit 1; }
case "$LOAD_ENV" in "" | quick) ;; *) fail "LOAD_ENV must be empty or quick, not '$LOAD_ENV'" ;; esac
case "$HERD_DIST" in uniform | zipf) ;; *) fail "HERD_DIST must be uniform or zipf, not '$HERD_DIST'" ;; esac
case "$HERD_WARM_ALIGNED" in true | false) ;; *) fail "HERD_WARM_ALIGNED must be true or false, not '$HERD_WARM_ALIGNED'" ;; esac
[[ "$HERD_USERS" =~ ^[1-9][0-9]*$ ]] || fail "HERD_USERS must be a positive integer, not '$HERD_USERS'"
[[ -f "$root/artillery/scenarios/$SCENARIO" ]] || fail "no artillery/scenarios/$SCENARIO"

kube() { kubectl --context "$KUBE_CONTEXT" --namespace "$NAMESPACE" "$@"; }

{
  kubectl create configmap herdlab-load-params --dry-run=client -o yaml \
    --from-literal=TARGET="http://$RELEASE:8080" \
    --from-literal=HERD_MANAGEMENT_SERVICE="$RELEASE-management" \
    --from-literal=HERD_MANAGEMENT_PORT=8081 \
    --from-literal=SCENARIO="$SCENARIO" \
    --from-literal=ARTILLERY_ENVIRONMENT="$LOAD_ENV" \
    --from-literal=HERD_DIST="$HERD_DIST" \
    --from-literal=HERD_WARM_ALIGNED="$HERD_WARM_ALIGNED" \
    --from-literal=HERD_USERS="$HERD_USERS"
  echo "---"
  kubectl create configmap herdlab-artillery --dry-run=client -o yaml \
    --from-file="$root/artillery/scenarios/" \
    --from-file="$root/artillery/processor.js" \
    --from-file="$root/k8s/load/herd-admin.js"
} | kube apply -f -

# Foreground: returns once the previous run's pod is gone too, not just the Job (the default,
# background, leaves an aborted run's Artillery firing while this one seeds and resets).
kube delete job "$job" --ignore-not-found --wait=true --cascade=foreground
patch=$(printf '[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"%s"},{"op":"replace","path":"/spec/template/spec/containers/0/env/0/valueFrom/secretKeyRef/name","value":"%s"}]' \
  "$LOAD_IMG" "$CREDENTIALS_SECRET")
kubectl patch --local -f "$root/k8s/load/job.yaml" --type=json -p "$patch" -o yaml | kube apply -f -

echo "load: job/$job started with $LOAD_IMG (LOAD_ENV=${LOAD_ENV:-<full>} HERD_DIST=$HERD_DIST); waiting up to ${LOAD_TIMEOUT}s (the herd scenario takes ~2 min)"
outcome=""
for ((waited = 0; waited < LOAD_TIMEOUT; waited += POLL_SECONDS)); do
  status=$(kube get job "$job" -o jsonpath='{.status.succeeded}/{.status.failed}') || status=/
  succeeded=${status%%/*} failed=${status##*/}
  if ((${succeeded:-0} >= 1)); then outcome=succeeded; break; fi
  if ((${failed:-0} >= 1)); then outcome=failed; break; fi
  # A pod that cannot start never fails the Job by itself: stop at once and say why.
  waiting=$(kube get pods -l job-name="$job" \
    -o jsonpath='{range .items[*].status.containerStatuses[*]}{.state.waiting.reason}{"\t"}{.state.waiting.message}{"\n"}{end}')
  while IFS=$'\t' read -r reason message; do
    case "$reason" in
      ErrImagePull | ImagePullBackOff | ErrImageNeverPull | InvalidImageName)
        kube delete job "$job" --ignore-not-found --wait=false >/dev/null
        fail "the load image $LOAD_IMG is not on the cluster's nodes ($reason: ${message:-no detail}); run: make load-image" ;;
      CreateContainerConfigError | CreateContainerError)
        kube delete job "$job" --ignore-not-found --wait=false >/dev/null
        fail "the load pod cannot start ($reason: ${message:-no detail}); is the release $RELEASE deployed in namespace $NAMESPACE? run: make deploy" ;;
    esac
  done <<<"$waiting"
  sleep "$POLL_SECONDS"
done

mkdir -p "$root/reports"
log="$root/reports/k8s-load-$(date +%Y%m%d-%H%M%S).log"
kube logs "job/$job" >"$log" || true
# herd-admin's lines before Artillery's summary, then the summary and the report after it
if grep -q 'Summary report' "$log"; then
  awk '/Summary report/ { summary = 1 } summary || /^herd-admin:/' "$log"
else
  cat "$log"
fi
echo "load: full log in ${log#"$root"/}"
case "$outcome" in
  succeeded) ;;
  failed) fail "job/$job failed (its log above)" ;;
  *) fail "job/$job did not finish within ${LOAD_TIMEOUT}s" ;;
esac
