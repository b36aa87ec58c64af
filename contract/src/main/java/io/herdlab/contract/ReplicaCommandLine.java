package io.herdlab.contract;

import java.util.List;

/**
 * The properties every driver starts a herdlab replica with: the lab's replica processes, the
 * burst harness ({@code java -jar lab/target/herdlab-lab.jar burst|serve}, which make bench and
 * scripts/hot-key-burst.sh run) and the tests' replicas. One list, so that a renamed property is
 * renamed for all of them. A driver adds its own after these; a property given twice on Spring's
 * command line reads as both values joined by a comma, so none of these may be repeated.
 */
public final class ReplicaCommandLine {

    private ReplicaCommandLine() {
    }

    /**
     * A replica's ports (0: any free one), its id (PostgreSQL's application_name, the snapshot's
     * {@code instance}), the PostgreSQL and Redis it shares with the others, and its key prefix;
     * and no quiet period on SIGTERM (Netty's default is 2 s): a driver that stops a replica waits
     * for its JVM to exit.
     */
    public static List<String> arguments(int port, int managementPort, String instanceId, String r2dbcUrl,
            String redisUrl, String keyPrefix) {
        return List.of(
                "--server.port=" + port,
                "--management.server.port=" + managementPort,
                "--herd.instance-id=" + instanceId,
                "--spring.r2dbc.url=" + r2dbcUrl,
                "--spring.data.redis.url=" + redisUrl,
                "--herd.cache.key-prefix=" + keyPrefix,
                "--spring.reactor.netty.shutdown-quiet-period=0s");
    }
}
