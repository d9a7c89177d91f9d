/**
 * The routing {@code javax.sql.DataSource}: per-node pools, statement routing, the replica monitor
 * and GTID causal reads, over the MariaDB and MySQL drivers.
 */
package io.lagwise.jdbc;
