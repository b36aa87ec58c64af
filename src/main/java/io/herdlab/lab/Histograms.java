package io.herdlab.lab;

import java.util.Arrays;
import java.util.Collection;

import io.herdlab.metrics.LatencyHistogram;

/** Latency histograms as the replicas publish them: fixed buckets, merged by adding counts. */
final class Histograms {

    /** No request in the snapshot took longer than the service's last bound, 60 s, plus the client timeout. */
    private static final long MAX_MS = 60_000;

    private Histograms() {
    }

    static long[] add(long[] into, long[] other) {
        long[] out = into.length >= other.length ? into : Arrays.copyOf(into, other.length);
        for (int i = 0; i < other.length; i++) {
            out[i] += other[i];
        }
        return out;
    }

    static long[] sum(Collection<long[]> histograms) {
        long[] out = new long[0];
        for (long[] h : histograms) {
            out = add(out, h);
        }
        return out;
    }

    static long count(long[] counts) {
        return Arrays.stream(counts).sum();
    }

    /** The q-quantile in ms, interpolated inside its bucket the way the service computes its own. */
    static double percentile(long[] counts, double q) {
        return LatencyHistogram.percentile(counts, q, MAX_MS);
    }
}
