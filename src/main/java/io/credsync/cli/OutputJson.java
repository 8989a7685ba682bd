package io.credsync.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.credsync.json.JsonMappers;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;

/**
 * The commands' {@code --json} output: one JSON document, built as a tree so that every field
 * name is spelled here and nothing is serialized by reflection (no field can slip in unnoticed).
 * Times are ISO-8601 UTC strings; durations are seconds as numbers; unknown values are null.
 *
 * <p>Thread-safe: the mapper is configured once and only read.
 */
final class OutputJson {

    private static final ObjectMapper MAPPER = JsonMappers.output();

    private OutputJson() {
    }

    /** A new, empty object. */
    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** Sets {@code field} to the instant's ISO-8601 text, or null. */
    static void put(ObjectNode node, String field, Instant instant) {
        if (instant == null) {
            node.putNull(field);
        } else {
            node.put(field, instant.toString());
        }
    }

    /** Sets {@code field} to the duration in seconds (with fractions), or null. */
    static void putSeconds(ObjectNode node, String field, Duration duration) {
        if (duration == null) {
            node.putNull(field);
        } else {
            node.put(field, duration.toNanos() / 1e9);
        }
    }

    /**
     * Prints {@code document} on one line, followed by a newline, and flushes: one line per
     * document lets a script read it with a line-oriented tool as well as with {@code jq}.
     */
    static void print(PrintWriter out, JsonNode document) {
        try {
            out.println(MAPPER.writeValueAsString(document));
        } catch (JsonProcessingException e) {
            // A tree of plain nodes always serializes; this would be a bug.
            throw new IllegalStateException("cannot write JSON", e);
        }
        out.flush();
    }
}
