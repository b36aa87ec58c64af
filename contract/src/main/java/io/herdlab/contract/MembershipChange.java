package io.herdlab.contract;

import java.util.Locale;

/**
 * Why a replica's view of the live members changed under owner routing: the {@code reason} tag of
 * {@code herd_owner_membership_changes_total}, named once here for the service that counts it and
 * the lab that reads it. Every change moves the ownership of some keys, so while two replicas'
 * views differ they may both load a key.
 */
public enum MembershipChange {
    /** A member answered nothing (no probe, no forward) for the silence bound: dropped. */
    SILENT(true),
    /** A member's port refused the connection (nothing listens: the process is gone): dropped at once. */
    REFUSED(true),
    /** A dropped member answered again: back. */
    BACK(false),
    /** The member source (DNS, the members file) named a new member. */
    ADDED(false),
    /** The member source no longer names a member. */
    REMOVED(false);

    private final String tag = name().toLowerCase(Locale.ROOT);
    private final boolean drop;

    MembershipChange(boolean drop) {
        this.drop = drop;
    }

    /** The metric tag: the name in lower case. */
    public String tag() {
        return tag;
    }

    /** A member still listed was counted down. */
    public boolean drop() {
        return drop;
    }
}
