package io.credsync.doctor;

/** How a check came out, as doctor prints it. */
public enum CheckStatus {
    /** As it should be. */
    OK("ok"),
    /** Works, but something should be looked at; does not change doctor's exit code. */
    WARN("WARN"),
    /** credsync cannot work (or not safely) until it is fixed; doctor exits 1. */
    FAIL("FAIL"),
    /** Could not be checked because something it needs failed or is missing (said in the detail). */
    SKIP("skip"),
    /** Does not apply to this install (a pg_tle setting on a native install, say); not printed. */
    NOT_APPLICABLE("n/a");

    private final String label;

    CheckStatus(String label) {
        this.label = label;
    }

    /** As printed: {@code ok}, {@code WARN}, {@code FAIL}, {@code skip}. */
    public String label() {
        return label;
    }
}
