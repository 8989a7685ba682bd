package io.credsync.doctor;

import io.credsync.aws.AwsErrorCodes;
import io.credsync.config.CredsyncConfig;
import io.credsync.keys.AwsCallException;
import io.credsync.keys.AwsErrors;
import io.credsync.secrets.SecretNamer;
import io.credsync.secrets.SecretWriteException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * May these AWS credentials read and write the configured secrets? Proved without writing: each
 * call the consumer makes on an existing secret ({@code DescribeSecret}, {@code GetSecretValue},
 * {@code PutSecretValue}) is made on a name the template gives a role that cannot exist
 * ({@code credsync-doctor-probe-<random>}). Secrets Manager checks permissions before it looks the
 * name up, so {@code ResourceNotFoundException} means "allowed, and nothing there", and
 * {@code AccessDeniedException} means "not allowed"; a PutSecretValue on a missing secret writes
 * nothing. Override names are probed with {@code DescribeSecret} only, since they may exist.
 *
 * <p>What it does not prove: {@code CreateSecret} and {@code TagResource} (no probe without
 * creating a secret), the secrets' KMS key ({@code secrets.kms_key_id}: kms:GenerateDataKey and
 * kms:Decrypt for Secrets Manager on the caller's behalf), resource policies on existing secrets,
 * and conditions on request content. The probe shows in CloudTrail as failed calls.
 */
final class SecretsManagerCheck implements Check {

    static final String PROBE_ROLE_PREFIX = "credsync-doctor-probe-";

    private static final SecureRandom RANDOM = new SecureRandom();

    @Override
    public String name() {
        return "Secrets Manager access";
    }

    @Override
    public CheckResult run(DoctorContext context) throws Exception {
        CredsyncConfig config = context.config();
        byte[] random = new byte[6];
        RANDOM.nextBytes(random);
        String probe;
        try {
            probe = SecretNamer.of(config.secrets()).nameFor(config.database().name(),
                    PROBE_ROLE_PREFIX + HexFormat.of().formatHex(random));
        } catch (SecretWriteException e) {
            // The database name cannot go into the template: no templated role can be written.
            return CheckResult.fail(e.getMessage(), "name each role's secret in secrets.overrides, or use a"
                    + " secrets.name_template without {database}");
        }
        SecretsManagerClient client = context.secretsManager();
        List<Call> calls = List.of(
                new Call("DescribeSecret", name -> client.describeSecret(r -> r.secretId(name))),
                new Call("GetSecretValue", name -> client.getSecretValue(r -> r.secretId(name))),
                // A token of its own, so that the SDK does not make one; "{}" because a value is required.
                new Call("PutSecretValue", name -> client.putSecretValue(r -> r.secretId(name).secretString("{}")
                        .clientRequestToken(UUID.randomUUID().toString()))));
        for (Call call : calls) {
            CheckResult denied = probe(context, call, probe, true);
            if (denied != null) {
                return denied;
            }
        }
        List<String> overrides = new ArrayList<>(config.secrets().overrides().values());
        for (String name : overrides) {
            CheckResult denied = probe(context, calls.get(0), name, false);
            if (denied != null) {
                return denied;
            }
        }
        return CheckResult.ok("DescribeSecret, GetSecretValue and PutSecretValue allowed on " + probe
                + " (which does not exist: nothing was written)"
                + (overrides.isEmpty() ? "" : ", DescribeSecret on the " + overrides.size() + " override names")
                + "; CreateSecret, TagResource and the secrets' KMS key cannot be proved without creating a secret");
    }

    /**
     * @param mustBeMissing whether the name cannot exist (the probe name), so that finding it
     *     means something is off and the writes that follow must not run
     * @return null when allowed; else the failure
     */
    private static CheckResult probe(DoctorContext context, Call call, String name, boolean mustBeMissing)
            throws AwsCallException {
        try {
            call.action().run(name);
            if (mustBeMissing) {
                return CheckResult.fail("the probe secret " + name + " exists", "delete it; it is not credsync's");
            }
            return null;
        } catch (SdkException e) {
            if (AwsErrorCodes.RESOURCE_NOT_FOUND.equals(AwsErrorCodes.of(e))) {
                return null;
            }
            if (AwsErrorCodes.ACCESS_DENIED.equals(AwsErrorCodes.of(e))) {
                CredsyncConfig config = context.config();
                return CheckResult.fail("secretsmanager:" + call.operation() + " on " + name + " is denied",
                        "allow secretsmanager:DescribeSecret, GetSecretValue, PutSecretValue, CreateSecret and"
                                + " TagResource on arn:aws:secretsmanager:" + config.aws().region().id()
                                + ":ACCOUNT:secret:" + config.secrets().prefix() + "* to the consumer's role");
            }
            throw new AwsCallException(AwsErrors.secretsManager(call.operation(), name, e), e);
        }
    }

    private record Call(String operation, Action action) {
    }

    @FunctionalInterface
    private interface Action {
        void run(String secretName);
    }
}
