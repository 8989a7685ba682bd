package io.credsync.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The operating-system side of a consumer that {@code SyncFixture} started: its pid and memory.
 * ConsumerProcess does not expose the pid, so it is found among this JVM's child processes by its
 * command line ({@code credsync.jar run --config <run dir>/consumer-<prefix>-.../credsync.yaml}).
 */
final class ConsumerProcessInfo {

    private ConsumerProcessInfo() {
    }

    /**
     * The pid of the one live consumer started for fixture prefix {@code fixturePrefix}.
     *
     * @throws IllegalStateException if there is none, or more than one
     */
    static long pidOf(String fixturePrefix) {
        String configDir = "/consumer-" + fixturePrefix + "-";
        List<ProcessHandle> matches = ProcessHandle.current().descendants()
                .filter(p -> {
                    String commandLine = commandLine(p.pid());
                    return commandLine.contains("credsync.jar") && commandLine.contains(configDir);
                })
                .toList();
        if (matches.size() != 1) {
            throw new IllegalStateException("expected one consumer process with " + configDir
                    + " in its command line, found " + matches.size());
        }
        return matches.get(0).pid();
    }

    /** {@code VmRSS} (resident now) of {@code pid}, in MiB. */
    static double residentMib(long pid) throws IOException {
        return statusKib(pid, "VmRSS:") / 1024.0;
    }

    /** {@code VmHWM} (the peak resident size since the process started) of {@code pid}, in MiB. */
    static double peakResidentMib(long pid) throws IOException {
        return statusKib(pid, "VmHWM:") / 1024.0;
    }

    private static long statusKib(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith(field)) {
                // e.g. "VmRSS:\t  123456 kB"
                return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
            }
        }
        throw new IllegalStateException("/proc/" + pid + "/status has no " + field);
    }

    /** The command line of {@code pid}, arguments separated by spaces; empty if unreadable. */
    static String commandLine(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            return new String(raw, StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException e) {
            return ""; // gone meanwhile, or not ours to read
        }
    }
}
