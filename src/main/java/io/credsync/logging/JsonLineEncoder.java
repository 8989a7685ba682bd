package io.credsync.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.event.KeyValuePair;

/**
 * Encodes each log event as one JSON object on one line, for CloudWatch Logs, Loki or any
 * collector that reads JSON lines:
 *
 * <pre>
 * {"timestamp":"2024-05-01T12:00:03.042Z","level":"WARN","logger":"io.credsync.delivery.DeliveryPipeline",
 *  "thread":"credsync-delivery","message":"...","event_id":"...","role":"app_user",
 *  "exception":"java.sql.SQLException","exception_message":"...","stack_trace":"..."}
 * </pre>
 *
 * The MDC's entries ({@code event_id} and {@code role} while an event is handled) and the
 * event's key-value pairs become top-level fields, so that a query can filter on them; one that
 * would shadow a standard field is prefixed with {@code mdc_}. The exception fields appear only
 * with an exception. Jackson escapes every control character, so a message with a newline
 * still makes one line.
 *
 * <p>Why not logback's own {@code JsonEncoder}: it writes epoch milliseconds, the logger
 * context's properties on every line, the MDC nested, and each stack frame as an object; this
 * is the small flat shape log queries want.
 *
 * <p>Thread-safe: the appender calls {@link #encode} under its lock, and the encoder keeps no
 * state between calls anyway.
 */
public final class JsonLineEncoder extends EncoderBase<ILoggingEvent> {

    static final Set<String> STANDARD_FIELDS = Set.of("timestamp", "level", "logger", "thread", "message",
            "exception", "exception_message", "stack_trace");

    /** Milliseconds, always three digits, so that lines sort as text in time order. */
    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final JsonFactory JSON = JsonFactory.builder().build();
    private static final byte[] NOTHING = new byte[0];
    /** Frames per throwable; the rest is counted, not printed. A log line is not a heap dump. */
    private static final int MAX_FRAMES = 40;

    @Override
    public byte[] headerBytes() {
        return NOTHING;
    }

    @Override
    public byte[] footerBytes() {
        return NOTHING;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
        try (JsonGenerator json = JSON.createGenerator(buffer)) {
            json.writeStartObject();
            json.writeStringField("timestamp", TIMESTAMP.format(event.getInstant()));
            json.writeStringField("level", event.getLevel().toString());
            json.writeStringField("logger", event.getLoggerName());
            json.writeStringField("thread", event.getThreadName());
            json.writeStringField("message", event.getFormattedMessage());
            writeFields(json, event.getMDCPropertyMap());
            writePairs(json, event.getKeyValuePairs());
            IThrowableProxy thrown = event.getThrowableProxy();
            if (thrown != null) {
                json.writeStringField("exception", thrown.getClassName());
                json.writeStringField("exception_message", thrown.getMessage());
                json.writeStringField("stack_trace", stackTrace(thrown));
            }
            json.writeEndObject();
        } catch (IOException e) {
            // Writing to memory does not fail; if it did, logging must not throw at the caller.
            throw new UncheckedIOException("cannot encode a log event as JSON", e);
        }
        buffer.write('\n');
        return buffer.toByteArray();
    }

    private static void writeFields(JsonGenerator json, Map<String, String> fields) throws IOException {
        if (fields == null) {
            return;
        }
        for (Map.Entry<String, String> field : fields.entrySet()) {
            json.writeStringField(fieldName(field.getKey()), field.getValue());
        }
    }

    private static void writePairs(JsonGenerator json, List<KeyValuePair> pairs) throws IOException {
        if (pairs == null) {
            return;
        }
        for (KeyValuePair pair : pairs) {
            json.writeStringField(fieldName(pair.key), String.valueOf(pair.value));
        }
    }

    private static String fieldName(String key) {
        return STANDARD_FIELDS.contains(key) ? "mdc_" + key : key;
    }

    /**
     * The throwable's frames and causes, as the text layout would print them, cut at
     * {@value #MAX_FRAMES} frames each.
     */
    private static String stackTrace(IThrowableProxy thrown) {
        StringBuilder text = new StringBuilder();
        IThrowableProxy current = thrown;
        for (int depth = 0; current != null && depth < 8; depth++) {
            if (depth > 0) {
                text.append(CoreConstants.CAUSED_BY);
            }
            text.append(current.getClassName());
            if (current.getMessage() != null) {
                text.append(": ").append(current.getMessage());
            }
            text.append(CoreConstants.LINE_SEPARATOR);
            StackTraceElementProxy[] frames = current.getStackTraceElementProxyArray();
            int shown = Math.min(frames.length - current.getCommonFrames(), MAX_FRAMES);
            for (int i = 0; i < shown; i++) {
                text.append("\tat ").append(frames[i].getStackTraceElement()).append(CoreConstants.LINE_SEPARATOR);
            }
            if (frames.length > shown) {
                text.append("\t... ").append(frames.length - shown).append(" more").append(CoreConstants.LINE_SEPARATOR);
            }
            current = current.getCause();
        }
        return text.toString();
    }
}
