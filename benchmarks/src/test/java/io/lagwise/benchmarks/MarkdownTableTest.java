package io.lagwise.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MarkdownTableTest {

    @Test
    void toMarkdown_padsColumnsAndEscapesPipes() {
        MarkdownTable t = new MarkdownTable("contender", "ops/s").row("HikariCP", 71000).row("a|b", 5);
        assertThat(t.toMarkdown()).isEqualTo(
                "| contender | ops/s |\n"
                        + "| --------- | ----- |\n"
                        + "| HikariCP  | 71000 |\n"
                        + "| a\\|b      | 5     |\n");
        assertThat(t.rowCount()).isEqualTo(2);
    }

    @Test
    void rowWithWrongCellCount_isRejected() {
        MarkdownTable t = new MarkdownTable("a", "b");
        assertThatThrownBy(() -> t.row("only one")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("row has 1 cells, the table has 2 columns: [only one]");
        assertThatThrownBy(MarkdownTable::new).hasMessage("a table needs at least one column");
    }
}
