package io.lagwise.jdbc;

import java.lang.reflect.Field;
import java.net.Socket;
import java.sql.Connection;

/**
 * Frees a thread stuck reading from a server that stopped answering, where a driver's own
 * {@link Connection#abort} cannot: MariaDB Connector/J (3.x) aborts by connecting to the server
 * again to send {@code KILL}, which a frozen server never answers, so the reading thread waits out
 * its socket timeout. Closing the driver's socket frees it at once (the read fails as a broken
 * connection, which the router handles). Best effort through the driver's private fields: when they
 * are not there (another version, the module path), it reports false and the caller aborts instead.
 */
final class DriverSockets {

    private static final String MARIADB_CONNECTION = "org.mariadb.jdbc.Connection";

    private DriverSockets() {}

    /**
     * Closes the socket under {@code c} (a pooled connection is unwrapped) if its driver is one whose
     * abort would wait on the server.
     *
     * @return whether the socket was closed
     */
    static boolean close(Connection c) {
        try {
            Connection real = c.isWrapperFor(Connection.class) ? c.unwrap(Connection.class) : c;
            if (real == null || !real.getClass().getName().equals(MARIADB_CONNECTION)) {
                return false;
            }
            Object client = field(real, "client");
            Object socket = client == null ? null : field(client, "socket");
            if (socket instanceof Socket s) {
                s.close();
                return true;
            }
            return false;
        } catch (Exception | LinkageError e) {
            return false; // not reachable here: the caller aborts
        }
    }

    private static Object field(Object owner, String name) throws ReflectiveOperationException {
        for (Class<?> k = owner.getClass(); k != null; k = k.getSuperclass()) {
            try {
                Field f = k.getDeclaredField(name);
                f.setAccessible(true);
                return f.get(owner);
            } catch (NoSuchFieldException e) {
                // a superclass may hold it
            }
        }
        return null;
    }
}
