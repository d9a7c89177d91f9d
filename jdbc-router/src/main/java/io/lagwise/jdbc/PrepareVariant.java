package io.lagwise.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/** Which {@code prepareStatement} overload made a statement, so it can be made again on another server. */
enum PrepareVariant {
    PLAIN, KEYS, KEY_INDEXES, KEY_NAMES, TYPED;

    PreparedStatement prepare(Connection c, String sql, int a, int b, int holdability, int[] indexes, String[] names)
            throws SQLException {
        switch (this) {
            case KEYS:
                return c.prepareStatement(sql, a);
            case KEY_INDEXES:
                return c.prepareStatement(sql, indexes);
            case KEY_NAMES:
                return c.prepareStatement(sql, names);
            case TYPED:
                return holdability == -1 ? c.prepareStatement(sql, a, b) : c.prepareStatement(sql, a, b, holdability);
            default:
                return c.prepareStatement(sql);
        }
    }
}
