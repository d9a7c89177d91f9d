package io.lagwise.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Bad input fails at the setter or at build(), naming the setting and the value, before any pool starts. */
class BuilderTest {

    static final String M = "jdbc:mariadb://db-oslo-1:3306/app";
    static final String R = "jdbc:mariadb://db-oslo-2:3306/app";

    @Test
    void noMaster_failsAtBuild() {
        assertThatThrownBy(() -> LagwiseDataSource.builder().replica(R, "oslo").build())
                .isInstanceOf(IllegalStateException.class).hasMessage("a master is required: call master(url)");
    }

    @Test
    void masterTwice_fails() {
        assertThatThrownBy(() -> LagwiseDataSource.builder().master(M).master(R))
                .isInstanceOf(IllegalStateException.class).hasMessage("master was already set to jdbc:mariadb://db-oslo-1:3306/app");
    }

    @Test
    void replicaEqualToTheMaster_failsAtBuild() {
        assertThatThrownBy(() -> LagwiseDataSource.builder().master(M).replica("jdbc:mysql://DB-OSLO-1/other", "oslo").build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("replica[0] DB-OSLO-1:3306 is the master's server; a replica must be another server");
    }

    @Test
    void sameReplicaTwice_failsAtBuild() {
        assertThatThrownBy(() -> LagwiseDataSource.builder().master(M).replica(R, "oslo").replica(R, "oslo").build())
                .isInstanceOf(IllegalStateException.class).hasMessage("replica[1] db-oslo-2:3306 is given twice");
    }

    @Test
    void unsupportedOrMalformedUrl_failsAtTheSetter_namingIt() {
        assertThatThrownBy(() -> LagwiseDataSource.builder().master("jdbc:postgresql://db/app"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("master url: ");
        assertThatThrownBy(() -> LagwiseDataSource.builder().master(M).replica("jdbc:mariadb:replication://a,b/app", "oslo"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("replica[0] url: ");
        assertThatThrownBy(() -> LagwiseDataSource.builder().master("jdbc:mariadb://db:99999/app"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("master url: ");
        assertThatThrownBy(() -> LagwiseDataSource.builder().master("not a url"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("master url: ");
    }

    @Test
    void malformedUrl_neverShowsItsPassword() {
        assertThatThrownBy(() -> LagwiseDataSource.builder().master("jdbc:mariadb://db:notaport/app?password=Hunter2"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("Hunter2");
    }

    @Test
    void emptyRegion_fails() {
        assertThatThrownBy(() -> LagwiseDataSource.builder().replica(R, ""))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("replica[0] region cannot be blank: ''");
        assertThatThrownBy(() -> LagwiseDataSource.builder().replica(R, " oslo"))
                .hasMessageContaining("replica[0] region must be a plain label");
        assertThatThrownBy(() -> LagwiseDataSource.builder().localRegion("  "))
                .hasMessage("localRegion cannot be blank: '  '");
    }

    @Test
    void negativeOrZeroDurations_fail() {
        assertThatThrownBy(() -> LagwiseDataSource.builder().connectTimeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("connectTimeout must be positive: PT-1S");
        assertThatThrownBy(() -> LagwiseDataSource.builder().pool(p -> p.connectionTimeout(Duration.ofMillis(-5))))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("connectionTimeout cannot be negative: PT-0.005S");
        assertThatThrownBy(() -> LagwiseDataSource.builder().pool(p -> p.validationTimeout(Duration.ofMillis(10))))
                .hasMessage("validationTimeout must be at least 250ms: PT0.01S");
        assertThatThrownBy(() -> LagwiseDataSource.builder().pool(p -> p.maximumPoolSize(0)))
                .hasMessage("maximumPoolSize must be at least 1, was 0");
        assertThatThrownBy(() -> LagwiseDataSource.builder().statementCacheSize(0))
                .hasMessage("statementCacheSize must be at least 1, was 0");
    }

    @Test
    void poolTimingsHikariWouldQuietlyChange_fail() {
        assertThatThrownBy(() -> LagwiseDataSource.builder().pool(p -> p.maxLifetime(Duration.ofSeconds(5))))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxLifetime must be 0 or at least 30s: PT5S");
        assertThatThrownBy(() -> LagwiseDataSource.builder().pool(p -> p.idleTimeout(Duration.ofSeconds(2))))
                .hasMessage("idleTimeout must be 0 or at least 10s: PT2S");
        assertThatThrownBy(() -> LagwiseDataSource.builder().pool(p -> p.keepaliveTime(Duration.ofSeconds(1))))
                .hasMessage("keepaliveTime must be 0 or at least 30s: PT1S");
        assertThatThrownBy(() -> LagwiseDataSource.builder().pool(p -> p.keepaliveTime(Duration.ofSeconds(-1))))
                .hasMessage("keepaliveTime cannot be negative: PT-1S");
        LagwiseDataSource.builder().pool(p -> p.maxLifetime(Duration.ZERO).idleTimeout(Duration.ZERO)
                .keepaliveTime(Duration.ZERO)); // zero: off, as in HikariCP
        assertThatThrownBy(() -> LagwiseDataSource.builder().master(M)
                .pool(p -> p.maxLifetime(Duration.ofMinutes(1)).keepaliveTime(Duration.ofMinutes(2))).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("master keepaliveTime 120000ms must be shorter than maxLifetime 60000ms");
        assertThatThrownBy(() -> LagwiseDataSource.builder().master(M)
                .pool(p -> p.maxLifetime(Duration.ofMinutes(1)).idleTimeout(Duration.ofMinutes(1))).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("master idleTimeout 60000ms must be at least 1s shorter than maxLifetime 60000ms");
    }

    @Test
    void minimumIdleAboveMaximum_failsAtBuild() {
        assertThatThrownBy(() -> LagwiseDataSource.builder().master(M)
                .pool(p -> p.maximumPoolSize(2).minimumIdle(5)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("master minimumIdle 5 cannot exceed maximumPoolSize 2");
    }

    @Test
    void passwordInTheUrlAndBySetter_failsAtBuild() {
        assertThatThrownBy(() -> LagwiseDataSource.builder().master("jdbc:mariadb://db/app?password=Hunter2")
                .password("other").build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the password for master is given twice: in its URL and by password(); give it once");
    }

    @Test
    void credentialsAsDriverProperties_areRefused() {
        assertThatThrownBy(() -> LagwiseDataSource.builder().pool(p -> p.dataSourceProperty("password", "x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dataSourceProperty 'password' is a credential: give it with password() instead");
    }

    @Test
    void masterCannotBeABackup() {
        assertThatThrownBy(() -> LagwiseDataSource.builder().master(M, n -> n.backup(true)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("the master cannot be a backup replica");
    }

    @Test
    void badNames_fail() {
        assertThatThrownBy(() -> LagwiseDataSource.builder().name(" "))
                .hasMessage("name must be 1-64 characters and not blank: ' '");
        assertThatThrownBy(() -> LagwiseDataSource.builder().username(""))
                .hasMessage("username cannot be blank: ''");
        assertThatThrownBy(() -> LagwiseDataSource.builder().password(null)).hasMessage("password cannot be null");
    }
}
