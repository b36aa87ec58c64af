package io.herdlab.lab.report;

import java.util.Locale;

import io.herdlab.lab.analysis.BurstCheck;
import io.herdlab.lab.analysis.LeaseCost;

/** How the report writes a number. */
public final class Fmt {

    private Fmt() {
    }

    static String percent(double ratio) {
        return Double.isNaN(ratio) ? "–" : String.format(Locale.ROOT, "%.1f%%", 100 * ratio);
    }

    public static String ms(double ms) {
        if (Double.isNaN(ms)) {
            return "–";
        }
        if (ms >= 1000) {
            return String.format(Locale.ROOT, "%.2f s", ms / 1000);
        }
        return String.format(Locale.ROOT, ms >= 100 ? "%.0f ms" : "%.1f ms", ms);
    }

    /** What the report writes for a figure the run did not record (older replicas): never a silent 0. */
    static final String NA = "n/a";

    /** Two decimals; "–" for NaN (nothing to divide by). */
    static String ratio(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.2f", v);
    }

    /** Redis commands the replicas sent per miss, or n/a where they did not count them. */
    static String sentPerMiss(LeaseCost c) {
        return c.sentKnown() ? ratio(c.sentPerMiss()) : NA;
    }

    /** A count, or n/a where it is unknown (negative). */
    static String count(long n) {
        return n < 0 ? NA : Long.toString(n);
    }

    static String triple(double[] p) {
        return ms(p[0]) + " / " + ms(p[1]) + " / " + ms(p[2]);
    }

    /** The spike's delivery in a few words: how many requests left within how long, and whether that was a burst. */
    public static String burst(BurstCheck b) {
        if (!b.ran()) {
            return "no spike";
        }
        String spread = String.format(Locale.ROOT, "%d/%d in %s (P99 %s)", b.sent(), b.planned(), ms(b.spreadMaxMs()),
                ms(b.spreadP99Ms()));
        return b.isBurst() ? "burst: " + spread : "**NOT A BURST**: " + spread;
    }
}
