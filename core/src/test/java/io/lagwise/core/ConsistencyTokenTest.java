package io.lagwise.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ConsistencyTokenTest {

    @Test
    void export_andParse_roundTrip() {
        ConsistencyToken t = ConsistencyToken.of(GtidSet.parse("0-1-207,1-2-5"), 1764067200000L);
        assertThat(t.export()).isEqualTo("lw1.1764067200000.0-1-207,1-2-5");
        assertThat(ConsistencyToken.parse(t.export())).isEqualTo(t);
        assertThat(ConsistencyToken.none().isEmpty()).isTrue();
    }

    @Test
    void merge_withALaterTokenWithoutPosition_keepsNoPosition_soReadersGoByTime() {
        ConsistencyToken positioned = ConsistencyToken.of(GtidSet.parse("0-1-5"), 1000);
        ConsistencyToken later = ConsistencyToken.of(GtidSet.empty(), 2000);
        ConsistencyToken earlier = ConsistencyToken.of(GtidSet.empty(), 500);

        assertThat(positioned.merge(later)).isEqualTo(later);
        assertThat(later.merge(positioned)).isEqualTo(later);
        assertThat(positioned.merge(earlier).position()).isEqualTo(GtidSet.parse("0-1-5"));
        assertThat(positioned.merge(earlier).writtenAtMillis()).isEqualTo(1000);
    }

    @Test
    void merge_takesTheNewerPerDomain_andTheLaterTime() {
        ConsistencyToken a = ConsistencyToken.of(GtidSet.parse("0-1-10,1-2-3"), 100);
        ConsistencyToken b = ConsistencyToken.of(GtidSet.parse("0-1-12,2-3-1"), 50);
        ConsistencyToken m = a.merge(b);
        assertThat(m.position()).isEqualTo(GtidSet.parse("0-1-12,1-2-3,2-3-1"));
        assertThat(m.writtenAtMillis()).isEqualTo(100);
        assertThat(a.merge(ConsistencyToken.none())).isSameAs(a);
        assertThat(ConsistencyToken.none().merge(b)).isSameAs(b);
    }

    @Test
    void forgedOrMalformedTokens_areRejected_withBoundedQuotes() {
        assertThatThrownBy(() -> ConsistencyToken.parse("")).hasMessage("consistency token is empty");
        assertThatThrownBy(() -> ConsistencyToken.parse("x".repeat(600))).hasMessageContaining("longer than 512");
        assertThatThrownBy(() -> ConsistencyToken.parse("lw2.1.0-1-1")).hasMessageStartingWith("not a consistency token");
        assertThatThrownBy(() -> ConsistencyToken.parse("lw1.-5.0-1-1")).hasMessageStartingWith("bad time");
        assertThatThrownBy(() -> ConsistencyToken.parse("lw1.12.0-1-x")).hasMessageStartingWith("bad position");
        assertThatThrownBy(() -> ConsistencyToken.parse("lw1.12\n.0-1-1")).hasMessageStartingWith("bad time")
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> ConsistencyToken.parse("evil\r\nSet-Cookie: x" + "y".repeat(100)))
                .hasMessageNotContaining("\r").hasMessageNotContaining("yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy");
    }
}
