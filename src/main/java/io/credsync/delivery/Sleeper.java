package io.credsync.delivery;

import java.time.Duration;

/** Waits; a seam so that tests of retry logic need not wait for real. */
@FunctionalInterface
public interface Sleeper {

    void sleep(Duration duration) throws InterruptedException;

    /** Thread.sleep. */
    Sleeper SYSTEM = duration -> Thread.sleep(duration.toMillis());
}
