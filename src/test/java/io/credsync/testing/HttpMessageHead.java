package io.credsync.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The start line and headers of one HTTP/1.1 message, as read off a socket by {@link FaultProxy}:
 * enough to find a request's AWS operation and length, and to make either side close the
 * connection after the message. Immutable.
 */
final class HttpMessageHead {

    private static final int MAX_HEAD = 64 * 1024;

    private final String startLine;
    private final List<String> headers;

    private HttpMessageHead(String startLine, List<String> headers) {
        this.startLine = startLine;
        this.headers = List.copyOf(headers);
    }

    /**
     * Reads a head, up to and including the empty line.
     *
     * @return the head, or empty when the stream ended before one began (the peer closed)
     * @throws IOException if it ends in the middle of a head or the head is too large
     */
    static Optional<HttpMessageHead> read(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < end.length) {
            int b = in.read();
            if (b < 0) {
                if (bytes.size() == 0) {
                    return Optional.empty();
                }
                throw new IOException("the stream ended within an HTTP head");
            }
            if (bytes.size() == MAX_HEAD) {
                throw new IOException("an HTTP head longer than " + MAX_HEAD + " bytes");
            }
            bytes.write(b);
            matched = b == end[matched] ? matched + 1 : (b == end[0] ? 1 : 0);
        }
        List<String> lines = new ArrayList<>(bytes.toString(StandardCharsets.ISO_8859_1).lines().toList());
        lines.removeIf(String::isEmpty);
        if (lines.isEmpty()) {
            throw new IOException("an empty HTTP head");
        }
        return Optional.of(new HttpMessageHead(lines.get(0), lines.subList(1, lines.size())));
    }

    /** The value of the first header named {@code name} (case-insensitive), trimmed. */
    Optional<String> header(String name) {
        String prefix = name.toLowerCase(Locale.ROOT) + ":";
        return headers.stream().filter(h -> h.toLowerCase(Locale.ROOT).startsWith(prefix))
                .map(h -> h.substring(prefix.length()).trim()).findFirst();
    }

    /** The body's length by Content-Length; 0 without one (a request of the AWS SDK always has one). */
    long contentLength() {
        return header("Content-Length").map(Long::parseLong).orElse(0L);
    }

    /** The head with {@code Connection: close} in place of any Connection header, as bytes to send. */
    byte[] closingConnection() {
        StringBuilder head = new StringBuilder(startLine).append("\r\n");
        for (String header : headers) {
            if (!header.toLowerCase(Locale.ROOT).startsWith("connection:")) {
                head.append(header).append("\r\n");
            }
        }
        head.append("Connection: close\r\n\r\n");
        return head.toString().getBytes(StandardCharsets.ISO_8859_1);
    }
}
