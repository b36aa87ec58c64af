package io.herdlab.lab;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code /actuator/herd} on one replica's management port (see docs/architecture.md). */
final class AdminClient {

    static final JsonMapper JSON = JsonMapper.builder().build();

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    private final URI base;

    AdminClient(int managementPort) {
        this.base = URI.create("http://127.0.0.1:" + managementPort + "/actuator/");
    }

    /** GET /actuator/herd, answered within {@code timeout} or failed. */
    CompletableFuture<JsonNode> snapshot(Duration timeout) {
        return getAsync("herd", timeout);
    }

    /** GET /actuator/herd/keys: DB queries per user id since the last reset. */
    JsonNode keys() throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve("herd/keys")).timeout(Duration.ofSeconds(30)).GET());
    }

    /** POST /actuator/herd/{action} with a JSON body. */
    JsonNode post(String action, Map<String, Object> body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve("herd/" + action))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    }

    /** Whether the readiness probe answers UP. */
    boolean ready() {
        try {
            HttpResponse<String> response = HTTP.send(
                    HttpRequest.newBuilder(base.resolve("health/readiness")).timeout(Duration.ofSeconds(2)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200;
        }
        catch (IOException ex) {
            return false;
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private CompletableFuture<JsonNode> getAsync(String path, Duration timeout) {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout).GET().build();
        return HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
            if (response.statusCode() != 200) {
                throw new IllegalStateException(request.uri() + " answered " + response.statusCode());
            }
            return JSON.readTree(response.body());
        });
    }

    private static JsonNode send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpRequest built = request.build();
        HttpResponse<String> response = HTTP.send(built, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IOException(built.method() + " " + built.uri() + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        return JSON.readTree(response.body());
    }
}
