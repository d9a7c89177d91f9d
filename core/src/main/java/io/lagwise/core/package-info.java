/**
 * The Lagwise model: node roles, lag sources, GTID positions, time and latency measurement.
 *
 * <p>This package has no JDBC driver dependency; the routing {@code DataSource} lives in
 * {@code io.lagwise.jdbc}.
 */
package io.lagwise.core;
