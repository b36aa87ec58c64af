package io.herdlab.contract;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The records the service writes read back as they were written, read the JSON a replica answered
 * before they grew (recorded), and survive the service's changes.
 */
class HerdSnapshotTest {

    /** A reader with Jackson's defaults: it refuses a missing number. */
    private static final JsonMapper PLAIN = JsonMapper.builder().build();
    private static final JsonMapper JSON = HerdJson.MAPPER;

    @Test
    void aSnapshotReadsBackAsWrittenEveryFieldNamed() {
        HerdSnapshot written = new HerdSnapshot("r1", "lua",
                new HerdSnapshot.Mitigation("lua", 600_000, "lua", 7000, 5000, true, 30_000, false, 1.0, 0, true, 50,
                        60_000, 50),
                1_795_771_513_847L, new HerdSnapshot.Cache(1, 2, 3, 4, 5, 6, 7, 8),
                new HerdSnapshot.Db(9, 1, 8, 0, List.of(new HerdSnapshot.KeyCount(42, 2)),
                        new HerdSnapshot.QueriesPerKey(7, 1, 0, 0, 0)),
                new HerdSnapshot.Pool(true, 1, 9, 0, 10, 10, 10, 3),
                new HerdSnapshot.Latency(3, 1.5, 2.9, 3.0, 3, new long[] {1, 2, 3}, new long[] {0, 1, 2, 0}),
                List.of(new HerdSnapshot.LatencySecond(1_795_771_513L, 3, new long[] {0, 1, 2, 0})),
                new HerdSnapshot.Coalesce(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), "closed",
                List.of(new HerdSnapshot.Activity("r1", "idle", 10)), null, new HerdSnapshot.Owner(16, 17, 18, 19, 2.5, 3,
                        20, 21, 22, 23));
        String json = PLAIN.writeValueAsString(written);
        assertThat(json).doesNotContain("pgStatActivityError").contains("\"queriesPerKeyHistogram\":{\"1\":7,\"2\":1,");
        assertThat(PLAIN.writeValueAsString(PLAIN.readValue(json, HerdSnapshot.class))).isEqualTo(json);
    }

    @Test
    void readsASnapshotRecordedFromAReplicaBeforeTheRecordsGrew() throws IOException {
        HerdSnapshot s;
        try (InputStream in = getClass().getResourceAsStream("/lab/herd-snapshot.json")) {
            s = JSON.readValue(in, HerdSnapshot.class);
        }
        assertThat(s.instance()).isEqualTo("dev-1");
        assertThat(s.preset()).isEqualTo("baseline");
        assertThat(s.mitigation().ttlMs()).isEqualTo(60_000);
        assertThat(s.mitigation().queryDelayMs()).isEqualTo(50);
        assertThat(s.cache().misses()).isEqualTo(525);
        assertThat(s.db().queries()).isEqualTo(525);
        assertThat(s.db().duplicateQueries()).isEqualTo(13);
        assertThat(s.pool().maxSize()).isEqualTo(10);
        assertThat(s.pool().peakPending()).isEqualTo(446);
        assertThat(s.latency().bucketsMs()).startsWith(1, 2, 3, 5).endsWith(60_000);
        assertThat(s.latencyBySecond()).isNotEmpty().allSatisfy(second ->
                assertThat(second.counts()).hasSize(s.latency().bucketsMs().length + 1));
        assertThat(s.coalesce().followers()).isZero();
    }

    @Test
    void unknownFieldsAreIgnoredAndMissingPartsReadAsZero() {
        HerdSnapshot s = JSON.readValue("""
                {"instance":"r1","preset":"lua","somethingNew":{"x":1},"pool":{"pooled":false},
                 "cache":{"hits":3,"misses":1,"ratio":0.75}}""", HerdSnapshot.class);
        assertThat(s.cache().hits()).isEqualTo(3);
        assertThat(s.pool().maxSize()).isZero();
        assertThat(s.db().queries()).isZero();
        assertThat(s.latencyBySecond()).isEmpty();
        assertThat(s.latency().bucketsMs()).isEmpty();
    }

    @Test
    void perKeyCountsAddUpAcrossReplicas() {
        KeyQueries a = JSON.readValue("{\"1\":3,\"42\":1}", KeyQueries.class);
        KeyQueries b = JSON.readValue("{\"1\":2,\"7\":1}", KeyQueries.class);
        assertThat(a.plus(b).byId()).containsExactly(java.util.Map.entry(1L, 5), java.util.Map.entry(7L, 1),
                java.util.Map.entry(42L, 1));
        assertThat(JSON.writeValueAsString(a)).isEqualTo("{\"1\":3,\"42\":1}");
    }

    @Test
    void leaseEventsAddUpPerKeyAndOutcomeAcrossReplicas() {
        LeaseEvents a = JSON.readValue("{\"1\":{\"lost\":1},\"42\":{\"backstop\":2}}", LeaseEvents.class);
        LeaseEvents b = JSON.readValue("{\"1\":{\"lost\":2,\"refused\":1},\"7\":{}}", LeaseEvents.class);
        LeaseEvents sum = a.plus(b);
        // an id without events explains nothing: the sum leaves it out
        assertThat(sum.byId()).containsOnlyKeys(1L, 42L);
        assertThat(sum.count(1, LeaseOutcome.LOST)).isEqualTo(3);
        assertThat(sum.count(1, LeaseOutcome.REFUSED)).isEqualTo(1);
        assertThat(sum.count(42, LeaseOutcome.BACKSTOP)).isEqualTo(2);
        assertThat(sum.count(7, LeaseOutcome.LOST)).isZero();
        assertThat(sum.count(99, LeaseOutcome.LOST)).isZero();
        assertThat(JSON.writeValueAsString(a)).isEqualTo("{\"1\":{\"lost\":1},\"42\":{\"backstop\":2}}");
        assertThat(JSON.readValue("{}", LeaseEvents.class).byId()).isEmpty();
    }

    @Test
    void presetNamesParseInAnyCaseAndListTheValidOnes() {
        assertThat(Preset.parse(" Lua ")).isEqualTo(Preset.LUA);
        assertThat(Preset.ids()).containsExactly("baseline", "jitter", "local", "redisson", "lua", "tiered", "full", "owner");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Preset.parse("magic"))
                .hasMessageContaining("magic").hasMessageContaining("redisson");
    }
}
