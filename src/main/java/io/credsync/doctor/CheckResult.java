package io.credsync.doctor;

import java.util.Objects;

/**
 * What one check found. Immutable and thread-safe.
 *
 * @param status how it came out
 * @param detail one line saying what was found, e.g. {@code logical}; never holds a secret
 * @param fix one line saying what to do; empty for {@link CheckStatus#OK},
 *     {@link CheckStatus#SKIP} and {@link CheckStatus#NOT_APPLICABLE}, never empty otherwise
 */
public record CheckResult(CheckStatus status, String detail, String fix) {

    public CheckResult {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(fix, "fix");
        boolean needsFix = status == CheckStatus.WARN || status == CheckStatus.FAIL;
        if (needsFix == fix.isEmpty()) {
            throw new IllegalArgumentException(needsFix ? "a " + status + " needs a fix" : "only WARN and FAIL have a fix");
        }
    }

    public static CheckResult ok(String detail) {
        return new CheckResult(CheckStatus.OK, detail, "");
    }

    public static CheckResult warn(String detail, String fix) {
        return new CheckResult(CheckStatus.WARN, detail, fix);
    }

    public static CheckResult fail(String detail, String fix) {
        return new CheckResult(CheckStatus.FAIL, detail, fix);
    }

    public static CheckResult skip(String why) {
        return new CheckResult(CheckStatus.SKIP, why, "");
    }

    public static CheckResult notApplicable(String why) {
        return new CheckResult(CheckStatus.NOT_APPLICABLE, why, "");
    }
}
