package io.herdlab.metrics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import io.herdlab.Burst;
import io.herdlab.Replica;
import io.herdlab.TestDatabase;
import io.herdlab.dashboards.GrafanaDashboards;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every app metric the dashboards query is one a running herdlab exports on
 * /actuator/prometheus. Most herdlab counters appear on first use, so two replicas sharing a
 * database and Redis are driven through what produces each: misses, hits, coalescing and
 * leases, follower timeouts, a duplicate query, a stale serve with its background refresh.
 */
class DashboardMetricsExportedTest {

	static TestDatabase db;

	static final List<Replica> replicas = new ArrayList<>();

	/** Sample name → one sample line of it, from every replica's scrape. */
	static final Map<String, String> exported = new TreeMap<>();

	@BeforeAll
	static void driveTwoReplicasAndScrapeThem() throws InterruptedException {
		db = TestDatabase.create(DashboardMetricsExportedTest.class);
		String prefix = TestDatabase.keyPrefix(DashboardMetricsExportedTest.class);
		// full: local single-flight + lease, stale-while-revalidate, breaker; no jitter, so a
		// warmed key expires when asked
		Replica full = Replica.start("metrics-full", db, prefix, "--server.shutdown=immediate",
				"--herd.mitigation.preset=full",
				"--herd.mitigation.jitter-max=0s", "--herd.db.query-delay=300ms");
		replicas.add(full);
		// lua without a local single-flight: concurrent misses contend for the lease, and
		// followers give up after 50 ms while the leader's query takes 300 ms
		Replica lua = Replica.start("metrics-lua", db, prefix, "--server.shutdown=immediate",
				"--herd.mitigation.preset=lua",
				"--herd.mitigation.jitter-max=0s", "--herd.db.query-delay=300ms",
				"--herd.mitigation.wait-timeout=50ms");
		replicas.add(lua);
		// owner routing on its own (no other member): its forward and fallback meters, at 0
		replicas.add(Replica.start("metrics-owner", db, prefix, "--server.shutdown=immediate",
				"--herd.mitigation.preset=owner"));

		full.adminPost("seed", Map.of("users", 20));
		Burst.get(List.of(full), 20, i -> 7L); // miss: a leader, followers, a lease, a DB query
		Burst.get(List.of(full), 5, i -> 7L); // hits
		Burst.get(List.of(lua), 20, i -> 8L); // lease busy, follower timeouts

		// the same key loaded twice within the duplicate window
		Burst.get(List.of(full), 1, i -> 9L);
		full.adminPost("flush", Map.of());
		Burst.get(List.of(full), 1, i -> 9L);

		// a key past its expiry but within the stale window: served stale, refreshed behind
		full.adminPost("warm", Map.of("users", 20, "expiresAtEpochMs", System.currentTimeMillis() + 500));
		Thread.sleep(1_000);
		Burst.get(List.of(full), 3, i -> 11L);
		Thread.sleep(500);

		for (Replica replica : replicas) {
			String scrape = replica.admin().get().uri("/actuator/prometheus").retrieve().bodyToMono(String.class)
					.block(Duration.ofSeconds(30));
			scrape.lines().filter(line -> !line.isBlank() && !line.startsWith("#")).forEach(line -> {
				int end = line.indexOf('{') >= 0 ? line.indexOf('{') : line.indexOf(' ');
				exported.putIfAbsent(line.substring(0, end), line);
			});
		}
	}

	@AfterAll
	static void stop() {
		if (!replicas.isEmpty()) {
			replicas.get(0).adminPost("flush", Map.of());
		}
		replicas.forEach(Replica::close);
		if (db != null) {
			db.close();
		}
	}

	@Test
	void everyAppMetricOfTheDashboardsIsExported() {
		Set<String> appMetrics = new TreeSet<>();
		GrafanaDashboards.metricNames().stream().filter(name -> !GrafanaDashboards.isExporterMetric(name))
				.forEach(appMetrics::add);
		assertThat(appMetrics).hasSizeGreaterThan(10);
		Set<String> missing = new TreeSet<>(appMetrics);
		missing.removeAll(exported.keySet());
		assertThat(missing).as("dashboard metrics not on /actuator/prometheus (exported: %s)", exported.keySet())
				.isEmpty();
	}

	@Test
	void everyAppMetricCarriesTheReplicaTagTheDashboardsGroupBy() {
		GrafanaDashboards.metricNames().stream().filter(name -> !GrafanaDashboards.isExporterMetric(name))
				.forEach(name -> assertThat(exported.get(name)).as(name).contains("replica=\"metrics-"));
		assertThat(exported.get("herd_mitigation_info")).contains("preset=\"");
	}

}
