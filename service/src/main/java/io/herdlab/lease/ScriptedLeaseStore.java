package io.herdlab.lease;

import java.util.List;

import io.herdlab.cache.UserCache.Prepared;
import reactor.core.publisher.Mono;

/**
 * What both lease stores do the same way: the fenced fill, renewal and release are herdlab's
 * scripts ({@link LeaseScripts}), for a string lease and a Redisson lock alike. Only how the
 * lease is asked for differs.
 */
abstract class ScriptedLeaseStore implements LeaseStore {

    protected final LeaseScripts scripts;

    ScriptedLeaseStore(LeaseScripts scripts) {
        this.scripts = scripts;
    }

    @Override
    public final Mono<LeaseScripts.Fill> fill(Lease lease, Prepared prepared, boolean absent) {
        return scripts.fill(lease, prepared, absent);
    }

    @Override
    public final Mono<List<Boolean>> renew(List<Lease> leases) {
        return scripts.renew(leases);
    }

    @Override
    public final Mono<Void> release(Lease lease, Notices.Kind why) {
        return scripts.release(lease, why);
    }
}
