package io.herdlab.owner;

/**
 * The internal routes owner routing calls on a member's management port (never on the traffic
 * Service), shared by the {@link Forwarder} and the routes that answer it.
 */
public final class OwnerHttp {

    /** A forwarded read of user {@code id}: {@code GET /internal/users/{id}}. */
    public static final String PATH = "/internal/users/";
    /** The health probe's route. */
    public static final String PING = "/internal/ping";
    /** The mark of a forwarded read: whoever receives it loads, and never forwards it again. */
    public static final String FORWARDED = "X-Herd-Forwarded";
    /** The loaded row's version, so that the forwarding replica's entry is the owner's. */
    public static final String VERSION = "X-Herd-Version";

    private OwnerHttp() {
    }
}
