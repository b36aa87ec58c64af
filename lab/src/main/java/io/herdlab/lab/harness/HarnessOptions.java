package io.herdlab.lab.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.herdlab.lab.LabOptions;
import io.herdlab.lab.run.ReplicaProcess;

/**
 * What the burst harness's commands share ({@code java -jar lab/target/herdlab-lab.jar burst|serve
 * [--name=value ...]}, run from the repository root): the existing PostgreSQL and Redis the
 * replicas use, how a replica starts, the users, the hot user, where the replicas' logs go and
 * the burst client.
 *
 * @param replicaArgs extra properties of every replica
 * @param logs        where each replica writes its log
 * @param burstClient scripts/burst.mjs: every request of a burst on the wire at once
 */
public record HarnessOptions(String postgresJdbc, String redisUrl, List<String> launcher, List<String> replicaJvm,
        List<String> replicaArgs, int users, long hotId, Path logs, Path burstClient) {

    public static final String USAGE = """
            usage: java -jar lab/target/herdlab-lab.jar burst --preset=P [--name=value ...]   (from the repository root)
                   one cold hot-key burst: REPLICAS replicas of preset P on a database of their own, USERS seeded
                   and warmed to expire in the same instant (the preset's jitter off) after the JIT's warm-up
                   (the same burst on the cached key, then on a flushed cache), PostgreSQL's count read once its
                   backends reported (11 s), the burst after the expiry, then herdlab's counters, PostgreSQL's user look-ups and the followers'
                   wake-up; the quantiles and how they are computed are printed with them
              --replicas=1 --requests=2000 --concurrency=400   the burst: requests over at most this many
                                          connections, round-robin over the replicas (scripts/burst.mjs)
              --ttl=25                    seconds from the aligned warm to the expiry (PostgreSQL's 11 s fit before)
              --jit-warmup=true           the same burst first on the cached key, then on a flushed cache
                                          (the hit path and the miss path compiled); false: cold JVMs
              --give-up=false             true: one request to replica 1 at the expiry hangs up after 300 ms
              --out=FILE                  also write the result as JSON (make bench's table reads it)
            usage: java -jar lab/target/herdlab-lab.jar serve --presets=a,b --ready=FILE [--floor=JAR] [--name=value ...]
                   make bench's warm-hit targets: one replica per preset (each its own key prefix), seeded and
                   warmed to stay cached, and the floor serving the same JSON for the hot user; writes
                   "name url pid" per target to FILE once every one serves it; runs until stopped (SIGTERM)
            both:
              --postgres=jdbc:postgresql://127.0.0.1:5432/postgres   the PostgreSQL (user postgres) the run's database is made on
              --redis=redis://127.0.0.1:6379
              --redis-cluster=HOST:PORT,...   a Redis Cluster the replicas use instead (its nodes; --redis
                                          then only lends its credentials and TLS)
              --users=10000 --hot-id=42   users seeded and warmed; the user the load asks for
              --jar=service/target/herdlab.jar   the service jar the replicas run
              --replica-jvm=-Xms512m,-Xmx512m    JVM options of each replica (default: the JVM's own)
              --replica-args=--a=b,--c=d  extra properties for every replica
              --logs=DIR                  the replicas' logs (default: herdlab-burst-<pid> in the temporary folder)
              --burst-client=scripts/burst.mjs
            """;

    /** Reads the shared options from {@code o}; the command reads its own from it after. */
    static HarnessOptions of(LabOptions.Option o) {
        List<String> replicaArgs = new ArrayList<>(o.list("replica-args", List.of()));
        // a failed request's reason, for the burst's "why" (the service logs it at DEBUG)
        replicaArgs.add(0, "--logging.level.io.herdlab.problem.Problems=DEBUG");
        String clusterNodes = o.nullable("redis-cluster");
        if (clusterNodes != null) {
            replicaArgs.add("--spring.data.redis.cluster.nodes=" + clusterNodes);
        }
        Path logs = o.nullable("logs") == null
                ? Path.of(System.getProperty("java.io.tmpdir"), "herdlab-burst-" + ProcessHandle.current().pid())
                : Path.of(o.get("logs", ""));
        return new HarnessOptions(o.get("postgres", "jdbc:postgresql://127.0.0.1:5432/postgres"),
                o.get("redis", "redis://127.0.0.1:6379"),
                List.of("-jar", Path.of(o.get("jar", LabOptions.SERVICE_JAR)).toAbsolutePath().toString()),
                o.list("replica-jvm", List.of()), List.copyOf(replicaArgs), o.integer("users", 10_000),
                o.integer("hot-id", 42), logs.toAbsolutePath(),
                Path.of(o.get("burst-client", "scripts/burst.mjs")).toAbsolutePath());
    }

    /** The folder the replicas' logs go to, made when missing. */
    Path logDir() throws IOException {
        return Files.createDirectories(logs);
    }

    /** Every replica of a run: its JVM, the run's database and Redis, {@code keyPrefix}, the extra properties. */
    ReplicaProcess.Setup setup(String r2dbcUrl, String keyPrefix) {
        return new ReplicaProcess.Setup(replicaJvm, launcher, r2dbcUrl, redisUrl, keyPrefix, replicaArgs);
    }

    String hotPath() {
        return "/users/" + hotId;
    }
}
