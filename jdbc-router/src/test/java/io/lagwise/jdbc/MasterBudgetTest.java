package io.lagwise.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The master budget: reads per write over a sliding window, on a fake clock. */
class MasterBudgetTest {

    final FakeTicker ticker = new FakeTicker();

    @Test
    void twoReadsPerWrite_thenTheBudgetIsSpent() {
        MasterBudget budget = new MasterBudget(2.0, ticker.read());
        long writes = 3;
        int taken = 0;
        for (int i = 0; i < 10; i++) {
            taken += budget.take(ticker.read(), writes) ? 1 : 0;
        }
        assertThat(taken).isEqualTo(6);
        assertThat(budget.taken()).isEqualTo(6);
        assertThat(budget.refused()).isEqualTo(4);
        assertThat(budget.take(ticker.read(), writes + 1)).as("a new write brings room").isTrue();
    }

    @Test
    void noWrites_noRoom_andZeroNeverLetsAReadGo() {
        assertThat(new MasterBudget(2.0, ticker.read()).take(ticker.read(), 0)).isFalse();
        assertThat(new MasterBudget(0.0, ticker.read()).take(ticker.read(), 1_000)).isFalse();
    }

    @Test
    void creditFades_soOldWritesStopCounting() {
        MasterBudget budget = new MasterBudget(1.0, ticker.read());
        long writes = 100;
        for (int i = 0; i < 100; i++) {
            assertThat(budget.take(ticker.read(), writes)).isTrue();
        }
        assertThat(budget.take(ticker.read(), writes)).as("spent").isFalse();
        budget.take(ticker.read(), writes + 50); // 50 new writes, one read taken: 49 left
        ticker.advance(Duration.ofSeconds(5)); // faded to almost nothing
        assertThat(budget.take(ticker.read(), writes + 50)).as("no write since: the credit has faded").isFalse();
        assertThat(budget.take(ticker.read(), writes + 51)).as("a new write: room for one").isTrue();
        assertThat(budget.take(ticker.read(), writes + 51)).isFalse();
    }
}
