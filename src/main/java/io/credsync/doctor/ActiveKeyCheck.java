package io.credsync.doctor;

import io.credsync.keys.KeyRegistration;
import io.credsync.keys.KeyRegistry.RegisteredKey;
import io.credsync.keys.KeyRequirements;
import io.credsync.keys.KmsPublicKey;
import io.credsync.keys.RsaPublicKeys;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Is there an active key, and is it what KMS holds under its ARN? Asks {@code kms:GetPublicKey}
 * for the kid: a key that is gone, disabled or pending deletion, or whose public key differs from
 * the stored one, would make every new event undecryptable.
 */
final class ActiveKeyCheck implements Check {

    @Override
    public String name() {
        return "active key";
    }

    @Override
    public CheckResult run(DoctorContext context) throws Exception {
        Optional<RegisteredKey> active = context.activeKey();
        if (active.isEmpty()) {
            return CheckResult.fail("no active key: every password change of a managed role fails",
                    "credsync keys add --kms-key KEY");
        }
        RegisteredKey key = active.get();
        KmsPublicKey kms = KeyRegistration.get(context.kms(), key.kid());
        List<String> problems = KeyRequirements.problems(kms);
        if (!problems.isEmpty()) {
            return CheckResult.fail(key.kid() + " " + String.join("; ", problems),
                    "add a key that fits: credsync keys add --kms-key KEY");
        }
        boolean same = RsaPublicKeys.der(key.publicKeyPem())
                .map(der -> Arrays.equals(der, kms.subjectPublicKeyInfo())).orElse(false);
        if (!same) {
            return CheckResult.fail("the stored public key of " + key.kid() + " is not the one KMS holds under"
                            + " that ARN: new events cannot be decrypted",
                    "add the key KMS holds under its own ARN: credsync keys add --kms-key KEY");
        }
        return CheckResult.ok(key.kid() + " (" + kms.keySpec() + ") matches KMS");
    }
}
