package io.herdlab.contract;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The mitigation presets, by the names used on the command line, in Helm values and in reports. */
public enum Preset {
    BASELINE, JITTER, LOCAL, REDISSON, LUA, TIERED, FULL, OWNER;

    /** {@code baseline}, {@code jitter}, …: the name a user types. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Every id, in declaration order. */
    public static List<String> ids() {
        return Arrays.stream(values()).map(Preset::id).toList();
    }

    /** The preset named {@code name} (any case); the message lists the valid names. */
    public static Preset parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        }
        catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("preset must be one of " + ids() + ", not '" + name + "'");
        }
    }
}
