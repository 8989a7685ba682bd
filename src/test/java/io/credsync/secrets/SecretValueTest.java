package io.credsync.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.credsync.crypto.Password;
import io.credsync.outbox.EventId;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SecretValueTest {

    static final String PASSWORD = "s3cr\"et\\pä$$\n</";

    static SecretUpdate update(String password) {
        return new SecretUpdate("prod/orders/app", new EventId(UUID.fromString("00000000-0000-4000-8000-000000000001")),
                "postgres", "db.example.com", 5432, "orders", "app", Password.of(password));
    }

    @Test
    void aFreshValueHoldsTheSixRdsKeysInOrderWithPortAsANumber() throws Exception {
        String json = SecretValue.fresh(update("pw"));

        assertThat(json).isEqualTo("{\"engine\":\"postgres\",\"host\":\"db.example.com\",\"port\":5432,"
                + "\"dbname\":\"orders\",\"username\":\"app\",\"password\":\"pw\"}");
    }

    @Test
    void thePasswordIsWrittenItselfAndEscapedNotMaskedOrBrokenByQuotes() throws Exception {
        JsonNode node = new ObjectMapper().readTree(SecretValue.fresh(update(PASSWORD)));

        assertThat(node.get("password").asText()).as("the real password, not Password's ****").isEqualTo(PASSWORD);
        assertThat(node.get("port").isInt()).isTrue();
    }

    @Test
    void mergingKeepsOtherKeysAfterTheSixAndReplacesTheSix() throws Exception {
        String current = "{\"proxy\":\"p.example.com\",\"password\":\"old\",\"port\":\"6432\",\"nested\":{\"a\":[1,2]},"
                + "\"engine\":\"mysql\",\"flag\":true,\"none\":null}";

        String merged = SecretValue.merged(current, update("new"));

        assertThat(merged).isEqualTo("{\"engine\":\"postgres\",\"host\":\"db.example.com\",\"port\":5432,"
                + "\"dbname\":\"orders\",\"username\":\"app\",\"password\":\"new\","
                + "\"proxy\":\"p.example.com\",\"nested\":{\"a\":[1,2]},\"flag\":true,\"none\":null}");
    }

    @Test
    void mergingAValueWithItsOwnUpdateGivesTheSameStringSoARedeliveryIsANoOp() throws Exception {
        String once = SecretValue.merged("{\"z\":1,\"a\":2}", update(PASSWORD));

        assertThat(SecretValue.merged(once, update(PASSWORD))).isEqualTo(once);
    }

    @Test
    void theOtherKeysOfAWrittenValueLeaveOutThePasswordAndMergeToTheSameString() throws Exception {
        String written = SecretValue.merged("{\"proxy\":\"p.example.com\",\"password\":\"old\",\"n\":1.50}",
                update(PASSWORD));

        String others = SecretValue.otherKeys(written);

        assertThat(others).isEqualTo("{\"proxy\":\"p.example.com\",\"n\":1.50}");
        assertThat(SecretValue.merged(others, update("next"))).isEqualTo(SecretValue.merged(written, update("next")));
    }

    @Test
    void otherToolsNumbersKeepTheirPrecisionAndForm() throws Exception {
        String merged = SecretValue.merged("{\"big\":12345678901234567890123,\"dec\":1.10,\"tiny\":0.1000000000000000055511}",
                update("pw"));

        assertThat(merged).endsWith("\"big\":12345678901234567890123,\"dec\":1.10,\"tiny\":0.1000000000000000055511}");
    }

    @ParameterizedTest(name = "current value {0}")
    @ValueSource(strings = {"plain-text-password", "[1,2]", "\"a string\"", "42", "null", "", "   ",
        "{\"a\":1} trailing", "{\"unterminated\":"})
    void aCurrentValueThatIsNotAJsonObjectIsRefusedWithoutQuotingIt(String current) {
        SecretWriteException e = catchThrowableOfType(SecretWriteException.class,
                () -> SecretValue.merged(current, update(PASSWORD)));

        assertThat(e).as("a foreign format is never overwritten").isNotNull();
        assertThat(e.errorCode()).isEqualTo(SecretWriteException.SECRET_NOT_JSON_OBJECT);
        assertThat(e.isTransient()).isFalse();
        assertThat(e.getMessage()).contains("prod/orders/app");
        assertThat(e.getCause()).as("Jackson's messages quote their input").isNull();
        assertThat(e.getMessage()).doesNotContain(PASSWORD);
    }

    @ParameterizedTest(name = "current value {0}")
    @ValueSource(strings = {"hunter2", "[\"hunter2\"]", "{\"k\":\"hunter2\"} x", "{\"k\":\"hunter2"})
    void theRefusalNeverQuotesTheCurrentValue(String current) {
        SecretWriteException e = catchThrowableOfType(SecretWriteException.class,
                () -> SecretValue.merged(current, update(PASSWORD)));

        assertThat(e.getMessage()).doesNotContain("hunter2");
    }

    @Test
    void aBinaryValueIsRefusedWithTheSameCode() {
        SecretWriteException e = SecretValue.binaryValue("s");

        assertThat(e.errorCode()).isEqualTo(SecretWriteException.SECRET_NOT_JSON_OBJECT);
        assertThat(e.getMessage()).contains("binary");
    }
}
