package io.credsync.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * What each thread of a process did between two snapshots, from {@code /proc/<pid>/task}: CPU
 * time ({@code schedstat}, in nanoseconds) and context switches ({@code status}, voluntary and
 * not), which count how often a thread woke up. An idle process should have threads that use no
 * CPU and do not wake; this names the ones that do. Threads that ended between the snapshots are
 * missing from the difference. Linux only: elsewhere a snapshot is empty.
 */
final class ThreadActivity {

    /** One thread's counters, or its difference between two snapshots. */
    record Thread(String name, long cpuNanos, long switches) {
    }

    private final Map<String, Thread> byTid;

    private ThreadActivity(Map<String, Thread> byTid) {
        this.byTid = byTid;
    }

    /** No threads: {@code snapshot(pid).since(empty())} is what each thread did since it started. */
    static ThreadActivity empty() {
        return new ThreadActivity(Map.of());
    }

    static ThreadActivity snapshot(long pid) {
        Map<String, Thread> threads = new HashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                try {
                    String name = Files.readString(task.resolve("comm"), StandardCharsets.UTF_8).trim();
                    long cpu = Long.parseLong(Files.readString(task.resolve("schedstat")).trim().split("\\s+")[0]);
                    threads.put(task.getFileName().toString(), new Thread(name, cpu, switches(task)));
                } catch (IOException | RuntimeException e) {
                    // The thread ended while it was read: it is simply not in this snapshot.
                }
            }
        } catch (IOException e) {
            return new ThreadActivity(Map.of());
        }
        return new ThreadActivity(threads);
    }

    /** Each thread alive in both snapshots, with what it did since {@code earlier}, most CPU first. */
    List<Thread> since(ThreadActivity earlier) {
        List<Thread> result = new ArrayList<>();
        byTid.forEach((tid, now) -> {
            Thread before = earlier.byTid.get(tid);
            if (before != null) {
                result.add(new Thread(now.name(), now.cpuNanos() - before.cpuNanos(),
                        now.switches() - before.switches()));
            } else if (earlier.byTid.isEmpty()) {
                result.add(now);
            }
        });
        result.sort(Comparator.comparingLong(Thread::cpuNanos).thenComparingLong(Thread::switches).reversed());
        return result;
    }

    /**
     * {@code threads} summed under {@code key} of their names (a pool's threads under one name,
     * say), most CPU first; threads with the same CPU stay in the order their key first came.
     */
    static List<Thread> summed(List<Thread> threads, UnaryOperator<String> key) {
        Map<String, Thread> groups = new LinkedHashMap<>();
        for (Thread thread : threads) {
            String name = key.apply(thread.name());
            groups.merge(name, new Thread(name, thread.cpuNanos(), thread.switches()),
                    (a, b) -> new Thread(name, a.cpuNanos() + b.cpuNanos(), a.switches() + b.switches()));
        }
        return groups.values().stream().sorted(Comparator.comparingLong(Thread::cpuNanos).reversed()).toList();
    }

    private static long switches(Path task) throws IOException {
        long total = 0;
        for (String line : Files.readAllLines(task.resolve("status"))) {
            if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
                total += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        return total;
    }
}
