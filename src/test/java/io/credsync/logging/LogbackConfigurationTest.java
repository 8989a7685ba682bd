package io.credsync.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.status.Status;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * The shipped {@code logback.xml} (not the tests' {@code logback-test.xml}), loaded into a
 * context of its own, as the jar loads it.
 */
@SuppressWarnings("try") // MDC entries held open around a log call, never read
class LogbackConfigurationTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void withStderrAPipeTheShippedConfigurationWritesJsonLinesWithTheMdc() throws Exception {
        assumeThat(System.getenv(LogFormat.VARIABLE)).as("no override in this environment").isNull();
        assumeThat(LogFormat.stderrIsTerminal()).as("stderr is not a terminal (as under Maven)").isFalse();
        URL config = ConsoleEncoder.class.getResource("/logback.xml");
        assertThat(config).isNotNull();

        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(MDC.getMDCAdapter());
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        // The console appender writes to whatever System.err is when it writes.
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(config);
            try (MDC.MDCCloseable eventId = MDC.putCloseable("event_id", "e-1");
                    MDC.MDCCloseable role = MDC.putCloseable("role", "app_user")) {
                context.getLogger("io.credsync.Example").info("synced");
            }
            context.getLogger("software.amazon.awssdk.request").info("below WARN: not written");
        } finally {
            System.setErr(original);
            context.stop();
        }

        assertThat(context.getStatusManager().getCopyOfStatusList()).as("logback's own complaints")
                .allSatisfy(status -> assertThat(status.getLevel()).isLessThan(Status.WARN));
        List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(1);
        JsonNode line = JSON.readTree(lines.get(0));
        assertThat(line.path("message").asText()).isEqualTo("synced");
        assertThat(line.path("event_id").asText()).isEqualTo("e-1");
        assertThat(line.path("role").asText()).isEqualTo("app_user");
        assertThat(line.path("level").asText()).isEqualTo("INFO");
    }

    @Test
    void theEncoderCanBeToldToWriteText() {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(MDC.getMDCAdapter());
        ConsoleEncoder encoder = new ConsoleEncoder();
        encoder.setContext(context);
        encoder.setFormat("text");
        encoder.setPattern("%level %X{role} %msg%n");
        encoder.start();

        assertThat(encoder.format()).isEqualTo(LogFormat.TEXT);
        LoggingEvent event = new LoggingEvent("fqcn", context.getLogger("x"), Level.WARN, "careful", null, null);
        assertThat(new String(encoder.encode(event), StandardCharsets.UTF_8)).isEqualTo("WARN  careful\n");
    }
}
