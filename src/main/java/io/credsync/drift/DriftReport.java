package io.credsync.drift;

import java.util.List;

/**
 * One pass of the drift check over every managed role.
 *
 * @param managed every managed role that exists, by name
 * @param verdicts the roles checked, each with its verdict
 * @param skipped the roles not checked this time (changes on their way, a change during the
 *     check, or Secrets Manager or the database not answering): their previous verdict stands
 */
public record DriftReport(List<String> managed, List<DriftVerdict> verdicts, List<String> skipped) {

    public DriftReport {
        managed = List.copyOf(managed);
        verdicts = List.copyOf(verdicts);
        skipped = List.copyOf(skipped);
    }

    public List<DriftVerdict> drifted() {
        return verdicts.stream().filter(DriftVerdict::drifted).toList();
    }
}
