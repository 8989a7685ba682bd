package io.credsync.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** Log events through a real logback appender with the encoder, read back as JSON lines. */
@SuppressWarnings("try") // MDC entries held open around a log call, never read
class JsonLineEncoderTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final LoggerContext context = new LoggerContext();
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private Logger logger;

    @BeforeEach
    void appenderWithTheEncoder() {
        // A context of its own, reading the MDC that org.slf4j.MDC writes.
        context.setMDCAdapter(MDC.getMDCAdapter());
        JsonLineEncoder encoder = new JsonLineEncoder();
        encoder.setContext(context);
        encoder.start();
        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setContext(context);
        appender.setEncoder(encoder);
        appender.setOutputStream(output);
        appender.start();
        logger = context.getLogger("io.credsync.delivery.DeliveryPipeline");
        logger.addAppender(appender);
    }

    @AfterEach
    void stop() {
        context.stop();
        MDC.clear();
    }

    @Test
    void anEventWithMdcIsOneParsableLineWithEveryField() throws Exception {
        try (MDC.MDCCloseable eventId = MDC.putCloseable("event_id", "5b3c9b1e-0000-4000-8000-000000000001");
                MDC.MDCCloseable role = MDC.putCloseable("role", "app_user")) {
            logger.info("synced event {} to secret {}", 7, "db/app_user");
        }

        JsonNode line = onlyLine();
        assertThat(line.path("timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        assertThat(line.path("level").asText()).isEqualTo("INFO");
        assertThat(line.path("logger").asText()).isEqualTo("io.credsync.delivery.DeliveryPipeline");
        assertThat(line.path("thread").asText()).isEqualTo(Thread.currentThread().getName());
        assertThat(line.path("message").asText()).as("formatted, not the template")
                .isEqualTo("synced event 7 to secret db/app_user");
        assertThat(line.path("event_id").asText()).isEqualTo("5b3c9b1e-0000-4000-8000-000000000001");
        assertThat(line.path("role").asText()).isEqualTo("app_user");
        assertThat(line.has("exception")).as("no exception, no exception fields").isFalse();
    }

    @Test
    void anExceptionGivesItsClassMessageAndCausesOnTheSameLine() throws Exception {
        logger.warn("cannot record the outcome", new IllegalStateException("store failed",
                new SQLException("connection lost", "08006")));

        JsonNode line = onlyLine();
        assertThat(line.path("exception").asText()).isEqualTo("java.lang.IllegalStateException");
        assertThat(line.path("exception_message").asText()).isEqualTo("store failed");
        assertThat(line.path("stack_trace").asText())
                .startsWith("java.lang.IllegalStateException: store failed\n\tat ")
                .contains("Caused by: java.sql.SQLException: connection lost");
    }

    @Test
    void newlinesAndQuotesInAMessageStayInsideOneLine() throws Exception {
        try (MDC.MDCCloseable role = MDC.putCloseable("role", "odd\"role\nname")) {
            logger.error("first line\nsecond \"line\"");
        }

        JsonNode line = onlyLine();
        assertThat(line.path("message").asText()).isEqualTo("first line\nsecond \"line\"");
        assertThat(line.path("role").asText()).isEqualTo("odd\"role\nname");
    }

    @Test
    void anMdcKeyNamedLikeAStandardFieldCannotShadowIt() throws Exception {
        try (MDC.MDCCloseable message = MDC.putCloseable("message", "from the MDC")) {
            logger.info("the real message");
        }

        JsonNode line = onlyLine();
        assertThat(line.path("message").asText()).isEqualTo("the real message");
        assertThat(line.path("mdc_message").asText()).isEqualTo("from the MDC");
    }

    @Test
    void keyValuePairsOfTheFluentApiBecomeFields() throws Exception {
        logger.atInfo().addKeyValue("outbox_id", 42).log("replayed");

        assertThat(onlyLine().path("outbox_id").asText()).isEqualTo("42");
    }

    private JsonNode onlyLine() throws Exception {
        String text = output.toString(StandardCharsets.UTF_8);
        assertThat(text).endsWith("\n");
        List<String> lines = text.lines().toList();
        assertThat(lines).as("one event, one line: %s", text).hasSize(1);
        return JSON.readTree(lines.get(0));
    }
}
