package io.herdlab.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.lettuce.core.event.command.CommandListener;
import io.lettuce.core.event.command.CommandStartedEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Every command this replica sends to Redis, by client and command: {@code herd.redis.commands}.
 * Counted where it is sent, so a script is one command (Redis's own INFO commandstats also counts
 * the commands a script runs inside it). Lettuce's commands arrive through its command listener;
 * the lease's Redisson calls are counted where they are made.
 */
public final class RedisCommandCounter implements CommandListener {

    private final MeterRegistry registry;
    /** Counters by client and command, created on first use. */
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    public RedisCommandCounter(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void commandStarted(CommandStartedEvent event) {
        sent("lettuce", event.getCommand().getType().toString());
    }

    /** One command of {@code client} on the wire. */
    public void sent(String client, String command) {
        counters.computeIfAbsent(client + ' ' + command,
                k -> registry.counter("herd.redis.commands", "client", client, "command", command)).increment();
    }
}
