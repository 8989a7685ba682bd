package io.credsync.bench;

import java.io.IOException;

/**
 * Samples a process's resident set size every few milliseconds on a daemon thread, keeping the
 * maximum: VmHWM alone would also count start-up, and this says what the burst itself needed.
 */
final class RssSampler implements AutoCloseable {

    private static final long INTERVAL_MILLIS = 20;

    private final long pid;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile double maxMib;
    private volatile int samples;

    private RssSampler(long pid) {
        this.pid = pid;
        this.thread = new Thread(this::sample, "rss-sampler-" + pid);
        this.thread.setDaemon(true);
    }

    static RssSampler start(long pid) throws IOException {
        RssSampler sampler = new RssSampler(pid);
        sampler.maxMib = ConsumerProcessInfo.residentMib(pid);
        sampler.thread.start();
        return sampler;
    }

    /** The largest VmRSS seen so far, in MiB. */
    double maxMib() {
        return maxMib;
    }

    int samples() {
        return samples;
    }

    private void sample() {
        while (running) {
            try {
                maxMib = Math.max(maxMib, ConsumerProcessInfo.residentMib(pid));
                samples++;
                Thread.sleep(INTERVAL_MILLIS);
            } catch (IOException e) {
                return; // the process is gone: keep what was seen
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(1000);
    }
}
