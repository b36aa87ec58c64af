#!/usr/bin/env bash
# Runs the Artillery load as a Job in the cluster: builds the scenario ConfigMap from
# artillery/, (re)creates the Job from k8s/load/job.yaml, waits for it and prints Artillery's
# summary and the per-replica report. The whole log is kept under reports/.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
NAMESPACE=${NAMESPACE:-herdlab}
RELEASE=${RELEASE:-herdlab}
SCENARIO=${SCENARIO:-herd.yml}
LOAD_ENV=${LOAD_ENV:-}            # empty: the full herd; "quick": scenario environment "quick"
HERD_DIST=${HERD_DIST:-uniform}   # uniform | zipf
HERD_WARM_ALIGNED=${HERD_WARM_ALIGNED:-false}  # true: warm without the preset's jitter
LOAD_TIMEOUT=${LOAD_TIMEOUT:-1200}
job=herdlab-load

case "$LOAD_ENV" in
  "") expire_after=61 ;;   # herd.yml: warm phase 61 s, keys expire ~1 s before the spike
  quick) expire_after=16 ;;
  *) echo "load: LOAD_ENV must be empty or quick" >&2; exit 2 ;;
esac
[[ -f "$root/artillery/scenarios/$SCENARIO" ]] || { echo "load: no artillery/scenarios/$SCENARIO" >&2; exit 2; }

kubectl -n "$NAMESPACE" create configmap herdlab-artillery \
  --from-file="$root/artillery/scenarios/" \
  --from-file="$root/artillery/processor.js" \
  --from-file="$root/k8s/load/herd-admin.js" \
  --dry-run=client -o yaml | kubectl -n "$NAMESPACE" apply -f -
kubectl -n "$NAMESPACE" delete job "$job" --ignore-not-found --wait=true
kubectl set env --local -f "$root/k8s/load/job.yaml" -o yaml \
  TARGET="http://$RELEASE:8080" HERD_MANAGEMENT_SERVICE="$RELEASE-management" \
  SCENARIO="$SCENARIO" ARTILLERY_ENVIRONMENT="$LOAD_ENV" \
  HERD_EXPIRE_AFTER_SECONDS="$expire_after" HERD_DIST="$HERD_DIST" HERD_WARM_ALIGNED="$HERD_WARM_ALIGNED" \
  | kubectl -n "$NAMESPACE" apply -f -

echo "load: job/$job started; waiting (up to ${LOAD_TIMEOUT}s; the herd scenario takes ~2 min)"
outcome=""
for ((waited = 0; waited < LOAD_TIMEOUT; waited += 5)); do
  succeeded=$(kubectl -n "$NAMESPACE" get job "$job" -o jsonpath='{.status.succeeded}')
  failed=$(kubectl -n "$NAMESPACE" get job "$job" -o jsonpath='{.status.failed}')
  if [[ "${succeeded:-0}" -ge 1 ]]; then outcome=succeeded; break; fi
  if [[ "${failed:-0}" -ge 1 ]]; then outcome=failed; break; fi
  sleep 5
done

mkdir -p "$root/reports"
log="$root/reports/k8s-load-$(date +%Y%m%d-%H%M%S).log"
kubectl -n "$NAMESPACE" logs "job/$job" > "$log" || true
grep '^herd-admin:' "$log" || true
if grep -q 'Summary report' "$log"; then
  sed -n '/Summary report/,$p' "$log"
else
  cat "$log"
fi
echo "load: full log in ${log#"$root"/}"
case "$outcome" in
  succeeded) ;;
  failed) echo "load: job/$job failed" >&2; exit 1 ;;
  *) echo "load: job/$job did not finish within ${LOAD_TIMEOUT}s" >&2; exit 1 ;;
esac
