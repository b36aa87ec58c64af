package io.herdlab.owner;

import java.time.Duration;

import io.herdlab.cache.CacheEntry;
import io.herdlab.guard.UnavailableException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The forward against a stand-in owner (a Reactor Netty server): the owner's 200, 404 and 503 are
 * the answer, passed on as the owner gave them; anything else, a refused connection or silence past
 * the bound is {@link Forwarder.Unreachable}, which the caller answers by loading itself.
 */
class ForwarderTest {

    static DisposableServer owner;
    static Forwarder forwarder;
    static String url;

    @BeforeAll
    static void start() {
        owner = HttpServer.create().host("127.0.0.1").port(0).route(routes -> routes
                // answers only a read that carries the mark of a forward
                .get(OwnerHttp.PATH + "1", (req, res) -> req.requestHeaders().contains(OwnerHttp.FORWARDED)
                        ? res.header(OwnerHttp.VERSION, "7").sendString(Mono.just("{\"id\":1}"))
                        : res.status(400).send())
                .get(OwnerHttp.PATH + "2", (req, res) -> res.status(404).send())
                .get(OwnerHttp.PATH + "3", (req, res) -> res.status(503).header("Retry-After", "7").send())
                .get(OwnerHttp.PATH + "4", (req, res) -> res.status(500).send())
                .get(OwnerHttp.PATH + "5", (req, res) -> res.sendString(Mono.delay(Duration.ofSeconds(5)).thenReturn("late")))
                .get(OwnerHttp.PING, (req, res) -> res.sendString(Mono.just("ok"))))
                .bindNow();
        url = "http://127.0.0.1:" + owner.port();
        forwarder = new Forwarder(Duration.ofSeconds(1), Duration.ofMillis(500));
        // the first request loads the client's classes and opens its first connection: seconds on a loaded
        // machine, past the 500 ms bound the tests mean for the owner's answer
        forwarder.probe(url, Duration.ofSeconds(30)).block(Duration.ofSeconds(40));
    }

    @AfterAll
    static void stop() {
        forwarder.close();
        owner.disposeNow();
    }

    @Test
    void theOwnersValueComesWithItsVersionToAReadMarkedAsForwarded() {
        CacheEntry entry = forwarder.forward(url, 1).block(Duration.ofSeconds(5));
        assertThat(entry.json()).isEqualTo("{\"id\":1}");
        assertThat(entry.version()).isEqualTo(7);
    }

    @Test
    void theOwnersNoSuchUserIsAnAbsentEntry() {
        assertThat(forwarder.forward(url, 2).block(Duration.ofSeconds(5)).exists()).isFalse();
    }

    @Test
    void theOwners503IsPassedOnWithItsRetryAfter() {
        StepVerifier.create(forwarder.forward(url, 3))
                .expectErrorSatisfies(error -> assertThat(error).isInstanceOfSatisfying(UnavailableException.class,
                        unavailable -> assertThat(unavailable.retryAfter()).isEqualTo(Duration.ofSeconds(7))))
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void anyOtherAnswerARefusedConnectionOrSilencePastTheBoundIsUnreachable() {
        StepVerifier.create(forwarder.forward(url, 4)).expectError(Forwarder.Unreachable.class)
                .verify(Duration.ofSeconds(5));
        long start = System.nanoTime();
        StepVerifier.create(forwarder.forward(url, 5)).expectError(Forwarder.Unreachable.class)
                .verify(Duration.ofSeconds(5));
        assertThat((System.nanoTime() - start) / 1_000_000).as("the 500 ms bound, not the owner's 5 s")
                .isBetween(450L, 3_000L);
        StepVerifier.create(forwarder.forward(url, 5)).expectErrorSatisfies(error -> assertThat(error)
                .isInstanceOfSatisfying(Forwarder.Unreachable.class, late -> assertThat(late.refused())
                        .as("silence is not a refusal").isFalse())).verify(Duration.ofSeconds(5));
        StepVerifier.create(forwarder.forward("http://127.0.0.1:1", 1)).expectErrorSatisfies(error -> assertThat(error)
                .isInstanceOfSatisfying(Forwarder.Unreachable.class, refused -> assertThat(refused.refused())
                        .as("nothing listens on port 1").isTrue())).verify(Duration.ofSeconds(5));
    }

    @Test
    void theProbeTellsAnAnswerFromARefusalFromSilence() throws Exception {
        assertThat(forwarder.probe(url, Duration.ofSeconds(1)).block(Duration.ofSeconds(5)))
                .isEqualTo(Members.Reply.ANSWERED);
        assertThat(forwarder.probe("http://127.0.0.1:1", Duration.ofSeconds(1)).block(Duration.ofSeconds(5)))
                .isEqualTo(Members.Reply.REFUSED);
        // a port that accepts connections (the kernel's backlog) and never answers: a frozen process
        try (java.net.ServerSocket frozen = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            assertThat(forwarder.probe("http://127.0.0.1:" + frozen.getLocalPort(), Duration.ofMillis(300))
                    .block(Duration.ofSeconds(5))).isEqualTo(Members.Reply.SILENT);
        }
    }
}
