package io.herdlab.lab.analysis;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.herdlab.contract.LatencyBuckets;
import io.herdlab.lab.data.RunData;

/**
 * Request latency P50/P95/P99 (ms) in the warm phase and during the spike. Server-side: the
 * replicas' per-second histograms merged; the spike's window runs from the spike's second to
 * the second its last response ended (the expiry to the end when there was no spike).
 * Client-side: Artillery's responses in the warm phase, the spike stage's own during the spike.
 *
 * @param spikeSeconds length of the spike window in seconds
 */
public record Latencies(double[] serverWarm, double[] serverSpike, int spikeSeconds, double[] clientWarm,
        double[] clientSpike, double clientSpikeMaxMs) {

    /** The warm phase is measured from t = 2 s, after the first connections are open. */
    static final long WARM_SKIP_MS = 2000;

    static Latencies of(RunData d, BurstCheck burst) {
        RunData.Timeline t = d.timeline();
        long warmFrom = (t.warmStartMs() + WARM_SKIP_MS) / 1000;
        long expirySecond = t.expiryMs() / 1000;
        long spikeFrom = burst.ran() ? t.spikeAtMs() / 1000 : expirySecond;
        long spikeTo = burst.ran() && burst.lastResponseEpochMs() > 0 ? burst.lastResponseEpochMs() / 1000
                : t.endMs() / 1000;
        List<long[]> warm = new ArrayList<>();
        List<long[]> spike = new ArrayList<>();
        d.latencyBySecond().forEach((second, counts) -> {
            if (second >= warmFrom && second < expirySecond) {
                warm.add(counts);
            }
            else if (second >= spikeFrom && second <= spikeTo) {
                spike.add(counts);
            }
        });
        double[] clientWarm = d.artilleryResponses().stream()
                .filter(r -> r.endEpochMs() - r.latencyMs() >= t.warmStartMs() + WARM_SKIP_MS
                        && r.endEpochMs() - r.latencyMs() < t.expiryMs())
                .mapToDouble(RunData.Response::latencyMs).toArray();
        double[] clientSpike = d.spike().stream().filter(r -> r.sent() && !Double.isNaN(r.latencyMs()))
                .mapToDouble(RunData.SpikeRequest::latencyMs).toArray();
        return new Latencies(Histograms.p50p95p99(LatencyBuckets.sum(warm), d.bucketBoundsMs(), d.latencyMaxMs()),
                Histograms.p50p95p99(LatencyBuckets.sum(spike), d.bucketBoundsMs(), d.latencyMaxMs()),
                (int) (spikeTo - spikeFrom + 1),
                Histograms.exactP50p95p99(clientWarm), Histograms.exactP50p95p99(clientSpike),
                Arrays.stream(clientSpike).max().orElse(Double.NaN));
    }

    public double spikeP99() {
        return serverSpike[2];
    }

    /** How many times the warm phase's server P99 the spike's is. */
    public double spikeOverWarm() {
        return serverSpike[2] / serverWarm[2];
    }
}
