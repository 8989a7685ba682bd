package io.credsync.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ListingTest {

    @Test
    void shouldJoinEveryItemWhenThereAreNoMoreThanShown() {
        assertThat(Listing.firstOf(List.of("a", "b"), 2, "; ", "; and ")).isEqualTo("a; b");
        assertThat(Listing.firstOf(List.of(), 2, "; ", "; and ")).isEmpty();
    }

    @Test
    void shouldCountTheItemsBeyondShown() {
        assertThat(Listing.firstOf(List.of("a", "b", "c", "d"), 2, "; ", "; and ")).isEqualTo("a; b; and 2 more");
        assertThat(Listing.firstOf(List.of("a", "b", "c"), 2, ", ", " and ")).isEqualTo("a, b and 1 more");
    }
}
