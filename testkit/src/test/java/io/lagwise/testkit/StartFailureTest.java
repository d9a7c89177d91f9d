package io.lagwise.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A start that cannot work fails with what is wrong, how to fix it, and the server's own words; nothing is left behind. */
class StartFailureTest {

    private static final String VERSION_OK = "if [ \"$1\" = \"--version\" ]; then echo 'fake mariadbd 0.0'; exit 0; fi";

    @Test
    void serverThatExits_failsWithExitCodeAndLogTail(@TempDir Path tmp) throws IOException {
        ServerBinaries fake = ServerBinariesTest.fake(tmp.resolve("fake"),
                VERSION_OK + "\necho '[ERROR] mariadbd: unknown variable innodb-fake=1'\nexit 7",
                "for a in \"$@\"; do case $a in --datadir=*) mkdir -p \"${a#--datadir=}\";; esac; done");
        Path base = Files.createDirectories(tmp.resolve("base"));
        assertThatThrownBy(() -> ReplicationTopology.builder().serverBinaries(fake).baseDirectory(base)
                .startTimeout(ServerBinariesTest.SHORT).replica("oslo").start())
                .isInstanceOf(TopologyException.class)
                .hasMessageContaining("cannot start master")
                .hasMessageContaining("the process exited with code 7")
                .hasMessageContaining("unknown variable innodb-fake=1");
        assertThat(list(base)).as("no files left behind").isEmpty();
    }

    @Test
    void installThatFails_showsTheScriptsOutput(@TempDir Path tmp) throws IOException {
        ServerBinaries fake = ServerBinariesTest.fake(tmp.resolve("fake"), VERSION_OK,
                "echo 'FATAL ERROR: Could not find errmsg.sys'; exit 3");
        Path base = Files.createDirectories(tmp.resolve("base"));
        assertThatThrownBy(() -> ReplicationTopology.builder().serverBinaries(fake).baseDirectory(base).start())
                .isInstanceOf(TopologyException.class)
                .hasMessageContaining("failed with exit code 3")
                .hasMessageContaining("Could not find errmsg.sys");
        assertThat(list(base)).isEmpty();
    }

    @Test
    void binaryThatCannotRun_isReportedBeforeAnythingStarts(@TempDir Path tmp) throws IOException {
        ServerBinaries fake = ServerBinariesTest.fake(tmp.resolve("fake"),
                "echo 'error while loading shared libraries: libcrypt.so.1'; exit 127", "exit 0");
        assertThatThrownBy(() -> ReplicationTopology.builder().serverBinaries(fake).start())
                .isInstanceOf(TopologyException.class)
                .hasMessageContaining("--version failed")
                .hasMessageContaining("libcrypt.so.1");
    }

    @Test
    void takenMasterPort_saysSoAndHowToFixIt(@TempDir Path tmp) throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path base = Files.createDirectories(tmp.resolve("base"));
            assertThatThrownBy(() -> ReplicationTopology.builder().masterPort(taken.getLocalPort()).baseDirectory(base)
                    .start())
                    .isInstanceOf(TopologyException.class)
                    .hasMessageContaining("port " + taken.getLocalPort() + " on 127.0.0.1 is already in use")
                    .hasMessageContaining("choose another port or leave it unset");
            assertThat(list(base)).isEmpty();
        }
    }

    @Test
    void close_leavesNoProcessAndNoFile(@TempDir Path tmp) throws IOException {
        Path base = Files.createDirectories(tmp.resolve("base"));
        List<Long> pids;
        try (ReplicationTopology topology = ReplicationTopology.builder().baseDirectory(base).replica("oslo").start()) {
            pids = topology.nodes().stream().map(n -> n.pid().orElseThrow()).toList();
            assertThat(pids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid)).isPresent());
            assertThat(list(base)).hasSize(1);
            assertThat(topology.nodes()).allSatisfy(n -> assertThat(n.residentMemoryBytes()).isBetween(10L << 20, 400L << 20));
        }
        assertThat(pids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty());
        assertThat(list(base)).isEmpty();
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }
}
