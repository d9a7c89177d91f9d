package io.lagwise.testkit;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Ports;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.testcontainers.containers.GenericContainer;

/**
 * One MariaDB or MySQL server in a Testcontainers {@link GenericContainer}, reached on the port
 * Docker maps to its 3306.
 *
 * <p>The controls act on the container, never on the process inside it: kill is {@code docker kill},
 * freeze and thaw are {@code docker pause}/{@code unpause}, restart is {@code docker start} on the
 * same container (same data, relay logs and replication settings). Docker may pick a new host port
 * when a killed container starts again, so every {@link DelayProxy} that points at this node is
 * told where it went. Readiness is a real query in a loop, never a log line.
 */
final class ContainerNode extends AbstractNode {

    static final int SERVER_PORT = 3306;
    private static final Duration RESTART_TIMEOUT = Duration.ofSeconds(60);

    private final GenericContainer<?> container;
    private final String image;
    /** Proxies whose target is this server: the master's replication proxies, a replica's client proxy. */
    private final List<DelayProxy> inbound = new CopyOnWriteArrayList<>();
    private volatile String host = "localhost";
    private volatile int port;

    ContainerNode(String name, Role role, String region, int serverId, Dialect dialect, Credentials credentials,
            GenericContainer<?> container, String image, Duration replicationDelay, Duration clientDelay) {
        super(name, role, region, serverId, dialect, true, credentials, replicationDelay, clientDelay);
        this.container = container;
        this.image = image;
    }

    @Override
    String directHost() {
        return host;
    }

    @Override
    public int directPort() {
        return port;
    }

    /**
     * Creates and starts the container (pulling the image if needed), then waits until the server
     * answers a query; the timeout counts from when the container runs, so a first pull is not in it.
     */
    void start(Duration timeout) {
        try {
            container.start();
        } catch (RuntimeException e) {
            throw new TopologyException("cannot start " + name + " (image " + image + "): " + e.getMessage() + ". Is the image name right, and can Docker pull it?", e);
        }
        host = container.getHost();
        port = container.getMappedPort(SERVER_PORT);
        awaitReady(System.nanoTime() + timeout.toNanos());
        state = State.RUNNING;
    }

    /** Makes {@code proxy} forward to this server, now and after every restart. */
    void routeThrough(DelayProxy proxy) {
        inbound.add(proxy);
        proxy.target(new InetSocketAddress(host, port));
    }

    private void awaitReady(long deadlineNanos) {
        SQLException last = null;
        while (true) {
            try (Connection c = connectAdmin(); Statement s = c.createStatement()) {
                s.execute("SELECT 1");
                return;
            } catch (SQLException notYet) {
                last = notYet; // still initialising, or restarting
            }
            if (!container.isRunning()) {
                throw new TopologyException("cannot start " + name + " (image " + image + "): the container stopped. Last lines of its log:\n" + logTail());
            }
            if (System.nanoTime() - deadlineNanos > 0) {
                throw new TopologyException("cannot start " + name + " (image " + image + ", " + host + ":" + port + "): it did not answer in time (last error: " + last.getMessage() + "). Last lines of its log:\n" + logTail());
            }
            LocalNode.sleep(100);
        }
    }

    @Override
    public void kill() {
        changed = true;
        if (state == State.KILLED) {
            return;
        }
        if (state == State.FROZEN) {
            // Older engines refuse to kill a paused container.
            docker("unpause", d -> d.unpauseContainerCmd(container.getContainerId()).exec());
        }
        docker("kill", d -> d.killContainerCmd(container.getContainerId()).exec());
        state = State.KILLED;
    }

    @Override
    public void freeze() {
        requireRunning("freeze");
        changed = true;
        docker("pause", d -> d.pauseContainerCmd(container.getContainerId()).exec());
        state = State.FROZEN;
    }

    @Override
    public void thaw() {
        if (state != State.FROZEN) {
            throw new IllegalStateException("cannot thaw " + name + ": it is " + state + ", not FROZEN");
        }
        docker("unpause", d -> d.unpauseContainerCmd(container.getContainerId()).exec());
        state = State.RUNNING;
    }

    @Override
    public void restart() {
        changed = true;
        if (state != State.KILLED && !container.isRunning()) {
            state = State.KILLED; // it died by itself (out of memory, a crash): nothing to kill
        }
        kill();
        docker("start", d -> d.startContainerCmd(container.getContainerId()).exec());
        long deadline = System.nanoTime() + RESTART_TIMEOUT.toNanos();
        port = awaitMappedPort(deadline);
        InetSocketAddress address = new InetSocketAddress(host, port);
        for (DelayProxy proxy : inbound) {
            proxy.target(address);
        }
        awaitReady(deadline);
        state = State.RUNNING;
    }

    @Override
    void bringBack() {
        if (state == State.FROZEN) {
            thaw();
        } else if (state == State.KILLED) {
            restart();
        }
    }

    /**
     * The host port Docker gave 3306 this time. GenericContainer caches the first start's mapping,
     * so ask Docker again; the binding appears a moment after the start.
     */
    private int awaitMappedPort(long deadlineNanos) {
        while (true) {
            Ports.Binding[] bindings = docker("inspect", d -> d.inspectContainerCmd(container.getContainerId()).exec())
                    .getNetworkSettings().getPorts().getBindings().get(ExposedPort.tcp(SERVER_PORT));
            if (bindings != null) {
                for (Ports.Binding binding : bindings) {
                    if (binding != null && binding.getHostPortSpec() != null && !binding.getHostPortSpec().isEmpty()) {
                        return Integer.parseInt(binding.getHostPortSpec());
                    }
                }
            }
            if (System.nanoTime() - deadlineNanos > 0) {
                throw new TopologyException("cannot restart " + name + ": Docker mapped no host port to " + SERVER_PORT + " after the start. Last lines of its log:\n" + logTail());
            }
            LocalNode.sleep(50);
        }
    }

    /** Removes the container and its anonymous volume. Safe on a killed or paused container. */
    void stop() {
        try {
            container.stop();
        } catch (RuntimeException e) {
            // the engine went away, or the container already did; Ryuk removes what is left
        }
    }

    String logTail() {
        try {
            String[] lines = container.getLogs().split("\n");
            int from = Math.max(0, lines.length - 25);
            return String.join("\n", Arrays.asList(lines).subList(from, lines.length));
        } catch (RuntimeException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private <T> T docker(String command, Function<DockerClient, T> call) {
        try {
            return call.apply(container.getDockerClient());
        } catch (RuntimeException e) {
            throw new TopologyException("docker " + command + " of " + name + " (container " + shortId() + ") failed: " + e.getMessage(), e);
        }
    }

    private String shortId() {
        String id = container.getContainerId();
        return id == null ? "not created" : id.substring(0, Math.min(12, id.length()));
    }

    private void requireRunning(String operation) {
        if (state != State.RUNNING) {
            throw new IllegalStateException("cannot " + operation + " " + name + ": it is " + state);
        }
    }
}
