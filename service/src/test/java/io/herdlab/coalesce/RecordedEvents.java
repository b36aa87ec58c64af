package io.herdlab.coalesce;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import io.herdlab.metrics.CoalesceRole;
import io.herdlab.contract.LeaseOutcome;

/** Coalescing events counted by scope and name, for unit tests of the mechanisms. */
public final class RecordedEvents implements CoalesceEvents {

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    private void add(String scope, String name) {
        counts.computeIfAbsent(scope + "/" + name, k -> new LongAdder()).increment();
    }

    public long count(String scope, String name) {
        LongAdder count = counts.get(scope + "/" + name);
        return count == null ? 0 : count.sum();
    }

    @Override
    public void role(String scope, CoalesceRole role) {
        add(scope, role.tag);
    }

    @Override
    public void followerWaited(String scope, Duration waited) {
        add(scope, "waited");
    }

    @Override
    public void followerTimedOut(String scope) {
        add(scope, "timeout");
    }

    @Override
    public void lease(String scope, LeaseOutcome outcome, long id) {
        add(scope, "lease-" + outcome.tag());
    }

    @Override
    public void wokeUp(String scope, Duration sinceFill) {
        add(scope, "woke");
    }
}
