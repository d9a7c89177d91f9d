package io.lagwise.jdbc;

import java.sql.SQLException;
import java.sql.Statement;

/**
 * Keeps the settings an application puts on a statement (fetch size, timeouts, limits…) so that the
 * same statement can be made again on another server — when a plain {@link Statement} runs its next
 * SQL elsewhere, or a read is retried on another replica — and behave the same there.
 */
abstract class RecordingStatement<S extends Statement> extends DelegatingStatement<S> {

    /** Settings made before or after the driver statement existed; most statements have none. */
    private static final class Settings {
        boolean fetchSizeSet;
        int fetchSize;
        int fetchDirection = -1;
        long maxRows = -1;
        int maxFieldSize = -1;
        int queryTimeout = -1;
        int escapeProcessing = -1;
        int poolable = -1;
        boolean closeOnCompletion;
        String cursorName;
    }

    private Settings settings;

    private Settings settings() {
        if (settings == null) {
            settings = new Settings();
        }
        return settings;
    }

    /** The driver statement in use now, or {@code null} if none was made yet. */
    abstract S current();

    /** Applies every recorded setting to a newly made driver statement. */
    final void applySettings(Statement s) throws SQLException {
        Settings t = settings;
        if (t == null) {
            return;
        }
        boolean fetchSizeSet = t.fetchSizeSet;
        int fetchSize = t.fetchSize;
        int fetchDirection = t.fetchDirection;
        long maxRows = t.maxRows;
        int maxFieldSize = t.maxFieldSize;
        int queryTimeout = t.queryTimeout;
        int escapeProcessing = t.escapeProcessing;
        int poolable = t.poolable;
        boolean closeOnCompletion = t.closeOnCompletion;
        String cursorName = t.cursorName;
        if (fetchSizeSet) {
            s.setFetchSize(fetchSize); // may be Integer.MIN_VALUE: MySQL Connector/J's streaming idiom
        }
        if (fetchDirection >= 0) {
            s.setFetchDirection(fetchDirection);
        }
        if (maxRows >= 0) {
            s.setLargeMaxRows(maxRows);
        }
        if (maxFieldSize >= 0) {
            s.setMaxFieldSize(maxFieldSize);
        }
        if (queryTimeout >= 0) {
            s.setQueryTimeout(queryTimeout);
        }
        if (escapeProcessing >= 0) {
            s.setEscapeProcessing(escapeProcessing == 1);
        }
        if (poolable >= 0) {
            s.setPoolable(poolable == 1);
        }
        if (closeOnCompletion) {
            s.closeOnCompletion();
        }
        if (cursorName != null) {
            s.setCursorName(cursorName);
        }
    }

    @Override
    public void setFetchSize(int rows) throws SQLException {
        S s = current();
        if (s != null) {
            s.setFetchSize(rows); // the driver judges the value (MySQL accepts Integer.MIN_VALUE)
        }
        settings().fetchSize = rows;
        settings().fetchSizeSet = true;
    }

    @Override
    public int getFetchSize() throws SQLException {
        S s = current();
        return s != null ? s.getFetchSize() : settings == null ? 0 : settings.fetchSize;
    }

    @Override
    public void setFetchDirection(int direction) throws SQLException {
        S s = current();
        if (s != null) {
            s.setFetchDirection(direction);
        }
        settings().fetchDirection = direction;
    }

    @Override
    public int getFetchDirection() throws SQLException {
        S s = current();
        return s != null ? s.getFetchDirection() : settings != null && settings.fetchDirection >= 0 ? settings.fetchDirection
                : java.sql.ResultSet.FETCH_FORWARD;
    }

    @Override
    public void setMaxRows(int max) throws SQLException {
        setLargeMaxRows(max);
    }

    @Override
    public int getMaxRows() throws SQLException {
        return (int) Math.min(Integer.MAX_VALUE, getLargeMaxRows());
    }

    @Override
    public void setLargeMaxRows(long max) throws SQLException {
        S s = current();
        if (s != null) {
            s.setLargeMaxRows(max);
        } else if (max < 0) {
            throw new SQLException("max rows cannot be negative: " + max, "22023");
        }
        settings().maxRows = max;
    }

    @Override
    public long getLargeMaxRows() throws SQLException {
        S s = current();
        return s != null ? s.getLargeMaxRows() : settings == null ? 0 : Math.max(settings.maxRows, 0);
    }

    @Override
    public void setMaxFieldSize(int max) throws SQLException {
        S s = current();
        if (s != null) {
            s.setMaxFieldSize(max);
        } else if (max < 0) {
            throw new SQLException("max field size cannot be negative: " + max, "22023");
        }
        settings().maxFieldSize = max;
    }

    @Override
    public int getMaxFieldSize() throws SQLException {
        S s = current();
        return s != null ? s.getMaxFieldSize() : settings == null ? 0 : Math.max(settings.maxFieldSize, 0);
    }

    @Override
    public void setQueryTimeout(int seconds) throws SQLException {
        S s = current();
        if (s != null) {
            s.setQueryTimeout(seconds);
        } else if (seconds < 0) {
            throw new SQLException("query timeout cannot be negative: " + seconds, "22023");
        }
        settings().queryTimeout = seconds;
    }

    @Override
    public int getQueryTimeout() throws SQLException {
        S s = current();
        return s != null ? s.getQueryTimeout() : settings == null ? 0 : Math.max(settings.queryTimeout, 0);
    }

    @Override
    public void setEscapeProcessing(boolean enable) throws SQLException {
        S s = current();
        if (s != null) {
            s.setEscapeProcessing(enable);
        }
        settings().escapeProcessing = enable ? 1 : 0;
    }

    @Override
    public void setPoolable(boolean value) throws SQLException {
        S s = current();
        if (s != null) {
            s.setPoolable(value);
        }
        settings().poolable = value ? 1 : 0;
    }

    @Override
    public boolean isPoolable() throws SQLException {
        S s = current();
        return s != null ? s.isPoolable() : settings != null && settings.poolable == 1;
    }

    @Override
    public void closeOnCompletion() throws SQLException {
        S s = current();
        if (s != null) {
            s.closeOnCompletion();
        }
        settings().closeOnCompletion = true;
    }

    @Override
    public boolean isCloseOnCompletion() throws SQLException {
        S s = current();
        return s != null ? s.isCloseOnCompletion() : settings != null && settings.closeOnCompletion;
    }

    @Override
    public void setCursorName(String name) throws SQLException {
        S s = current();
        if (s != null) {
            s.setCursorName(name);
        }
        settings().cursorName = name;
    }
}
