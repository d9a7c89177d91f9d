package io.lagwise.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TickerTest {

    @Test
    void system_returnsTheSameInstanceEveryTime() {
        assertThat(Ticker.system()).isSameAs(Ticker.system());
    }

    @Test
    void system_neverGoesBackwards() {
        Ticker ticker = Ticker.system();
        long previous = ticker.read();
        for (int i = 0; i < 10_000; i++) {
            long now = ticker.read();
            assertThat(now).isGreaterThanOrEqualTo(previous);
            previous = now;
        }
    }

    @Test
    void system_followsNanoTime() {
        long before = System.nanoTime();
        long reading = Ticker.system().read();
        long after = System.nanoTime();

        assertThat(reading).isBetween(before, after);
    }

    @Test
    void lambda_isATicker() {
        Ticker fixed = () -> 42L;

        assertThat(fixed.read()).isEqualTo(42L);
    }

    @Test
    void fakeTicker_movesOnlyWhenAdvanced() {
        FakeTicker ticker = new FakeTicker();
        long start = ticker.read();

        assertThat(ticker.read()).isEqualTo(start);
        ticker.advance(Duration.ofMillis(250));
        assertThat(ticker.read() - start).isEqualTo(250_000_000L);
    }

    @Test
    void fakeTicker_rejectsGoingBack() {
        assertThatThrownBy(() -> new FakeTicker().advance(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a ticker cannot go back: PT-1S");
    }
}
