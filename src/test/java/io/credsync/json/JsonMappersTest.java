package io.credsync.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonMappersTest {

    /** What the commands and the metrics server wrote before the mappers were shared. */
    private static final ObjectMapper DEFAULTS = new ObjectMapper();

    @Test
    void outputWritesTreesByteForByteAsJacksonsDefaultsDo() throws JsonProcessingException {
        ObjectNode tree = DEFAULTS.createObjectNode();
        tree.put("role", "app_ü \"quoted\" \\ \n\t\u0001 \u2028");
        tree.put("count", 3L);
        tree.put("ratio", 0.1);
        tree.put("exact", new BigDecimal("1.10"));
        tree.put("big", new BigDecimal("1E+3"));
        tree.putNull("missing");
        tree.putArray("list").add(true).add(-0.0).add(Long.MIN_VALUE);
        tree.putObject("nested").put("z", 1).put("a", 2);

        String written = JsonMappers.output().writeValueAsString(tree);

        assertThat(written).isEqualTo(DEFAULTS.writeValueAsString(tree));
        assertThat(written).as("compact, in insertion order").isEqualTo("{\"role\":\"app_ü \\\"quoted\\\" \\\\ \\n\\t\\u0001 \u2028\","
                + "\"count\":3,\"ratio\":0.1,\"exact\":1.10,\"big\":1E+3,\"missing\":null,"
                + "\"list\":[true,-0.0,-9223372036854775808],\"nested\":{\"z\":1,\"a\":2}}");
    }

    @Test
    void outputWritesMapsAsJacksonsDefaultsDo() throws JsonProcessingException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "DOWN");
        body.put("failing", List.of("database", "replication"));
        body.put("checks", Map.of("database", false));

        assertThat(JsonMappers.output().writeValueAsBytes(body)).isEqualTo(DEFAULTS.writeValueAsBytes(body));
    }

    @Test
    void theEnvelopeRefusesDuplicateKeysAndTrailingContent() {
        ObjectMapper envelope = JsonMappers.envelope();

        assertThatThrownBy(() -> envelope.readTree("{\"alg\":\"RSA-OAEP-256\",\"alg\":\"none\"}"))
                .as("two parsers could read a duplicate two ways").isInstanceOf(JsonProcessingException.class);
        assertThatThrownBy(() -> envelope.readTree("{\"a\":1} {\"b\":2}")).isInstanceOf(JsonProcessingException.class);
    }

    @Test
    void aSecretValueKeepsNumbersAsWrittenRefusesTrailingContentAndLetsTheLastDuplicateWin() throws Exception {
        ObjectMapper secret = JsonMappers.secretValue();

        assertThat(secret.writeValueAsString(secret.readTree("{\"weight\":1.10,\"big\":12345678901234567890.5}")))
                .isEqualTo("{\"weight\":1.10,\"big\":12345678901234567890.5}");
        assertThatThrownBy(() -> secret.readTree("{\"a\":1} trailing")).isInstanceOf(JsonProcessingException.class);
        assertThat(secret.readTree("{\"a\":1,\"a\":2}").get("a").asInt())
                .as("as Jackson's default, unlike the envelope").isEqualTo(2);
    }

    @Test
    void theConfigurationRefusesDuplicateKeys() {
        assertThatThrownBy(() -> JsonMappers.configYaml().readTree("database:\n  port: 1\n  port: 2\n"))
                .isInstanceOf(JsonProcessingException.class);
    }

    @Test
    void eachCallBuildsItsOwnMapperSoNoCallerCanReconfigureAnothersMapper() {
        assertThat(JsonMappers.output()).isNotSameAs(JsonMappers.output());
    }
}
