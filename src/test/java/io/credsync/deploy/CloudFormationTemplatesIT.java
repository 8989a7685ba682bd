package io.credsync.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.credsync.config.CredsyncConfig;
import io.credsync.testing.TestEnvironment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The CloudFormation templates under deploy/cloudformation: each passes the pinned cfn-lint,
 * the task role's policy is least privilege, and the container's environment is a
 * configuration credsync accepts.
 *
 * <p>The templates are read with CloudFormation's short-form tags ({@code !Ref}, {@code !Sub},
 * {@code !If}...) turned into their long form ({@code {"Ref": ...}}, {@code {"Fn::Sub": ...}}),
 * from the YAML parser's events, so that a tag is never silently dropped.
 */
class CloudFormationTemplatesIT {

    private static final String ECS_TEMPLATE = "deploy/cloudformation/credsync-ecs.yaml";
    private static final String RDS_TEMPLATE = "deploy/cloudformation/rds-parameter-group.yaml";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final YAMLFactory YAML = new YAMLFactory();

    private static final Set<String> TASK_ROLE_ACTIONS = Set.of(
            "kms:Decrypt", "kms:GetPublicKey",
            "secretsmanager:CreateSecret", "secretsmanager:PutSecretValue", "secretsmanager:GetSecretValue",
            "secretsmanager:DescribeSecret", "secretsmanager:TagResource",
            "cloudwatch:PutMetricData");
    private static final String PREFIX_ARN =
            "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:${SecretPrefix}*";

    /** A statement of a policy, and the condition it is under ({@code Fn::If}), or null. */
    record Statement(JsonNode body, String condition) {

        List<String> actions() {
            return texts(body.get("Action"));
        }

        List<JsonNode> resources() {
            JsonNode resource = body.get("Resource");
            List<JsonNode> list = new ArrayList<>();
            if (resource != null && resource.isArray()) {
                resource.forEach(list::add);
            } else if (resource != null) {
                list.add(resource);
            }
            return list;
        }
    }

    @Test
    void shouldPassThePinnedCfnLint() throws Exception {
        Path cfnLint = TestEnvironment.cfnLint();
        List<Path> templates;
        try (Stream<Path> files = Files.walk(DeployTesting.repoFile("deploy/cloudformation"))) {
            templates = files.filter(f -> f.toString().matches(".*\\.(ya?ml|json|template)$")).sorted().toList();
        }
        assertThat(templates).as("templates under deploy/cloudformation").isNotEmpty();
        Map<Path, String> failures = new LinkedHashMap<>();
        for (Path template : templates) {
            DeployTesting.Result result = DeployTesting.run(List.of(cfnLint.toString(), "--include-checks", "I",
                    "--", template.toString()), Map.of(), Duration.ofMinutes(2));
            if (result.exitCode() != 0) {
                failures.put(template, "exit code " + result.exitCode() + ":\n" + result.output());
            }
        }
        String version = DeployTesting.run(List.of(cfnLint.toString(), "--version"), Map.of(), Duration.ofMinutes(1))
                .output().strip();
        assertThat(failures).as("findings of %s (%s)", cfnLint, version).isEmpty();
    }

    @Test
    void shouldHaveACfnLintThatFindsMistakes() throws Exception {
        // So that a linter that lints nothing (wrong file type, a rule set not loaded) cannot pass.
        Path broken = Files.createTempFile("credsync-broken-", ".yaml");
        try {
            Files.writeString(broken, String.join("\n",
                    "AWSTemplateFormatVersion: \"2010-09-09\"",
                    "Resources:",
                    "  Group:",
                    "    Type: AWS::Logs::LogGroup",
                    "    Properties:",
                    "      RetentionInDayz: 30",
                    ""));
            DeployTesting.Result result = DeployTesting.run(List.of(TestEnvironment.cfnLint().toString(), "--",
                    broken.toString()), Map.of(), Duration.ofMinutes(2));
            assertThat(result.exitCode()).as(result.output()).isNotZero();
            assertThat(result.output()).contains("E3002");
        } finally {
            Files.deleteIfExists(broken);
        }
    }

    @Test
    void shouldGrantTheTaskRoleOnlyWhatCredsyncNeedsOnOneKeyAndOnePrefix() {
        JsonNode template = load(ECS_TEMPLATE);
        JsonNode role = resource(template, "TaskRole", "AWS::IAM::Role");
        assertThat(role.path("Properties").has("ManagedPolicyArns")).as("managed policies on the task role").isFalse();
        assertThat(role.path("Properties").path("AssumeRolePolicyDocument").toString())
                .contains("ecs-tasks.amazonaws.com");
        List<Statement> statements = statements(role);

        Set<String> actions = new TreeSet<>();
        for (Statement s : statements) {
            assertThat(s.body().path("Effect").asText()).as("Effect of %s", s.body()).isEqualTo("Allow");
            assertThat(s.body().has("NotAction") || s.body().has("NotResource")).as("NotAction/NotResource").isFalse();
            assertThat(s.actions()).as("actions of %s", s.body()).isNotEmpty()
                    .allSatisfy(a -> assertThat(a).doesNotContain("*").doesNotContain("?"));
            assertThat(s.actions().stream().map(a -> a.substring(0, a.indexOf(':'))).distinct())
                    .as("one service per statement: %s", s.body()).hasSize(1);
            actions.addAll(s.actions());
            String service = s.actions().get(0).substring(0, s.actions().get(0).indexOf(':'));
            switch (service) {
                case "kms" -> assertThat(s.resources()).as("resources of %s", s.actions())
                        .containsExactly(ref("KmsKeyArn"));
                case "secretsmanager" -> assertThat(s.resources()).as("resources of %s", s.actions())
                        .containsExactly(fn("Sub", NODES.textNode(PREFIX_ARN)));
                case "cloudwatch" -> {
                    assertThat(s.resources()).containsExactly(NODES.textNode("*"));
                    assertThat(s.body().path("Condition").path("StringEquals").path("cloudwatch:namespace"))
                            .as("PutMetricData limited to the namespace").isEqualTo(ref("CloudWatchNamespace"));
                    assertThat(s.condition()).as("PutMetricData only when CloudWatch export is on")
                            .isEqualTo("PublishToCloudWatch");
                    assertThat(template.path("Conditions").path("PublishToCloudWatch"))
                            .isEqualTo(fn("Equals", NODES.arrayNode().add(ref("CloudWatchMetrics")).add("true")));
                }
                default -> throw new AssertionError("a statement for " + service + ": " + s.body());
            }
            if (!service.equals("cloudwatch")) {
                assertThat(s.condition()).as("%s granted unconditionally", s.actions()).isNull();
            }
        }
        assertThat(actions).as("the task role's actions").containsExactlyInAnyOrderElementsOf(TASK_ROLE_ACTIONS);

        Statement decrypt = statements.stream().filter(s -> s.actions().contains("kms:Decrypt")).findFirst().orElseThrow();
        assertThat(decrypt.actions()).containsExactly("kms:Decrypt");
        assertThat(decrypt.body().path("Condition").path("StringEquals").path("kms:EncryptionAlgorithm").asText())
                .as("Decrypt with the envelope's algorithm only").isEqualTo("RSAES_OAEP_SHA_256");

        // The parameters behind the resources cannot widen them.
        JsonNode keyArn = template.path("Parameters").path("KmsKeyArn");
        assertThat(keyArn.has("Default")).as("a default KMS key").isFalse();
        Pattern keyPattern = Pattern.compile(keyArn.path("AllowedPattern").asText());
        assertThat(keyPattern.matcher("arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab")
                .matches()).isTrue();
        assertThat(Stream.of("*", "arn:aws:kms:eu-west-1:123456789012:key/*",
                "arn:aws:kms:eu-west-1:123456789012:alias/credsync", "arn:aws:kms:*:123456789012:key/x"))
                .noneMatch(v -> keyPattern.matcher(v).matches());
        JsonNode prefix = template.path("Parameters").path("SecretPrefix");
        Pattern prefixPattern = Pattern.compile(prefix.path("AllowedPattern").asText());
        assertThat(prefixPattern.matcher(prefix.path("Default").asText()).matches()).isTrue();
        assertThat(prefix.path("Default").asText()).isEqualTo("credsync/");
        assertThat(Stream.of("", "*", "credsync/*", "a?")).as("prefixes that would widen the grant")
                .noneMatch(v -> prefixPattern.matcher(v).matches());

        // What the policy allows is what the container is configured to do.
        Map<String, JsonNode> env = environment(template);
        assertThat(env.get("CREDSYNC_SECRETS_PREFIX")).isEqualTo(ref("SecretPrefix"));
        assertThat(env.get("CREDSYNC_METRICS_CLOUDWATCH_ENABLED")).isEqualTo(ref("CloudWatchMetrics"));
        assertThat(env.get("CREDSYNC_METRICS_CLOUDWATCH_NAMESPACE")).isEqualTo(ref("CloudWatchNamespace"));
        assertThat(env).as("settings that would name secrets outside the prefix")
                .doesNotContainKeys("CREDSYNC_SECRETS_NAME_TEMPLATE", "CREDSYNC_SECRETS_OVERRIDES");
    }

    @Test
    void shouldLetTheExecutionRoleReadOnlyTheDatabasePasswordAndInjectIt() {
        JsonNode template = load(ECS_TEMPLATE);
        for (Statement s : statements(resource(template, "ExecutionRole", "AWS::IAM::Role"))) {
            for (String action : s.actions()) {
                assertThat(action).matches("ecr:[A-Za-z]+|logs:(CreateLogStream|PutLogEvents)"
                        + "|secretsmanager:GetSecretValue");
                if (action.startsWith("secretsmanager:")) {
                    assertThat(s.resources()).containsExactly(ref("DatabasePasswordSecretArn"));
                } else if (action.startsWith("logs:")) {
                    assertThat(s.resources()).containsExactly(fn("GetAtt",
                            NODES.arrayNode().add("LogGroup").add("Arn")));
                }
            }
        }
        JsonNode container = container(template);
        JsonNode secrets = container.path("Secrets");
        assertThat(secrets).hasSize(1);
        assertThat(secrets.get(0).path("Name").asText()).isEqualTo("CREDSYNC_DB_PASSWORD");
        assertThat(secrets.get(0).path("ValueFrom").toString()).contains("DatabasePasswordSecretArn");
        assertThat(environment(template).keySet()).noneMatch(name -> name.contains("PASSWORD"));
    }

    @Test
    void shouldRunTwoFargateTasksWithTheLivenessCheck() throws Exception {
        JsonNode template = load(ECS_TEMPLATE);
        JsonNode service = resource(template, "Service", "AWS::ECS::Service").path("Properties");
        assertThat(service.path("DesiredCount")).isEqualTo(ref("DesiredCount"));
        assertThat(template.path("Parameters").path("DesiredCount").path("Default").asText()).isEqualTo("2");
        assertThat(service.path("TaskDefinition")).isEqualTo(ref("TaskDefinition"));
        JsonNode task = resource(template, "TaskDefinition", "AWS::ECS::TaskDefinition").path("Properties");
        assertThat(task.path("RequiresCompatibilities").toString()).contains("FARGATE");
        assertThat(task.path("TaskRoleArn")).isEqualTo(fn("GetAtt", NODES.arrayNode().add("TaskRole").add("Arn")));
        assertThat(task.path("ExecutionRoleArn"))
                .isEqualTo(fn("GetAtt", NODES.arrayNode().add("ExecutionRole").add("Arn")));
        resource(template, "LogGroup", "AWS::Logs::LogGroup");

        JsonNode container = container(template);
        assertThat(container.path("LogConfiguration").path("Options").path("awslogs-group")).isEqualTo(ref("LogGroup"));
        assertThat(container.path("PortMappings").get(0).path("ContainerPort").asText()).isEqualTo("9464");
        List<String> command = texts(container.path("HealthCheck").path("Command"));
        assertThat(command.get(0)).isEqualTo("CMD");
        assertThat(String.join(" ", command)).contains("/health/live").doesNotContain("/health/ready");
        Map<String, Integer> codes = DeployTesting.healthCheckExitCodes(command.subList(1, command.size()));
        assertThat(codes).as("exit codes of the task's health check").containsEntry("live", 0);
        assertThat(codes.get("unavailable")).isNotZero();
        assertThat(codes.get("closed")).isNotZero();
    }

    @Test
    void shouldConfigureTheContainerWithSettingsCredsyncAccepts() {
        JsonNode template = load(ECS_TEMPLATE);
        JsonNode parameters = template.path("Parameters");
        Map<String, String> samples = Map.of("ContainerImage", "credsync:test", "Cluster", "default",
                "DatabaseHost", "db.cluster-abc.eu-west-1.rds.amazonaws.com", "DatabaseName", "app",
                "KmsKeyArn", "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                "DatabasePasswordSecretArn", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf");
        // Every allowed value of the parameters that feed settings, each with the others' defaults.
        for (String varied : List.of("DatabaseSslMode", "CloudWatchMetrics")) {
            for (JsonNode allowed : parameters.path(varied).path("AllowedValues")) {
                Map<String, String> values = new LinkedHashMap<>(samples);
                parameters.fields().forEachRemaining(p -> {
                    if (p.getValue().has("Default")) {
                        values.putIfAbsent(p.getKey(), p.getValue().path("Default").asText());
                    }
                });
                values.put(varied, allowed.asText());
                values.putAll(Map.of("AWS::Region", "eu-west-1", "AWS::StackName", "credsync",
                        "AWS::AccountId", "123456789012", "AWS::Partition", "aws"));
                Map<String, String> env = new LinkedHashMap<>();
                environment(template).forEach((name, value) -> env.put(name, evaluate(value, values)));
                env.put("CREDSYNC_DB_PASSWORD", "injected-by-ecs");
                assertThatCode(() -> {
                    CredsyncConfig config = CredsyncConfig.load(null, env);
                    assertThat(config.secrets().prefix()).isEqualTo(values.get("SecretPrefix"));
                    assertThat(config.metrics().port()).isEqualTo(9464);
                    assertThat(config.aws().region().id()).isEqualTo("eu-west-1");
                    // The standby's longest wait between tries for the busy slot bounds the
                    // takeover, which must stay within 15 s.
                    assertThat(config.replication().reconnectMax()).isLessThanOrEqualTo(Duration.ofSeconds(10));
                }).as("credsync's configuration from the task's environment %s", env).doesNotThrowAnyException();
            }
        }
    }

    @Test
    void shouldPreloadPgTleRequireThePasswordCheckAndEnableLogicalReplication() {
        JsonNode template = load(RDS_TEMPLATE);
        JsonNode parameters = template.path("Parameters");
        assertThat(parameters.path("MajorVersion").path("Default").asText()).isEqualTo("15");
        String libraries = parameters.path("SharedPreloadLibraries").path("Default").asText();
        Pattern librariesPattern = Pattern.compile(parameters.path("SharedPreloadLibraries").path("AllowedPattern").asText());
        assertThat(librariesPattern.matcher(libraries).matches()).isTrue();
        assertThat(Stream.of("", "pg_stat_statements", "pg_tlex", "my_pg_tle"))
                .as("lists without pg_tle").noneMatch(v -> librariesPattern.matcher(v).matches());
        assertThat(List.of(libraries.split(","))).contains("pg_tle");

        JsonNode rds = resource(template, "RdsParameterGroup", "AWS::RDS::DBParameterGroup");
        JsonNode auroraInstance = resource(template, "AuroraInstanceParameterGroup", "AWS::RDS::DBParameterGroup");
        JsonNode auroraCluster = resource(template, "AuroraClusterParameterGroup", "AWS::RDS::DBClusterParameterGroup");
        assertThat(rds.path("Properties").path("Family")).isEqualTo(fn("Sub", NODES.textNode("postgres${MajorVersion}")));
        assertThat(auroraInstance.path("Properties").path("Family"))
                .isEqualTo(fn("Sub", NODES.textNode("aurora-postgresql${MajorVersion}")));
        assertThat(auroraCluster.path("Properties").path("Family"))
                .isEqualTo(fn("Sub", NODES.textNode("aurora-postgresql${MajorVersion}")));

        for (JsonNode group : List.of(rds, auroraInstance)) {
            JsonNode p = group.path("Properties").path("Parameters");
            assertThat(p.path("shared_preload_libraries")).isEqualTo(ref("SharedPreloadLibraries"));
            assertThat(p.path("pgtle.enable_password_check").asText()).isEqualTo("require");
            assertThat(p.path("pgtle.passcheck_db_name").asText("")).as("pgtle.passcheck_db_name must stay empty")
                    .isEmpty();
            assertThat(p.path("log_min_error_statement").asText()).isEqualTo("panic");
        }
        for (JsonNode group : List.of(rds, auroraCluster)) {
            assertThat(group.path("Properties").path("Parameters").path("rds.logical_replication").asText())
                    .isEqualTo("1");
        }
        assertThat(rds.path("Properties").path("Parameters").path("max_slot_wal_keep_size"))
                .isEqualTo(ref("MaxSlotWalKeepSizeMB"));
        assertThat(parameters.path("MaxSlotWalKeepSizeMB").path("Default").asLong()).isPositive();
        // Why it stays empty is written down where someone would add it.
        assertThat(DeployTesting.read(DeployTesting.repoFile(RDS_TEMPLATE)))
                .containsPattern("# pgtle\\.passcheck_db_name is deliberately NOT set and must stay empty")
                .contains("background worker");
    }

    // ---- reading CloudFormation YAML

    static JsonNode load(String relative) {
        Path file = DeployTesting.repoFile(relative);
        try (JsonParser parser = YAML.createParser(file.toFile())) {
            parser.nextToken();
            return node(parser);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse " + file, e);
        }
    }

    /** The value at the parser's current token, its short-form tag turned into the long form. */
    private static JsonNode node(JsonParser parser) throws IOException {
        Object typeId = parser.getTypeId(); // of the event just read: before reading any child
        String tag = typeId == null ? null : typeId.toString();
        JsonNode value;
        JsonToken token = parser.currentToken();
        if (token == JsonToken.START_OBJECT) {
            ObjectNode object = NODES.objectNode();
            while (parser.nextToken() != JsonToken.END_OBJECT) {
                String name = parser.currentName();
                parser.nextToken();
                if (object.has(name)) {
                    throw new IOException("duplicate key " + name + " at " + parser.currentLocation());
                }
                object.set(name, node(parser));
            }
            value = object;
        } else if (token == JsonToken.START_ARRAY) {
            ArrayNode array = NODES.arrayNode();
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                array.add(node(parser));
            }
            value = array;
        } else if (token == JsonToken.VALUE_NULL) {
            value = NODES.nullNode();
        } else {
            value = NODES.textNode(parser.getText()); // CloudFormation passes scalars on as strings
        }
        if (tag == null || tag.contains(":")) {
            return value; // untagged, or a standard YAML tag (tag:yaml.org,2002:...)
        }
        if (tag.equals("GetAtt") && value.isTextual()) {
            String[] parts = value.asText().split("\\.", 2);
            value = NODES.arrayNode().add(parts[0]).add(parts.length > 1 ? parts[1] : "");
        }
        String key = tag.equals("Ref") || tag.equals("Condition") ? tag : "Fn::" + tag;
        return NODES.objectNode().set(key, value);
    }

    private static JsonNode ref(String name) {
        return NODES.objectNode().put("Ref", name);
    }

    private static JsonNode fn(String function, JsonNode argument) {
        return NODES.objectNode().set("Fn::" + function, argument);
    }

    private static JsonNode resource(JsonNode template, String logicalId, String type) {
        JsonNode resource = template.path("Resources").path(logicalId);
        assertThat(resource.path("Type").asText()).as("type of resource %s", logicalId).isEqualTo(type);
        return resource;
    }

    private static JsonNode container(JsonNode template) {
        JsonNode containers = resource(template, "TaskDefinition", "AWS::ECS::TaskDefinition")
                .path("Properties").path("ContainerDefinitions");
        assertThat(containers).hasSize(1);
        return containers.get(0);
    }

    private static Map<String, JsonNode> environment(JsonNode template) {
        Map<String, JsonNode> env = new LinkedHashMap<>();
        for (JsonNode variable : container(template).path("Environment")) {
            assertThat(env.put(variable.path("Name").asText(), variable.path("Value"))).isNull();
        }
        return env;
    }

    /** Every statement of the role's inline policies, both branches of an {@code Fn::If} included. */
    private static List<Statement> statements(JsonNode role) {
        List<Statement> statements = new ArrayList<>();
        JsonNode policies = role.path("Properties").path("Policies");
        assertThat(policies).as("inline policies").isNotEmpty();
        for (JsonNode policy : policies) {
            JsonNode statement = policy.path("PolicyDocument").path("Statement");
            if (statement.isArray()) {
                statement.forEach(s -> collect(s, null, statements));
            } else {
                collect(statement, null, statements);
            }
        }
        return statements;
    }

    private static void collect(JsonNode statement, String condition, List<Statement> into) {
        JsonNode branches = statement.get("Fn::If");
        if (branches != null) {
            assertThat(branches).hasSize(3);
            for (int i = 1; i <= 2; i++) {
                if (!branches.get(i).equals(ref("AWS::NoValue"))) {
                    collect(branches.get(i), branches.get(0).asText(), into);
                }
            }
        } else {
            into.add(new Statement(statement, condition));
        }
    }

    private static List<String> texts(JsonNode node) {
        List<String> texts = new ArrayList<>();
        if (node == null || node.isMissingNode()) {
            return texts;
        }
        if (node.isArray()) {
            node.forEach(n -> texts.add(n.asText()));
        } else {
            texts.add(node.asText());
        }
        return texts;
    }

    /** A value of the template for the given parameter values: a literal, a Ref or a Sub. */
    private static String evaluate(JsonNode value, Map<String, String> values) {
        if (value.isTextual()) {
            return value.asText();
        }
        if (value.has("Ref")) {
            String name = value.get("Ref").asText();
            assertThat(values).as("a value for %s", name).containsKey(name);
            return values.get(name);
        }
        if (value.has("Fn::Sub") && value.get("Fn::Sub").isTextual()) {
            Matcher m = Pattern.compile("\\$\\{([^}!]+)}").matcher(value.get("Fn::Sub").asText());
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                assertThat(values).as("a value for %s", m.group(1)).containsKey(m.group(1));
                m.appendReplacement(out, Matcher.quoteReplacement(values.get(m.group(1))));
            }
            m.appendTail(out);
            return out.toString();
        }
        throw new AssertionError("cannot evaluate " + value);
    }
}
