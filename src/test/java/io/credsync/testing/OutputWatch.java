package io.credsync.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * What one test printed, against the passwords it set: every output it collects (a consumer's,
 * read when checked; a command's; an error message) must hold none of them. A test registers each
 * password and output as it goes, and calls {@link #assertNoPassword} after it, whatever its outcome.
 *
 * <p>Thread-safe: tests register passwords from threads of their own.
 */
public final class OutputWatch {

    private final List<String> passwords = new CopyOnWriteArrayList<>();
    private final List<Supplier<String>> outputs = new CopyOnWriteArrayList<>();

    /** Records a password the test sets; returns it, for use in the same expression. */
    public String password(String password) {
        passwords.add(password);
        return password;
    }

    /** Checks {@code consumer}'s output, as it is when checked; returns the consumer. */
    public ConsumerProcess consumer(ConsumerProcess consumer) {
        outputs.add(consumer::output);
        return consumer;
    }

    /** Checks {@code output}; returns it. */
    public String output(String output) {
        outputs.add(() -> output);
        return output;
    }

    /**
     * Asserts that no output holds a registered password, nor any of {@code alsoAbsent} (a JSON
     * key of a decrypted payload, say).
     */
    public void assertNoPassword(String... alsoAbsent) {
        List<String> absent = new ArrayList<>(passwords);
        absent.addAll(List.of(alsoAbsent));
        for (Supplier<String> output : outputs) {
            String text = output.get();
            NoPasswordIn.assertAbsent(text, "an output of a consumer or a command", absent);
        }
    }

    /**
     * Asserts that no output holds a registered password, nor a decrypted event payload: the JSON
     * keys one would show (not {@code event_id}, which the logs name).
     */
    public void assertNoPasswordNorPayload() {
        assertNoPassword("\"password\"", "\"captured_at\"", "\"valid_until\"");
    }
}
