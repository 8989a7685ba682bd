package io.credsync.delivery;

import io.credsync.replication.OutboxBatch;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The batches the replication thread has handed over and the delivery thread has not taken yet:
 * bounded (a full queue blocks the replication thread), and a delivery thread waiting on it
 * sleeps until a batch comes or {@link #wakeUp()} is called, so an idle consumer's delivery
 * thread wakes for nothing.
 *
 * <p>Thread-safe: {@link #put} is called by the replication thread, {@link #takeRound} by the
 * delivery thread, {@link #wakeUp()} by any.
 */
final class BatchQueue {

    private final int capacity;
    private final ArrayDeque<OutboxBatch> batches = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    /** Guarded by lock: a wake-up not yet seen by {@link #takeRound}. */
    private boolean woken;

    BatchQueue(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.capacity = capacity;
    }

    /** Adds a batch, waiting while the queue is full. */
    void put(OutboxBatch batch) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (batches.size() >= capacity) {
                notFull.await();
            }
            batches.addLast(batch);
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until a batch is queued or {@link #wakeUp()} was called (since the last return),
     * then takes the first batch and those behind it that fit in {@code maxEvents} events with
     * it (the first is taken whatever its size).
     *
     * @return the batches taken, oldest first; empty after a wake-up with nothing queued
     */
    List<OutboxBatch> takeRound(int maxEvents) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (batches.isEmpty() && !woken) {
                notEmpty.await();
            }
            woken = false;
            List<OutboxBatch> round = new ArrayList<>();
            int events = 0;
            OutboxBatch next;
            while ((next = batches.peekFirst()) != null && (round.isEmpty() || events + next.size() <= maxEvents)) {
                round.add(batches.removeFirst());
                events += next.size();
            }
            if (!round.isEmpty()) {
                notFull.signalAll();
            }
            return round;
        } finally {
            lock.unlock();
        }
    }

    /** Makes a waiting (or the next) {@link #takeRound} return, with what is queued or nothing. */
    void wakeUp() {
        lock.lock();
        try {
            woken = true;
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
