package io.credsync.config;

import io.credsync.config.Section.Setting;
import io.credsync.crypto.Password;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads the database password from the environment variable that {@code database.password_env}
 * names, or from the file {@code database.password_file} names. Messages name the variable or
 * the path, never the value; the value comes back only as a {@link Password}.
 */
final class Passwords {
    static final String DEFAULT_VARIABLE = "CREDSYNC_DB_PASSWORD";

    /** A password file is small; anything larger was named by mistake (a key store, a log). */
    private static final long MAX_FILE_BYTES = 64 * 1024;

    private static final Pattern VARIABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private Passwords() {
    }

    /**
     * @param variable the {@code password_env} setting, or empty for the default variable
     * @return the password, or empty after reporting a problem
     */
    static Optional<Password> fromEnvironment(Section section, Optional<Setting> variable) {
        String name = variable.map(Setting::text).orElse(DEFAULT_VARIABLE);
        if (!VARIABLE_NAME.matcher(name).matches()) {
            // Not echoed: someone who pasted the password here would see it in the log.
            section.problem(variable.orElseThrow(), "must be the name of an environment variable"
                    + " (letters, digits and _) holding the password, not the password itself");
            return Optional.empty();
        }
        String value = section.environment().get(name);
        if (value == null || value.isEmpty()) {
            section.problem("password_env", "environment variable " + name + " is "
                    + (value == null ? "not set" : "empty")
                    + "; set it to the password, or point database.password_file at a file holding it");
            return Optional.empty();
        }
        return Optional.of(Password.of(value));
    }

    /** @return the file's password without its trailing newline, or empty after reporting a problem */
    static Optional<Password> fromFile(Section section, Setting file) {
        Path path;
        try {
            path = Path.of(file.text());
        } catch (InvalidPathException e) {
            section.problem(file, "is not a valid path: " + file.text());
            return Optional.empty();
        }
        try {
            if (Files.exists(path) && !Files.isRegularFile(path)) {
                section.problem(file, "cannot read " + path + ": not a regular file");
                return Optional.empty();
            }
            if (Files.size(path) > MAX_FILE_BYTES) {
                section.problem(file, path + " is larger than 64 KiB, so it is not a password file");
                return Optional.empty();
            }
            String value = stripNewline(Files.readString(path, StandardCharsets.UTF_8));
            if (value.isEmpty()) {
                section.problem(file, path + " is empty");
                return Optional.empty();
            }
            return Optional.of(Password.of(value));
        } catch (CharacterCodingException e) {
            section.problem(file, "cannot read " + path + ": not UTF-8 text");
        } catch (IOException e) {
            section.problem(file, "cannot read " + path + ": " + reason(e));
        }
        return Optional.empty();
    }

    /** Files written by editors and by {@code echo} end in a newline that is not the password's. */
    private static String stripNewline(String content) {
        if (content.endsWith("\r\n")) {
            return content.substring(0, content.length() - 2);
        }
        return content.endsWith("\n") ? content.substring(0, content.length() - 1) : content;
    }

    // The exception's own message is not used: keep to what is known to hold no file content.
    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return e.getClass().getSimpleName();
    }
}
