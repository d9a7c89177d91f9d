package io.lagwise.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP proxy on loopback that holds every byte for a one-way delay before passing it on, in both
 * directions, so that a replica 40 ms "away" from its master really sees the binlog 40 ms late.
 *
 * <p>Kernel traffic shaping ({@code netem}) is not available on the machines this runs on, so the
 * delay is done in user space: per direction, a reader thread stamps each chunk it reads with a due
 * time ({@code now + delay}, never earlier than the previous chunk's, so order is kept even when
 * the delay shrinks) and a writer thread sends it when due. With no delay and nothing queued the
 * reader writes straight through, so a zero-delay proxy costs one extra socket hop, not a thread
 * hand-off. Time comes from {@link System#nanoTime()}.
 *
 * <p>The delay can be changed at any time and applies to bytes read after the change.
 */
final class DelayProxy implements AutoCloseable {

    private static final int CHUNK = 64 * 1024;

    private final String name;
    private final ServerSocket server;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final AtomicInteger linkCount = new AtomicInteger();
    private volatile InetSocketAddress target;
    private volatile long delayNanos;
    private volatile boolean closed;

    DelayProxy(String name, InetSocketAddress target, Duration delay) throws IOException {
        this.name = name;
        this.target = target;
        delay(delay);
        this.server = listen();
        Thread acceptor = new Thread(this::acceptLoop, "lagwise-proxy-" + name + "-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The loopback port this proxy listens on. */
    int port() {
        return server.getLocalPort();
    }

    Duration delay() {
        return Duration.ofNanos(delayNanos);
    }

    void delay(Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay cannot be negative: " + delay);
        }
        this.delayNanos = delay.toNanos();
    }

    /** Points new connections at another address (a restarted container may get a new port). */
    /** A loopback port of its own, never one a killed server of this run will restart on ({@link LocalNode#RESERVED}). */
    private static ServerSocket listen() throws IOException {
        for (int attempt = 0; ; attempt++) {
            ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            if (!LocalNode.RESERVED.contains(s.getLocalPort()) || attempt >= 100) {
                return s;
            }
            s.close();
        }
    }

    void target(InetSocketAddress target) {
        this.target = target;
    }

    /** Cuts every open connection, as a network failure would; the proxy keeps accepting. */
    void dropConnections() {
        for (Link link : links) {
            link.close();
        }
    }

    int openConnections() {
        return links.size();
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        dropConnections();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            Socket upstream = new Socket();
            try {
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                upstream.connect(target, 2_000);
            } catch (IOException e) {
                closeQuietly(client);
                closeQuietly(upstream);
                continue;
            }
            Link link = new Link(client, upstream, linkCount.incrementAndGet());
            links.add(link);
            if (closed) {
                link.close();
            } else {
                link.start();
            }
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    /** One proxied connection: two sockets and a pipe each way. */
    private final class Link {
        final Socket client;
        final Socket upstream;
        final int id;
        final AtomicInteger open = new AtomicInteger(2);

        Link(Socket client, Socket upstream, int id) {
            this.client = client;
            this.upstream = upstream;
            this.id = id;
        }

        void start() {
            try {
                new Pipe(this, client.getInputStream(), upstream, "up").start();
                new Pipe(this, upstream.getInputStream(), client, "down").start();
            } catch (IOException e) {
                close();
            }
        }

        void pipeDone() {
            if (open.decrementAndGet() == 0) {
                close();
            }
        }

        void close() {
            links.remove(this);
            closeQuietly(client);
            closeQuietly(upstream);
        }
    }

    /** Bytes one way: a reader that stamps chunks, a writer that sends them when due. */
    private final class Pipe {
        private static final byte[] EOF = new byte[0];

        final Link link;
        final InputStream in;
        final Socket outSocket;
        final OutputStream out;
        final String direction;
        final LinkedBlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
        final AtomicInteger pending = new AtomicInteger();
        long lastDue;

        Pipe(Link link, InputStream in, Socket outSocket, String direction) throws IOException {
            this.link = link;
            this.in = in;
            this.outSocket = outSocket;
            this.out = outSocket.getOutputStream();
            this.direction = direction;
        }

        void start() {
            String prefix = "lagwise-proxy-" + name + "-" + link.id + "-" + direction;
            Thread reader = new Thread(this::readLoop, prefix + "-read");
            Thread writer = new Thread(this::writeLoop, prefix + "-write");
            reader.setDaemon(true);
            writer.setDaemon(true);
            writer.start();
            reader.start();
        }

        private void readLoop() {
            byte[] buffer = new byte[CHUNK];
            try {
                while (true) {
                    int n = in.read(buffer);
                    if (n < 0) {
                        enqueue(EOF);
                        return;
                    }
                    long delay = delayNanos;
                    if (delay == 0 && pending.get() == 0) {
                        // Nothing queued, so writing here cannot overtake an earlier chunk.
                        synchronized (out) {
                            out.write(buffer, 0, n);
                            out.flush();
                        }
                        lastDue = System.nanoTime();
                        continue;
                    }
                    byte[] data = new byte[n];
                    System.arraycopy(buffer, 0, data, 0, n);
                    enqueue(data);
                }
            } catch (IOException e) {
                enqueue(EOF);
            }
        }

        private void enqueue(byte[] data) {
            long due = Math.max(System.nanoTime() + delayNanos, lastDue);
            lastDue = due;
            pending.incrementAndGet();
            queue.add(new Chunk(due, data));
        }

        private void writeLoop() {
            try {
                while (true) {
                    Chunk chunk = queue.take();
                    long wait;
                    while ((wait = chunk.due - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    if (chunk.data == EOF) {
                        try {
                            outSocket.shutdownOutput();
                        } catch (IOException | UnsupportedOperationException ignored) {
                            // the socket is gone already
                        }
                        return;
                    }
                    synchronized (out) {
                        out.write(chunk.data);
                        out.flush();
                    }
                    pending.decrementAndGet();
                }
            } catch (IOException e) {
                link.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                link.close();
            } finally {
                link.pipeDone();
            }
        }
    }

    private record Chunk(long due, byte[] data) {}

    @Override
    public String toString() {
        return "DelayProxy[" + name + " :" + port() + " -> " + target + ", delay=" + delay() + "]";
    }
}
