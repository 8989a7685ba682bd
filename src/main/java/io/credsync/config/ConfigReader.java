package io.credsync.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.credsync.json.JsonMappers;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Loads {@link CredsyncConfig}: reads the optional YAML file, splits it into sections, lets each
 * section record read and check its keys, and throws every problem found at once.
 */
final class ConfigReader {
    /** Sections in the order they are read: {@code secrets} takes defaults from {@code database}. */
    private static final Map<String, List<String>> SECTIONS = sections();

    /** A duplicate key is refused rather than letting the last one silently win. */
    private static final ObjectMapper YAML = JsonMappers.configYaml();

    private ConfigReader() {
    }

    private static Map<String, List<String>> sections() {
        Map<String, List<String>> sections = new LinkedHashMap<>();
        sections.put("database", DatabaseConfig.KEYS);
        sections.put("replication", ReplicationConfig.KEYS);
        sections.put("aws", AwsConfig.KEYS);
        sections.put("secrets", SecretsConfig.KEYS);
        sections.put("delivery", DeliveryConfig.KEYS);
        sections.put("metrics", MetricsConfig.KEYS);
        sections.put("drift", DriftConfig.KEYS);
        return sections;
    }

    static CredsyncConfig read(Path file, Map<String, String> environment) throws ConfigException {
        Objects.requireNonNull(environment, "environment");
        ObjectNode root = file == null ? YAML.createObjectNode() : readFile(file);
        List<String> problems = new ArrayList<>();

        for (Map.Entry<String, JsonNode> entry : root.properties()) {
            if (!SECTIONS.containsKey(entry.getKey())) {
                problems.add(entry.getKey() + ": unknown key"
                        + KeySuggestions.closest(entry.getKey(), SECTIONS.keySet())
                                .map(k -> " (did you mean " + k + "?)").orElse(""));
            }
        }
        Map<String, Section> sections = new LinkedHashMap<>();
        SECTIONS.forEach((name, keys) -> {
            JsonNode node = root.get(name);
            if (node != null && !node.isNull() && !node.isObject()) {
                problems.add(name + ": must be a mapping of keys to values");
            }
            // A section written with no keys (`delivery:`) is null in YAML: all its defaults.
            ObjectNode yaml = node != null && node.isObject() ? (ObjectNode) node : null;
            sections.put(name, new Section(name, keys, yaml, environment, problems));
        });
        // The variable named by password_env may well look like a key of a section
        // (CREDSYNC_DATABASE_PASSWORD), and must not be refused as a typo.
        Set<String> passwordVariable = Set.of(sections.get("database").peek("password_env")
                .orElse(Passwords.DEFAULT_VARIABLE));
        sections.values().forEach(s -> s.rejectUnknown(passwordVariable));

        // aws first: database.auth iam signs its tokens for aws.region.
        AwsConfig aws = AwsConfig.read(sections.get("aws"));
        DatabaseConfig database = DatabaseConfig.read(sections.get("database"),
                Optional.ofNullable(aws).map(AwsConfig::region));
        ReplicationConfig replication = ReplicationConfig.read(sections.get("replication"));
        SecretsConfig secrets = SecretsConfig.read(sections.get("secrets"), database);
        DeliveryConfig delivery = DeliveryConfig.read(sections.get("delivery"));
        MetricsConfig metrics = MetricsConfig.read(sections.get("metrics"));
        DriftConfig drift = DriftConfig.read(sections.get("drift"));
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new CredsyncConfig(database, replication, aws, secrets, delivery, metrics, drift);
    }

    private static ObjectNode readFile(Path file) throws ConfigException {
        String where = "config file " + file;
        if (Files.isDirectory(file)) {
            throw new ConfigException(where + ": is a directory, not a file");
        }
        JsonNode root;
        try (InputStream in = Files.newInputStream(file)) {
            root = YAML.readTree(in);
        } catch (JacksonException e) {
            // The original message, without Jackson's "Source:" excerpt of the input.
            JsonLocation at = e.getLocation();
            throw new ConfigException(where + ": not valid YAML"
                    + (at != null ? " at line " + at.getLineNr() + ", column " + at.getColumnNr() : "")
                    + ": " + e.getOriginalMessage());
        } catch (NoSuchFileException e) {
            throw new ConfigException(where + ": no such file");
        } catch (AccessDeniedException e) {
            throw new ConfigException(where + ": permission denied");
        } catch (IOException e) {
            throw new ConfigException(where + ": cannot read it (" + e.getClass().getSimpleName() + ")");
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return YAML.createObjectNode(); // an empty file, or one with only comments
        }
        if (!root.isObject()) {
            throw new ConfigException(where + ": must be a mapping of sections ("
                    + String.join(", ", SECTIONS.keySet()) + ")");
        }
        return (ObjectNode) root;
    }
}
