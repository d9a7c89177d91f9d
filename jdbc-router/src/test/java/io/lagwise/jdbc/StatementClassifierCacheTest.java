package io.lagwise.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The classifier's cache: bounded by the texts' total length, not only by their number. */
class StatementClassifierCacheTest {

    private static final int DEFAULT_SIZE = 10_000;

    @Test
    void longTexts_fillingTheCache_stayUnderTheWeightBound() {
        StatementClassifier classifier = new StatementClassifier(DEFAULT_SIZE);
        String padding = "x".repeat(4000);
        for (int i = 0; i < DEFAULT_SIZE; i++) {
            String sql = "SELECT " + i + " AS n, '" + padding + "' AS pad FROM t WHERE id = ?";
            assertThat(sql.length()).isLessThanOrEqualTo(StatementClassifier.MAX_CACHED_LENGTH);
            assertThat(classifier.classify(sql)).isEqualTo(StatementKind.READ);
        }
        long bound = (long) DEFAULT_SIZE * StatementClassifier.AVERAGE_LENGTH;
        assertThat(classifier.cachedWeight()).isPositive().isLessThanOrEqualTo(bound);
        // 2 bytes a char at most: the SQL kept is under 5.2 MB, where a count bound alone kept ~80 MB.
        assertThat(classifier.cachedWeight() * 2).isLessThan(5_200_000L);
        assertThat(classifier.cachedEntries()).isLessThanOrEqualTo(bound / 4000);
    }

    @Test
    void shortTexts_areKeptUpToTheConfiguredCount() {
        StatementClassifier classifier = new StatementClassifier(DEFAULT_SIZE);
        for (int i = 0; i < DEFAULT_SIZE; i++) {
            classifier.classify("SELECT * FROM t WHERE id = " + i);
        }
        assertThat(classifier.cachedEntries()).isEqualTo(DEFAULT_SIZE);
        for (int i = 0; i < DEFAULT_SIZE; i++) {
            classifier.classify("SELECT * FROM u WHERE id = " + i);
        }
        assertThat(classifier.cachedEntries()).isLessThanOrEqualTo(DEFAULT_SIZE);
    }

    @Test
    void cachedClassification_isTheUncachedOne() {
        StatementClassifier classifier = new StatementClassifier(100);
        String sql = "/* lagwise:eventual */ SELECT a FROM t WHERE b = ?";
        StatementClassifier.Classification first = classifier.classification(sql);
        assertThat(first).isEqualTo(StatementClassifier.classifyUncached(sql));
        assertThat(classifier.classification(sql)).isSameAs(first);
    }

    @Test
    void textsOverTheCachedLength_areClassifiedButNotKept() {
        StatementClassifier classifier = new StatementClassifier(100);
        String sql = "INSERT INTO t VALUES ('" + "x".repeat(StatementClassifier.MAX_CACHED_LENGTH) + "')";
        assertThat(classifier.classify(sql)).isEqualTo(StatementKind.WRITE);
        assertThat(classifier.cachedEntries()).isZero();
    }

    @Test
    void hugeConfiguredSize_doesNotOverflowTheWeight() {
        StatementClassifier classifier = new StatementClassifier(Long.MAX_VALUE);
        assertThat(classifier.classify("SELECT 1")).isEqualTo(StatementKind.READ);
        assertThat(classifier.cachedWeight()).isEqualTo(StatementClassifier.AVERAGE_LENGTH);
    }
}
