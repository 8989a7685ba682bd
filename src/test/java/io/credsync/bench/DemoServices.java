package io.credsync.bench;

import io.credsync.testing.CredsyncDatabase;
import io.credsync.testing.EmulatedAws;
import io.credsync.testing.LocalKms;
import io.credsync.testing.MotoServer;
import io.credsync.testing.PostgresCluster;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The demo's own PostgreSQL cluster, local-kms and moto, started at once (the emulators while
 * initdb runs) and stopped together. The cluster takes the install mode's options
 * ({@link CredsyncDatabase#clusterOptions()}: credsync_passcheck preloaded, or pg_tle).
 *
 * <p>Thread-safe as its parts are. No component is null.
 */
record DemoServices(PostgresCluster postgres, LocalKms kms, MotoServer moto, String startSeconds)
        implements AutoCloseable {

    /**
     * Starts the three services; if one fails, stops those that started (or will have: an
     * emulator still starting is stopped once it is up) and throws what failed.
     */
    static DemoServices start() {
        long started = System.nanoTime();
        ExecutorService starter = Executors.newFixedThreadPool(2);
        try {
            CompletableFuture<LocalKms> kms = CompletableFuture.supplyAsync(LocalKms::start, starter);
            CompletableFuture<MotoServer> moto = CompletableFuture.supplyAsync(MotoServer::start, starter);
            PostgresCluster postgres = null;
            try {
                // A statement that fails before the passcheck hook sees it must not reach the log
                // with its password (README.md says why).
                postgres = PostgresCluster.start(CredsyncDatabase.clusterOptions()
                        .withSetting("log_min_error_statement", "panic"));
                return new DemoServices(postgres, joined(kms), joined(moto), Narrator.seconds(started));
            } catch (RuntimeException | Error e) {
                kms.thenAccept(LocalKms::close);
                moto.thenAccept(MotoServer::close);
                if (postgres != null) {
                    postgres.close();
                }
                throw e;
            }
        } finally {
            starter.shutdown();
        }
    }

    /** The Region the emulators serve. */
    String region() {
        return EmulatedAws.REGION.id();
    }

    /** Stops moto, local-kms and PostgreSQL, each in its own try; idempotent. */
    @Override
    public void close() {
        try {
            moto.close();
        } finally {
            try {
                kms.close();
            } finally {
                postgres.close();
            }
        }
    }

    /** The started service, or what stopped it from starting. */
    private static <T> T joined(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }
}
