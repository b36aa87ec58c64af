package io.herdlab.metrics;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.herdlab.contract.HerdSnapshot;
import io.micrometer.core.instrument.MeterRegistry;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.PoolMetrics;
import io.r2dbc.spi.ConnectionFactory;

/**
 * Reads the R2DBC pool's gauges and keeps their peaks since the last reset, sampled every
 * 10 ms so a short saturation is not missed between two polls of the snapshot. The same
 * samples feed the peak-since-last-scrape gauges (see {@link ScrapePeak}) once bound.
 */
public final class PoolWatcher implements AutoCloseable {

    private final PoolMetrics pool;
    private final AtomicInteger peakAcquired = new AtomicInteger();
    private final AtomicInteger peakPending = new AtomicInteger();
    private final ScheduledExecutorService sampler;
    private volatile ScrapePeak scrapePeakAcquired;
    private volatile ScrapePeak scrapePeakPending;

    public PoolWatcher(ConnectionFactory connectionFactory) {
        this.pool = connectionFactory instanceof ConnectionPool p ? p.getMetrics().orElse(null) : null;
        this.sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pool-watcher");
            t.setDaemon(true);
            return t;
        });
        if (pool != null) {
            sampler.scheduleAtFixedRate(this::sample, 10, 10, TimeUnit.MILLISECONDS);
        }
    }

    /** Registers herd.db.pool.acquired.peak and herd.db.pool.pending.peak (nothing without a pool). */
    void bindTo(MeterRegistry registry) {
        if (pool != null) {
            scrapePeakAcquired = ScrapePeak.register(registry, "herd.db.pool.acquired.peak",
                    "most R2DBC connections acquired at once since the last scrape (10 ms samples)", pool::acquiredSize);
            scrapePeakPending = ScrapePeak.register(registry, "herd.db.pool.pending.peak",
                    "most callers waiting for an R2DBC connection at once since the last scrape (10 ms samples)",
                    pool::pendingAcquireSize);
        }
    }

    public void sample() {
        if (pool != null) {
            int acquired = pool.acquiredSize();
            int pending = pool.pendingAcquireSize();
            peakAcquired.accumulateAndGet(acquired, Math::max);
            peakPending.accumulateAndGet(pending, Math::max);
            ScrapePeak scrapeAcquired = scrapePeakAcquired;
            ScrapePeak scrapePending = scrapePeakPending;
            if (scrapeAcquired != null && scrapePending != null) { // both bound (bindTo sets one, then the other)
                scrapeAcquired.record(acquired);
                scrapePending.record(pending);
            }
        }
    }

    public void reset() {
        peakAcquired.set(0);
        peakPending.set(0);
    }

    public HerdSnapshot.Pool snapshot() {
        if (pool == null) {
            return HerdSnapshot.Pool.NONE;
        }
        return new HerdSnapshot.Pool(true, pool.acquiredSize(), pool.idleSize(), pool.pendingAcquireSize(),
                pool.allocatedSize(), pool.getMaxAllocatedSize(), peakAcquired.get(), peakPending.get());
    }

    @Override
    public void close() {
        sampler.shutdownNow();
    }
}
