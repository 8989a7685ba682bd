package io.credsync.secrets;

import java.util.Objects;

/**
 * Where a secret write landed.
 *
 * @param arn the secret's ARN; not null
 * @param versionId the version holding the new password (the event id as token); not null
 * @param created whether this write created the secret
 */
public record SecretWriteResult(String arn, String versionId, boolean created) {

    public SecretWriteResult {
        Objects.requireNonNull(arn, "arn");
        Objects.requireNonNull(versionId, "versionId");
    }
}
