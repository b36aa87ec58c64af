package io.herdlab.k8s;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * k8s/load/herd-admin.js, the load Job's seed/warm/report step, run with node against two
 * stand-in replicas on 127.0.0.1 that record what they are asked.
 */
class HerdAdminScriptTest {

	static final ObjectMapper JSON = new ObjectMapper();

	final List<FakeReplica> replicas = new ArrayList<>();

	@AfterEach
	void stop() {
		replicas.forEach(replica -> replica.server.stop(0));
	}

	@Test
	void primeSeedsOnceResetsEveryReplicaAndWarmsToOneAbsoluteInstant() throws Exception {
		FakeReplica a = replica("{}");
		FakeReplica b = replica("{}");
		long before = System.currentTimeMillis();
		JsonNode result = run("prime", Map.of("HERD_REPLICAS", a.url() + "," + b.url(), "HERD_USERS", "100",
				"HERD_EXPIRE_AFTER_SECONDS", "61"));
		long after = System.currentTimeMillis();

		assertThat(result.path("replicas").asInt()).isEqualTo(2);
		assertThat(a.requests).containsExactly("POST /actuator/herd/seed {\"users\":100}",
				"POST /actuator/herd/reset {}", a.requests.get(2));
		assertThat(b.requests).containsExactly("POST /actuator/herd/reset {}");
		JsonNode warm = JSON.readTree(a.requests.get(2).substring("POST /actuator/herd/warm ".length()));
		assertThat(a.requests.get(2)).startsWith("POST /actuator/herd/warm ");
		assertThat(warm.path("users").asInt()).isEqualTo(100);
		assertThat(warm.path("expiresAtEpochMs").asLong()).isBetween(before + 61_000, after + 61_000);
		assertThat(warm.has("aligned")).as("the preset's jitter applies unless asked").isFalse();
	}

	@Test
	void primeCanWarmWithoutThePresetsJitter() throws Exception {
		FakeReplica only = replica("{}");
		run("prime", Map.of("HERD_REPLICAS", only.url(), "HERD_WARM_ALIGNED", "true"));
		JsonNode warm = JSON.readTree(only.requests.get(2).substring("POST /actuator/herd/warm ".length()));
		assertThat(warm.path("aligned").asBoolean()).isTrue();
	}

	@Test
	void primeFindsReplicasThroughTheServiceName() throws Exception {
		FakeReplica only = replica("{}");
		JsonNode result = run("prime", Map.of("HERD_MANAGEMENT_SERVICE", "127.0.0.1",
				"HERD_MANAGEMENT_PORT", String.valueOf(only.port())));
		assertThat(result.path("replicas").asInt()).isEqualTo(1);
		assertThat(only.requests).hasSize(3).first().isEqualTo("POST /actuator/herd/seed {\"users\":10000}");
	}

	@Test
	void reportCountsClusterDuplicatesFromPerKeyCountsOfEveryReplica() throws Exception {
		// replica a loaded key 1 twice and key 2 once; b loaded key 1 and key 3 once: 5 queries,
		// 3 distinct keys, so 2 duplicates, although b alone saw none
		FakeReplica a = replica("{\"1\":2,\"2\":1}");
		FakeReplica b = replica("{\"1\":1,\"3\":1}");
		JsonNode result = run("report", Map.of("HERD_REPLICAS", a.url() + "," + b.url()));
		assertThat(result.path("queries").asInt()).isEqualTo(5);
		assertThat(result.path("distinct").asInt()).isEqualTo(3);
		assertThat(result.path("duplicates").asInt()).isEqualTo(2);
		assertThat(a.requests).containsExactlyInAnyOrder("GET /actuator/herd ", "GET /actuator/herd/keys ");
	}

	@Test
	void failsWhenAReplicaRefuses() throws Exception {
		FakeReplica broken = replica("{}");
		broken.status = 503;
		Process process = start("prime", Map.of("HERD_REPLICAS", broken.url()));
		assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
		assertThat(process.exitValue()).isEqualTo(1);
		assertThat(new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8)).contains("503");
	}

	private FakeReplica replica(String keys) throws IOException {
		FakeReplica replica = new FakeReplica(keys);
		replicas.add(replica);
		return replica;
	}

	private static JsonNode run(String command, Map<String, String> env) throws Exception {
		Process process = start(command, env);
		assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("herd-admin.js finished").isTrue();
		String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.exitValue()).as(out + err).isZero();
		String[] lines = out.strip().split("\n");
		return JSON.readTree(lines[lines.length - 1]);
	}

	private static Process start(String command, Map<String, String> env) throws IOException {
		ProcessBuilder builder = new ProcessBuilder("node", Path.of("k8s", "load", "herd-admin.js").toString(), command);
		builder.environment().keySet().removeIf(name -> name.startsWith("HERD_"));
		builder.environment().putAll(env);
		builder.environment().put("HERD_ADMIN_JSON", "1");
		builder.environment().put("HERD_ADMIN_TIMEOUT_MS", "10000");
		return builder.start();
	}

	/** A stand-in for one replica's management port. */
	static final class FakeReplica {

		final HttpServer server;

		/** What it was asked, "METHOD path body", in arrival order. */
		final List<String> requests = Collections.synchronizedList(new ArrayList<>());

		volatile int status = 200;

		FakeReplica(String keys) throws IOException {
			server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
			server.createContext("/actuator/herd", exchange -> {
				String path = exchange.getRequestURI().getPath();
				String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
				requests.add(exchange.getRequestMethod() + " " + path + " " + body);
				String response = switch (path) {
					case "/actuator/herd/seed" -> "{\"users\":100,\"millis\":5}";
					case "/actuator/herd/warm" -> "{\"keys\":100,\"expiresAtEpochMs\":"
							+ JSON.readTree(body).path("expiresAtEpochMs").asLong() + ",\"jitterMaxMs\":0}";
					case "/actuator/herd/keys" -> keys;
					case "/actuator/herd" -> "{\"instance\":\"pod-" + port() + "\",\"preset\":\"baseline\","
							+ "\"db\":{\"queries\":3,\"duplicateQueries\":1},\"pool\":{\"peakAcquired\":10,\"peakPending\":40},"
							+ "\"latency\":{\"p99Ms\":900}}";
					default -> "{}";
				};
				byte[] bytes = response.getBytes(StandardCharsets.UTF_8);
				exchange.getResponseHeaders().add("Content-Type", "application/json");
				exchange.sendResponseHeaders(status, bytes.length);
				try (OutputStream out = exchange.getResponseBody()) {
					out.write(bytes);
				}
			});
			server.start();
		}

		int port() {
			return server.getAddress().getPort();
		}

		String url() {
			return "http://127.0.0.1:" + port();
		}

	}

}
