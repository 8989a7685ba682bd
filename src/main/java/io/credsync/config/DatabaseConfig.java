package io.credsync.config;

import io.credsync.config.Section.Setting;
import io.credsync.crypto.Password;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import software.amazon.awssdk.regions.Region;

/**
 * The {@code database} section: where the database is and how to log in to it.
 *
 * <p>The password, when there is one, was read once at start-up (from the environment variable
 * {@link #passwordEnv} names, or the file {@link #passwordFile}); it prints as {@code ****}, so
 * this record's {@code toString} is safe to log.
 *
 * <p>Immutable and thread-safe. No component is null; {@link #password} is present exactly when
 * {@link #auth} is {@link Auth#PASSWORD}; one of {@link #passwordEnv} and {@link #passwordFile}
 * is present with it.
 *
 * @param host host name or IP address; an IPv6 address without brackets
 * @param port TCP port, 1 to 65535
 * @param name the home database: where commands connect, and whose {@code credsync.encryption_key}
 *     and {@code credsync.managed_role} are the truth that install copies to the other databases
 * @param user role credsync logs in as
 * @param passwordEnv name of the environment variable the password came from
 * @param passwordFile file the password came from
 * @param password the password; never printed
 * @param auth how to authenticate
 * @param sslMode PgJDBC's {@code sslmode}
 * @param connectTimeout how long to wait for the TCP connection; PgJDBC counts whole seconds,
 *     so {@code PgConnector} rounds it up
 * @param applicationName {@code application_name}, as {@code pg_stat_activity} shows it
 * @param iamRegion the Region RDS IAM tokens are signed for: present exactly when {@code auth}
 *     is {@code iam}
 * @param databases the databases this installation covers (install, doctor); {@code name} always
 * @param startupTimeout how long {@code run} waits at start for a database that cannot be
 *     reached or takes no connections yet (starting, restarting, failing over) before it gives
 *     up; positive
 */
public record DatabaseConfig(
        String host,
        int port,
        String name,
        String user,
        Optional<String> passwordEnv,
        Optional<Path> passwordFile,
        Optional<Password> password,
        Auth auth,
        SslMode sslMode,
        Duration connectTimeout,
        String applicationName,
        Optional<Region> iamRegion,
        DatabaseScope databases,
        Duration startupTimeout) {

    static final List<String> KEYS = List.of("host", "port", "name", "databases", "user", "password_env",
            "password_file", "auth", "ssl_mode", "connect_timeout", "application_name", "startup_timeout");

    /**
     * Longer than an RDS or Aurora reboot or Multi-AZ failover (one to two minutes) takes, so that
     * those are waited out; short enough that a wrong host shows as a failed task soon.
     */
    static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofMinutes(5);

    /** Host names, IPv4 and IPv6 addresses (with a zone); nothing PgJDBC's URL would misread. */
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._%:-]+");

    /** How credsync authenticates to the database. */
    public enum Auth {
        /** A password read at start-up. */
        PASSWORD,
        /** An RDS IAM authentication token, made fresh for each connection. */
        IAM;

        /** @return the value as written in the configuration */
        public String value() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** PgJDBC's {@code sslmode} values, which are libpq's. */
    public enum SslMode {
        DISABLE, ALLOW, PREFER, REQUIRE, VERIFY_CA, VERIFY_FULL;

        /** @return the value as PgJDBC and the configuration spell it, e.g. {@code verify-full} */
        public String value() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        static Optional<SslMode> of(String value) {
            return Arrays.stream(values()).filter(m -> m.value().equals(value)).findFirst();
        }
    }

    public DatabaseConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(passwordEnv, "passwordEnv");
        Objects.requireNonNull(passwordFile, "passwordFile");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(sslMode, "sslMode");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(applicationName, "applicationName");
        Objects.requireNonNull(iamRegion, "iamRegion");
        Objects.requireNonNull(databases, "databases");
        Objects.requireNonNull(startupTimeout, "startupTimeout");
        if (startupTimeout.isNegative() || startupTimeout.isZero()) {
            throw new IllegalArgumentException("startupTimeout must be positive, got " + startupTimeout);
        }
        if (password.isPresent() != (auth == Auth.PASSWORD)) {
            throw new IllegalArgumentException("a password goes with auth " + Auth.PASSWORD.value() + " only");
        }
        if (iamRegion.isPresent() != (auth == Auth.IAM)) {
            throw new IllegalArgumentException("a Region goes with auth " + Auth.IAM.value() + " only");
        }
    }

    /** The database as logs and messages name it: name, host, port and user; never the password. */
    public String describe() {
        return name + " on " + host + ":" + port + " as " + user;
    }

    /**
     * The same server and login for another database of the cluster: what
     * {@code PgConnector.of} needs to connect there.
     */
    public DatabaseConfig withName(String database) {
        return new DatabaseConfig(host, port, database, user, passwordEnv, passwordFile, password,
                auth, sslMode, connectTimeout, applicationName, iamRegion, databases, startupTimeout);
    }

    /** Reads and checks the section; null if anything in it is wrong (reported to {@code s}). */
    static DatabaseConfig read(Section s, Optional<Region> region) {
        String host = s.nonBlank("host", "localhost");
        if (!HOST.matcher(host).matches()) {
            s.problem(s.scalar("host").orElseThrow(), "must be a host name or IP address, got " + host);
        }
        int port = s.integer("port", 5432, 1, 65535);
        String name = s.required("name");
        DatabaseScope databases = databases(s);
        String user = s.required("user");
        Auth auth = auth(s);
        SslMode sslMode = sslMode(s);
        Duration connectTimeout = s.duration("connect_timeout", Duration.ofSeconds(10));
        Duration startupTimeout = s.duration("startup_timeout", DEFAULT_STARTUP_TIMEOUT);
        String applicationName = applicationName(s);

        Optional<Setting> passwordEnv = s.scalar("password_env");
        Optional<Setting> passwordFile = s.scalar("password_file");
        if (passwordEnv.isPresent() && passwordFile.isPresent()) {
            s.problem("password_file", "set either database.password_env or database.password_file, not both");
            return null;
        }
        Optional<Password> password = Optional.empty();
        if (auth == Auth.PASSWORD) {
            password = passwordFile.isPresent()
                    ? Passwords.fromFile(s, passwordFile.get())
                    : Passwords.fromEnvironment(s, passwordEnv);
        }
        if (auth == Auth.IAM && (sslMode == SslMode.DISABLE || sslMode == SslMode.ALLOW)) {
            s.problem(s.scalar("ssl_mode").orElseThrow(), "RDS IAM authentication needs SSL: use require,"
                    + " verify-ca or verify-full, got " + sslMode.value());
        }
        if (auth == Auth.IAM && region.isEmpty()) {
            s.problem("auth", "iam signs its tokens for a Region: set aws.region (or AWS_REGION)");
        }
        if (s.failed()) {
            return null;
        }
        return new DatabaseConfig(host, port, name, user,
                passwordFile.isPresent() ? Optional.empty()
                        : Optional.of(passwordEnv.map(Setting::text).orElse(Passwords.DEFAULT_VARIABLE)),
                passwordFile.map(f -> Path.of(f.text())),
                password, auth, sslMode, connectTimeout, applicationName,
                auth == Auth.IAM ? region : Optional.empty(), databases, startupTimeout);
    }

    private static DatabaseScope databases(Section s) {
        // A single value is "all" (or one name); the environment's comma-separated text reads as a list.
        Optional<String> single = s.peek("databases");
        if (single.isPresent() && !single.get().contains(",")) {
            String value = single.get().strip();
            return value.equals("all") ? DatabaseScope.ALL : value.isEmpty() ? DatabaseScope.ALL
                    : DatabaseScope.of(List.of(value));
        }
        List<String> names = s.list("databases");
        if (names.isEmpty() || names.equals(List.of("all"))) {
            return DatabaseScope.ALL;
        }
        if (names.contains("all")) {
            s.problem("databases", "is either all or a list of database names, not both");
            return DatabaseScope.ALL;
        }
        if (names.stream().anyMatch(String::isEmpty)) {
            s.problem("databases", "has an empty name");
            return DatabaseScope.ALL;
        }
        List<String> distinct = names.stream().distinct().toList();
        if (distinct.size() != names.size()) {
            s.problem("databases", "names a database twice: " + String.join(", ", names));
            return DatabaseScope.ALL;
        }
        return DatabaseScope.of(distinct);
    }

    private static Auth auth(Section s) {
        Optional<Setting> setting = s.scalar("auth");
        if (setting.isEmpty() || setting.get().text().equals("password")) {
            return Auth.PASSWORD;
        }
        if (setting.get().text().equals("iam")) {
            return Auth.IAM;
        }
        s.problem(setting.get(), "must be password or iam, got " + setting.get().text());
        return Auth.PASSWORD;
    }

    private static SslMode sslMode(Section s) {
        Optional<Setting> setting = s.scalar("ssl_mode");
        if (setting.isEmpty()) {
            return SslMode.PREFER;
        }
        Optional<SslMode> mode = SslMode.of(setting.get().text());
        if (mode.isEmpty()) {
            s.problem(setting.get(), "must be one of "
                    + Arrays.stream(SslMode.values()).map(SslMode::value).collect(Collectors.joining(", "))
                    + ", got " + setting.get().text());
        }
        return mode.orElse(SslMode.PREFER);
    }

    private static String applicationName(Section s) {
        String value = s.nonBlank("application_name", "credsync");
        // The server cuts longer names, and turns other characters into '?'.
        if (value.length() > 63 || !value.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            s.problem(s.scalar("application_name").orElseThrow(),
                    "must be at most 63 printable ASCII characters, got " + value);
        }
        return value;
    }
}
