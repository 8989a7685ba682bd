package io.credsync.json;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * The Jackson configurations credsync uses, each named for what it reads or writes, so that the
 * places that must agree share one configuration instead of each building its own mapper.
 *
 * <p>Each method builds a new mapper: callers keep it in a {@code static final} field and never
 * reconfigure it, which keeps it thread-safe. Never {@code null}.
 *
 * <p>What stays different, and why: the envelope refuses duplicate keys (a key read two ways by
 * two parsers is an attack on the signed header), a secret's value keeps other tools' numbers as
 * written and, like Jackson's default, lets the last of duplicate keys win (refusing them would
 * refuse secrets credsync accepts today), and the configuration is YAML. The logs' encoder
 * ({@code logging.JsonLineEncoder}) writes with a bare streaming generator and needs no mapper.
 */
public final class JsonMappers {

    private JsonMappers() {
    }

    /**
     * For the JSON documents credsync writes for people and tools (the commands' {@code --json}
     * output, the metrics server's {@code /ready} body): Jackson's defaults, compact, fields in
     * the order they were put.
     */
    public static ObjectMapper output() {
        return JsonMapper.builder().build();
    }

    /**
     * For the envelope's protected header and payload, which come from the database: one value
     * and nothing after it, no duplicate keys (while parsing or building a tree).
     */
    public static ObjectMapper envelope() {
        return JsonMapper.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
    }

    /**
     * For a secret's value in Secrets Manager, read by the writer (to merge) and by drift (to
     * compare), and written back: the two readers must agree on what a secret holds.
     */
    public static ObjectMapper secretValue() {
        return JsonMapper.builder()
                // "{...} trailing" is not a JSON object: refuse it rather than drop the tail.
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                // Keep other tools' numbers as written: no rounding through double, no dropped zeros.
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
                .build();
    }

    /** For the configuration file: a duplicate key is refused rather than letting the last one win. */
    public static ObjectMapper configYaml() {
        return YAMLMapper.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
    }
}
