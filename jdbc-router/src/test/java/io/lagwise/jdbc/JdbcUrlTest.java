package io.lagwise.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.lagwise.jdbc.JdbcUrl.Driver;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class JdbcUrlTest {

    @Nested
    class Parsing {

        @Test
        void mariadbUrl_exposesEveryPart() {
            JdbcUrl url = JdbcUrl.parse("jdbc:mariadb://db-1.oslo.example.com:3307/shop?useSsl=true&connectTimeout=500");

            assertThat(url.driver()).isEqualTo(Driver.MARIADB);
            assertThat(url.host()).isEqualTo("db-1.oslo.example.com");
            assertThat(url.port()).isEqualTo(3307);
            assertThat(url.database()).isEqualTo("shop");
            assertThat(url.parameters()).containsExactly(entry("useSsl", "true"), entry("connectTimeout", "500"));
            assertThat(url.hostAndPort()).isEqualTo("db-1.oslo.example.com:3307");
        }

        @Test
        void mysqlUrl_isRecognised() {
            JdbcUrl url = JdbcUrl.parse("jdbc:mysql://10.0.0.7:3306/shop");

            assertThat(url.driver()).isEqualTo(Driver.MYSQL);
            assertThat(url.host()).isEqualTo("10.0.0.7");
            assertThat(url.port()).isEqualTo(3306);
            assertThat(url.database()).isEqualTo("shop");
            assertThat(url.parameters()).isEmpty();
        }

        @ParameterizedTest
        @ValueSource(strings = {"jdbc:mariadb://db1", "jdbc:mariadb://db1/", "jdbc:mariadb://db1/app", "jdbc:mysql://db1?a=b"})
        void missingPort_defaultsTo3306(String text) {
            assertThat(JdbcUrl.parse(text).port()).isEqualTo(JdbcUrl.DEFAULT_PORT).isEqualTo(3306);
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
            "jdbc:mariadb://db1             | ''",
            "jdbc:mariadb://db1/            | ''",
            "jdbc:mariadb://db1/?a=b        | ''",
            "jdbc:mariadb://db1?a=b         | ''",
            "jdbc:mariadb://db1:3306/shop   | shop",
            "jdbc:mariadb://db1/my_shop%2D1 | my_shop%2D1",
        })
        void database_isThePathOrEmpty(String text, String database) {
            assertThat(JdbcUrl.parse(text).database()).isEqualTo(database);
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
            "jdbc:mariadb://[::1]                     | ::1           | 3306 | [::1]:3306",
            "jdbc:mariadb://[::1]:3310/app            | ::1           | 3310 | [::1]:3310",
            "jdbc:mysql://[2001:db8::17]:3306         | 2001:db8::17  | 3306 | [2001:db8::17]:3306",
            "jdbc:mysql://[::ffff:10.0.0.1]/app       | ::ffff:10.0.0.1 | 3306 | [::ffff:10.0.0.1]:3306",
            "jdbc:mysql://[fe80::1%eth0]:3307         | fe80::1%eth0  | 3307 | [fe80::1%eth0]:3307",
        })
        void ipv6InBrackets_isAccepted(String text, String host, int port, String hostAndPort) {
            JdbcUrl url = JdbcUrl.parse(text);

            assertThat(url.host()).isEqualTo(host);
            assertThat(url.port()).isEqualTo(port);
            assertThat(url.hostAndPort()).isEqualTo(hostAndPort);
        }

        @ParameterizedTest
        @ValueSource(strings = {"localhost", "db_master", "DB1", "10.1.2.3", "replica-2.frankfurt.internal"})
        void usualHostNames_areAccepted(String host) {
            assertThat(JdbcUrl.parse("jdbc:mariadb://" + host + ":3306/app").host()).isEqualTo(host);
        }

        @ParameterizedTest
        @ValueSource(strings = {"1", "3306", "65535", "03306"})
        void portsFromOneTo65535_areAccepted(String port) {
            assertThat(JdbcUrl.parse("jdbc:mariadb://db1:" + port).port()).isEqualTo(Integer.parseInt(port));
        }

        @Test
        void parameters_keepUrlOrderAndRawValues() {
            JdbcUrl url = JdbcUrl.parse(
                    "jdbc:mysql://db1/app?zeta=1&alpha=2&sessionVariables=sql_mode=ANSI&empty=&path=a/b?c&enc=%26x");

            assertThat(url.parameters()).containsExactly(
                    entry("zeta", "1"),
                    entry("alpha", "2"),
                    entry("sessionVariables", "sql_mode=ANSI"),
                    entry("empty", ""),
                    entry("path", "a/b?c"),
                    entry("enc", "%26x"));
        }

        @Test
        void parameters_skipEmptySegments() {
            assertThat(JdbcUrl.parse("jdbc:mysql://db1/app?&a=1&&b=2&").parameters())
                    .containsExactly(entry("a", "1"), entry("b", "2"));
            assertThat(JdbcUrl.parse("jdbc:mysql://db1/app?").parameters()).isEmpty();
        }

        @Test
        void parameters_areUnmodifiable() {
            Map<String, String> parameters = JdbcUrl.parse("jdbc:mysql://db1/app?a=1").parameters();

            assertThrows(UnsupportedOperationException.class, () -> parameters.put("b", "2"));
            assertThrows(UnsupportedOperationException.class, () -> parameters.remove("a"));
        }

        @Test
        void userInfo_isSeparatedFromTheHost() {
            JdbcUrl url = JdbcUrl.parse("jdbc:mysql://app:S3cret@db1:3307/shop");

            assertThat(url.host()).isEqualTo("db1");
            assertThat(url.port()).isEqualTo(3307);
            assertThat(url.hostAndPort()).isEqualTo("db1:3307");
        }

        @Test
        void userInfo_endsAtTheLastAtSign() {
            JdbcUrl url = JdbcUrl.parse("jdbc:mysql://app:p@ss:w@rd@db1/shop");

            assertThat(url.host()).isEqualTo("db1");
            assertThat(url).hasToString("jdbc:mysql://app:***@db1/shop");
        }

        @Test
        void url_returnsTheTextAsGivenForTheDriver() {
            String text = "jdbc:mariadb://db1:3306/app?user=app&password=S3cret";

            assertThat(JdbcUrl.parse(text).url()).isEqualTo(text);
        }

        @Test
        void equalUrls_areEqualValues() {
            JdbcUrl a = JdbcUrl.parse("jdbc:mariadb://db1/app");

            assertThat(a).isEqualTo(JdbcUrl.parse("jdbc:mariadb://db1/app"));
            assertThat(a.hashCode()).isEqualTo(JdbcUrl.parse("jdbc:mariadb://db1/app").hashCode());
            assertThat(a).isNotEqualTo(JdbcUrl.parse("jdbc:mariadb://db1/other"));
        }
    }

    @Nested
    class SameServer {

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
            "jdbc:mariadb://db1:3306/app   | jdbc:mariadb://db1:3306/app     | true",
            "jdbc:mariadb://DB1.example/app | jdbc:mariadb://db1.EXAMPLE/app | true",
            "jdbc:mariadb://db1/app        | jdbc:mariadb://db1:3306/other   | true",
            "jdbc:mariadb://db1/app        | jdbc:mysql://db1/app            | true",
            "jdbc:mariadb://db1/app?a=1    | jdbc:mariadb://u:p@db1/app?b=2  | true",
            "jdbc:mariadb://[::1]:3307     | jdbc:mariadb://[::1]:3307       | true",
            "jdbc:mariadb://db1:3306       | jdbc:mariadb://db1:3307         | false",
            "jdbc:mariadb://db1            | jdbc:mariadb://db2              | false",
            "jdbc:mariadb://localhost      | jdbc:mariadb://127.0.0.1        | false",
        })
        void comparesHostIgnoringCaseAndPort(String a, String b, boolean same) {
            assertThat(JdbcUrl.parse(a).sameServerAs(JdbcUrl.parse(b))).isEqualTo(same);
            assertThat(JdbcUrl.parse(b).sameServerAs(JdbcUrl.parse(a))).isEqualTo(same);
        }

        @Test
        void null_isRejected() {
            JdbcUrl url = JdbcUrl.parse("jdbc:mariadb://db1");

            assertThatThrownBy(() -> url.sameServerAs(null))
                    .isInstanceOf(NullPointerException.class)
                    .hasMessage("other");
        }
    }

    @Nested
    class Rejection {

        @ParameterizedTest
        @NullSource
        void null_isRejected(String text) {
            assertThatThrownBy(() -> JdbcUrl.parse(text))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("jdbc url must not be null");
        }

        @ParameterizedTest
        @ValueSource(strings = {"", " ", "\t\n"})
        void blank_isRejectedWithTheValue(String text) {
            assertThatThrownBy(() -> JdbcUrl.parse(text))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("jdbc url must not be blank, was \"" + text + "\"");
        }

        @ParameterizedTest
        @ValueSource(strings = {" jdbc:mariadb://db1", "jdbc:mariadb://db1 ", "jdbc:mariadb://db1/app\n"})
        void surroundingWhitespace_isRejected(String text) {
            assertThatThrownBy(() -> JdbcUrl.parse(text))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("jdbc url \"" + text + "\" has leading or trailing whitespace");
        }

        @ParameterizedTest
        @ValueSource(strings = {
            "jdbc:mariadb:replication://db1,db2/app",
            "jdbc:mariadb:loadbalance://db1,db2/app",
            "jdbc:mariadb:sequential://db1,db2/app",
            "jdbc:mariadb:failover://db1,db2/app",
            "jdbc:mariadb:aurora://cluster.example/app",
            "jdbc:mysql:replication://db1,db2/app",
            "jdbc:mysql:loadbalance://db1,db2/app",
            "jdbc:mysql:srv://_mysql._tcp.example/app",
            "jdbc:mysql:srv:replication://_mysql._tcp.example/app",
            "jdbc:mysql:db1/app",
        })
        void driverMultiHostModes_areRejectedBecauseLagwiseRoutes(String text) {
            assertThatThrownBy(() -> JdbcUrl.parse(text))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("unsupported jdbc url \"" + text + "\": Lagwise does the routing itself, so give it one"
                            + " plain url per node: jdbc:mariadb://host[:port][/database]"
                            + " or jdbc:mysql://host[:port][/database]");
        }

        @ParameterizedTest
        @ValueSource(strings = {
            "jdbc:postgresql://db1:5432/app",
            "jdbc:aws-wrapper:mysql://db1/app",
            "jdbc:h2:mem:test",
            "mysqlx://db1:33060/app",
            "mariadb://db1/app",
            "db1:3306",
        })
        void otherDatabases_areRejected(String text) {
            assertThatThrownBy(() -> JdbcUrl.parse(text))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("unsupported jdbc url \"" + text + "\": only MariaDB and MySQL are supported;"
                            + " Lagwise does the routing itself, so give it one plain url per node:"
                            + " jdbc:mariadb://host[:port][/database] or jdbc:mysql://host[:port][/database]");
        }

        @Test
        void uppercaseScheme_isRejected() {
            assertThatThrownBy(() -> JdbcUrl.parse("JDBC:MariaDB://db1/app"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("jdbc url \"JDBC:MariaDB://db1/app\" must start with lowercase jdbc:mariadb://");
        }

        @ParameterizedTest
        @ValueSource(strings = {
            "jdbc:mariadb://db1,db2/app",
            "jdbc:mariadb://db1:3306,db2:3306/app",
            "jdbc:mysql://db1,db2,db3",
            "jdbc:mysql://[db1:3306,db2:3306]/app",
            "jdbc:mysql://user:pw@db1,db2/app",
        })
        void severalHosts_areRejected(String text) {
            assertThatThrownBy(() -> JdbcUrl.parse(text))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("jdbc url \"")
                    .hasMessageEndingWith("\" names several hosts; Lagwise does the routing itself,"
                            + " so give it one plain url per node");
        }

        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', value = {
            "jdbc:mariadb://db1:abc/app   | has an invalid port \"abc\": must be a number from 1 to 65535",
            "jdbc:mariadb://db1:0/app     | has an invalid port \"0\": must be a number from 1 to 65535",
            "jdbc:mariadb://db1:65536/app | has an invalid port \"65536\": must be a number from 1 to 65535",
            "jdbc:mariadb://db1:99999999999/app | has an invalid port \"99999999999\": must be a number from 1 to 65535",
            "jdbc:mariadb://db1:-1/app    | has an invalid port \"-1\": must be a number from 1 to 65535",
            "jdbc:mariadb://db1:+80/app   | has an invalid port \"+80\": must be a number from 1 to 65535",
            "jdbc:mariadb://db1:/app      | has an invalid port \"\": must be a number from 1 to 65535",
            "jdbc:mariadb://db1:33O6      | has an invalid port \"33O6\": must be a number from 1 to 65535",
            "jdbc:mariadb://[::1]:0       | has an invalid port \"0\": must be a number from 1 to 65535",
        })
        void badPort_isRejectedWithThePort(String text, String problem) {
            assertThatThrownBy(() -> JdbcUrl.parse(text))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("jdbc url \"" + text + "\" " + problem);
        }

        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', value = {
            "jdbc:mariadb://              | has no host",
            "jdbc:mariadb:///app          | has no host",
            "jdbc:mariadb://:3306/app     | has no host",
            "jdbc:mariadb://?a=b          | has no host",
            "jdbc:mariadb://db!1/app      | has an invalid host \"db!1\": letters, digits, '.', '-' and '_' only",
            "jdbc:mariadb://db1#frag      | has a '#' before its parameters; percent-encode it as %23",
            "jdbc:mariadb://::1/app       | has an IPv6 address without brackets; write it as [address]:port",
            "jdbc:mariadb://fe80::1:3306  | has an IPv6 address without brackets; write it as [address]:port",
            "jdbc:mariadb://[::1/app      | has an IPv6 address without its closing ']'",
            "jdbc:mariadb://[]:3306       | has an invalid IPv6 address \"[]\"",
            "jdbc:mariadb://[db1]:3306    | has an invalid IPv6 address \"[db1]\"",
            "jdbc:mariadb://[::1]3306     | has unexpected text after the IPv6 address \"3306\"",
            "jdbc:mysql://(host=db1,port=3306)/app | uses the key-value host form; write the host as host[:port]",
            "jdbc:mysql://address=(host=db1)(port=3306)/app | uses the key-value host form; write the host as host[:port]",
            "jdbc:mariadb://db1/app/extra | has an invalid database \"app/extra\": one path segment without '/'",
            "jdbc:mariadb://db1/app#x     | has a '#' before its parameters; percent-encode it as %23",
            "jdbc:mariadb://db 1/app      | contains whitespace or a control character before its parameters",
            "jdbc:mariadb://db1/my app    | contains whitespace or a control character before its parameters",
            "jdbc:mariadb://@db1/app      | has an empty user name before '@'",
            "jdbc:mariadb://:pw@db1/app   | has an empty user name before '@'",
            "jdbc:mariadb://db1/app?useSsl | has a parameter without '=': every parameter must be name=value",
            "jdbc:mariadb://db1/app?a=1&b | has a parameter without '=': every parameter must be name=value",
            "jdbc:mariadb://db1/app?=1    | has a parameter with an invalid name: letters, digits, '.', '-' and '_' only",
            "jdbc:mariadb://db1/app?a b=1 | has a parameter with an invalid name: letters, digits, '.', '-' and '_' only",
            "jdbc:mariadb://db1/app?a=1&a=2 | sets parameter \"a\" twice",
        })
        void malformed_isRejectedNamingTheProblem(String text, String problem) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JdbcUrl.parse(text));

            assertThat(e).hasMessage("jdbc url \"" + Redaction.redactUrl(text) + "\" " + problem);
        }

        @Test
        void controlCharacterInHost_isRejected() {
            assertThatThrownBy(() -> JdbcUrl.parse("jdbc:mariadb://db\u00001/app"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageEndingWith("contains whitespace or a control character before its parameters");
        }
    }

    /**
     * Every way a password can sit in a URL, valid or not: none of it may reach toString(),
     * parameters() or an exception message. Each password is split in two distinctive halves, and
     * neither half may show, so that a password cut at a delimiter is caught too.
     */
    @Nested
    class NeverShowsThePassword {

        private static final String SECRET_A = "Xq7Hv";
        private static final String SECRET_B = "Kz9Wn";

        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', value = {
            "jdbc:mariadb://db1/app?user=app&password=Xq7HvKz9Wn                | jdbc:mariadb://db1/app?user=app&password=***",
            "jdbc:mariadb://db1/app?password=Xq7HvKz9Wn&user=app                | jdbc:mariadb://db1/app?password=***&user=app",
            "jdbc:mysql://db1/app?PASSWORD=Xq7HvKz9Wn                           | jdbc:mysql://db1/app?PASSWORD=***",
            "jdbc:mysql://db1/app?password1=Xq7HvKz9Wn&password2=Xq7HvKz9Wn     | jdbc:mysql://db1/app?password1=***&password2=***",
            "jdbc:mysql://db1/app?trustCertificateKeyStorePassword=Xq7HvKz9Wn   | jdbc:mysql://db1/app?trustCertificateKeyStorePassword=***",
            "jdbc:mariadb://db1/app?keyStorePassword=Xq7HvKz9Wn&useSsl=true     | jdbc:mariadb://db1/app?keyStorePassword=***&useSsl=true",
            "jdbc:mariadb://db1/app?password=Xq7Hv@Kz9Wn                        | jdbc:mariadb://db1/app?password=***",
            "jdbc:mariadb://db1/app?password=Xq7Hv/Kz9Wn?:=                     | jdbc:mariadb://db1/app?password=***",
            "jdbc:mariadb://db1/app?password=                                   | jdbc:mariadb://db1/app?password=***",
            "jdbc:mysql://app:Xq7HvKz9Wn@db1:3306/app                           | jdbc:mysql://app:***@db1:3306/app",
            "jdbc:mysql://app:Xq7Hv:Kz9Wn@db1/app                               | jdbc:mysql://app:***@db1/app",
            "jdbc:mysql://app:Xq7Hv@Kz9Wn@db1/app                               | jdbc:mysql://app:***@db1/app",
            "jdbc:mysql://app:Xq7Hv,Kz9Wn@db1/app                               | jdbc:mysql://app:***@db1/app",
            "jdbc:mysql://app:Xq7Hv@Kz9Wn@[::1]:3307/app?password=Xq7HvKz9Wn    | jdbc:mysql://app:***@[::1]:3307/app?password=***",
            "jdbc:mysql://app@db1/app?user=me@corp&password=Xq7Hv@Kz9Wn         | jdbc:mysql://app@db1/app?user=me@corp&password=***",
        })
        void validUrl_showsStarsInstead(String text, String redacted) {
            JdbcUrl url = JdbcUrl.parse(text);

            assertThat(url.redacted()).isEqualTo(redacted);
            assertThat(url).hasToString(redacted);
            assertThat(url.parameters().toString()).doesNotContain(SECRET_A, SECRET_B);
            assertThat(url.url()).isEqualTo(text);
        }

        @Test
        void passwordParameter_readsStarsInParameters() {
            JdbcUrl url = JdbcUrl.parse("jdbc:mariadb://db1/app?user=app&password=Xq7HvKz9Wn&sslPassword=Xq7HvKz9Wn");

            assertThat(url.parameters()).containsExactly(
                    entry("user", "app"), entry("password", "***"), entry("sslPassword", "***"));
        }

        @ParameterizedTest
        @ValueSource(strings = {
            // rejected for some other reason while holding a password
            "jdbc:postgresql://db1/app?user=app&password=Xq7HvKz9Wn",
            "jdbc:mariadb:replication://app:Xq7HvKz9Wn@db1,db2/app",
            "jdbc:mysql:loadbalance://db1,db2/app?password=Xq7HvKz9Wn",
            "jdbc:mariadb://app:Xq7HvKz9Wn@db1,db2/app",
            "jdbc:mariadb://app:Xq7HvKz9Wn@db1:0/app",
            "jdbc:mariadb://db1:abc/app?password=Xq7Hv@Kz9Wn",
            "jdbc:mariadb://db1:abc/app?password=Xq7Hv@Kz9Wn&user=a@b",
            "jdbc:mariadb://db1/app?password=Xq7HvKz9Wn&password=Xq7HvKz9Wn",
            "jdbc:mariadb://db1/app?password=Xq7HvKz9Wn&x",
            "jdbc:mariadb://db 1/app?password=Xq7HvKz9Wn",
            " jdbc:mariadb://app:Xq7HvKz9Wn@db1/app",
            "JDBC:MARIADB://app:Xq7HvKz9Wn@db1/app",
            // a password with a raw delimiter cuts the URL in the wrong place
            "jdbc:mysql://app:Xq7Hv/Kz9Wn@db1/app",
            "jdbc:mysql://app:Xq7Hv?Kz9Wn@db1/app",
            "jdbc:mysql://app:Xq7Hv Kz9Wn@db1/app",
            "jdbc:mysql://app:Xq7Hv#Kz9Wn@db1/app",
            "jdbc:mysql://app:Xq7Hv/Kz9Wn@db1:99999/app",
            "jdbc:mariadb://db1/app?password=Xq7Hv&Kz9Wn",
            "jdbc:mariadb://db1/app?password=Xq7Hv&Kz9Wn&useSsl",
            "jdbc:mariadb://db1/app?password=Xq7Hv&&Kz9Wn",
            "jdbc:mariadb://db1/app?password=Xq7Hv& Kz9Wn",
        })
        void rejectedUrl_messageShowsStarsInstead(String text) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JdbcUrl.parse(text));

            assertThat(e.getMessage()).contains("***").doesNotContain(SECRET_A, SECRET_B);
        }

        @Test
        void rejectedUrl_stillShowsWhatIsNotSecret() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> JdbcUrl.parse("jdbc:mariadb://db1:abc/app?user=me&password=Xq7Hv@Kz9Wn&useSsl=true"));

            assertThat(e).hasMessage("jdbc url \"jdbc:mariadb://db1:abc/app?user=me&password=***&useSsl=true\""
                    + " has an invalid port \"abc\": must be a number from 1 to 65535");
        }

        @Test
        void rejectedUrl_passwordCutAtSlash_doesNotQuoteThePortItProduced() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> JdbcUrl.parse("jdbc:mysql://app:Xq7Hv/Kz9Wn@db1/app"));

            assertThat(e).hasMessage("jdbc url \"jdbc:mysql://***@db1/app\""
                    + " has an invalid port: must be a number from 1 to 65535");
        }

        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', value = {
            "jdbc:mysql://db1/app                                  | jdbc:mysql://db1/app",
            "jdbc:mysql://a:b@db1/app                              | jdbc:mysql://***@db1/app",
            "jdbc:mysql://a:b@c@db1/app?password=x@y&u=v           | jdbc:mysql://***@db1/app?password=***&u=v",
            "jdbc:mysql://db1/app?password=x@y                     | jdbc:mysql://db1/app?password=***",
            "jdbc:mysql://db1/app?x=1&password=a&b&c=d             | jdbc:mysql://db1/app?x=1&password=***&c=d",
            "jdbc:mysql://db1/app?user=a@b                         | jdbc:mysql://***@b",
            "jdbc:sqlserver://db1;user=a;password=x;db=y           | jdbc:sqlserver://db1;user=a;password=***",
            "app:pw@db1                                            | ***@db1",
            "jdbc:mysql://db1/app?mypassword=x                     | jdbc:mysql://db1/app?mypassword=***",
            "jdbc:mysql://db1/app?nopassword                       | jdbc:mysql://db1/app?nopassword",
        })
        void redact_masksConservatively(String text, String redacted) {
            assertThat(Redaction.redactUrl(text)).isEqualTo(redacted);
        }
    }
}
