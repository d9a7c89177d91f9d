package io.lagwise.jdbc.flyway;

import io.lagwise.jdbc.LagwiseDriver;
import java.sql.Connection;
import java.sql.Types;
import org.flywaydb.core.api.ResourceProvider;
import org.flywaydb.core.api.configuration.Configuration;
import org.flywaydb.core.internal.database.base.BaseDatabaseType;
import org.flywaydb.core.internal.database.base.Database;
import org.flywaydb.core.internal.jdbc.JdbcConnectionFactory;
import org.flywaydb.core.internal.jdbc.StatementInterceptor;
import org.flywaydb.core.internal.parser.Parser;
import org.flywaydb.core.internal.parser.ParsingContext;

/**
 * Teaches Flyway {@code jdbc:lagwise:} URLs (a Flyway plugin, found through
 * {@code META-INF/services/org.flywaydb.core.extensibility.Plugin} when Flyway is on the class path):
 * Flyway picks its database support by a URL's prefix to find the driver, and by the connection's
 * metadata to speak to the server. This type only names {@link LagwiseDriver} for the URL; the
 * connection says MySQL or MariaDB, and Flyway's own MySQL or MariaDB support (flyway-mysql) does
 * the rest.
 */
public final class LagwiseFlywayDatabaseType extends BaseDatabaseType {

    @Override
    public String getName() {
        return "Lagwise";
    }

    @Override
    public int getNullType() {
        return Types.VARCHAR;
    }

    @Override
    public boolean handlesJDBCUrl(String url) {
        return url != null && url.startsWith(LagwiseDriver.PREFIX);
    }

    @Override
    public String getDriverClass(String url, ClassLoader classLoader) {
        return LagwiseDriver.class.getName();
    }

    /** Never: the connection's metadata names the server (MySQL or MariaDB), whose own type speaks to it. */
    @Override
    public boolean handlesDatabaseProductNameAndVersion(String databaseProductName, String databaseProductVersion,
            Connection connection) {
        return false;
    }

    @Override
    public Database createDatabase(Configuration configuration, JdbcConnectionFactory jdbcConnectionFactory,
            StatementInterceptor statementInterceptor) {
        throw new UnsupportedOperationException("Flyway speaks to a Lagwise connection as MySQL or MariaDB: add flyway-mysql");
    }

    @Override
    public Parser createParser(Configuration configuration, ResourceProvider resourceProvider, ParsingContext parsingContext) {
        throw new UnsupportedOperationException("Flyway speaks to a Lagwise connection as MySQL or MariaDB: add flyway-mysql");
    }
}
