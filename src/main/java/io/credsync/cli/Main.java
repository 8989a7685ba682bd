package io.credsync.cli;

/** Entry point of the credsync command line; the commands arrive with the operations work. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.err.println("credsync: no command is available yet");
        System.exit(2);
    }
}
