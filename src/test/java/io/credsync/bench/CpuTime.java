package io.credsync.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * CPU time (user and system) used by the processes that share this machine during a benchmark,
 * from {@code /proc/<pid>/stat}: PostgreSQL (the postmaster and every backend, including the
 * ones that exited, which the postmaster has reaped), the consumer, the two emulators and this
 * JVM. On two cores these all compete, and the figures show for what: a burst's commits are
 * slowed by work that in production runs on other machines.
 *
 * <p>A snapshot is taken with {@link #snapshot}; {@link #since} gives what each group used
 * after it. Linux only: elsewhere every figure is -1.
 */
final class CpuTime {

    /** /proc counts in USER_HZ, which is 100 on every Linux this runs on. */
    private static final double TICKS_PER_SECOND = 100;
    private static final Pattern EMULATORS = Pattern.compile("moto_server|local-kms");

    private final Map<String, Long> ticksByGroup;

    private CpuTime(Map<String, Long> ticksByGroup) {
        this.ticksByGroup = ticksByGroup;
    }

    /**
     * @param postgresDataDir the cluster's data directory, whose postmaster.pid names the postmaster
     * @param consumerPid the consumer process
     */
    static CpuTime snapshot(Path postgresDataDir, long consumerPid) {
        Map<String, Long> ticks = new LinkedHashMap<>();
        ticks.put("PostgreSQL, all processes", treeTicks(firstLinePid(postgresDataDir.resolve("postmaster.pid"))));
        ticks.put("consumer", treeTicks(consumerPid));
        // The emulators are this JVM's children (the shared test services).
        ticks.put("emulators (moto, local-kms)", ProcessHandle.current().children()
                .filter(p -> EMULATORS.matcher(ConsumerProcessInfo.commandLine(p.pid())).find())
                .mapToLong(p -> Math.max(0, treeTicks(p.pid())))
                .sum());
        // Not the tree: the consumer is this JVM's child.
        ticks.put("benchmark JVM", ownTicks(ProcessHandle.current().pid()));
        return new CpuTime(ticks);
    }

    /** CPU seconds {@code group} used since its processes started; -1 if unknown. */
    double total(String group) {
        long ticks = ticksByGroup.getOrDefault(group, -1L);
        return ticks < 0 ? -1 : ticks / TICKS_PER_SECOND;
    }

    /** CPU seconds each group used since {@code earlier}, in the order of {@link #snapshot}; -1 if unknown. */
    Map<String, Double> since(CpuTime earlier) {
        Map<String, Double> seconds = new LinkedHashMap<>();
        ticksByGroup.forEach((group, ticks) -> {
            long before = earlier.ticksByGroup.getOrDefault(group, -1L);
            seconds.put(group, ticks < 0 || before < 0 ? -1 : (ticks - before) / TICKS_PER_SECOND);
        });
        return seconds;
    }

    /**
     * A process's own time plus what its reaped children used, and the same for every live
     * descendant: a backend that exits between two snapshots moves from the second term into
     * its parent's first, so the difference of two snapshots counts it once.
     */
    private static long treeTicks(long pid) {
        if (pid < 0) {
            return -1;
        }
        long own = statTicks(pid, true);
        if (own < 0) {
            return -1;
        }
        return own + ProcessHandle.of(pid).stream().flatMap(ProcessHandle::descendants)
                .mapToLong(p -> Math.max(0, statTicks(p.pid(), true)))
                .sum();
    }

    private static long ownTicks(long pid) {
        return statTicks(pid, false);
    }

    /** utime + stime (and cutime + cstime with {@code withReaped}), or -1 if unreadable. */
    private static long statTicks(long pid, boolean withReaped) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
            // The command name may hold spaces and parentheses; the fields start after the last ')'.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            // fields[0] is the state (field 3 of proc(5)): utime is field 14, so fields[11].
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            return withReaped ? ticks + Long.parseLong(fields[13]) + Long.parseLong(fields[14]) : ticks;
        } catch (IOException | RuntimeException e) {
            return -1; // gone, not Linux, or not ours to read
        }
    }

    private static long firstLinePid(Path pidFile) {
        try (Stream<String> lines = Files.lines(pidFile)) {
            return lines.findFirst().map(String::trim).map(Long::parseLong).orElse(-1L);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
