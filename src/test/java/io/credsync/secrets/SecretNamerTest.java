package io.credsync.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SecretNamerTest {

    private static final String TEMPLATE = "{prefix}{database}/{role}";

    @Test
    void theTemplateIsFilledWithPrefixDatabaseAndRole() throws SecretWriteException {
        SecretNamer namer = new SecretNamer(TEMPLATE, "prod/", Map.of());

        assertThat(namer.nameFor("orders", "app_rw")).isEqualTo("prod/orders/app_rw");
        assertThat(namer.nameFor("orders", "App.Reader@x+y=z-1")).as("every allowed character passes unchanged")
                .isEqualTo("prod/orders/App.Reader@x+y=z-1");
    }

    @Test
    void anEmptyPrefixAndRepeatedPlaceholdersAreAllowed() throws SecretWriteException {
        SecretNamer namer = new SecretNamer("db-{database}-{role}-{role}", "", Map.of());

        assertThat(namer.nameFor("d", "r")).isEqualTo("db-d-r-r");
    }

    @Test
    void anOverrideReplacesTheWholeNameAndRescuesARoleNameTheTemplateCannotUse() throws SecretWriteException {
        SecretNamer namer = new SecretNamer(TEMPLATE, "prod/", Map.of("app user", "legacy/app-user", "app", "x/app"));

        assertThat(namer.nameFor("orders", "app user")).isEqualTo("legacy/app-user");
        assertThat(namer.nameFor("other", "app")).as("an override ignores the database").isEqualTo("x/app");
        assertThat(namer.nameFor("orders", "App")).as("overrides match the exact role name only")
                .isEqualTo("prod/orders/App");
    }

    @ParameterizedTest(name = "role \"{0}\"")
    @ValueSource(strings = {"app user", "café", "a/b", "o'brien", "tab\there", "line\nbreak", "日本", "", "a%b"})
    void aRoleNameOutsideTheAllowedCharactersIsRefusedWithAHintToAddAnOverride(String role) {
        SecretNamer namer = new SecretNamer(TEMPLATE, "prod/", Map.of());

        SecretWriteException e = catchThrowableOfType(SecretWriteException.class, () -> namer.nameFor("orders", role));

        assertThat(e).as("no name is made up for role %s", role).isNotNull();
        assertThat(e.isTransient()).as("renaming does not fix itself").isFalse();
        assertThat(e.errorCode()).isEqualTo(SecretWriteException.INVALID_SECRET_NAME);
        assertThat(e.getMessage()).contains("role " + SecretNamer.quote(role)).contains("override");
        assertThat(e.getMessage()).as("control characters cannot forge log lines").doesNotContain("\n", "\t");
    }

    @Test
    void aDatabaseNameWithASlashIsRefusedBecauseItWouldCollideWithAnotherRole() {
        SecretNamer namer = new SecretNamer(TEMPLATE, "", Map.of());

        // Without the check, database "a/b" + role "c" and database "a" + role "b/c" both give "a/b/c".
        assertThatThrownBy(() -> namer.nameFor("a/b", "c")).isInstanceOf(SecretWriteException.class)
                .hasMessageContaining("database name \"a/b\"");
        assertThatThrownBy(() -> namer.nameFor("a", "b/c")).isInstanceOf(SecretWriteException.class);
    }

    @Test
    void aNameLongerThan512CharactersIsRefused() throws SecretWriteException {
        SecretNamer namer = new SecretNamer("{role}", "", Map.of());

        assertThat(namer.nameFor("d", "r".repeat(512))).hasSize(512);
        SecretWriteException e = catchThrowableOfType(SecretWriteException.class,
                () -> namer.nameFor("d", "r".repeat(513)));
        assertThat(e.errorCode()).isEqualTo(SecretWriteException.INVALID_SECRET_NAME);
        assertThat(e.getMessage()).contains("513 characters").contains("override");
    }

    @Test
    void aTemplateWithoutTheRoleIsRefusedAtStartBecauseAllRolesWouldShareOneSecret() {
        assertThatThrownBy(() -> new SecretNamer("{prefix}{database}", "p", Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must contain {role}");
    }

    @ParameterizedTest(name = "template \"{0}\"")
    @ValueSource(strings = {"{prefix}{db}/{role}", "{role", "{role}}", "{{role}}", "{Role}", "x}{role}"})
    void anUnknownOrUnbalancedPlaceholderIsRefusedAtStart(String template) {
        assertThatThrownBy(() -> new SecretNamer(template, "", Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("template");
    }

    @Test
    void literalTextAndPrefixMayHoldOnlySecretNameCharacters() {
        assertThatThrownBy(() -> new SecretNamer("db {role}", "", Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("contains ' ', which Secrets Manager does not allow");
        assertThatThrownBy(() -> new SecretNamer(TEMPLATE, "prod:", Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prefix \"prod:\"");
    }

    @Test
    void anInvalidOverrideIsRefusedAtStart() {
        assertThatThrownBy(() -> new SecretNamer(TEMPLATE, "", Map.of("app", "has space")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("role \"app\"");
        assertThatThrownBy(() -> new SecretNamer(TEMPLATE, "", Map.of("app", "")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SecretNamer(TEMPLATE, "", Map.of("app", "x".repeat(513))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void twoRolesOverriddenToOneSecretAreRefusedAtStart() {
        assertThatThrownBy(() -> new SecretNamer(TEMPLATE, "", Map.of("a", "shared", "b", "shared")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("both name the secret \"shared\"");
    }

    @Test
    void validNamesFollowSecretsManagersRules() {
        assertThat(SecretNamer.isValidName("a")).isTrue();
        assertThat(SecretNamer.isValidName("x".repeat(512))).isTrue();
        assertThat(SecretNamer.isValidName("Aa0/_+=.@-")).isTrue();
        assertThat(SecretNamer.isValidName("")).isFalse();
        assertThat(SecretNamer.isValidName("x".repeat(513))).isFalse();
        assertThat(SecretNamer.isValidName("a b")).isFalse();
        assertThat(SecretNamer.isValidName("é")).isFalse();
        assertThat(SecretNamer.isValidName("a:b")).isFalse();
    }

    @Test
    void quotingShowsControlAndNonAsciiCharactersAsEscapes() {
        assertThat(SecretNamer.quote("a\nb\"é")).isEqualTo("\"a\\u000ab\\u0022\\u00e9\"");
    }
}
