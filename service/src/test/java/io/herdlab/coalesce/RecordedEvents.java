package io.herdlab.coalesce;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import io.herdlab.contract.LeaseOutcome;
import io.herdlab.metrics.CoalesceRole;
import io.herdlab.metrics.CoalesceScope;

/** Coalescing events counted by scope and name, for unit tests of the mechanisms. */
public final class RecordedEvents implements CoalesceEvents {

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    private void add(CoalesceScope scope, String name) {
        counts.computeIfAbsent(scope + "/" + name, k -> new LongAdder()).increment();
    }

    public long count(CoalesceScope scope, String name) {
        LongAdder count = counts.get(scope + "/" + name);
        return count == null ? 0 : count.sum();
    }

    @Override
    public void role(CoalesceScope scope, CoalesceRole role) {
        add(scope, role.tag);
    }

    @Override
    public void followerWaited(CoalesceScope scope, Duration waited) {
        add(scope, "waited");
    }

    @Override
    public void followerTimedOut(CoalesceScope scope) {
        add(scope, "timeout");
    }

    @Override
    public void lease(CoalesceScope scope, LeaseOutcome outcome, long id) {
        add(scope, "lease-" + outcome.tag());
    }

    @Override
    public void wokeUp(CoalesceScope scope, Duration sinceFill) {
        add(scope, "woke");
    }
}
