package io.herdlab.contract;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The one quantile rule of the replicas' latency buckets. */
class LatencyBucketsTest {

    @Test
    void quantilesInterpolateInsideTheirBucket() {
        long[] bounds = {10, 100, 1000};
        // 100 requests: 50 up to 10 ms, 50 in (100, 1000]
        long[] counts = {50, 0, 50, 0};
        assertThat(LatencyBuckets.quantile(counts, bounds, 0.5, LatencyBuckets.UNKNOWN_MAX)).isEqualTo(10.0);
        assertThat(LatencyBuckets.quantile(counts, bounds, 0.99, LatencyBuckets.UNKNOWN_MAX))
                .isCloseTo(982.0, within(1e-9));
        // the slowest request seen caps what interpolation would place above it, not below its bucket
        assertThat(LatencyBuckets.quantile(counts, bounds, 0.99, 400)).isEqualTo(400.0);
        assertThat(LatencyBuckets.quantile(counts, bounds, 0.99, 50)).isEqualTo(100.0);
        assertThat(LatencyBuckets.quantile(new long[] {0, 0, 0, 5}, bounds, 0.5, 2500)).isEqualTo(1750.0);
        assertThat(LatencyBuckets.quantile(new long[4], bounds, 0.5, LatencyBuckets.UNKNOWN_MAX)).isNaN();
    }

    @Test
    void aRequestCountsInTheFirstBucketWhoseBoundHoldsIt() {
        assertThat(LatencyBuckets.bucketOf(0)).isZero();
        assertThat(LatencyBuckets.bucketOf(1)).isZero();
        assertThat(LatencyBuckets.bucketOf(2)).isEqualTo(1);
        assertThat(LatencyBuckets.bucketOf(4)).isEqualTo(3);
        assertThat(LatencyBuckets.bucketOf(60_000)).isEqualTo(LatencyBuckets.COUNT - 2);
        assertThat(LatencyBuckets.bucketOf(60_001)).isEqualTo(LatencyBuckets.COUNT - 1);
        assertThat(LatencyBuckets.add(new long[] {1, 2}, new long[] {1, 1, 1})).containsExactly(2, 3, 1);
    }
}
