package io.lagwise.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
        assertThatThrownBy(() -> ConsistencyToken.parse("x".repeat(ConsistencyToken.MAX_LENGTH + 1)))
                .hasMessage("consistency token is longer than 2711 characters (was 2712)");
        assertThatThrownBy(() -> ConsistencyToken.parse("lw2.1.0-1-1")).hasMessageStartingWith("not a consistency token");
        assertThatThrownBy(() -> ConsistencyToken.parse("lw1.-5.0-1-1")).hasMessageStartingWith("bad time");
        assertThatThrownBy(() -> ConsistencyToken.parse("lw1.12.0-1-x")).hasMessageStartingWith("bad position");
        assertThatThrownBy(() -> ConsistencyToken.parse("lw1.12\n.0-1-1")).hasMessageStartingWith("bad time")
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> ConsistencyToken.parse("evil\r\nSet-Cookie: x" + "y".repeat(100)))
                .hasMessageNotContaining("\r").hasMessageNotContaining("yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy");
    }

    @Test
    void maxLength_isTheLongestTokenExportCanWrite() {
        assertThat(ConsistencyToken.MAX_LENGTH).isEqualTo("lw1.".length() + 19 + 1 + GtidSet.MAX_LENGTH).isEqualTo(2711);
    }

    @Test
    void tokenAtTheMaximum_sixtyFourWidestDomainsAndTheLatestTime_roundTrips() {
        ConsistencyToken widest = ConsistencyToken.of(GtidSet.parse(GtidSetTest.widestPosition(64)), Long.MAX_VALUE);

        String exported = widest.export();

        assertThat(widest.isExportable()).isTrue();
        assertThat(exported).hasSize(ConsistencyToken.MAX_LENGTH).startsWith("lw1.9223372036854775807.4294967232-");
        assertThat(ConsistencyToken.parse(exported)).isEqualTo(widest);
    }

    @Test
    void tokensOfEverySize_upToTheMaximum_roundTrip() {
        for (int domains = 0; domains <= GtidSet.MAX_DOMAINS; domains++) {
            ConsistencyToken t = ConsistencyToken.of(GtidSet.parse(GtidSetTest.widestPosition(domains)), 1764067200000L);
            assertThat(ConsistencyToken.parse(t.export())).as("%d domains", domains).isEqualTo(t);
        }
    }

    @Test
    void export_ofAUnionOverTheMaximum_failsNamingTheBound() {
        GtidSet low = GtidSet.parse(domains(0, 40));
        GtidSet high = GtidSet.parse(domains(40, 65));
        ConsistencyToken merged = ConsistencyToken.of(low, 1).merge(ConsistencyToken.of(high, 2));

        assertThat(merged.position().size()).isEqualTo(65);
        assertThat(merged.isExportable()).isFalse();
        assertThatThrownBy(merged::export)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("consistency token has 65 gtid domains, more than the 64 a token can carry");
    }

    @Test
    void parse_ofOneDomainOverTheMaximum_isRejectedNamingTheBound() {
        String position = domains(0, 65);

        assertThatThrownBy(() -> ConsistencyToken.parse("lw1.5." + position))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bad position in consistency token: gtid position has more than 64 domains: \""
                        + position.substring(0, 40) + "...\"");
    }

    @Test
    void parse_ofOneCharacterOverTheMaximum_isRejectedUnread() {
        String tooLong = "lw1.1." + "0-1-" + "1".repeat(ConsistencyToken.MAX_LENGTH - 9);
        assertThat(tooLong).hasSize(ConsistencyToken.MAX_LENGTH + 1);

        assertThatThrownBy(() -> ConsistencyToken.parse(tooLong))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("consistency token is longer than 2711 characters (was 2712)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"lw1.9223372036854775808.0-1-1", "lw1.10000000000000000000.0-1-1", "lw1..0-1-1", "lw1.+5.0-1-1"})
    void parse_ofATimeOutsideLong_isRejected(String token) {
        assertThatThrownBy(() -> ConsistencyToken.parse(token))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bad time in consistency token: '" + token + "'");
    }

    @Test
    void parse_readsTheLatestTimeExportWrites() {
        assertThat(ConsistencyToken.parse("lw1.9223372036854775807.0-1-1").writtenAtMillis()).isEqualTo(Long.MAX_VALUE);
    }

    /** GTIDs {@code d-1-1} for domains {@code from} (inclusive) to {@code to} (exclusive). */
    private static String domains(int from, int to) {
        StringBuilder text = new StringBuilder();
        for (int d = from; d < to; d++) {
            text.append(text.length() == 0 ? "" : ",").append(d).append("-1-1");
        }
        return text.toString();
    }
}
