package io.credsync.delivery;

import io.credsync.lifecycle.Deadline;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the role tasks of one batch on up to {@code concurrency} threads of its own and returns
 * when all have ended: a batch is finished before the next begins, so per role nothing
 * overtakes (each role's events are one task, so they stay on one thread, in order). Should a
 * task fail, or the caller be interrupted, the others are interrupted too and awaited, so that
 * none still runs when the caller goes on.
 *
 * <p>{@link #runAll} is called by one thread at a time (the delivery thread); {@link #close}
 * by the thread that owns the pipeline. The threads are daemons, named
 * {@code credsync-delivery-N}.
 */
final class RoleExecutor {

    private static final Logger log = LoggerFactory.getLogger(RoleExecutor.class);

    /** One role's work, on one of the executor's threads. */
    @FunctionalInterface
    interface RoleTask {
        void run() throws InterruptedException;
    }

    private final ExecutorService threads;

    /** @param concurrency how many tasks run at once, at least 1 */
    RoleExecutor(int concurrency) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1, got " + concurrency);
        }
        AtomicInteger count = new AtomicInteger();
        this.threads = Executors.newFixedThreadPool(concurrency, task -> {
            Thread thread = new Thread(task, "credsync-delivery-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Runs every task and waits until all have ended.
     *
     * @throws InterruptedException when the caller, or a task, was interrupted; the tasks not
     *     yet ended were interrupted and have ended
     * @throws RuntimeException what a task threw, after the others ended
     */
    void runAll(List<RoleTask> tasks) throws InterruptedException {
        Batch batch = new Batch(tasks.size());
        try {
            tasks.forEach(batch::submit);
            batch.awaitAll();
        } finally {
            // Interrupted, or a task failed: the others stop too (their events stay pending, to be
            // delivered again), and none may still run when the caller goes on.
            batch.stopAndAwait();
        }
    }

    /**
     * Interrupts the threads and waits for them until {@code deadline}; a thread still running
     * then (in a call that ignores interrupts) is left behind, with a warning.
     */
    void close(Deadline deadline) {
        threads.shutdownNow();
        try {
            if (!deadline.awaitTermination(threads)) {
                log.warn("the delivery's role threads did not stop by the shutdown deadline; leaving them");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The tasks of one call to {@link #runAll}: submitted, awaited, and stopped together. */
    private final class Batch {
        private final CompletionService<Void> completion = new ExecutorCompletionService<>(threads);
        private final int count;
        private int submitted;
        private final CountDownLatch ended;
        private final Set<Thread> running = ConcurrentHashMap.newKeySet();
        private volatile boolean stopping;

        Batch(int count) {
            this.count = count;
            ended = new CountDownLatch(count);
        }

        void submit(RoleTask task) {
            completion.submit(() -> {
                try {
                    running.add(Thread.currentThread());
                    // After joining running: stopAndAwait sets stopping first, then interrupts running.
                    if (!stopping) {
                        task.run();
                    }
                    return null;
                } finally {
                    running.remove(Thread.currentThread());
                    ended.countDown();
                }
            });
            submitted++;
        }

        /** Waits for every task, in the order they finish, so that the first failure ends the wait. */
        void awaitAll() throws InterruptedException {
            for (int i = 0; i < submitted; i++) {
                try {
                    completion.take().get();
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof InterruptedException) {
                        throw (InterruptedException) cause;
                    }
                    if (cause instanceof RuntimeException) {
                        throw (RuntimeException) cause;
                    }
                    if (cause instanceof Error) {
                        throw (Error) cause;
                    }
                    throw new IllegalStateException("a role's delivery failed", cause);
                }
            }
        }

        void stopAndAwait() {
            // Tasks never submitted (the executor refused them: it is closing) never end by themselves.
            for (int i = submitted; i < count; i++) {
                ended.countDown();
            }
            stopping = true;
            running.forEach(Thread::interrupt);
            boolean interrupted = false;
            while (true) {
                try {
                    ended.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
