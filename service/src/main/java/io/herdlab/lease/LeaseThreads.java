package io.herdlab.lease;

import reactor.core.scheduler.Scheduler;

/**
 * Where the lease protocol runs. {@code timers} keeps its clock and fires its timers (renewals,
 * backstops, the wait bound). {@code wakeups} is where followers go on from a notice, which
 * arrives on the Redis client's I/O thread: waking a hot key's followers there would hold up
 * every other notice, and waking them on the timers would make a renewal tick wait behind them.
 */
record LeaseThreads(Scheduler timers, Scheduler wakeups) {
}
