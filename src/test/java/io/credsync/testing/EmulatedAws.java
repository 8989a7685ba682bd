package io.credsync.testing;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/**
 * The account, Region and credentials that the AWS emulators ({@link LocalKms}, {@link MotoServer})
 * run with, for tests that build their own clients. Thread-safe; nothing here is null.
 */
public final class EmulatedAws {

    /** The Region every emulator serves. */
    public static final Region REGION = Region.US_EAST_1;

    /** The account ID in the ARNs that local-kms makes (moto uses its own default, 123456789012). */
    public static final String KMS_ACCOUNT_ID = "111122223333";

    private static final AwsCredentialsProvider CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));

    private EmulatedAws() {
    }

    /** Static credentials, test/test: the emulators accept any. */
    public static AwsCredentialsProvider credentials() {
        return CREDENTIALS;
    }
}
