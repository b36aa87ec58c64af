#!/usr/bin/env bash
# make run: the service in the foreground until Ctrl-C.
#
#   scripts/run.sh JAR [--property=value ...]
#
# The JVM runs in a session of its own, so the terminal's Ctrl-C reaches only this script, which
# asks the JVM to stop (SIGTERM): the JVM closes its clients first, then the embedded PostgreSQL
# and Redis (which a Ctrl-C reaching them directly would kill under their clients). An ordinary
# stop is not reported as a failure, so make prints no "Error 130".
set -uo pipefail
jar=${1:?usage: $0 JAR [--property=value ...]}
shift
setsid java -jar "$jar" "$@" <&0 &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null' INT TERM HUP
while :; do
  wait "$pid"
  status=$?
  kill -0 "$pid" 2>/dev/null || break   # wait returns early when a signal arrives; the JVM is still stopping
done
case $status in
  130 | 143) exit 0 ;;   # stopped by Ctrl-C or SIGTERM: an ordinary stop
  *) exit "$status" ;;
esac
