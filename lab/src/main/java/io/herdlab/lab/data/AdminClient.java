package io.herdlab.lab.data;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.herdlab.contract.HerdJson;
import io.herdlab.contract.HerdSnapshot;
import io.herdlab.contract.KeyQueries;
import io.herdlab.contract.LeaseEvents;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code /actuator/herd} and {@code /actuator/prometheus} on one replica's management port (see
 * docs/architecture.md), read into the contract's records.
 */
public final class AdminClient {

    public static final JsonMapper JSON = HerdJson.MAPPER;

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    private final URI base;

    public AdminClient(int managementPort) {
        this.base = URI.create("http://127.0.0.1:" + managementPort + "/actuator/");
    }

    /** GET /actuator/herd, answered within {@code timeout} or failed. */
    public CompletableFuture<HerdSnapshot> snapshot(Duration timeout) {
        HttpRequest request = HttpRequest.newBuilder(base.resolve("herd")).timeout(timeout).GET().build();
        return HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
            if (response.statusCode() != 200) {
                throw new IllegalStateException(request.uri() + " answered " + response.statusCode());
            }
            return JSON.readValue(response.body(), HerdSnapshot.class);
        });
    }

    /** GET /actuator/herd/keys: DB queries per user id since the last reset. */
    public KeyQueries keys() throws IOException, InterruptedException {
        return JSON.treeToValue(send(HttpRequest.newBuilder(base.resolve("herd/keys")).timeout(Duration.ofSeconds(30))
                .GET()), KeyQueries.class);
    }

    /**
     * GET /actuator/herd/lease-events: per user id, the lease events since the last reset that may
     * explain a duplicate load; null when the replica does not serve them (404: a service from before).
     */
    public LeaseEvents leaseEvents() throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve("herd/lease-events")).timeout(Duration.ofSeconds(30))
                .GET().build();
        HttpResponse<String> response = response(request);
        if (response.statusCode() == 404) {
            return null;
        }
        if (response.statusCode() != 200) {
            throw new IOException(request.uri() + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readValue(response.body(), LeaseEvents.class);
    }

    /** GET /actuator/prometheus: the replica's meters in the Prometheus text format. */
    public String prometheus() throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve("prometheus")).timeout(Duration.ofSeconds(30)).GET()
                .build();
        HttpResponse<String> response = response(request);
        if (response.statusCode() != 200) {
            throw new IOException(request.uri() + " answered " + response.statusCode());
        }
        return response.body();
    }

    /** POST /actuator/herd/{action} with a JSON body. */
    public JsonNode post(String action, Map<String, Object> body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve("herd/" + action))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    }

    /** Whether the readiness probe answers UP. */
    public boolean ready() {
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

    /** The response to {@code request}; a timeout names the request. */
    private static HttpResponse<String> response(HttpRequest request) throws IOException, InterruptedException {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        }
        catch (HttpTimeoutException ex) {
            throw new HttpTimeoutException(request.method() + " " + request.uri() + " got no answer within "
                    + request.timeout().map(Duration::toSeconds).orElse(0L) + " s");
        }
    }

    private static JsonNode send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpRequest built = request.build();
        HttpResponse<String> response = response(built);
        if (response.statusCode() / 100 != 2) {
            throw new IOException(built.method() + " " + built.uri() + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        return JSON.readTree(response.body());
    }
}
