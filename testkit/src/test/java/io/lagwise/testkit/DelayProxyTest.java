package io.lagwise.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The delay proxy against a plain echo server: delay each way, order kept, runtime changes. */
class DelayProxyTest {

    private ServerSocket echo;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void startEcho() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket s = echo.accept();
                    Thread h = new Thread(() -> {
                        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                            in.transferTo(out);
                        } catch (IOException ignored) {
                            // client went away
                        }
                    });
                    h.setDaemon(true);
                    h.start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        echo.close();
    }

    private DelayProxy proxy(Duration delay) throws IOException {
        DelayProxy proxy = new DelayProxy("test", new InetSocketAddress("127.0.0.1", echo.getLocalPort()), delay);
        closeables.add(proxy);
        return proxy;
    }

    private Socket connect(DelayProxy proxy) throws IOException {
        Socket s = new Socket("127.0.0.1", proxy.port());
        s.setTcpNoDelay(true);
        s.setSoTimeout(5000);
        closeables.add(s);
        return s;
    }

    private static long roundTripNanos(Socket s, byte[] payload) throws IOException {
        long begin = System.nanoTime();
        s.getOutputStream().write(payload);
        s.getOutputStream().flush();
        byte[] back = new byte[payload.length];
        new DataInputStream(s.getInputStream()).readFully(back);
        long took = System.nanoTime() - begin;
        assertThat(back).isEqualTo(payload);
        return took;
    }

    @Test
    void delaysEachDirection_soARoundTripTakesTwiceTheDelay() throws IOException {
        Socket s = connect(proxy(Duration.ofMillis(30)));
        roundTripNanos(s, new byte[] {1});
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            best = Math.min(best, roundTripNanos(s, new byte[] {(byte) i}));
        }
        assertThat(best / 1_000_000.0).isBetween(59.0, 75.0);
    }

    @Test
    void zeroDelay_passesBytesStraightThrough() throws IOException {
        Socket s = connect(proxy(Duration.ZERO));
        roundTripNanos(s, new byte[] {1});
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 20; i++) {
            best = Math.min(best, roundTripNanos(s, new byte[] {(byte) i}));
        }
        assertThat(best / 1_000_000.0).isLessThan(5.0);
    }

    @Test
    void keepsByteOrder_whenTheDelayShrinksMidStream() throws Exception {
        DelayProxy proxy = proxy(Duration.ofMillis(50));
        Socket s = connect(proxy);
        OutputStream out = s.getOutputStream();
        byte[] expected = new byte[2000];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = (byte) i;
        }
        out.write(expected, 0, 1000);
        out.flush();
        Thread.sleep(5);
        proxy.delay(Duration.ZERO);
        out.write(expected, 1000, 1000);
        out.flush();
        byte[] back = new byte[expected.length];
        new DataInputStream(s.getInputStream()).readFully(back);
        assertThat(Arrays.equals(back, expected)).as("bytes arrive in the order they were sent").isTrue();
    }

    @Test
    void delayChange_appliesToLaterBytes() throws IOException {
        DelayProxy proxy = proxy(Duration.ZERO);
        Socket s = connect(proxy);
        roundTripNanos(s, new byte[] {1});
        proxy.delay(Duration.ofMillis(25));
        assertThat(proxy.delay()).isEqualTo(Duration.ofMillis(25));
        assertThat(roundTripNanos(s, new byte[] {2}) / 1_000_000.0).isGreaterThanOrEqualTo(49.0);
    }

    @Test
    void carriesLargeTransfersIntact() throws IOException {
        Socket s = connect(proxy(Duration.ofMillis(2)));
        byte[] payload = new byte[3 * 1024 * 1024];
        new java.util.Random(7).nextBytes(payload);
        Thread writer = new Thread(() -> {
            try {
                s.getOutputStream().write(payload);
                s.getOutputStream().flush();
            } catch (IOException ignored) {
                // the assertion below fails instead
            }
        });
        writer.start();
        byte[] back = new byte[payload.length];
        new DataInputStream(s.getInputStream()).readFully(back);
        assertThat(Arrays.equals(back, payload)).isTrue();
    }

    @Test
    void dropConnections_cutsOpenLinks_butKeepsAccepting() throws Exception {
        DelayProxy proxy = proxy(Duration.ZERO);
        Socket s = connect(proxy);
        roundTripNanos(s, new byte[] {1});
        assertThat(proxy.openConnections()).isEqualTo(1);
        proxy.dropConnections();
        assertThat(s.getInputStream().read()).isEqualTo(-1);
        Socket again = connect(proxy);
        roundTripNanos(again, new byte[] {2});
    }

    @Test
    void negativeDelay_isRejected() throws IOException {
        DelayProxy proxy = proxy(Duration.ZERO);
        assertThatThrownBy(() -> proxy.delay(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("delay cannot be negative: PT-0.001S");
    }
}
