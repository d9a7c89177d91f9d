package io.lagwise.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.StringJoiner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GtidSetTest {

    // ---- parsing and formatting ----

    @ParameterizedTest
    @ValueSource(strings = {
        "0-1-207",
        "0-1-207,1-2-5",
        "0-0-0",
        "4294967295-4294967295-9223372036854775807",
        "0-1-1,1-1-1,2-1-1,10-1-1,4294967295-1-1",
    })
    void canonicalText_roundTrips(String text) {
        GtidSet position = GtidSet.parse(text);

        assertThat(position.toString()).isEqualTo(text);
        assertThat(GtidSet.parse(position.toString())).isEqualTo(position);
    }

    @Test
    void parse_sortsByDomain() {
        GtidSet position = GtidSet.parse("10-3-7,1-2-5,0-1-207");

        assertThat(position).hasToString("0-1-207,1-2-5,10-3-7");
        assertThat(position).isEqualTo(GtidSet.parse("0-1-207,1-2-5,10-3-7"));
        assertThat(position.hashCode()).isEqualTo(GtidSet.parse("0-1-207,1-2-5,10-3-7").hashCode());
    }

    @Test
    void parse_emptyString_isTheEmptyPosition() {
        GtidSet position = GtidSet.parse("");

        assertThat(position).isSameAs(GtidSet.empty());
        assertThat(position.isEmpty()).isTrue();
        assertThat(position.size()).isZero();
        assertThat(position).hasToString("");
    }

    @Test
    void parse_keepsEveryPart() {
        GtidSet position = GtidSet.parse("0-1-207,1-2-5");

        assertThat(position.size()).isEqualTo(2);
        assertThat(position.isEmpty()).isFalse();
        assertThat(position.sequence(0)).isEqualTo(207);
        assertThat(position.sequence(1)).isEqualTo(5);
    }

    @Test
    void parse_acceptsSixtyFourDomains() {
        GtidSet position = GtidSet.parse(positionWithDomains(64));

        assertThat(position.size()).isEqualTo(64);
        assertThat(position.sequence(63)).isEqualTo(1);
    }

    @Test
    void parse_acceptsExactlyMaxLength_sixtyFourGtidsWithTheWidestNumbers() {
        String text = widestPosition(GtidSet.MAX_DOMAINS);
        assertThat(text).hasSize(GtidSet.MAX_LENGTH).hasSize(2687);

        GtidSet position = GtidSet.parse(text);

        assertThat(position.size()).isEqualTo(64);
        assertThat(position.sequence(4_294_967_295L)).isEqualTo(Long.MAX_VALUE);
        assertThat(position.toString()).isEqualTo(text);
    }

    @Test
    void sequence_ofMissingDomain_isMinusOne() {
        assertThat(GtidSet.parse("0-1-207").sequence(1)).isEqualTo(-1);
        assertThat(GtidSet.empty().sequence(0)).isEqualTo(-1);
    }

    @ParameterizedTest
    @ValueSource(longs = {-1, 4_294_967_296L, Long.MIN_VALUE})
    void sequence_ofImpossibleDomain_isRejectedWithTheValue(long domain) {
        assertThatThrownBy(() -> GtidSet.parse("0-1-1").sequence(domain))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("domain must be between 0 and 4294967295, was " + domain);
    }

    // ---- comparisons ----

    @ParameterizedTest(name = "\"{0}\" is at least \"{1}\": {2}")
    @CsvSource(delimiter = '|', value = {
        "0-1-207        | 0-1-207        | true",
        "0-1-208        | 0-1-207        | true",
        "0-1-206        | 0-1-207        | false",
        "0-1-207,1-2-5  | 0-1-207        | true",
        "0-1-207        | 0-1-207,1-2-5  | false",
        "0-1-207,1-2-5  | 1-2-5          | true",
        "0-1-207,1-2-4  | 1-2-5          | false",
        "0-9-207        | 0-1-207        | true",
        "0-1-5,2-1-5    | 1-1-1          | false",
        "0-1-5,2-1-5    | 0-1-5,2-1-5    | true",
        "0-1-5,2-1-5    | 0-1-5,1-1-1,2-1-5 | false",
        "''             | 0-1-1          | false",
        "0-1-1          | ''             | true",
        "''             | ''             | true",
    })
    void isAtLeast_comparesSequencePerDomainOfTheOther(String mine, String theirs, boolean expected) {
        assertThat(GtidSet.parse(mine).isAtLeast(GtidSet.parse(theirs))).isEqualTo(expected);
    }

    @Test
    void isAtLeast_largeSequencesCompareAsNumbersNotText() {
        assertThat(GtidSet.parse("0-1-10").isAtLeast(GtidSet.parse("0-1-9"))).isTrue();
        assertThat(GtidSet.parse("0-1-9223372036854775807").isAtLeast(GtidSet.parse("0-1-9223372036854775806"))).isTrue();
        assertThat(GtidSet.parse("4294967295-1-1").isAtLeast(GtidSet.parse("4294967295-1-2"))).isFalse();
    }

    @Test
    void isAtLeast_null_isRejected() {
        assertThatThrownBy(() -> GtidSet.empty().isAtLeast(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("other");
    }

    @Test
    void equals_includesServerId() {
        assertThat(GtidSet.parse("0-1-5")).isNotEqualTo(GtidSet.parse("0-2-5"));
        assertThat(GtidSet.parse("0-1-5")).isNotEqualTo(GtidSet.parse("0-1-6"));
        assertThat(GtidSet.parse("0-1-5")).isNotEqualTo(GtidSet.parse("0-1-5,1-1-5"));
        assertThat(GtidSet.parse("0-1-5")).isNotEqualTo("0-1-5");
    }

    // ---- malformed input ----

    @Test
    void parse_null_isRejected() {
        assertThatThrownBy(() -> GtidSet.parse(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("position");
    }

    @ParameterizedTest(name = "\"{0}\" -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
        // letters and other characters
        "0-1-x           | invalid gtid \"0-1-x\": sequence is not a decimal number",
        "a-1-5           | invalid gtid \"a-1-5\": domain is not a decimal number",
        "0-b-5           | invalid gtid \"0-b-5\": server is not a decimal number",
        "0-1-5a          | invalid gtid \"0-1-5a\": sequence is not a decimal number",
        "0x1-1-5         | invalid gtid \"0x1-1-5\": domain is not a decimal number",
        "+0-1-5          | invalid gtid \"+0-1-5\": domain is not a decimal number",
        "0-1-1e3         | invalid gtid \"0-1-1e3\": sequence is not a decimal number",
        "0-1-5;1-1-1     | invalid gtid \"0-1-5;1-1-1\": expected domain-server-sequence",
        // missing and extra parts
        "0-1             | invalid gtid \"0-1\": expected domain-server-sequence",
        "5               | invalid gtid \"5\": expected domain-server-sequence",
        "0-1-2-3         | invalid gtid \"0-1-2-3\": expected domain-server-sequence",
        "0--5            | invalid gtid \"0--5\": server is missing",
        "-1-5            | invalid gtid \"-1-5\": domain is missing",
        "0-1-            | invalid gtid \"0-1-\": sequence is missing",
        "0-1--5          | invalid gtid \"0-1--5\": expected domain-server-sequence",
        "--              | invalid gtid \"--\": domain is missing",
        // empty entries
        "0-1-5,          | gtid position has an empty gtid: \"0-1-5,\"",
        ",0-1-5          | gtid position has an empty gtid: \",0-1-5\"",
        "0-1-5,,1-1-1    | gtid position has an empty gtid: \"0-1-5,,1-1-1\"",
        ",               | gtid position has an empty gtid: \",\"",
        // leading zeros make two spellings of one position
        "00-1-5          | invalid gtid \"00-1-5\": domain has a leading zero",
        "0-01-5          | invalid gtid \"0-01-5\": server has a leading zero",
        "0-1-007         | invalid gtid \"0-1-007\": sequence has a leading zero",
        // out of range
        "4294967296-1-5  | invalid gtid \"4294967296-1-5\": domain is out of range (0..4294967295)",
        "0-4294967296-5  | invalid gtid \"0-4294967296-5\": server is out of range (0..4294967295)",
        "0-1-9223372036854775808 | invalid gtid \"0-1-9223372036854775808\": sequence is out of range (0..9223372036854775807)",
        "0-1-18446744073709551615 | invalid gtid \"0-1-18446744073709551615\": sequence is out of range (0..9223372036854775807)",
        "0-1-99999999999999999999999 | invalid gtid \"0-1-99999999999999999999999\": sequence is out of range (0..9223372036854775807)",
        // duplicate domains
        "0-1-5,0-2-6     | gtid position has two gtids in domain 0: \"0-1-5,0-2-6\"",
        "1-1-1,0-1-5,1-1-1 | gtid position has two gtids in domain 1: \"1-1-1,0-1-5,1-1-1\"",
    })
    void parse_malformed_isRejectedWithTheOffendingPart(String text, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GtidSet.parse(text));

        assertThat(e).hasMessage(message);
    }

    @ParameterizedTest
    @ValueSource(strings = {" 0-1-5", "0-1-5 ", "0-1-5, 1-1-1", "0 -1-5", "\t0-1-5", "0-1-5\n"})
    void parse_whitespace_isRejected(String text) {
        assertThatThrownBy(() -> GtidSet.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid gtid \"")
                .hasMessageEndingWith(" is not a decimal number");
    }

    @Test
    void parse_nonAsciiDigits_areRejected() {
        // Arabic-Indic digits pass Character.isDigit but are not part of the format.
        assertThatThrownBy(() -> GtidSet.parse("0-1-\u0665"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid gtid \"0-1-?\": sequence is not a decimal number");
    }

    @Test
    void parse_moreThanSixtyFourDomains_isRejected() {
        String text = positionWithDomains(65);

        assertThatThrownBy(() -> GtidSet.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("gtid position has more than 64 domains: \"" + text.substring(0, 40) + "...\"");
    }

    @Test
    void parse_tooLong_isRejectedBeforeParsing() {
        String text = "x".repeat(2688);

        assertThatThrownBy(() -> GtidSet.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("gtid position is longer than 2687 characters (was 2688): \"" + "x".repeat(40) + "...\"");
    }

    @Test
    void errorMessages_quoteAtMostFortyCharacters() {
        String longGtid = "0-1-" + "7".repeat(200);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GtidSet.parse(longGtid));

        assertThat(e).hasMessage("invalid gtid \"" + longGtid.substring(0, 40) + "...\": sequence is out of range"
                + " (0..9223372036854775807)");
    }

    @Test
    void errorMessages_quoteOnlyTheOffendingGtid() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GtidSet.parse("0-1-5,1-1-5,2-1-oops,3-1-5"));

        assertThat(e).hasMessage("invalid gtid \"2-1-oops\": sequence is not a decimal number");
    }

    @Test
    void errorMessages_neverCarryControlCharactersIntoLogs() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GtidSet.parse("0-1-5\r\nFAKE LOG LINE\u001b[31m"));

        assertThat(e.getMessage()).doesNotContain("\r", "\n", "\u001b")
                .isEqualTo("invalid gtid \"0-1-5??FAKE LOG LINE?[31m\": sequence is not a decimal number");
    }

    /** {@code domains} GTIDs of 41 characters, the widest there are, in canonical order. */
    static String widestPosition(int domains) {
        StringJoiner joiner = new StringJoiner(",");
        for (long d = 4_294_967_296L - domains; d < 4_294_967_296L; d++) {
            joiner.add(d + "-4294967295-9223372036854775807");
        }
        return joiner.toString();
    }

    private static String positionWithDomains(int domains) {
        StringJoiner joiner = new StringJoiner(",");
        for (int d = 0; d < domains; d++) {
            joiner.add(d + "-1-1");
        }
        return joiner.toString();
    }
}
