package io.herdlab.lab;

import java.util.Locale;

/** How the report writes a number. */
final class Fmt {

    private Fmt() {
    }

    static String percent(double ratio) {
        return Double.isNaN(ratio) ? "–" : String.format(Locale.ROOT, "%.1f%%", 100 * ratio);
    }

    static String ms(double ms) {
        if (Double.isNaN(ms)) {
            return "–";
        }
        if (ms >= 1000) {
            return String.format(Locale.ROOT, "%.2f s", ms / 1000);
        }
        return String.format(Locale.ROOT, ms >= 100 ? "%.0f ms" : "%.1f ms", ms);
    }

    static String triple(double[] p) {
        return ms(p[0]) + " / " + ms(p[1]) + " / " + ms(p[2]);
    }

    /** The spike's delivery in a few words: how many requests left within how long, and whether that was a burst. */
    static String burst(BurstCheck b) {
        if (!b.ran()) {
            return "no spike";
        }
        String spread = String.format(Locale.ROOT, "%d/%d in %s (P99 %s)", b.sent(), b.planned(), ms(b.spreadMaxMs()),
                ms(b.spreadP99Ms()));
        return b.isBurst() ? "burst: " + spread : "**NOT A BURST**: " + spread;
    }
}
