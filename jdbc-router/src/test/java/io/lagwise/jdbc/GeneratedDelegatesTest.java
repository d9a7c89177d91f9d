package io.lagwise.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generated pass-through classes are checked in; this test runs their generator
 * ({@code jdbc-router/src/build/GenerateDelegates.java}, launched as a single source file by this
 * JDK's {@code java}) into a temporary directory and requires the checked-in files to be exactly its
 * output, so that an edit to either one alone fails the build.
 */
class GeneratedDelegatesTest {

    static final String REGENERATE = "regenerate from the project root with:"
            + " java jdbc-router/src/build/GenerateDelegates.java jdbc-router/src/main/java/io/lagwise/jdbc";

    static final List<String> GENERATED = List.of("DelegatingStatement.java", "DelegatingPreparedStatement.java",
            "DelegatingCallableStatement.java", "ParameterReplay.java");

    @Test
    void checkedInFiles_areExactlyWhatTheGeneratorWrites(@TempDir Path out) throws Exception {
        Path module = moduleDir();
        Path generator = module.resolve("src/build/GenerateDelegates.java");
        Path sources = module.resolve("src/main/java/io/lagwise/jdbc");

        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), generator.toString(), out.toString())
                .redirectErrorStream(true)
                .start();
        String output;
        try {
            // Read before waiting, so that a chatty failure cannot fill the pipe and block the child.
            output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(2, TimeUnit.MINUTES)).as("generator finished within 2 minutes").isTrue();
        } finally {
            p.destroyForcibly();
        }
        assertThat(p.exitValue()).as("generator exit code; its output:%n%s", output).isZero();

        try (Stream<Path> files = Files.list(out)) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .as("files the generator writes (update GENERATED in this test if that changed)")
                    .containsExactlyInAnyOrderElementsOf(GENERATED);
        }
        for (String name : GENERATED) {
            Path checkedIn = sources.resolve(name);
            assertThat(checkedIn).as("%s is missing; %s", checkedIn, REGENERATE).exists();
            long at = Files.mismatch(out.resolve(name), checkedIn);
            assertThat(at).as("%s differs from the generator's output (first difference at byte %d, line %d);"
                    + " never edit it by hand: edit the generator, then %s", checkedIn, at, line(checkedIn, at),
                    REGENERATE).isEqualTo(-1L);
        }
    }

    @Test
    void generator_writesTheSameBytesTwice(@TempDir Path out) throws Exception {
        // Two runs must write the same bytes: no timestamps, no order taken from reflection or from
        // hashes of fresh objects. The other test compares a run in a new JVM with the checked-in
        // files, written by yet another; here the generator is compiled and run in this JVM, which
        // is cheaper than launching it twice more.
        Path generator = moduleDir().resolve("src/build/GenerateDelegates.java");
        Path classes = Files.createDirectory(out.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertThat(javac.run(null, null, null, "-d", classes.toString(), generator.toString())).as("javac").isZero();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
                ClassLoader.getPlatformClassLoader())) {
            Method main = loader.loadClass("GenerateDelegates").getMethod("main", String[].class);
            for (String run : List.of("first", "second")) {
                main.invoke(null, (Object) new String[] {Files.createDirectory(out.resolve(run)).toString()});
            }
        }
        for (String name : GENERATED) {
            assertThat(Files.mismatch(out.resolve("first").resolve(name), out.resolve("second").resolve(name)))
                    .as("%s written twice", name).isEqualTo(-1L);
        }
    }

    /** The jdbc-router module directory: Maven runs tests there; an IDE may run them from the root. */
    static Path moduleDir() {
        Path here = Path.of("").toAbsolutePath();
        for (Path candidate : List.of(here, here.resolve("jdbc-router"))) {
            if (Files.isRegularFile(candidate.resolve("src/build/GenerateDelegates.java"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("cannot find src/build/GenerateDelegates.java from " + here + "; run from the jdbc-router module or the project root");
    }

    /** The 1-based line of a byte offset, for the failure message; 0 when there is no difference. */
    static long line(Path file, long offset) throws IOException {
        if (offset < 0) {
            return 0;
        }
        byte[] bytes = Files.readAllBytes(file);
        long line = 1;
        for (int i = 0; i < Math.min(offset, bytes.length); i++) {
            line += bytes[i] == '\n' ? 1 : 0;
        }
        return line;
    }
}
