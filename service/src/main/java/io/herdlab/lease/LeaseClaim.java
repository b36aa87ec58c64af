package io.herdlab.lease;

import io.herdlab.cache.UserCache;

/** What a look-up under a lease decided about loading the key. */
sealed interface LeaseClaim extends UserCache.Claim {

    /** The lease is this caller's: it loads and fills. */
    record Won(Lease lease) implements LeaseClaim {
        @Override
        public boolean owned() {
            return true;
        }
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
        @Override
        public boolean owned() {
            return false;
        }
    }

    /** Redis did not answer: slow (wait for a notice) or gone (load directly). */
    record Unavailable(Throwable error) implements LeaseClaim {
        @Override
        public boolean owned() {
            return false;
        }
    }
}
