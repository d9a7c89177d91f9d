package io.lagwise.jdbc;

import static io.lagwise.jdbc.BuilderTest.M;
import static io.lagwise.jdbc.BuilderTest.R;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.lagwise.core.ReplicaSelector;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every builder check throws a typed exception that names its setting for code, so that a framework
 * maps it to its own property without reading the message; each row is one setting name.
 */
class BuilderSettingsTest {

    private static final String R2 = "jdbc:mariadb://db-frankfurt-1:3306/app";

    private static LagwiseDataSource.Builder builder() {
        return LagwiseDataSource.builder();
    }

    static Stream<Arguments> invalidSettings() {
        Duration negative = Duration.ofMillis(-1);
        return Stream.of(
                arguments("name", (Executable) () -> builder().name(" ")),
                arguments("master.url", (Executable) () -> builder().master("jdbc:postgresql://db/app")),
                arguments("master.backup", (Executable) () -> builder().master(M, n -> n.backup(true))),
                arguments("master.username", (Executable) () -> builder().master(M, n -> n.username(" "))),
                arguments("master.password", (Executable) () -> builder().master(M, n -> n.password(null))),
                arguments("master.pool.maximumPoolSize", (Executable) () -> builder().master(M, n -> n.pool(p -> p.maximumPoolSize(0)))),
                arguments("replica[0].url", (Executable) () -> builder().replica("not a url", "oslo")),
                arguments("replica[1].url", (Executable) () -> builder().replica(R, "oslo").replica(null, "oslo")),
                arguments("replica[1].region", (Executable) () -> builder().replica(R, "oslo").replica(R2, " frankfurt")),
                arguments("replica[0].region", (Executable) () -> builder().backupReplica(R, null)),
                arguments("replica[0].username", (Executable) () -> builder().replica(R, "oslo", n -> n.username(""))),
                arguments("replica[1].password", (Executable) () -> builder().replica(R, "oslo").replica(R2, "fra", n -> n.password(null))),
                arguments("replica[0].pool.maximumPoolSize", (Executable) () -> builder().replica(R, "oslo", n -> n.pool(p -> p.maximumPoolSize(0)))),
                arguments("replica[1].pool.minimumIdle", (Executable) () -> builder().replica(R, "oslo").replica(R2, "fra", n -> n.pool(p -> p.minimumIdle(-1)))),
                arguments("replica[0].pool.connectionTimeout", (Executable) () -> builder().replica(R, "oslo", n -> n.pool(p -> p.connectionTimeout(Duration.ofMillis(10))))),
                arguments("replica[0].pool.dataSourceProperty[user]", (Executable) () -> builder().replica(R, "oslo", n -> n.pool(p -> p.dataSourceProperty("user", "x")))),
                arguments("username", (Executable) () -> builder().username("")),
                arguments("password", (Executable) () -> builder().password(null)),
                arguments("localRegion", (Executable) () -> builder().localRegion(" ")),
                arguments("pool.maximumPoolSize", (Executable) () -> builder().pool(p -> p.maximumPoolSize(0))),
                arguments("pool.minimumIdle", (Executable) () -> builder().pool(p -> p.minimumIdle(-1))),
                arguments("pool.connectionTimeout", (Executable) () -> builder().pool(p -> p.connectionTimeout(null))),
                arguments("pool.idleTimeout", (Executable) () -> builder().pool(p -> p.idleTimeout(Duration.ofSeconds(1)))),
                arguments("pool.maxLifetime", (Executable) () -> builder().pool(p -> p.maxLifetime(negative))),
                arguments("pool.keepaliveTime", (Executable) () -> builder().pool(p -> p.keepaliveTime(Duration.ofSeconds(1)))),
                arguments("pool.validationTimeout", (Executable) () -> builder().pool(p -> p.validationTimeout(Duration.ofMillis(1)))),
                arguments("pool.dataSourceProperty[password]", (Executable) () -> builder().pool(p -> p.dataSourceProperty("password", "x"))),
                arguments("pool.dataSourceProperty[useSsl]", (Executable) () -> builder().pool(p -> p.dataSourceProperty("useSsl", null))),
                arguments("pool.dataSourceProperty", (Executable) () -> builder().pool(p -> p.dataSourceProperty(null, "x"))),
                arguments("latencyWindow", (Executable) () -> builder().latencyWindow(negative)),
                arguments("maxReplicationLag", (Executable) () -> builder().maxReplicationLag(Duration.ZERO)),
                arguments("monitorInterval", (Executable) () -> builder().monitorInterval(Duration.ofMillis(1))),
                arguments("probeTimeout", (Executable) () -> builder().probeTimeout(Duration.ofMillis(1))),
                arguments("heartbeat", (Executable) () -> builder().heartbeat(Duration.ofMillis(1))),
                arguments("heartbeatTable", (Executable) () -> builder().heartbeatTable("drop table x")),
                arguments("monitorCredentials.username", (Executable) () -> builder().monitorCredentials(" ", "x")),
                arguments("monitorCredentials.password", (Executable) () -> builder().monitorCredentials("monitor", null)),
                arguments("replicaReadTimeout", (Executable) () -> builder().replicaReadTimeout(negative)),
                arguments("readYourWritesMaxWait", (Executable) () -> builder().readYourWritesMaxWait(Duration.ofMinutes(1))),
                arguments("pinWindowMinimum", (Executable) () -> builder().pinWindowMinimum(negative)),
                arguments("readYourWritesMasterBudget", (Executable) () -> builder().readYourWritesMasterBudget(-1)),
                arguments("readYourWritesMasterBudget", (Executable) () -> builder().readYourWritesMasterBudget(Double.NaN)),
                arguments("readYourWritesMasterBudget", (Executable) () -> builder().readYourWritesMasterBudget(Double.POSITIVE_INFINITY)),
                arguments("connectTimeout", (Executable) () -> builder().connectTimeout(Duration.ZERO)),
                arguments("statementCacheSize", (Executable) () -> builder().statementCacheSize(0)),
                // checked at build(), each node's pool against itself, before any pool starts
                arguments("master.pool.minimumIdle", (Executable) () -> builder().master(M, n -> n.pool(p -> p.maximumPoolSize(2).minimumIdle(5))).build()),
                arguments("pool.minimumIdle", (Executable) () -> builder().master(M, n -> n.pool(p -> p.maximumPoolSize(2))).pool(p -> p.minimumIdle(5)).build()),
                arguments("pool.keepaliveTime", (Executable) () -> builder().master(M).pool(p -> p.maxLifetime(Duration.ofMinutes(1)).keepaliveTime(Duration.ofMinutes(2))).build()),
                arguments("master.pool.idleTimeout", (Executable) () -> builder().master(M, n -> n.pool(p -> p.idleTimeout(Duration.ofMinutes(1)))).pool(p -> p.maxLifetime(Duration.ofMinutes(1))).build()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidSettings")
    void badValue_throwsInvalidSetting_namingTheSetting(String setting, Executable call) {
        InvalidSettingException e = assertThrows(InvalidSettingException.class, call);

        assertThat(e.setting()).isEqualTo(setting);
        assertThat(e).isInstanceOf(IllegalArgumentException.class);
        assertThat(e.getMessage()).isNotBlank();
    }

    static Stream<Arguments> conflicts() {
        ReplicaSelector custom = ReplicaSelector.preferLocal();
        return Stream.of(
                arguments(List.of("master.url"), (Executable) () -> builder().master(M).master(R)),
                arguments(List.of("replica[1].url", "replica[0].url"), (Executable) () -> builder().replica(R, "oslo").replica(R, "fra")),
                arguments(List.of("replica[0].url", "master.url"), (Executable) () -> builder().master(M).replica(M, "oslo")),
                arguments(List.of("replica[0].url", "master.url"), (Executable) () -> builder().replica(M, "oslo").master(M)),
                arguments(List.of("replicaSelector", "latencyWindow"), (Executable) () -> builder().latencyWindow(Duration.ZERO).replicaSelector(custom)),
                arguments(List.of("latencyWindow", "replicaSelector"), (Executable) () -> builder().replicaSelector(custom).latencyWindow(Duration.ZERO)),
                arguments(List.of("master.url", "password"), (Executable) () -> builder().master(M + "?password=a").password("b").build()),
                arguments(List.of("master.url", "master.password"), (Executable) () -> builder().master(M + "?password=a", n -> n.password("b")).build()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("conflicts")
    void conflict_throwsConflictingSettings_namingEachSetting(List<String> settings, Executable call) {
        ConflictingSettingsException e = assertThrows(ConflictingSettingsException.class, call);

        assertThat(e.settings()).isEqualTo(settings);
        assertThat(e).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void replicaGivenTwice_failsAtTheSecondReplica_notOnlyAtBuild() {
        assertThatThrownBy(() -> builder().replica(R, "oslo").replica("jdbc:mysql://DB-OSLO-2:3306/other", "fra"))
                .isInstanceOf(ConflictingSettingsException.class)
                .hasMessage("replica[1] DB-OSLO-2:3306 is given twice");
    }

    @Test
    void masterGivenAfterAReplicaOnTheSameServer_failsNamingTheReplica() {
        assertThatThrownBy(() -> builder().replica(R, "oslo").replica(R2, "fra").master("jdbc:mysql://db-frankfurt-1/app"))
                .isInstanceOf(ConflictingSettingsException.class)
                .hasMessage("replica[1] db-frankfurt-1:3306 is the master's server; a replica must be another server");
    }

    @Test
    void latencyWindowWithACustomSelector_failsWithTheMessageOnOneLine() {
        assertThatThrownBy(() -> builder().replicaSelector(ReplicaSelector.preferLocal()).latencyWindow(Duration.ZERO))
                .hasMessage("latencyWindow belongs to the default selector; it cannot be combined with replicaSelector");
        assertThatThrownBy(() -> builder().latencyWindow(Duration.ofMillis(-1)))
                .hasMessage("latencyWindow cannot be negative: PT-0.001S");
    }

    @Test
    void conflictingSettings_needAtLeastOneName_andAreUnmodifiable() {
        assertThatThrownBy(() -> new ConflictingSettingsException(List.of(), "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("a conflict needs at least one setting");
        ConflictingSettingsException e = new ConflictingSettingsException(List.of("a", "b"), "a and b conflict");
        assertThrows(UnsupportedOperationException.class, () -> e.settings().add("c"));
        assertThatThrownBy(() -> new InvalidSettingException(null, "x")).isInstanceOf(NullPointerException.class).hasMessage("setting");
    }
}
