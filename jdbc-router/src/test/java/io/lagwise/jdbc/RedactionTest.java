package io.lagwise.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The one redaction rule, input by input. Every secret is made of two distinctive halves, Xq7Hv and
 * Kz9Wn, and neither half may show: a secret cut at a delimiter is caught too.
 */
class RedactionTest {

    private static final String[] HALVES = {"Xq7Hv", "Kz9Wn"};

    static Stream<Arguments> freeText() {
        return Stream.of(
                arguments("password=Xq7HvKz9Wn", "password=***"),
                arguments("pwd=Xq7HvKz9Wn", "pwd=***"),
                arguments("PWD=Xq7HvKz9Wn;user=app", "PWD=***;user=app"),
                arguments("Password=Xq7HvKz9Wn user=app", "Password=*** user=app"),
                // a password holding '&', '=', '@' or '%26'
                arguments("url jdbc:mysql://db1/shop?password=Xq7Hv&Kz9Wn&useSsl=true", "url jdbc:mysql://db1/shop?password=***&useSsl=true"),
                arguments("url jdbc:mysql://db1/shop?password=Xq7Hv&&Kz9Wn&useSsl=true", "url jdbc:mysql://db1/shop?password=***&useSsl=true"),
                arguments("url jdbc:mysql://db1/shop?password=Xq7Hv=Kz9Wn&useSsl=true", "url jdbc:mysql://db1/shop?password=***&useSsl=true"),
                arguments("url jdbc:mysql://db1/shop?password=Xq7Hv@Kz9Wn&useSsl=true", "url jdbc:mysql://db1/shop?password=***&useSsl=true"),
                arguments("url jdbc:mysql://db1/shop?password=Xq7Hv%26Kz9Wn&useSsl=true", "url jdbc:mysql://db1/shop?password=***&useSsl=true"),
                arguments("url jdbc:mysql://db1/shop?password=Xq7Hv&Kz9Wn", "url jdbc:mysql://db1/shop?password=***"),
                // any parameter whose name says secret, token or key
                arguments("clientSecret=Xq7HvKz9Wn&x=1", "clientSecret=***&x=1"),
                arguments("api_token=Xq7HvKz9Wn next", "api_token=*** next"),
                arguments("sslKey=/etc/Xq7HvKz9Wn.pem", "sslKey=***"),
                arguments("jdbc:mysql://db1/shop?trustCertificateKeyStorePassword=Xq7Hv&Kz9Wn&a=b", "jdbc:mysql://db1/shop?trustCertificateKeyStorePassword=***&a=b"),
                // a value ends at ';', whitespace, ')' or the end
                arguments("connect failed (password=Xq7HvKz9Wn) retrying", "connect failed (password=***) retrying"),
                arguments("jdbc:sqlserver://db1;user=app;password=Xq7HvKz9Wn;database=shop", "jdbc:sqlserver://db1;user=app;password=***;database=shop"),
                arguments("password=", "password=***"),
                // user info
                arguments("jdbc:mysql://app:Xq7HvKz9Wn@db1:3306/shop", "jdbc:mysql://app:***@db1:3306/shop"),
                arguments("mysql://app:Xq7Hv@Kz9Wn@db1/shop", "mysql://app:***@db1/shop"),
                arguments("jdbc:mysql://app:Xq7Hv:Kz9Wn@db1/shop", "jdbc:mysql://app:***@db1/shop"),
                arguments("jdbc:mysql://app:Xq7Hv/Kz9Wn@db1/shop", "jdbc:mysql://app:***@db1/shop"),
                arguments("jdbc:mariadb:replication://app:Xq7HvKz9Wn@db1,db2/shop", "jdbc:mariadb:replication://app:***@db1,db2/shop"),
                arguments("login app:Xq7HvKz9Wn@db1 refused", "login app:***@db1 refused"),
                arguments("bad url jdbc:mysql://u:Xq7HvKz9Wn@h/db?password=Xq7HvKz9Wn&x=1", "bad url jdbc:mysql://u:***@h/db?password=***&x=1"),
                arguments("jdbc:mysql://app:Xq7Hv@db1/shop?password=Kz9Wn@x&u=v", "jdbc:mysql://app:***@db1/shop?password=***&u=v"),
                // several URLs in one text
                arguments("master jdbc:mysql://a:Xq7Hv@m1/shop and replica jdbc:mariadb://b:Kz9Wn@r1/shop?password=Xq7Hv&Kz9Wn&ssl=on failed",
                        "master jdbc:mysql://a:***@m1/shop and replica jdbc:mariadb://b:***@r1/shop?password=***&ssl=on failed"),
                arguments("jdbc:mysql://a:Xq7Hv@h1/x,jdbc:mysql://c:Kz9Wn@h2/y", "jdbc:mysql://a:***@h2/y"),
                arguments("bad url jdbc:mysql://app:Xq7HvKz9Wn@db1/shop?password=Xq7Hv&Kz9Wn&useSsl=true", "bad url jdbc:mysql://app:***@db1/shop?password=***&useSsl=true"),
                arguments("nodes: jdbc:mysql://db1:3306/shop?useSsl=true, jdbc:mysql://app:Xq7HvKz9Wn@db2/shop (down)",
                        "nodes: jdbc:mysql://db1:3306/shop?useSsl=true, jdbc:mysql://app:***@db2/shop (down)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("freeText")
    void redact_masksEverySecretInFreeText(String text, String redacted) {
        assertThat(Redaction.redact(text)).isEqualTo(redacted).doesNotContain(HALVES);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "Access denied for user 'app'@'127.0.0.1' (using password: YES)",
        "Connection refused: db1:3306",
        "jdbc:mysql://db1:3306/shop?useSsl=true&connectTimeout=500",
        "jdbc:mysql://db1/shop?user=me@corp",
        "passwordless login for app",
        "",
    })
    void redact_leavesTextWithoutSecretsAlone(String text) {
        assertThat(Redaction.redact(text)).isSameAs(text);
    }

    @Test
    void redact_aRawAmpersandFollowedByAParameter_endsTheValue_asItDoesForTheDriver() {
        assertThat(Redaction.redact("password=Xq7Hv&b=c")).isEqualTo("password=***&b=c");
    }

    static Stream<Arguments> urls() {
        return Stream.of(
                arguments("jdbc:mysql://db1/shop?password=Xq7Hv&Kz9Wn", "jdbc:mysql://db1/shop?password=***"),
                arguments("jdbc:mysql://db1/shop?password=Xq7Hv=Kz9Wn&useSsl=true", "jdbc:mysql://db1/shop?password=***&useSsl=true"),
                arguments("jdbc:mysql://db1/shop?password=Xq7Hv%26Kz9Wn&useSsl=true", "jdbc:mysql://db1/shop?password=***&useSsl=true"),
                // in one URL, whitespace, ';' and ')' belong to the value: it ends only at "&name="
                arguments("jdbc:mysql://db1/shop?password=Xq7Hv& Kz9Wn&useSsl=true", "jdbc:mysql://db1/shop?password=***&useSsl=true"),
                arguments("jdbc:mysql://db1/shop?apiToken=Xq7Hv;)Kz9Wn&useSsl=true", "jdbc:mysql://db1/shop?apiToken=***&useSsl=true"),
                // user info: everything from the host to the last '@' outside a value, user included
                arguments("jdbc:mysql://app:Xq7HvKz9Wn@db1/shop", "jdbc:mysql://***@db1/shop"),
                arguments("jdbc:mysql://app:Xq7Hv Kz9Wn@db1/shop", "jdbc:mysql://***@db1/shop"),
                arguments("jdbc:mysql://app:Xq7Hv/Kz9Wn@db1/shop", "jdbc:mysql://***@db1/shop"),
                arguments("jdbc:mysql://app:Xq7Hv?Kz9Wn@db1/shop", "jdbc:mysql://***@db1/shop"),
                arguments("jdbc:mysql://app:Xq7Hv@Kz9Wn@db1/shop?password=Xq7Hv@Kz9Wn&u=v", "jdbc:mysql://***@db1/shop?password=***&u=v"),
                arguments("app:Xq7HvKz9Wn@db1", "***@db1"),
                arguments("jdbc:mysql://app:Xq7Hv/Kz9Wn@t@db1/shop?password=Xq7Hv Kz9Wn&useSsl=true", "jdbc:mysql://***@db1/shop?password=***&useSsl=true"),
                arguments("jdbc:mysql://address=(host=db1)(password=Xq7Hv)(port=3306)/Kz9Wn", "jdbc:mysql://address=(host=db1)(password=***"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("urls")
    void redactUrl_masksEverySecretInOneUrl(String url, String redacted) {
        assertThat(Redaction.redactUrl(url)).isEqualTo(redacted).doesNotContain(HALVES);
    }

    @Test
    void redactUrl_leavesAUrlWithoutSecretsAlone() {
        String url = "jdbc:mariadb://db1:3306/shop?useSsl=true&sessionVariables=sql_mode=ANSI";

        assertThat(Redaction.redactUrl(url)).isSameAs(url);
    }

    @ParameterizedTest
    @ValueSource(strings = {"password", "PASSWORD", "trustStorePassword", "pwd", "DbPwd", "clientSecret", "api_token",
        "sslKey", "trustCertificateKeyStoreUrl"})
    void isSecretName_forNamesThatSaySo(String name) {
        assertThat(Redaction.isSecretName(name)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"user", "useSsl", "connectTimeout", "socketTimeout", "sessionVariables", ""})
    void isSecretName_notForOthers(String name) {
        assertThat(Redaction.isSecretName(name)).isFalse();
    }

    @Test
    void null_isRejected() {
        assertThatThrownBy(() -> Redaction.redact(null)).isInstanceOf(NullPointerException.class).hasMessage("text");
        assertThatThrownBy(() -> Redaction.redactUrl(null)).isInstanceOf(NullPointerException.class).hasMessage("url");
        assertThatThrownBy(() -> Redaction.isSecretName(null)).isInstanceOf(NullPointerException.class).hasMessage("name");
    }

    @Test
    void aLongValue_isMaskedWithoutOverflowingTheStack() {
        // The regular expressions this replaces recursed once per character: 5,000 overflowed.
        String url = "jdbc:mysql://db1/shop?password=" + "x".repeat(100_000) + "&useSsl=true";

        assertThat(Redaction.redactUrl(url)).isEqualTo("jdbc:mysql://db1/shop?password=***&useSsl=true");
        assertThat(Redaction.redact(url)).isEqualTo("jdbc:mysql://db1/shop?password=***&useSsl=true");
        assertThat(JdbcUrl.parse(url)).hasToString("jdbc:mysql://db1/shop?password=***&useSsl=true");
    }

    @Test
    @Timeout(10) // only a runaway (quadratic or backtracking) masking takes anywhere near this long
    void longHostileText_isMaskedWithoutRunningAway() {
        String hostile = "password=" + "&a".repeat(50_000) + " " + "x:y@".repeat(20_000) + " "
                + "token=a@b ".repeat(20_000);

        String masked = Redaction.redact(hostile);

        assertThat(masked).startsWith("password=*** x:***@ token=*** token=***");
        assertThat(Redaction.redactUrl(hostile)).startsWith("password=***").doesNotContain("x:y");
    }
}
