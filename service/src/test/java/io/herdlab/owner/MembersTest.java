package io.herdlab.owner;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import io.herdlab.contract.MembershipChange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.scheduler.VirtualTimeScheduler;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Membership rules on virtual time: down after the silence bound, at once when refused, kept alive
 * by any answer (a forward's too), back at the first answer, the list re-read, every change told.
 */
class MembersTest {

    static final String A = "http://a:8081";
    static final String B = "http://b:8081";
    static final String C = "http://c:8081";
    static final String D = "http://d:8081";

    VirtualTimeScheduler time;
    /** Members that do not answer their probe. */
    final Set<String> silent = ConcurrentHashMap.newKeySet();
    /** Members whose port refuses the connection. */
    final Set<String> refusing = ConcurrentHashMap.newKeySet();
    final AtomicReference<List<String>> listed = new AtomicReference<>(List.of(A, B, C));
    /** Every change of the live view told, as "member reason". */
    final List<String> changes = new CopyOnWriteArrayList<>();
    Members members;

    @BeforeEach
    void start() {
        time = VirtualTimeScheduler.create();
        members = members(Duration.ofSeconds(3));
    }

    Members members(Duration silentFor) {
        return new Members(A, () -> Mono.fromSupplier(listed::get), member -> Mono.just(
                refusing.contains(member) ? Members.Reply.REFUSED
                        : silent.contains(member) ? Members.Reply.SILENT : Members.Reply.ANSWERED),
                Duration.ofSeconds(5), Duration.ofSeconds(1), silentFor, time,
                (member, reason) -> changes.add(member + " " + reason.tag())).start();
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
        assertThat(changes).as("each change told once, with its reason").containsExactly(B + " silent", B + " back");
    }

    @Test
    void aMemberWhosePortRefusesIsDroppedAtTheFirstRefusalNotAfterTheSilenceBound() {
        members.close();
        members = members(Duration.ofSeconds(10));
        refusing.add(C);
        time.advanceTimeBy(Duration.ofSeconds(1));
        assertThat(members.live()).as("a refused probe: nothing listens, the process is gone").containsExactly(A, B);
        assertThat(changes).containsExactly(C + " refused");
        refusing.remove(C);
        time.advanceTimeBy(Duration.ofSeconds(1));
        assertThat(members.live()).as("back when it answers (a restart)").containsExactly(A, B, C);
    }

    @Test
    void aRefusedForwardDropsItsOwnerAtOnce() {
        members.refused(B);
        assertThat(members.live()).containsExactly(A, C);
        members.refused(B);
        assertThat(changes).as("a member already down is not dropped twice").containsExactly(B + " refused");
    }

    @Test
    void aBusyMemberWhoseProbesGoUnansweredButWhoseForwardsAreAnsweredIsNeverDropped() {
        silent.add(B);
        for (int second = 0; second < 30; second++) {
            time.advanceTimeBy(Duration.ofSeconds(1));
            members.heard(B); // a forward it answered this second
        }
        assertThat(members.live()).as("its answers to forwards are liveness").containsExactly(A, B, C);
        assertThat(changes).isEmpty();
        time.advanceTimeBy(Duration.ofMillis(3500));
        assertThat(members.live()).as("silent on every channel for the bound: dropped").containsExactly(A, C);
    }

    @Test
    void aSpikeShorterThanTheSilenceBoundDropsNobody() {
        members.close();
        members = members(Duration.ofSeconds(15));
        silent.addAll(List.of(B, C)); // every probe unanswered for 12 s, as under a long spike on two cores
        time.advanceTimeBy(Duration.ofSeconds(12));
        silent.clear();
        time.advanceTimeBy(Duration.ofSeconds(2));
        assertThat(members.live()).containsExactly(A, B, C);
        assertThat(changes).isEmpty();
    }

    @Test
    void aProbeRoundSlowerThanTheIntervalSkipsTicksAndTheProbesGoOn() {
        members.close();
        // every probe takes 2.5 s to come back (a cold JVM at start, a starved one under a spike): longer than
        // the 1 s interval. The probes must go on, one round at a time, or a member is never dropped nor back.
        members = new Members(A, () -> Mono.fromSupplier(listed::get), member -> Mono.just(
                silent.contains(member) ? Members.Reply.SILENT : Members.Reply.ANSWERED)
                .delayElement(Duration.ofMillis(2500), time), Duration.ofSeconds(5), Duration.ofSeconds(1),
                Duration.ofSeconds(3), time, (member, reason) -> changes.add(member + " " + reason.tag())).start();
        time.advanceTimeBy(Duration.ofSeconds(10));
        silent.add(B);
        time.advanceTimeBy(Duration.ofSeconds(10));
        assertThat(members.live()).as("the probes went on: B dropped").containsExactly(A, C);
        silent.remove(B);
        time.advanceTimeBy(Duration.ofSeconds(10));
        assertThat(members.live()).as("and back").containsExactly(A, B, C);
        assertThat(changes).containsExactly(B + " silent", B + " back");
    }

    @Test
    void aDroppedMemberMovesItsKeysOnlyHereAndTheListedOwnerStaysKnown() {
        long ownedByB = java.util.stream.LongStream.rangeClosed(1, 100).filter(k -> members.ownerOf(k).equals(B))
                .findFirst().orElseThrow();
        members.refused(B);
        assertThat(members.ownerOf(ownedByB)).isIn(A, C);
        assertThat(members.listedOwnerOf(ownedByB)).as("who would own it if every listed member answered").isEqualTo(B);
    }

    @Test
    void theFirstListIsTheStartAndLaterOnesAreChangesWithTheirReasons() {
        assertThat(changes).as("the members at start are no change").isEmpty();
        listed.set(List.of(A, C, D));
        time.advanceTimeBy(Duration.ofSeconds(5));
        assertThat(members.live()).containsExactly(A, C, D);
        assertThat(changes).containsExactlyInAnyOrder(B + " removed", D + " added");
        Map<String, Long> byReason = changes.stream().collect(java.util.stream.Collectors.groupingBy(
                change -> change.substring(change.indexOf(' ') + 1), java.util.stream.Collectors.counting()));
        assertThat(byReason).containsOnlyKeys(MembershipChange.REMOVED.tag(), MembershipChange.ADDED.tag());
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
        listed.set(List.of(B, C, D));
        time.advanceTimeBy(Duration.ofMillis(4900));
        assertThat(members.live()).containsExactly(A, B, C);
        time.advanceTimeBy(Duration.ofMillis(100));
        assertThat(members.live()).as("self stays though the list left it out").containsExactly(A, B, C, D);
    }

    @Test
    void aFailingSourceKeepsTheMembersItHad() {
        members.close();
        members = new Members(A, () -> Mono.error(new IllegalStateException("no DNS")),
                member -> Mono.just(Members.Reply.ANSWERED), Duration.ofSeconds(5), Duration.ofSeconds(1),
                Duration.ofSeconds(3), time, (member, reason) -> changes.add(member + " " + reason.tag())).start();
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
