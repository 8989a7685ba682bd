package io.credsync.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.credsync.testing.ConsumerProcess;
import io.credsync.testing.LocalHttp;
import io.credsync.testing.LocalKms;
import io.credsync.testing.RoleStatements;
import io.credsync.testing.RsaKeys;
import io.credsync.testing.SyncFixture;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * deploy/grafana/credsync-dashboard.json: well-formed for import, and every metric (and label)
 * its queries use is one a real consumer exports, so that the dashboard cannot drift from the
 * code. The consumer syncs one password and fails one event on an unknown KMS key first, so
 * that the event, lag, AWS call and AWS error series exist.
 */
class GrafanaDashboardIT {

    private static final String DASHBOARD = "deploy/grafana/credsync-dashboard.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(30);
    /** Labels Prometheus adds when it scrapes; the consumer's own output does not have them. */
    private static final Set<String> TARGET_LABELS = Set.of("job", "instance");
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left",
            "group_right", "bool", "and", "or", "unless", "offset", "inf", "nan");

    private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)?\\s*\\{([^}]*)}");
    private static final Pattern MATCHER = Pattern.compile(
            "([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern GROUPING = Pattern.compile(
            "\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\(([^)]*)\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w$.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?");
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+\\S+.*$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

    private SyncFixture fixture;

    /** What one query asks of the exported metrics. */
    record Query(String expr, Set<String> metrics, List<String[]> matchers, Set<String> groupingLabels) {
    }

    @AfterEach
    void close() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void shouldBeImportableWithThePrometheusDatasourceAsAVariable() throws Exception {
        JsonNode dashboard = JSON.readTree(DeployTesting.repoFile(DASHBOARD).toFile());
        assertThat(dashboard.path("uid").asText()).isNotBlank();
        assertThat(dashboard.path("title").asText()).isEqualTo("credsync");
        assertThat(dashboard.has("__inputs")).as("no datasource bound at export").isFalse();
        JsonNode datasource = variable(dashboard, "datasource");
        assertThat(datasource.path("type").asText()).isEqualTo("datasource");
        assertThat(datasource.path("query").asText()).isEqualTo("prometheus");

        Set<Integer> ids = new HashSet<>();
        Set<String> titles = new HashSet<>();
        for (JsonNode panel : panels(dashboard)) {
            assertThat(ids.add(panel.path("id").asInt())).as("unique panel id %s", panel.path("id")).isTrue();
            JsonNode grid = panel.path("gridPos");
            assertThat(grid.path("x").asInt() + grid.path("w").asInt()).as("gridPos of %s", panel.path("title"))
                    .isBetween(1, 24);
            assertThat(grid.path("h").asInt()).isPositive();
            if (panel.path("type").asText().equals("row")) {
                continue;
            }
            assertThat(titles.add(panel.path("title").asText())).as("unique title %s", panel.path("title")).isTrue();
            assertThat(panel.path("datasource").path("uid").asText()).as("datasource of %s", panel.path("title"))
                    .isEqualTo("${datasource}");
            Set<String> refIds = new HashSet<>();
            assertThat(panel.path("targets")).as("queries of %s", panel.path("title")).isNotEmpty();
            for (JsonNode target : panel.path("targets")) {
                assertThat(target.path("datasource").path("uid").asText()).isEqualTo("${datasource}");
                assertThat(refIds.add(target.path("refId").asText())).isTrue();
                assertThat(target.path("expr").asText()).isNotBlank();
            }
        }

        // The series the dashboard exists for.
        String all = String.join("\n", expressions(dashboard));
        assertThat(all).contains("credsync_replication_lag_bytes", "credsync_slot_retained_wal_bytes",
                "credsync_slot_active", "credsync_pending_events", "credsync_oldest_pending_event_age_seconds",
                "histogram_quantile(0.5, sum by (le) (rate(credsync_event_lag_seconds_bucket",
                "histogram_quantile(0.99, sum by (le) (rate(credsync_event_lag_seconds_bucket",
                "sum by (outcome) (rate(credsync_events_total", "credsync_kms_call_seconds_bucket",
                "credsync_secretsmanager_call_seconds_bucket", "sum by (service, code) (rate(credsync_aws_errors_total");
    }

    @Test
    void shouldReadMetricNamesMatchersAndGroupingOutOfPromQl() {
        Query failed = parse("sum by (outcome, reason) (increase(credsync_events_total{job=~\"$job\","
                + " outcome=~\"failed|rejected\"}[$__rate_interval]))");
        assertThat(failed.metrics()).containsExactly("credsync_events_total");
        assertThat(failed.matchers()).extracting(m -> m[0] + m[1] + m[2])
                .containsExactly("job=~$job", "outcome=~failed|rejected");
        assertThat(failed.groupingLabels()).containsExactly("outcome", "reason");
        assertThat(parse("time() - max(credsync_gauges_last_success_timestamp_seconds{job=~\"$job\"})").metrics())
                .containsExactly("credsync_gauges_last_success_timestamp_seconds");
        assertThat(parse("histogram_quantile(0.99, sum by (le) (rate(a_bucket[5m]))) / b_total == 1").metrics())
                .containsExactly("a_bucket", "b_total");
    }

    @Test
    void shouldQueryOnlyMetricsAndLabelsARealConsumerExports() throws Exception {
        JsonNode dashboard = JSON.readTree(DeployTesting.repoFile(DASHBOARD).toFile());
        List<Query> queries = new ArrayList<>();
        expressions(dashboard).forEach(e -> queries.add(parse(e)));
        assertThat(queries).isNotEmpty();
        Set<String> wanted = new TreeSet<>();
        queries.forEach(q -> wanted.addAll(q.metrics()));
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            Matcher labelValues = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)")
                    .matcher(variable.path("definition").asText());
            if (labelValues.find()) {
                wanted.add(labelValues.group(1));
            }
        }
        assertThat(wanted).as("metric names found in the queries").hasSizeGreaterThan(10);

        fixture = SyncFixture.create("grafana");
        fixture.database().manage("x\\_%");
        // A drift check every second, so that the per-role drift gauge exists within the wait below.
        ConsumerProcess consumer = fixture.startConsumer(Map.of("CREDSYNC_DRIFT_INTERVAL", "1s"));
        String role = RoleStatements.uniqueName("x");
        String failing = RoleStatements.uniqueName("x");
        try (Connection superuser = fixture.database().connectAsSuperuser()) {
            RoleStatements.createRole(superuser, role, "grafana-" + role);
            fixture.awaitSecretPassword(role, "grafana-" + role, SYNC_TIMEOUT);
            // An event encrypted to a key KMS does not know: KMS answers NotFoundException.
            fixture.database().addKey("arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000000",
                    RsaKeys.pair(2048).getPublic());
            RoleStatements.createRole(superuser, failing, "grafana-failing-" + failing);
            fixture.database().addKey(fixture.kmsKeyArn(), RsaKeys.pem(LocalKms.shared().client()
                    .getPublicKey(r -> r.keyId(fixture.kmsKeyArn())).publicKey().asByteArray()));
        }

        // Gauges are polled every 5 s and the failure is recorded asynchronously: wait for the lot.
        await("every metric the dashboard queries exported").atMost(SYNC_TIMEOUT).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                    Map<String, List<Map<String, String>>> exported =
                            samples(LocalHttp.body(consumer.metricsPort(), "/metrics"));
                    assertThat(problems(queries, wanted, exported))
                            .as("what the dashboard queries but the consumer does not export; it exports:%n%s",
                                    String.join("\n", new TreeSet<>(exported.keySet()))).isEmpty();
                });
    }

    /** The metric names, and the labels and label values each query needs, that the export lacks. */
    private static List<String> problems(List<Query> queries, Set<String> wanted,
            Map<String, List<Map<String, String>>> exported) {
        List<String> problems = new ArrayList<>();
        for (String metric : wanted) {
            if (!exported.containsKey(metric)) {
                problems.add("no metric " + metric);
            }
        }
        for (Query query : queries) {
            for (String metric : query.metrics()) {
                List<Map<String, String>> series = exported.getOrDefault(metric, List.of());
                for (String[] matcher : query.matchers()) {
                    if (TARGET_LABELS.contains(matcher[0]) || series.isEmpty()) {
                        continue;
                    }
                    boolean found = series.stream().anyMatch(labels -> labels.containsKey(matcher[0])
                            && switch (matcher[1]) {
                                case "=" -> labels.get(matcher[0]).equals(matcher[2]);
                                case "=~" -> labels.get(matcher[0]).matches(matcher[2]);
                                default -> true;
                            });
                    if (!found) {
                        problems.add(metric + " has no series with " + matcher[0] + matcher[1] + "\"" + matcher[2]
                                + "\" (in " + query.expr() + ")");
                    }
                }
                for (String label : query.groupingLabels()) {
                    if (!TARGET_LABELS.contains(label) && !series.isEmpty()
                            && series.stream().noneMatch(labels -> labels.containsKey(label))) {
                        problems.add(metric + " has no label " + label + " (in " + query.expr() + ")");
                    }
                }
            }
        }
        return problems;
    }

    /** The metric names, matchers and grouping labels of one PromQL expression. */
    static Query parse(String expr) {
        Set<String> metrics = new LinkedHashSet<>();
        List<String[]> matchers = new ArrayList<>();
        Set<String> grouping = new LinkedHashSet<>();
        StringBuilder rest = new StringBuilder();
        Matcher selector = SELECTOR.matcher(expr);
        while (selector.find()) {
            if (selector.group(1) != null) {
                metrics.add(selector.group(1));
            }
            Matcher m = MATCHER.matcher(selector.group(2));
            while (m.find()) {
                matchers.add(new String[] {m.group(1), m.group(2), m.group(3)});
            }
            selector.appendReplacement(rest, " ");
        }
        selector.appendTail(rest);
        String remaining = rest.toString().replaceAll("\\[[^]]*]", " ");
        Matcher group = GROUPING.matcher(remaining);
        while (group.find()) {
            for (String label : group.group(1).split(",")) {
                if (!label.isBlank()) {
                    grouping.add(label.strip());
                }
            }
        }
        remaining = GROUPING.matcher(remaining).replaceAll(" ");
        Matcher identifier = IDENTIFIER.matcher(remaining);
        while (identifier.find()) {
            boolean call = identifier.group(2) != null;
            if (!call && !KEYWORDS.contains(identifier.group(1).toLowerCase())) {
                metrics.add(identifier.group(1));
            }
        }
        return new Query(expr, metrics, matchers, grouping);
    }

    /** Prometheus text exposition: each metric name with the label sets of its samples. */
    private static Map<String, List<Map<String, String>>> samples(String text) {
        Map<String, List<Map<String, String>>> samples = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            Matcher sample = SAMPLE.matcher(line);
            if (line.startsWith("#") || !sample.matches()) {
                continue;
            }
            Map<String, String> labels = new LinkedHashMap<>();
            if (sample.group(2) != null) {
                Matcher label = LABEL.matcher(sample.group(2));
                while (label.find()) {
                    labels.put(label.group(1), label.group(2));
                }
            }
            samples.computeIfAbsent(sample.group(1), k -> new ArrayList<>()).add(labels);
        }
        return samples;
    }

    private static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> panels = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            panels.add(panel);
            panel.path("panels").forEach(panels::add); // collapsed rows hold their panels
        }
        return panels;
    }

    private static List<String> expressions(JsonNode dashboard) {
        List<String> expressions = new ArrayList<>();
        for (JsonNode panel : panels(dashboard)) {
            panel.path("targets").forEach(t -> expressions.add(t.path("expr").asText()));
        }
        return expressions;
    }

    private static JsonNode variable(JsonNode dashboard, String name) {
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (variable.path("name").asText().equals(name)) {
                return variable;
            }
        }
        throw new AssertionError("no template variable " + name);
    }
}
