package io.herdlab.owner;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code herd.owner.*}: who the members are and the bounds of a forward, for the {@code owner}
 * coalescer. Members are the management base URLs of every replica, this one included
 * ({@code members}), or a DNS name that resolves to them ({@code dns}, with {@code dnsPort}).
 *
 * @param members        management base URLs, e.g. {@code http://127.0.0.1:8181,http://127.0.0.1:8281}
 * @param self           this replica's URL as the others list it; by default {@code http://127.0.0.1:<management port>}
 * @param membersFile    a file that lists the members (one URL a line, or comma-separated; {@code #} starts a
 *                       comment), read again every {@code dnsRefresh}: members change without a restart, as
 *                       with {@code dns}; wins over {@code members}
 * @param dns            a name whose addresses are the members (a headless Service); wins over the others
 * @param dnsPort        the members' management port when they come from {@code dns}
 * @param dnsRefresh     how often {@code dns} is resolved (or {@code membersFile} read) again
 * @param forwardTimeout the longest a forward may take, the owner's load included; by default the
 *                       mitigation's wait timeout (the longest a load may take, plus 2 s)
 * @param connectTimeout the longest opening a connection to a member may take
 * @param probeInterval  how often every other member is probed
 * @param probeTimeout   a probe not answered within this is a failed one (2 s: an answer that a busy replica's
 *                       event loop reads late is still an answer)
 * @param downAfter      a member that answered nothing for this long (no probe, no forward) is left out until it
 *                       answers again; a refused connection drops it at once. 15 s: in the lab's 5,000-request
 *                       spike over 5 replicas on 2 cores, a replica's probes went unanswered for up to 14 s
 *                       (docs/findings.md), and dropping a busy member moves its keys, so two replicas load them.
 *                       What the longer bound costs: a frozen member stays owner that long, and each replica's
 *                       first miss of a key it owns waits the forward bound, then loads (as before)
 */
@ConfigurationProperties("herd.owner")
public record OwnerProperties(
        List<String> members,
        Path membersFile,
        String self,
        String dns,
        @DefaultValue("8081") int dnsPort,
        @DefaultValue("5s") Duration dnsRefresh,
        Duration forwardTimeout,
        @DefaultValue("1s") Duration connectTimeout,
        @DefaultValue("1s") Duration probeInterval,
        @DefaultValue("2s") Duration probeTimeout,
        @DefaultValue("15s") Duration downAfter) {

    public OwnerProperties {
        members = members == null ? List.of() : List.copyOf(members);
    }
}
