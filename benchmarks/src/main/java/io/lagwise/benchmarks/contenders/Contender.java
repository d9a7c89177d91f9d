package io.lagwise.benchmarks.contenders;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * One way an application reaches a master and its replicas, used the way its own users use it:
 * a read runs where that way sends reads, a write where it sends writes. Thread-safe.
 */
public interface Contender extends AutoCloseable {

    /** JDBC work on one connection. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** A short name for tables. */
    String name();

    /** Whether it sends any reads to replicas (the raw master pool does not). */
    boolean readsReplicas();

    /** Where its statements went so far and why, when it can tell (Lagwise's routing statistics); else empty. */
    default String routing() {
        return "";
    }

    /** Runs {@code work} as a read. */
    <T> T read(Work<T> work) throws SQLException;

    /** Runs {@code work} as a write. */
    <T> T write(Work<T> work) throws SQLException;

    /**
     * This contender with each read inside a read-only transaction of its own, as a
     * {@code @Transactional(readOnly = true)} method runs one: {@code setReadOnly(true)},
     * {@code setAutoCommit(false)}, the read, {@code commit()}. Writes are unchanged. The view shares
     * this contender's pools: closing it does nothing.
     */
    default Contender inReadOnlyTransactions() {
        return new Contenders.ReadOnlyTransactions(this);
    }

    @Override
    void close();
}
