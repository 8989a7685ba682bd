package io.credsync.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;

/**
 * Reads one secret from moto in a tight loop until it holds a given password. The moment of
 * seeing it is taken when the successful read returns, so the lag measured is an upper bound,
 * too high by at most one read's round trip plus the pause; the round trips are kept so that
 * the report can say how large that error is.
 */
final class SecretPoller {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long PAUSE_MILLIS = 2;
    private static final long HOPELESS_CHECK_MILLIS = 100;

    private final SecretsManagerClient client;
    private final String secretId;
    private final List<Double> roundTripMillis = new ArrayList<>();

    SecretPoller(SecretsManagerClient client, String secretId) {
        this.client = client;
        this.secretId = secretId;
    }

    /**
     * Polls until the secret's {@code password} is {@code password}.
     *
     * @return {@link System#nanoTime()} when the read that showed it returned
     */
    long awaitPassword(String password, Duration timeout) throws Exception {
        return awaitPassword(password, timeout, () -> false).orElseThrow();
    }

    /**
     * Polls until the secret's {@code password} is {@code password}, or until {@code hopeless}
     * (asked every {@value #HOPELESS_CHECK_MILLIS} ms, so it may cost a query) says it never will.
     *
     * @return {@link System#nanoTime()} when the read that showed it returned; empty if hopeless
     */
    OptionalLong awaitPassword(String password, Duration timeout, Check hopeless) throws Exception {
        Deadline deadline = Deadline.in(timeout);
        long lastCheck = System.nanoTime();
        while (true) {
            long sent = System.nanoTime();
            String current = password();
            long received = System.nanoTime();
            roundTripMillis.add(Millis.between(sent, received));
            if (password.equals(current)) {
                return OptionalLong.of(received);
            }
            if (Millis.between(lastCheck, received) >= HOPELESS_CHECK_MILLIS) {
                lastCheck = received;
                if (hopeless.test()) {
                    return OptionalLong.empty();
                }
            }
            deadline.check("secret " + secretId + " holding the new password");
            Thread.sleep(PAUSE_MILLIS);
        }
    }

    /** A condition that may need the database. */
    @FunctionalInterface
    interface Check {
        boolean test() throws Exception;
    }

    /** Every read's round trip so far, in milliseconds. */
    double[] roundTripMillis() {
        return roundTripMillis.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** The secret's current password; null while the secret does not exist. */
    String password() {
        try {
            String value = client.getSecretValue(r -> r.secretId(secretId)).secretString();
            return JSON.readTree(value).path("password").asText(null);
        } catch (ResourceNotFoundException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("secret " + secretId + " is not JSON", e);
        }
    }
}
