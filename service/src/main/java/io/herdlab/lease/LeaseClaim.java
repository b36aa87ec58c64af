package io.herdlab.lease;

import io.herdlab.cache.CacheEntry;

/** What asking for the value or the lease ({@link LeaseStore#claim}) decided about loading the key. */
sealed interface LeaseClaim {

    /** The value is there now (or "no such user" is): the answer, nothing to load. */
    record Found(CacheEntry entry) implements LeaseClaim {
    }

    /** The lease is this caller's: it loads and fills. */
    record Won(Lease lease) implements LeaseClaim {
    }

    /**
     * Someone else holds it: wait for its notice.
     *
     * @param holder      the holder's token ("" when the store cannot tell)
     * @param remainingMs how long the holder's lease has left unless renewed
     * @param askedAt     when the caller asked ({@code Scheduler.now}, ms): a notice received since
     *                    then, from that holder, is the answer even if it came before the wait began
     */
    record Busy(String holder, long remainingMs, long askedAt) implements LeaseClaim {
    }

    /** Redis did not answer: slow (wait for a notice) or gone (load directly). */
    record Unavailable(Throwable error) implements LeaseClaim {
    }
}
