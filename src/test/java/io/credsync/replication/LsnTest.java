package io.credsync.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postgresql.replication.LogSequenceNumber;

class LsnTest {

    @Test
    void shouldParseAndPrintPostgresTextForm() {
        Lsn lsn = Lsn.parse("16/B374D848");

        assertThat(lsn.asLong()).as("high word 0x16, low word 0xB374D848").isEqualTo(0x16_B374_D848L);
        assertThat(lsn).hasToString("16/B374D848");
    }

    @Test
    void shouldPrintUpperCaseWithoutLeadingZerosLikePgLsn() {
        assertThat(Lsn.parse("0000000a/000000ff")).as("pg_lsn's output").hasToString("A/FF");
        assertThat(Lsn.of(0)).hasToString("0/0");
    }

    @Test
    void shouldRoundTripValuesAboveLongMaxValue() {
        Lsn top = Lsn.parse("FFFFFFFF/FFFFFFFF");

        assertThat(top.asLong()).as("all 64 bits set").isEqualTo(-1L);
        assertThat(top).hasToString("FFFFFFFF/FFFFFFFF");
        assertThat(Lsn.of(Long.MIN_VALUE)).hasToString("80000000/0");
    }

    @Test
    void shouldOrderPositionsAsUnsignedNumbers() {
        Lsn small = Lsn.parse("0/1");
        Lsn belowSignBit = Lsn.of(Long.MAX_VALUE);
        Lsn aboveSignBit = Lsn.of(Long.MIN_VALUE);
        Lsn top = Lsn.of(-1L);
        List<Lsn> shuffled = new ArrayList<>(List.of(top, small, aboveSignBit, Lsn.INVALID, belowSignBit));

        Collections.sort(shuffled);

        assertThat(shuffled).as("a signed comparison would put the top half first")
                .containsExactly(Lsn.INVALID, small, belowSignBit, aboveSignBit, top);
        assertThat(aboveSignBit.isAfter(belowSignBit)).isTrue();
        assertThat(belowSignBit.isBefore(aboveSignBit)).isTrue();
        assertThat(small.isAfter(small)).as("strict").isFalse();
    }

    @Test
    void shouldTreatZeroAsTheInvalidPosition() {
        assertThat(Lsn.of(0)).isSameAs(Lsn.INVALID);
        assertThat(Lsn.parse("0/0").isValid()).isFalse();
        assertThat(Lsn.parse("0/1").isValid()).isTrue();
    }

    @Test
    void shouldPickTheLaterPositionAsMax() {
        Lsn a = Lsn.parse("1/0");
        Lsn b = Lsn.parse("FFFFFFFF/0");

        assertThat(Lsn.max(a, b)).isSameAs(b);
        assertThat(Lsn.max(b, a)).isSameAs(b);
        assertThat(Lsn.max(a, Lsn.parse("1/0"))).as("first on a tie").isSameAs(a);
    }

    @Test
    void shouldMeasureBytesBehindAndNeverGoNegative() {
        Lsn confirmed = Lsn.parse("1/FFFFFF00");
        Lsn serverEnd = Lsn.parse("2/100");

        assertThat(confirmed.bytesBehind(serverEnd)).as("crosses the 32-bit boundary").isEqualTo(0x200L);
        assertThat(serverEnd.bytesBehind(confirmed)).as("ahead means no lag").isZero();
        assertThat(serverEnd.bytesBehind(serverEnd)).isZero();
        assertThat(Lsn.of(Long.MAX_VALUE).bytesBehind(Lsn.of(Long.MIN_VALUE)))
                .as("across the sign bit, unsigned").isEqualTo(1L);
        assertThat(Lsn.INVALID.bytesBehind(Lsn.of(-1L)))
                .as("too far for a signed long saturates").isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void shouldRejectTextThatIsNotAnLsnIncludingNonAsciiDigits() {
        for (String bad : List.of("", "16", "16/", "/1", "G/1", "1/XYZ", "-1/1", "+1/1", "1/-1",
                "123456789/0", "0/123456789", "1/2/3", " 1/2", "\uFF11/2")) {
            assertThatThrownBy(() -> Lsn.parse(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(bad.isEmpty() ? "got: " : bad);
        }
    }

    @Test
    void shouldConvertToAndFromPgJdbc() {
        Lsn lsn = Lsn.parse("FFFFFFFF/B374D848");

        LogSequenceNumber pg = lsn.toPg();

        assertThat(pg.asString()).isEqualTo("FFFFFFFF/B374D848");
        assertThat(Lsn.fromPg(pg)).isEqualTo(lsn);
        assertThat(Lsn.fromPg(LogSequenceNumber.INVALID_LSN)).isSameAs(Lsn.INVALID);
    }

    @Test
    void shouldBeEqualByValue() {
        assertThat(Lsn.parse("16/B374D848"))
                .isEqualTo(Lsn.of(0x16_B374_D848L))
                .hasSameHashCodeAs(Lsn.of(0x16_B374_D848L))
                .isNotEqualTo(Lsn.of(0x16_B374_D849L));
    }
}
