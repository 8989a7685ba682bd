package io.credsync.testing;

import java.util.Random;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Gives a test method a {@link Random} parameter with a seed of its own, and prints the seed when
 * the test fails, so that a failure that depends on the random choices can be replayed:
 * {@code -Dcredsync.test.seed=<seed>} makes every such parameter start from that seed.
 *
 * <p>Use with {@code @ExtendWith(SeededRandom.class)} and a {@code Random random} parameter.
 * Thread-safe, as JUnit extensions must be; the {@link Random} given is thread-safe too.
 */
public final class SeededRandom implements ParameterResolver, TestWatcher {

    /** The system property that fixes the seed. */
    public static final String SEED_PROPERTY = "credsync.test.seed";
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SeededRandom.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Random.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        String fixed = System.getProperty(SEED_PROPERTY);
        long seed = fixed != null && !fixed.isBlank() ? Long.parseLong(fixed.strip()) : System.nanoTime();
        context.getStore(NAMESPACE).put(context.getUniqueId(), seed);
        return new Random(seed);
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        Object seed = context.getStore(NAMESPACE).get(context.getUniqueId());
        if (seed != null) {
            // Standard error goes to the test's report beside the failure.
            System.err.println(context.getDisplayName() + " failed with random seed " + seed + "; replay it with -D"
                    + SEED_PROPERTY + "=" + seed);
        }
    }
}
