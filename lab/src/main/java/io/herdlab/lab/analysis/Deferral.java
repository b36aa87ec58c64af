package io.herdlab.lab.analysis;

import java.util.HashSet;
import java.util.Set;

import io.herdlab.lab.data.RunData;

/**
 * What jitter did with the reloads: it spreads the keys' expiries over the jitter window after
 * the aligned instant, so a reload either happened during the run, or was deferred past its end
 * (the key was still cached when the run ended, never reloaded), or its key expired and nobody
 * asked for it yet. Deferred reloads still come, at about {@link #projectedReloadsPerSecond}
 * once every key is in demand.
 *
 * @param reloaded           keys loaded from the database during the run
 * @param deferred           keys still cached at the end without a reload: their expiry moved past the run
 * @param expiredUnrequested keys that expired during the run and were not requested before it ended
 * @param windowEndT         seconds since the warm started when the last jittered expiry falls
 * @param runEndT            seconds since the warm started when the run's last response ended
 */
public record Deferral(long jitterMaxMs, int keysWarmed, long reloaded, long deferred, long expiredUnrequested,
        double projectedReloadsPerSecond, double windowEndT, double runEndT) {

    public static Deferral of(RunData d) {
        Set<Long> alive = new HashSet<>(d.cachedAtEnd());
        alive.removeAll(d.queriesPerKey().keySet());
        long reloaded = d.queriesPerKey().keySet().stream().filter(id -> id >= 1 && id <= d.settings().users()).count();
        long jitter = d.settings().jitterMaxMs();
        RunData.Timeline t = d.timeline();
        return new Deferral(jitter, d.settings().users(), reloaded, alive.size(),
                Math.max(0, d.settings().users() - reloaded - alive.size()),
                jitter > 0 ? d.settings().users() * 1000.0 / jitter : Double.NaN,
                t.t(t.expiryMs() + jitter), t.t(d.lastResponseEpochMs()));
    }

    public boolean jittered() {
        return jitterMaxMs > 0;
    }

    /** The run ended before the jitter window closed: the reloads it shows are a part of the whole. */
    public boolean runEndedFirst() {
        return jittered() && runEndT < windowEndT;
    }

    /** Deferred keys as a share of those warmed. */
    public double deferredShare() {
        return keysWarmed == 0 ? 0 : (double) deferred / keysWarmed;
    }
}
