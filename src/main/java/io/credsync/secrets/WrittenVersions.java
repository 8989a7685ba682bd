package io.credsync.secrets;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;

/**
 * The version this writer last made of each secret, and that version's keys other than the six
 * credsync owns, so that the next write to the secret can skip {@code GetSecretValue} while that
 * version is still {@code AWSCURRENT}.
 *
 * <p>Why this is exact, not a guess: a version's value never changes in Secrets Manager, and
 * {@code DescribeSecret} (which the writer calls anyway) says which version is {@code AWSCURRENT}.
 * When it is the one remembered, the remembered keys are what {@code GetSecretValue} would return
 * apart from the six, which a merge replaces anyway. When anyone else has written since, another
 * version is current and the writer reads it as before. The password is not kept: only the
 * other keys.
 *
 * <p>At most {@code capacity} secrets are remembered, the least recently written forgotten
 * first. Thread-safe.
 */
final class WrittenVersions {

    private static final String AWSCURRENT = "AWSCURRENT";

    private record Written(String versionId, String otherKeys) {
    }

    private final Map<String, Written> byArn;

    WrittenVersions(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.byArn = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Written> eldest) {
                return size() > capacity;
            }
        };
    }

    /**
     * @param arn the secret's ARN
     * @param versionId the version just written (created, or found identical under its token)
     * @param value that version's value, a JSON object credsync wrote
     */
    void remember(String arn, String versionId, String value) {
        Written written = new Written(Objects.requireNonNull(versionId, "versionId"), SecretValue.otherKeys(value));
        synchronized (byArn) {
            byArn.put(Objects.requireNonNull(arn, "arn"), written);
        }
    }

    /** After a write whose resulting value is unknown: the next write reads the secret. */
    void forget(String arn) {
        synchronized (byArn) {
            byArn.remove(arn);
        }
    }

    /**
     * @return the keys other than credsync's six of the secret's current value (a JSON object),
     *     when its {@code AWSCURRENT} version is the one this writer remembers; else empty
     */
    Optional<String> otherKeysOfCurrent(DescribeSecretResponse described) {
        Written written;
        synchronized (byArn) {
            written = byArn.get(described.arn());
        }
        if (written == null || !described.hasVersionIdsToStages()) {
            return Optional.empty();
        }
        boolean current = described.versionIdsToStages().getOrDefault(written.versionId(), List.of())
                .contains(AWSCURRENT);
        return current ? Optional.of(written.otherKeys()) : Optional.empty();
    }
}
