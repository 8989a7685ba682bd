package io.credsync.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A profile of a consumer over a benchmark's measured window only, when the environment variable
 * {@code CREDSYNC_BENCH_JFR} names a directory: started and stopped with {@code jcmd}, so the
 * warm-up and start-up are left out and the file is written before the consumer is stopped.
 *
 * <p>Two profilers:
 * <ul>
 *   <li>By default a JDK Flight Recording, {@code <name>.jfr}. {@code CREDSYNC_BENCH_JFR_SETTINGS}
 *       names the settings ({@code profile} unless given: a JDK name or a .jfc file). Read it with
 *       {@code jfr print --events jdk.ExecutionSample FILE} or {@code jfr summary FILE}. Beware:
 *       starting a recording in a warm consumer has C1 compile much of it again (about 8 ms of
 *       compiler CPU per event in the e2e-lag window), and its sampler adds 2 ms per event, so
 *       the benchmark's CPU rows are not those of a run without it; few samples land in the
 *       window (about one per event).
 *   <li>async-profiler, when {@code CREDSYNC_BENCH_PROFILER} names its {@code libasyncProfiler.so}
 *       (not part of credsync: from its release archive, or the {@code tools.profiler:async-profiler}
 *       jar of Maven Central, which holds it under {@code linux-x64/}): CPU samples of every
 *       thread, Java and native frames together, JIT compilers included, written as collapsed
 *       stacks ({@code <name>.collapsed}, one line per stack with its first frame the thread and
 *       its last the sample count), for a flame graph or a script. It samples with
 *       {@code itimer}, which needs no perf_events, at the kernel's tick, so read shares of the
 *       samples, not their count; it adds about 5 % to the CPU it measures.
 * </ul>
 *
 * <p>Without {@code CREDSYNC_BENCH_JFR}, it does nothing. A jcmd that fails is reported and the
 * benchmark goes on.
 */
final class WindowRecording {

    private static final String DIRECTORY = System.getenv("CREDSYNC_BENCH_JFR");
    private static final String SETTINGS = System.getenv().getOrDefault("CREDSYNC_BENCH_JFR_SETTINGS", "profile");
    private static final String ASYNC_PROFILER = System.getenv("CREDSYNC_BENCH_PROFILER");

    private final long pid;
    private final String name;

    private WindowRecording(long pid, String name) {
        this.pid = pid;
        this.name = name;
    }

    /** Starts profiling the process {@code pid}, if asked to. */
    static WindowRecording start(long pid, String name) {
        WindowRecording recording = new WindowRecording(pid, name);
        if (DIRECTORY == null) {
            return recording;
        }
        if (ASYNC_PROFILER != null) {
            recording.jcmd("JVMTI.agent_load", ASYNC_PROFILER, agentOptions("start,event=itimer,interval=1ms,threads"));
        } else {
            recording.jcmd("JFR.start", "name=" + name, "settings=" + SETTINGS);
        }
        return recording;
    }

    /** Stops profiling and writes the file. */
    void stop() {
        if (DIRECTORY == null) {
            return;
        }
        Path directory = Path.of(DIRECTORY).toAbsolutePath();
        if (ASYNC_PROFILER != null) {
            Path file = directory.resolve(name + ".collapsed");
            jcmd("JVMTI.agent_load", ASYNC_PROFILER, agentOptions("stop,file=" + file + ",collapsed"));
            System.out.println("  " + name + ": async-profiler's profile of the measured window in " + file);
        } else {
            Path file = directory.resolve(name + ".jfr");
            jcmd("JFR.stop", "name=" + name, "filename=" + file);
            System.out.println("  " + name + ": flight recording of the measured window in " + file);
        }
    }

    /**
     * The agent's options as one jcmd argument: quoted, or jcmd would take the first {@code =}
     * for its own {@code name=value} syntax and pass the agent a truncated option.
     */
    private static String agentOptions(String options) {
        return '"' + options + '"';
    }

    private void jcmd(String... arguments) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd")
                .toString(), Long.toString(pid)));
        command.addAll(List.of(arguments));
        try {
            Files.createDirectories(Path.of(DIRECTORY));
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                System.out.println("  " + name + ": " + String.join(" ", command) + " failed");
            }
        } catch (IOException e) {
            System.out.println("  " + name + ": " + String.join(" ", command) + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
