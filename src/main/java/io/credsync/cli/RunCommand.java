package io.credsync.cli;

import io.credsync.config.CredsyncConfig;
import io.credsync.drift.AutoRotateNotPermittedException;
import io.credsync.replication.ReplicationException;
import io.credsync.service.ConsumerService;
import java.io.IOException;
import java.io.PrintWriter;
import java.sql.SQLException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;

/**
 * {@code credsync run}: the service. Runs until SIGTERM or SIGINT, then finishes or abandons the
 * delivery in progress, confirms what is done, and exits 0 within ten seconds.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Streams the outbox and writes each password change to Secrets Manager.",
                "Every setting can also come from the environment (CREDSYNC_<SECTION>_<KEY>)."})
final class RunCommand extends ConfiguredCommand {

    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);
    private static final long SHUTDOWN_LIMIT_SECONDS = 10;

    @Override
    int run(CredsyncConfig loaded, PrintWriter out, PrintWriter err) {
        ConsumerService service;
        try {
            service = ConsumerService.start(loaded);
        } catch (ReplicationException | IOException | AutoRotateNotPermittedException e) {
            log.error("cannot start: {}", e.getMessage());
            return 1;
        } catch (SQLException e) {
            log.error("cannot start: the database answered SQLState {}: {}", e.getSQLState(), e.getMessage());
            return 1;
        }
        return runUntilStopped(service);
    }

    /**
     * A signal makes the JVM run its shutdown hooks; ours asks the service to stop, waits for
     * the main thread to close it, and ends the process with the main thread's exit code (a
     * hook cannot otherwise choose the code, which would be 128 + the signal).
     */
    private static int runUntilStopped(ConsumerService service) {
        CountDownLatch closed = new CountDownLatch(1);
        int[] exitCode = {0};
        Thread hook = new Thread(() -> {
            service.requestStop();
            try {
                if (!closed.await(SHUTDOWN_LIMIT_SECONDS, TimeUnit.SECONDS)) {
                    log.warn("shutdown took longer than {} s; exiting anyway", SHUTDOWN_LIMIT_SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Runtime.getRuntime().halt(exitCode[0]);
        }, "credsync-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            Throwable failure = service.awaitStopped();
            exitCode[0] = failure == null ? 0 : 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exitCode[0] = 1;
        } finally {
            log.info("stopping");
            service.close();
            log.info("stopped");
            closed.countDown();
        }
        return exitCode[0];
    }
}
