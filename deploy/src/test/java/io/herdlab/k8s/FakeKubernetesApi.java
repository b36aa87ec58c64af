package io.herdlab.k8s;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * Just enough of a Kubernetes API server on 127.0.0.1 for Helm's {@code lookup} of a Secret:
 * discovery of v1 and GET of a Secret, from {@link #secrets}, 404 for the rest. helm-java's
 * template runs lookups against a cluster (the helm CLI's does not); the forked test JVM's
 * KUBECONFIG (pom.xml) names the file {@link #ensureRunning()} writes, so a render never
 * reaches a real cluster.
 */
final class FakeKubernetesApi {

	/** Secrets the API serves, "namespace/name" → the Secret's JSON. */
	static final Map<String, String> secrets = new ConcurrentHashMap<>();

	private static HttpServer server;

	private FakeKubernetesApi() {
	}

	static synchronized void ensureRunning() {
		if (server != null) {
			return;
		}
		String kubeconfig = System.getenv("KUBECONFIG");
		if (kubeconfig == null) {
			throw new IllegalStateException("KUBECONFIG is not set: run the chart tests through Maven (pom.xml sets it)");
		}
		try {
			server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
			server.createContext("/", FakeKubernetesApi::handle);
			server.start();
			Path file = Path.of(kubeconfig);
			Files.createDirectories(file.getParent());
			Files.writeString(file, """
					apiVersion: v1
					kind: Config
					clusters: [{name: fake, cluster: {server: "http://127.0.0.1:%d"}}]
					users: [{name: fake, user: {}}]
					contexts: [{name: fake, context: {cluster: fake, user: fake}}]
					current-context: fake
					""".formatted(server.getAddress().getPort()));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static void handle(HttpExchange exchange) throws IOException {
		String path = exchange.getRequestURI().getPath();
		if (path.equals("/api/v1")) {
			respond(exchange, 200, """
					{"kind":"APIResourceList","apiVersion":"v1","groupVersion":"v1","resources":[
					 {"name":"secrets","singularName":"secret","namespaced":true,"kind":"Secret","verbs":["get","list"]}]}""");
			return;
		}
		if (path.equals("/api")) {
			respond(exchange, 200, "{\"kind\":\"APIVersions\",\"versions\":[\"v1\"],\"serverAddressByClientCIDRs\":[]}");
			return;
		}
		String[] parts = path.split("/"); // "", api, v1, namespaces, ns, secrets, name
		if (parts.length == 7 && parts[3].equals("namespaces") && parts[5].equals("secrets")) {
			String secret = secrets.get(parts[4] + "/" + parts[6]);
			if (secret != null) {
				respond(exchange, 200, secret);
				return;
			}
		}
		respond(exchange, 404, """
				{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404,"message":"not found"}""");
	}

	private static void respond(HttpExchange exchange, int status, String body) throws IOException {
		byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
		exchange.getResponseHeaders().add("Content-Type", "application/json");
		exchange.sendResponseHeaders(status, bytes.length);
		try (OutputStream out = exchange.getResponseBody()) {
			out.write(bytes);
		}
	}

}
