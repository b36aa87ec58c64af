package io.herdlab.owner;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.scheduler.VirtualTimeScheduler;

import static org.assertj.core.api.Assertions.assertThat;

/** Membership rules on virtual time: down after the bound, back at the first answer, the list re-read. */
class MembersTest {

    static final String A = "http://a:8081";
    static final String B = "http://b:8081";
    static final String C = "http://c:8081";

    VirtualTimeScheduler time;
    /** Members that do not answer their probe. */
    final Set<String> silent = ConcurrentHashMap.newKeySet();
    final AtomicReference<List<String>> listed = new AtomicReference<>(List.of(A, B, C));
    Members members;

    @BeforeEach
    void start() {
        time = VirtualTimeScheduler.create();
        members = new Members(A, () -> Mono.fromSupplier(listed::get), member -> Mono.just(!silent.contains(member)),
                Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(3), time).start();
    }

    @AfterEach
    void stop() {
        members.close();
        time.dispose();
    }

    @Test
    void aMemberThatStopsAnsweringIsDroppedAfterTheBoundAndBackAtItsFirstAnswer() {
        assertThat(members.live()).containsExactly(A, B, C);
        silent.add(B);
        time.advanceTimeBy(Duration.ofMillis(2500));
        assertThat(members.live()).as("2.5 s of silence is within the bound").containsExactly(A, B, C);
        time.advanceTimeBy(Duration.ofMillis(1000));
        assertThat(members.live()).as("3 s without an answer").containsExactly(A, C);
        time.advanceTimeBy(Duration.ofSeconds(30));
        assertThat(members.live()).containsExactly(A, C);
        silent.remove(B);
        time.advanceTimeBy(Duration.ofSeconds(1));
        assertThat(members.live()).as("back at the first answer").containsExactly(A, B, C);
    }

    @Test
    void keysOfADownMemberGoToTheOthersAndComeBack() {
        long ownedByB = java.util.stream.LongStream.rangeClosed(1, 100).filter(k -> members.ownerOf(k).equals(B))
                .findFirst().orElseThrow();
        silent.add(B);
        time.advanceTimeBy(Duration.ofSeconds(4));
        assertThat(members.ownerOf(ownedByB)).isIn(A, C);
        silent.remove(B);
        time.advanceTimeBy(Duration.ofSeconds(1));
        assertThat(members.ownerOf(ownedByB)).isEqualTo(B);
    }

    @Test
    void theListIsReadAgainEveryRefreshAndSelfIsAlwaysLive() {
        listed.set(List.of(B, C, "http://d:8081"));
        time.advanceTimeBy(Duration.ofMillis(4900));
        assertThat(members.live()).containsExactly(A, B, C);
        time.advanceTimeBy(Duration.ofMillis(100));
        assertThat(members.live()).as("self stays though the list left it out").containsExactly(A, B, C, "http://d:8081");
    }

    @Test
    void aFailingSourceKeepsTheMembersItHad() {
        members.close();
        members = new Members(A, () -> Mono.error(new IllegalStateException("no DNS")), member -> Mono.just(true),
                Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(3), time).start();
        assertThat(members.live()).containsExactly(A);
    }

    @Test
    void aMembersFileListsOneALineOrCommaSeparatedWithComments(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path file = dir.resolve("members");
        java.nio.file.Files.writeString(file, "# the lab's replicas\n" + A + "\n\n" + B + ", " + C + "  # two more\n" + A);
        assertThat(OwnerCoalescer.membersIn(file)).containsExactly(A, B, C);
    }
}
