package io.credsync.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Parsing and checking the template at start-up; {@code SecretNamerTest} covers the names it gives. */
class SecretNameTemplateTest {

    @ParameterizedTest(name = "{0} is refused: {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            {prefix}{rol}        | unknown placeholder {rol}; the placeholders are {prefix}, {database} and {role}
            {Role}               | unknown placeholder {Role}
            {}{role}             | unknown placeholder {}
            {prefix}{database}   | must contain {role}, or every role would share one secret
            {role}}              | } at position 6 has no matching {
            {{role}}             | { at position 0 is not closed
            {role                | { at position 0 is not closed
            x/{role}#            | contains '#', which Secrets Manager does not allow in a secret name (letters, digits and /_+=.@-)
            """)
    void aTemplateThatCannotMakeAGoodNameIsRefused(String template, String message) {
        assertThatThrownBy(() -> SecretNameTemplate.parse(template))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(message);
    }

    @Test
    void aNameLongerThanSecretsManagerAllowsIsReported() {
        assertThat(SecretNameTemplate.invalidName("a".repeat(513), false))
                .contains("must be at most 512 characters, got 513");
        assertThat(SecretNameTemplate.invalidName("a".repeat(512), false)).isEmpty();
    }

    @Test
    void aTemplatePrintsAsWritten() {
        assertThat(SecretNameTemplate.parse("{prefix}{database}/{role}")).hasToString("{prefix}{database}/{role}")
                .isEqualTo(SecretNameTemplate.parse("{prefix}{database}/{role}"));
    }
}
