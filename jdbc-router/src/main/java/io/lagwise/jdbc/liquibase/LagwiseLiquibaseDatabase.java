package io.lagwise.jdbc.liquibase;

import io.lagwise.jdbc.LagwiseDriver;
import liquibase.database.DatabaseConnection;
import liquibase.database.core.MySQLDatabase;

/**
 * Teaches Liquibase {@code jdbc:lagwise:} URLs (found through
 * {@code META-INF/services/liquibase.database.Database} when Liquibase is on the class path):
 * Liquibase finds the driver for a URL by asking every database it knows, and picks the database
 * that speaks to a connection by the connection's metadata. This one only names {@link LagwiseDriver}
 * for the URL; it never takes a connection, which says MySQL or MariaDB and gets Liquibase's own
 * support for them.
 */
public final class LagwiseLiquibaseDatabase extends MySQLDatabase {

    @Override
    public String getShortName() {
        return "lagwise";
    }

    @Override
    protected String getDefaultDatabaseProductName() {
        return "Lagwise";
    }

    @Override
    public String getDefaultDriver(String url) {
        return url != null && url.startsWith(LagwiseDriver.PREFIX) ? LagwiseDriver.class.getName() : null;
    }

    /** Never: a Lagwise connection's metadata says MySQL or MariaDB, which Liquibase speaks to itself. */
    @Override
    public boolean isCorrectDatabaseImplementation(DatabaseConnection conn) {
        return false;
    }

    @Override
    public int getPriority() {
        return PRIORITY_DEFAULT - 5; // below MySQL and MariaDB, should anything ask by priority
    }
}
