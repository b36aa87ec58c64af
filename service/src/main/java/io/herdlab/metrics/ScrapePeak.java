package io.herdlab.metrics;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The highest value seen since the gauge was last read. A spike of a second falls between two
 * 5 s scrapes of a point gauge; this one reports it at the next scrape. Reading resets it to
 * the current value, so each scrape sees the peak of its own interval: with one Prometheus
 * scraping (kind), that is "peak since the last scrape"; a second reader (another Prometheus,
 * /actuator/metrics) takes a share of the intervals.
 */
final class ScrapePeak {

    private final AtomicInteger peak = new AtomicInteger();
    private final IntSupplier current;

    private ScrapePeak(IntSupplier current) {
        this.current = current;
    }

    /** Registers {@code name} as a gauge of the peak of {@code current}; call {@link #record} on every change. */
    static ScrapePeak register(MeterRegistry registry, String name, String description, IntSupplier current) {
        ScrapePeak peak = new ScrapePeak(current);
        Gauge.builder(name, peak, ScrapePeak::readAndReset).description(description).register(registry);
        return peak;
    }

    void record(int value) {
        peak.accumulateAndGet(value, Math::max);
    }

    /** The peak since the last read; the next interval starts from the value now. */
    int readAndReset() {
        int now = current.getAsInt();
        return Math.max(peak.getAndSet(now), now);
    }
}
