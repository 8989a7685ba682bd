package io.credsync.logging;

import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;

/**
 * The encoder of credsync's console appender: {@link JsonLineEncoder} or a pattern, as
 * {@link LogFormat} decides when the appender starts. One appender whose encoder chooses, rather
 * than two appenders of which the configuration picks one, because logback warns about an
 * appender that nothing references, and on a warning prints its whole status at every start.
 *
 * <p>Configured from {@code logback.xml}: {@code <pattern>} (for the text format) and, optionally,
 * {@code <format>} ({@code json}, {@code text} or {@code auto}, the default) to fix the choice;
 * the environment variable {@value LogFormat#VARIABLE} overrides {@code auto}.
 *
 * <p>Set up by logback on one thread; then, like every encoder, called under the appender's lock.
 */
public final class ConsoleEncoder extends EncoderBase<ILoggingEvent> {

    /** The text pattern when {@code logback.xml} gives none. */
    static final String DEFAULT_PATTERN = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n";

    private String pattern = DEFAULT_PATTERN;
    private String configuredFormat = "auto";
    private volatile LogFormat format;
    private Encoder<ILoggingEvent> delegate;

    /** The layout pattern of the text format. */
    public void setPattern(String pattern) {
        this.pattern = pattern;
    }

    /** {@code json}, {@code text}, or {@code auto} to let the environment and stderr decide. */
    public void setFormat(String format) {
        this.configuredFormat = format;
    }

    /** The format chosen at {@link #start()}; null before. */
    public LogFormat format() {
        return format;
    }

    @Override
    public void start() {
        LogFormat chosen = choose();
        Encoder<ILoggingEvent> encoder;
        if (chosen == LogFormat.JSON) {
            encoder = new JsonLineEncoder();
        } else {
            PatternLayoutEncoder text = new PatternLayoutEncoder();
            text.setPattern(pattern);
            encoder = text;
        }
        encoder.setContext(getContext());
        encoder.start();
        delegate = encoder;
        format = chosen;
        super.start();
    }

    private LogFormat choose() {
        boolean auto = configuredFormat == null || configuredFormat.isBlank()
                || configuredFormat.strip().equalsIgnoreCase("auto");
        String override = auto ? System.getenv(LogFormat.VARIABLE) : configuredFormat;
        String source = auto ? LogFormat.VARIABLE : "the encoder's format";
        // A typo must not silence the logs: say so in logback's status and detect instead.
        return LogFormat.choose(override, LogFormat::stderrIsTerminal).orElseGet(() -> {
            addWarn(source + " must be json, text or auto, got '" + override + "'; detecting instead");
            return LogFormat.stderrIsTerminal() ? LogFormat.TEXT : LogFormat.JSON;
        });
    }

    @Override
    public void stop() {
        if (delegate != null) {
            delegate.stop();
        }
        super.stop();
    }

    @Override
    public byte[] headerBytes() {
        return delegate.headerBytes();
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        return delegate.encode(event);
    }

    @Override
    public byte[] footerBytes() {
        return delegate.footerBytes();
    }
}
