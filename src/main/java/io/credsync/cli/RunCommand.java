package io.credsync.cli;

import io.credsync.config.CredsyncConfig;
import io.credsync.connection.SqlErrors;
import io.credsync.drift.AutoRotateNotPermittedException;
import io.credsync.lifecycle.Deadline;
import io.credsync.replication.ReplicationException;
import io.credsync.service.ConsumerService;
import io.credsync.service.DatabaseUnavailableException;
import java.io.IOException;
import java.io.PrintWriter;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;

/**
 * {@code credsync run}: the service. Runs until SIGTERM or SIGINT, then finishes or abandons the
 * delivery in progress, confirms what is done, and exits 0 within ten seconds.
 *
 * <p>The ten seconds hold by construction: the signal sets one {@link Deadline}, nine seconds
 * away, which every component's shutdown shares (see {@link ConsumerService#close}); the last
 * second is for the JVM to exit. Should something overrun all the same, the signal's hook ends the
 * process at ten seconds, with exit code 0: what was not recorded is delivered at the next start.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Streams the outbox and writes each password change to Secrets Manager.",
                "Every setting can also come from the environment (CREDSYNC_<SECTION>_<KEY>)."})
final class RunCommand extends ConfiguredCommand {

    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);
    /** From the signal to the end of the process: what the Dockerfile and the task definition promise. */
    static final Duration SHUTDOWN_LIMIT = Duration.ofSeconds(10);
    /** The part of {@link #SHUTDOWN_LIMIT} kept for the JVM's own exit, after the components closed. */
    private static final Duration EXIT_MARGIN = Duration.ofSeconds(1);

    @Override
    int run(CredsyncConfig loaded, PrintWriter out, PrintWriter err) {
        ConsumerService service = ConsumerService.create(loaded);
        CountDownLatch closed = new CountDownLatch(1);
        AtomicReference<Deadline> signalled = new AtomicReference<>();
        int[] exitCode = {0};
        Runtime.getRuntime().addShutdownHook(shutdownHook(service, signalled, closed, exitCode));
        try {
            try {
                service.start();
            } catch (ReplicationException | DatabaseUnavailableException | IOException
                    | AutoRotateNotPermittedException e) {
                log.error("cannot start: {}", e.getMessage());
                exitCode[0] = 1;
                return 1;
            } catch (SQLException e) {
                log.error("cannot start: the database {} answered: {}", loaded.database().describe(),
                        SqlErrors.explain(e));
                exitCode[0] = 1;
                return 1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exitCode[0] = 1;
                return 1;
            }
            exitCode[0] = runUntilStopped(service, signalled);
            return exitCode[0];
        } finally {
            closed.countDown();
        }
    }

    /**
     * A signal makes the JVM run its shutdown hooks; ours sets the deadline, asks the service to
     * stop, waits for the main thread to close it, and ends the process with the main thread's
     * exit code (a hook cannot otherwise choose the code, which would be 128 + the signal).
     */
    private static Thread shutdownHook(ConsumerService service, AtomicReference<Deadline> signalled,
            CountDownLatch closed, int[] exitCode) {
        return new Thread(() -> {
            Deadline limit = Deadline.after(SHUTDOWN_LIMIT);
            signalled.compareAndSet(null, limit.reserving(EXIT_MARGIN));
            service.requestStop();
            try {
                if (!closed.await(limit.remainingMillis(), TimeUnit.MILLISECONDS)) {
                    log.warn("shutdown took longer than {} s; exiting anyway", SHUTDOWN_LIMIT.toSeconds());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Runtime.getRuntime().halt(exitCode[0]);
        }, "credsync-shutdown");
    }

    /** Runs until a signal or a failure, then closes the service by the deadline; returns the exit code. */
    private static int runUntilStopped(ConsumerService service, AtomicReference<Deadline> signalled) {
        int exitCode;
        try {
            Throwable failure = service.awaitStopped();
            exitCode = failure == null ? 0 : 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exitCode = 1;
        }
        // A failure stops the service without a signal: it gets the same budget.
        signalled.compareAndSet(null, Deadline.after(SHUTDOWN_LIMIT.minus(EXIT_MARGIN)));
        log.info("stopping");
        service.close(signalled.get());
        log.info("stopped");
        return exitCode;
    }
}
