package io.herdlab.owner;

import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

import io.herdlab.cache.CacheEntry;
import io.herdlab.guard.UnavailableException;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * The HTTP side of owner routing: a forwarded read to the owner's internal route, and the
 * health probe. One pool of kept-alive connections per replica, so a forward costs a request
 * on an open connection, not a TCP handshake. Every call is bounded: a member that does not
 * answer in time is {@link Unreachable}, and the caller loads the key itself.
 */
final class Forwarder implements AutoCloseable {

    /** The owner could not be reached or did not answer in time: load it here instead. */
    static final class Unreachable extends RuntimeException {
        Unreachable(String member, Throwable cause) {
            super("owner " + member + " did not answer: " + cause, cause, false, false);
        }

        /** The member's port refused the connection: nothing listens there (a process that is gone). */
        boolean refused() {
            return Forwarder.refused(getCause());
        }
    }

    private final ConnectionProvider connections;
    private final HttpClient http;
    private final Duration timeout;

    /**
     * @param connectTimeout how long opening a connection to a member may take
     * @param timeout        the whole forward: the owner's load included
     */
    Forwarder(Duration connectTimeout, Duration timeout) {
        this.timeout = timeout;
        this.connections = ConnectionProvider.builder("herd-owner")
                .maxConnections(500)
                .pendingAcquireMaxCount(-1)
                .pendingAcquireTimeout(timeout)
                .maxIdleTime(Duration.ofSeconds(60))
                .build();
        this.http = HttpClient.create(connections)
                .keepAlive(true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
                .headers(h -> h.set(OwnerHttp.FORWARDED, "1"));
    }

    /** The owner's answer for user {@code id}: its entry, its 503 as an {@link UnavailableException}, or {@link Unreachable}. */
    Mono<CacheEntry> forward(String member, long id) {
        return http.get().uri(member + OwnerHttp.PATH + id)
                .responseSingle((response, body) -> body.asString(StandardCharsets.UTF_8).defaultIfEmpty("")
                        .map(text -> answer(member, id, response.status().code(), response.responseHeaders(), text)))
                .timeout(timeout)
                .onErrorMap(error -> !(error instanceof UnavailableException), error -> new Unreachable(member, error));
    }

    private static CacheEntry answer(String member, long id, int status, HttpHeaders headers, String body) {
        return switch (status) {
            case 200 -> CacheEntry.found(body, Long.parseLong(headers.get(OwnerHttp.VERSION, "0")), 0);
            case 404 -> CacheEntry.notFound(0);
            case 503 -> throw new UnavailableException("the replica that loads user " + id + " could not load it",
                    Duration.ofSeconds(retryAfter(headers)));
            default -> throw new IllegalStateException(member + " answered " + status);
        };
    }

    private static long retryAfter(HttpHeaders headers) {
        try {
            return Math.max(1, Long.parseLong(headers.get(HttpHeaderNames.RETRY_AFTER, "1").trim()));
        }
        catch (NumberFormatException notSeconds) {
            return 1;
        }
    }

    /** How {@code member} answers its probe within {@code bound}; never errors. */
    Mono<Members.Reply> probe(String member, Duration bound) {
        return http.get().uri(member + OwnerHttp.PING)
                .responseSingle((response, body) -> body.then(Mono.just(response.status().code() == 200
                        ? Members.Reply.ANSWERED : Members.Reply.SILENT)))
                .timeout(bound)
                .onErrorResume(error -> Mono.just(refused(error) ? Members.Reply.REFUSED : Members.Reply.SILENT));
    }

    /** A refused connection (Netty's is a {@link java.net.ConnectException}, not a connect timeout). */
    static boolean refused(Throwable error) {
        return error instanceof ConnectException && !(error instanceof ConnectTimeoutException)
                && String.valueOf(error.getMessage()).toLowerCase(Locale.ROOT).contains("refused");
    }

    @Override
    public void close() {
        connections.dispose();
    }
}
