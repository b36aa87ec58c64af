package io.herdlab.k8s;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.herdlab.RepositoryRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * k8s/load/herd-admin.js, the load Job's driver, run with node against stand-in replicas on
 * 127.0.0.1 that record what they are asked, and a stand-in Artillery that prints its phases.
 */
class HerdAdminScriptTest {

	static final ObjectMapper JSON = new ObjectMapper();

	final List<FakeReplica> replicas = new ArrayList<>();

	@AfterEach
	void stop() {
		replicas.forEach(replica -> replica.server.stop(0));
	}

	@TempDir
	Path scratch;

	@Test
	void runWarmsSoKeysExpireOneSecondBeforeArtillerysWarmPhaseEndsAndReportsTheGapToTheSpike() throws Exception {
		FakeReplica a = replica("{\"1\":2}");
		FakeReplica b = replica("{\"1\":1}");
		// Artillery's console as it starts its phases: warm (3 s), then the spike
		Path started = scratch.resolve("warm-started");
		Path artillery = fakeArtillery("""
				console.log('Test run id: t1');
				require('fs').writeFileSync(%s, String(Date.now()));
				console.log('Phase started: warm (index: 0, duration: 3s) 10:00:00(+0000)');
				setTimeout(() => {
				  console.log('Phase started: spike (index: 1, duration: 1s) 10:00:03(+0000)');
				  console.log('Summary report @ 10:00:05(+0000)');
				  process.exit(0);
				}, 3000);
				""".formatted(JSON.writeValueAsString(started.toString())));
		long before = System.currentTimeMillis();
		Result run = run("run", Map.of("HERD_REPLICAS", a.url() + "," + b.url(), "HERD_USERS", "100",
				"HERD_ARTILLERY", artillery.toString(), "HERD_ADMIN_TOKEN", "s3cret"));
		assertThat(run.exit).as(run.out).isZero();
		JsonNode result = run.json;

		// seed, a warm that outlives the warm phase, reset; then at the phase start the aligned warm and a reset
		assertThat(a.paths()).containsExactly("POST /actuator/herd/seed", "POST /actuator/herd/warm",
				"POST /actuator/herd/reset", "POST /actuator/herd/warm", "POST /actuator/herd/reset",
				"GET /actuator/herd", "GET /actuator/herd/keys");
		assertThat(b.paths()).containsExactly("POST /actuator/herd/reset", "POST /actuator/herd/reset",
				"GET /actuator/herd", "GET /actuator/herd/keys");
		long aligned = JSON.readTree(a.bodies.get(3)).path("expiresAtEpochMs").asLong();
		long warmStarted = Long.parseLong(Files.readString(started));
		assertThat(aligned - warmStarted).as("two seconds after the warm phase began (3 s phase, 1 s early)")
				.isBetween(2_000L, 2_500L);
		assertThat(JSON.readTree(a.bodies.get(1)).path("expiresAtEpochMs").asLong() - before).isGreaterThan(600_000L);
		assertThat(a.authorizations).as("every admin call carries the token").hasSize(7).containsOnly("Bearer s3cret");

		assertThat(result.path("expiresAtEpochMs").asLong()).isEqualTo(aligned);
		assertThat(result.path("spikeAfterExpiryMs").asLong()).as("the spike begins about a second after the expiry")
				.isBetween(700L, 2_000L);
		assertThat(result.path("duplicates").asInt()).isEqualTo(2);
		assertThat(run.out).contains("Phase started: spike").contains("herd-admin: keys expired at ")
				.containsPattern("the spike started at \\S+: \\d+ ms after the expiry");
	}

	@Test
	void runPassesTheScenarioTargetAndEnvironmentToArtilleryAndItsExitStatusOn() throws Exception {
		FakeReplica only = replica("{}");
		Path args = scratch.resolve("args.json");
		Path artillery = fakeArtillery("""
				require('fs').writeFileSync(%s, JSON.stringify(process.argv.slice(2)));
				console.log('Phase started: warm (index: 0, duration: 2s)');
				setTimeout(() => process.exit(3), 500);
				""".formatted(JSON.writeValueAsString(args.toString())));
		Result run = run("run", Map.of("HERD_REPLICAS", only.url(), "HERD_ARTILLERY", artillery.toString(),
				"TARGET", "http://lab:8080", "SCENARIO", "herd.yml", "ARTILLERY_ENVIRONMENT", "quick",
				"HERD_SCENARIOS", "/artillery/scenarios", "HERD_WARM_ALIGNED", "true"));
		assertThat(run.exit).as("Artillery's own exit status").isEqualTo(3);
		assertThat(JSON.readTree(args.toFile()).toString()).isEqualTo(
				"[\"run\",\"--target\",\"http://lab:8080\",\"--environment\",\"quick\",\"/artillery/scenarios/herd.yml\"]");
		assertThat(JSON.readTree(only.bodies.get(3)).path("aligned").asBoolean()).as("warm without the preset's jitter").isTrue();
		assertThat(run.out).contains("never started a phase named \"spike\"");
	}

	@Test
	void findsReplicasThroughTheManagementServiceName() throws Exception {
		FakeReplica only = replica("{\"7\":1}");
		Result report = run("report", Map.of("HERD_MANAGEMENT_SERVICE", "127.0.0.1",
				"HERD_MANAGEMENT_PORT", String.valueOf(only.port())));
		assertThat(report.json.path("replicas").asInt()).isEqualTo(1);
		assertThat(only.paths()).containsExactly("GET /actuator/herd", "GET /actuator/herd/keys");
	}

	@Test
	void reportCountsClusterDuplicatesFromPerKeyCountsOfEveryReplica() throws Exception {
		// replica a loaded key 1 twice and key 2 once; b loaded key 1 and key 3 once: 5 queries,
		// 3 distinct keys, so 2 duplicates, although b alone saw none
		FakeReplica a = replica("{\"1\":2,\"2\":1}");
		FakeReplica b = replica("{\"1\":1,\"3\":1}");
		JsonNode result = run("report", Map.of("HERD_REPLICAS", a.url() + "," + b.url())).json;
		assertThat(result.path("queries").asInt()).isEqualTo(5);
		assertThat(result.path("distinct").asInt()).isEqualTo(3);
		assertThat(result.path("duplicates").asInt()).isEqualTo(2);
		assertThat(a.requests).containsExactlyInAnyOrder("GET /actuator/herd ", "GET /actuator/herd/keys ");
	}

	@Test
	void failsWhenAReplicaRefuses() throws Exception {
		FakeReplica broken = replica("{}");
		broken.status = 503;
		Process process = start("run", Map.of("HERD_REPLICAS", broken.url()));
		assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
		assertThat(process.exitValue()).isEqualTo(1);
		assertThat(new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8)).contains("503");
	}

	private FakeReplica replica(String keys) throws IOException {
		FakeReplica replica = new FakeReplica(keys);
		replicas.add(replica);
		return replica;
	}

	record Result(int exit, String out, JsonNode json) {
	}

	private static Result run(String command, Map<String, String> env) throws Exception {
		Process process = start(command, env);
		assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("herd-admin.js finished").isTrue();
		String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
		String[] lines = out.strip().split("\n");
		JsonNode json = lines[lines.length - 1].startsWith("{") ? JSON.readTree(lines[lines.length - 1]) : null;
		return new Result(process.exitValue(), out + err, json);
	}

	private Path fakeArtillery(String script) throws IOException {
		Path file = scratch.resolve("artillery-" + System.nanoTime() + ".js");
		Files.writeString(file, "#!/usr/bin/env node\n" + script);
		file.toFile().setExecutable(true);
		return file;
	}

	private static Process start(String command, Map<String, String> env) throws IOException {
		ProcessBuilder builder = new ProcessBuilder("node", RepositoryRoot.path("k8s", "load", "herd-admin.js").toString(), command);
		builder.environment().keySet().removeIf(name -> name.startsWith("HERD_") || name.equals("TARGET")
				|| name.equals("SCENARIO") || name.equals("ARTILLERY_ENVIRONMENT"));
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

		/** Request bodies and Authorization headers, in arrival order. */
		final List<String> bodies = Collections.synchronizedList(new ArrayList<>());

		final List<String> authorizations = Collections.synchronizedList(new ArrayList<>());

		volatile int status = 200;

		FakeReplica(String keys) throws IOException {
			server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
			server.createContext("/actuator/herd", exchange -> {
				String path = exchange.getRequestURI().getPath();
				String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
				requests.add(exchange.getRequestMethod() + " " + path + " " + body);
				bodies.add(body);
				authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
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

		List<String> paths() {
			return requests.stream().map(request -> request.substring(0, request.lastIndexOf(' '))).toList();
		}

		int port() {
			return server.getAddress().getPort();
		}

		String url() {
			return "http://127.0.0.1:" + port();
		}

	}

}
