package io.credsync.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class SchemaScriptTest {

    private static final Path CONTROL = Path.of("sql", "native", "credsync.control");

    @Test
    void versionIsTheControlFilesDefaultVersionWhichIsTheSource() throws IOException {
        assertThat(SchemaScript.VERSION).isEqualTo(controlValue("default_version"));
    }

    @Test
    void descriptionIsTheControlFilesComment() throws IOException {
        assertThat(SchemaScript.DESCRIPTION).isEqualTo(controlValue("comment"));
    }

    @Test
    void releasesEndWithThisVersionAndEachStepHasItsUpdateScriptAndNoOtherIsThere() throws IOException {
        assertThat(SchemaScript.RELEASES).last().isEqualTo(SchemaScript.VERSION);
        List<String> expected = new ArrayList<>();
        for (int i = 1; i < SchemaScript.RELEASES.size(); i++) {
            expected.add("credsync--" + SchemaScript.RELEASES.get(i - 1) + "--" + SchemaScript.RELEASES.get(i) + ".sql");
        }
        try (Stream<Path> files = Files.list(Path.of("sql", "updates"))) {
            assertThat(files.map(f -> f.getFileName().toString()).filter(f -> f.startsWith("credsync--")))
                    .as("sql/updates, which the Makefile installs and build-installer follows")
                    .containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    @Test
    void updateStepsLeadFromAnEarlierReleaseToThisOne() throws InstallException {
        assertThat(SchemaScript.updateSteps("0.1.0")).containsExactly(List.of("0.1.0", "0.2.0"));
        assertThat(SchemaScript.updateSteps(SchemaScript.VERSION)).isEmpty();
        assertThatThrownBy(() -> SchemaScript.updateSteps("0.0.9")).isInstanceOf(InstallException.class)
                .hasMessageContaining("updates from 0.1.0");
    }

    @Test
    void theUpdatePgTleTakesIsTheUpdateScriptThenTheWholeAdapter() throws IOException {
        String update = Files.readString(Path.of("sql", "updates", "credsync--0.1.0--0.2.0.sql"));
        String adapter = Files.readString(Path.of("sql", "pgtle", "adapter.sql"));

        assertThat(SchemaScript.fromClasspath().pgTleUpdateScript("0.1.0", "0.2.0"))
                .isEqualTo((update + adapter).replaceAll("\n+$", ""));
    }

    @Test
    void theScriptPgTleTakesIsBothFilesWithoutTrailingNewlinesAsTheShellReadsThem() throws IOException {
        String core = Files.readString(Path.of("sql", "credsync.sql"));
        String adapter = Files.readString(Path.of("sql", "pgtle", "adapter.sql"));

        String script = SchemaScript.fromClasspath().pgTleScript();

        assertThat(script).isEqualTo((core + adapter).replaceAll("\n+$", ""));
        assertThat(script).contains("CREATE SCHEMA credsync;", "credsync.pgtle_passcheck");
    }

    @Test
    void refusesScriptsHoldingATagTheWrappingReserves() {
        assertThatThrownBy(() -> SchemaScript.of("SELECT $_credsync_install_$x$_credsync_install_$;", ""))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("reserved dollar-quote tag");
        // pg_tle wraps the script in its own function with $_pgtle_...$ quotes.
        assertThatThrownBy(() -> SchemaScript.of("", "SELECT $_pgtle_i_$x$_pgtle_i_$;"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("reserved dollar-quote tag");
    }

    @Test
    void installerSqlWrapsTheScriptInTheReservedTagWithTheVersionAndPgcrypto() {
        String sql = SchemaScript.of("SELECT 1;\n", "SELECT 2;\n\n").installerSql();

        assertThat(sql).contains("CREATE EXTENSION IF NOT EXISTS pg_tle;\nBEGIN;\n",
                "SELECT pgtle.install_extension(\n"
                + "    'credsync',\n"
                + "    '" + SchemaScript.VERSION + "',\n"
                + "    '" + SchemaScript.DESCRIPTION + "',\n"
                + "    $_credsync_install_$\n"
                + "SELECT 1;\nSELECT 2;\n"
                + "$_credsync_install_$,\n"
                + "    ARRAY['pgcrypto']);\n"
                + "CREATE EXTENSION IF NOT EXISTS credsync VERSION '" + SchemaScript.VERSION + "' CASCADE;\n"
                + "COMMIT;\n");
    }

    private static String controlValue(String key) throws IOException {
        Matcher m = Pattern.compile("(?m)^\\s*" + key + "\\s*=\\s*'([^']*)'").matcher(Files.readString(CONTROL));
        assertThat(m.find()).as(key + " in " + CONTROL).isTrue();
        return m.group(1);
    }
}
