/**
 * The {@code credsync} command line (picocli): {@code run}, {@code install}, {@code keys},
 * {@code doctor}, {@code status}, {@code events}, {@code replay} and {@code rotate}, each a
 * command class that reads its options and configuration, calls the package that does the work
 * and prints the result as text or as one JSON document ({@code --json}). Exit codes are in
 * {@link io.credsync.cli.Main}.
 *
 * <p>May use every other credsync package: it is the top of the layering, and none may use it.
 * Commands hold no logic that a test without a command line would need.
 */
package io.credsync.cli;
