package io.credsync.keys;

import java.util.Objects;
import software.amazon.awssdk.core.exception.SdkException;

/** A KMS or Secrets Manager call that failed, with what to do about it. Immutable. */
public final class AwsCallException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient AwsErrors.Explanation explanation;

    public AwsCallException(AwsErrors.Explanation explanation, SdkException cause) {
        super(explanation.line(), cause);
        this.explanation = Objects.requireNonNull(explanation, "explanation");
    }

    /** What failed, and what to do. */
    public AwsErrors.Explanation explanation() {
        return explanation;
    }
}
