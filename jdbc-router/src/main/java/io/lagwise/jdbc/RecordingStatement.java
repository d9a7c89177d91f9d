package io.lagwise.jdbc;

import java.sql.SQLException;
import java.sql.Statement;

/**
 * Keeps the settings an application puts on a statement (fetch size, timeouts, limits…) so that the
 * same statement can be made again on another server — when a plain {@link Statement} runs its next
 * SQL elsewhere, or a read is retried on another replica — and behave the same there.
 */
abstract class RecordingStatement<S extends Statement> extends DelegatingStatement<S> {

    private int fetchSize = -1;
    private int fetchDirection = -1;
    private long maxRows = -1;
    private int maxFieldSize = -1;
    private int queryTimeout = -1;
    private int escapeProcessing = -1;
    private int poolable = -1;
    private boolean closeOnCompletion;
    private String cursorName;

    /** The driver statement in use now, or {@code null} if none was made yet. */
    abstract S current();

    /** Applies every recorded setting to a newly made driver statement. */
    final void applySettings(Statement s) throws SQLException {
        if (fetchSize >= 0) {
            s.setFetchSize(fetchSize);
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
            s.setFetchSize(rows);
        } else if (rows < 0) {
            throw new SQLException("fetch size cannot be negative: " + rows, "22023");
        }
        fetchSize = rows;
    }

    @Override
    public int getFetchSize() throws SQLException {
        S s = current();
        return s != null ? s.getFetchSize() : Math.max(fetchSize, 0);
    }

    @Override
    public void setFetchDirection(int direction) throws SQLException {
        S s = current();
        if (s != null) {
            s.setFetchDirection(direction);
        }
        fetchDirection = direction;
    }

    @Override
    public int getFetchDirection() throws SQLException {
        S s = current();
        return s != null ? s.getFetchDirection() : fetchDirection >= 0 ? fetchDirection : java.sql.ResultSet.FETCH_FORWARD;
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
        maxRows = max;
    }

    @Override
    public long getLargeMaxRows() throws SQLException {
        S s = current();
        return s != null ? s.getLargeMaxRows() : Math.max(maxRows, 0);
    }

    @Override
    public void setMaxFieldSize(int max) throws SQLException {
        S s = current();
        if (s != null) {
            s.setMaxFieldSize(max);
        } else if (max < 0) {
            throw new SQLException("max field size cannot be negative: " + max, "22023");
        }
        maxFieldSize = max;
    }

    @Override
    public int getMaxFieldSize() throws SQLException {
        S s = current();
        return s != null ? s.getMaxFieldSize() : Math.max(maxFieldSize, 0);
    }

    @Override
    public void setQueryTimeout(int seconds) throws SQLException {
        S s = current();
        if (s != null) {
            s.setQueryTimeout(seconds);
        } else if (seconds < 0) {
            throw new SQLException("query timeout cannot be negative: " + seconds, "22023");
        }
        queryTimeout = seconds;
    }

    @Override
    public int getQueryTimeout() throws SQLException {
        S s = current();
        return s != null ? s.getQueryTimeout() : Math.max(queryTimeout, 0);
    }

    @Override
    public void setEscapeProcessing(boolean enable) throws SQLException {
        S s = current();
        if (s != null) {
            s.setEscapeProcessing(enable);
        }
        escapeProcessing = enable ? 1 : 0;
    }

    @Override
    public void setPoolable(boolean value) throws SQLException {
        S s = current();
        if (s != null) {
            s.setPoolable(value);
        }
        poolable = value ? 1 : 0;
    }

    @Override
    public boolean isPoolable() throws SQLException {
        S s = current();
        return s != null ? s.isPoolable() : poolable == 1;
    }

    @Override
    public void closeOnCompletion() throws SQLException {
        S s = current();
        if (s != null) {
            s.closeOnCompletion();
        }
        closeOnCompletion = true;
    }

    @Override
    public boolean isCloseOnCompletion() throws SQLException {
        S s = current();
        return s != null ? s.isCloseOnCompletion() : closeOnCompletion;
    }

    @Override
    public void setCursorName(String name) throws SQLException {
        S s = current();
        if (s != null) {
            s.setCursorName(name);
        }
        cursorName = name;
    }
}
