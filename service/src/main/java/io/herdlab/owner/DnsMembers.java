package io.herdlab.owner;

import java.net.InetAddress;
import java.util.List;
import java.util.function.Supplier;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.NoopDnsCache;
import reactor.core.publisher.Mono;

/**
 * The members behind a DNS name: on Kubernetes a headless Service's name, which resolves to
 * one address per ready pod, so {@code kubectl scale} and rolling restarts change the members
 * without a restart. Resolved by Netty's resolver with no cache of its own (the JVM's
 * {@code InetAddress} keeps answers for 30 s): every call asks the name server (or the hosts
 * file) again.
 */
final class DnsMembers implements Supplier<Mono<List<String>>>, AutoCloseable {

    private final String name;
    private final int port;
    private final EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final DnsNameResolver resolver;

    /** Members {@code http://<address>:<port>} for every address {@code name} resolves to. */
    DnsMembers(String name, int port) {
        this.name = name;
        this.port = port;
        this.resolver = new DnsNameResolverBuilder(loop.next())
                .datagramChannelType(NioDatagramChannel.class)
                .resolveCache(NoopDnsCache.INSTANCE)
                .queryTimeoutMillis(2000)
                .build();
    }

    @Override
    public Mono<List<String>> get() {
        return Mono.<List<InetAddress>>create(sink -> resolver.resolveAll(name).addListener(done -> {
            if (done.isSuccess()) {
                @SuppressWarnings("unchecked")
                List<InetAddress> addresses = (List<InetAddress>) done.getNow();
                sink.success(addresses);
            }
            else {
                sink.error(done.cause());
            }
        })).map(addresses -> addresses.stream().map(address -> url(address, port)).distinct().sorted().toList());
    }

    static String url(InetAddress address, int port) {
        String host = address.getHostAddress();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public void close() {
        resolver.close();
        loop.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
    }
}
