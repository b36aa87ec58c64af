package io.herdlab.metrics;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.herdlab.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/** The peak gauges report the highest value since they were last read, then start again from the value now. */
class PeakGaugesTest {

	final MeterRegistry registry = new SimpleMeterRegistry();

	@Test
	void inFlightPeakCoversQueriesThatEndedBeforeTheScrape() {
		HerdMetrics metrics = new HerdMetrics(registry, Duration.ofSeconds(5), 1000, Clock.systemUTC());
		metrics.dbQueryStarted();
		metrics.dbQueryStarted();
		metrics.dbQueryStarted();
		metrics.dbQueryFinished();
		metrics.dbQueryFinished();

		assertThat(gauge("herd.db.inflight")).isEqualTo(1);
		assertThat(gauge("herd.db.inflight.peak")).as("three were in flight at once").isEqualTo(3);
		assertThat(gauge("herd.db.inflight.peak")).as("the next interval starts from the one still in flight")
				.isEqualTo(1);
		metrics.dbQueryFinished();
		assertThat(gauge("herd.db.inflight.peak")).isEqualTo(1);
		assertThat(gauge("herd.db.inflight.peak")).isZero();
	}

	@Test
	void poolPeaksCatchASaturationBetweenTwoScrapes() throws Exception {
		try (TestDatabase db = TestDatabase.create(PeakGaugesTest.class)) {
			ConnectionFactory postgres = ConnectionFactories.get(db.r2dbcUrl().replace("r2dbc:postgresql://",
					"r2dbc:postgresql://postgres@"));
			ConnectionPool pool = new ConnectionPool(ConnectionPoolConfiguration.builder(postgres)
					.initialSize(0).maxSize(2).maxAcquireTime(Duration.ofSeconds(10)).build());
			try (PoolWatcher watcher = new PoolWatcher(pool)) {
				watcher.bindTo(registry);
				List<Connection> held = new ArrayList<>();
				held.add(pool.create().block(Duration.ofSeconds(10)));
				held.add(pool.create().block(Duration.ofSeconds(10)));
				// a third caller waits for a connection
				var waiting = pool.create().subscribe();
				awaitSampled(() -> pool.getMetrics().orElseThrow().pendingAcquireSize() >= 1);
				waiting.dispose();
				held.forEach(connection -> Mono.from(connection.close()).block(Duration.ofSeconds(10)));
				awaitSampled(() -> pool.getMetrics().orElseThrow().acquiredSize() == 0);
				watcher.sample();

				assertThat(gauge("herd.db.pool.acquired.peak")).isEqualTo(2);
				assertThat(gauge("herd.db.pool.pending.peak")).isEqualTo(1);
				assertThat(gauge("herd.db.pool.acquired.peak")).as("nothing acquired since the last read").isZero();
				assertThat(gauge("herd.db.pool.pending.peak")).isZero();
			}
			finally {
				pool.dispose();
			}
		}
	}

	private double gauge(String name) {
		return registry.get(name).gauge().value();
	}

	private static void awaitSampled(java.util.function.BooleanSupplier condition) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		while (!condition.getAsBoolean()) {
			assertThat(System.nanoTime()).as("condition within 10 s").isLessThan(deadline);
			Thread.sleep(5);
		}
		Thread.sleep(50); // the watcher samples every 10 ms
	}

}
