package io.credsync.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TupleDataTest {

    private final TupleData row = TupleData.builder()
            .text("eyJhbGciOiJSU0EtT0FFUC0yNTYifQ")
            .nullValue()
            .unchangedToast()
            .binary(new byte[] {1, 2, 3})
            .build();

    @Test
    void shouldRefuseToReadAnUnchangedToastValueAsText() {
        assertThatThrownBy(() -> row.text(2))
                .as("PostgreSQL did not send the value; pretending it is null would lose data")
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("column 2 is UNCHANGED_TOAST, not TEXT");
    }

    @Test
    void shouldRefuseToReadBinaryAsTextAndTextAsBinary() {
        assertThatThrownBy(() -> row.text(3)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> row.binary(0)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldReadSqlNullAsNullWhateverTheAccessor() {
        assertThat(row.text(1)).isNull();
        assertThat(row.binary(1)).isNull();
    }

    @Test
    void shouldRejectAnIndexOutsideTheRow() {
        assertThatThrownBy(() -> row.text(4)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> row.kind(-1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void shouldNeverExposeItsBinaryValues() {
        byte[] input = {1, 2, 3};
        TupleData data = TupleData.builder().binary(input).build();

        input[0] = 9;
        data.binary(0)[1] = 9;

        assertThat(data.binary(0)).as("copied in and out").containsExactly(1, 2, 3);
    }

    @Test
    void shouldShowKindsAndSizesButNoValuesInToString() {
        assertThat(row).hasToString("TupleData[text(30), null, unchanged-toast, binary(3)]");
        assertThat(row.toString()).as("outbox rows hold envelopes").doesNotContain("eyJ");
    }

    @Test
    void shouldBeEqualByKindsAndValues() {
        TupleData same = TupleData.builder()
                .text("eyJhbGciOiJSU0EtT0FFUC0yNTYifQ").nullValue().unchangedToast().binary(new byte[] {1, 2, 3})
                .build();

        assertThat(row).isEqualTo(same).hasSameHashCodeAs(same);
        assertThat(TupleData.builder().nullValue().build())
                .as("NULL and unchanged TOAST differ").isNotEqualTo(TupleData.builder().unchangedToast().build());
    }
}
