package io.jkeras.cli;

import io.jkeras.fixtures.FixtureCase;
import io.jkeras.util.TerminalText;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A model under a non-ASCII path, opened by a JVM started without any locale (LANG, LC_ALL and
 * LC_CTYPE unset, as in many containers): through the launcher it opens, since the launcher picks
 * a UTF-8 locale; started directly, the JVM cannot encode the name, and the error says in one line
 * to set a UTF-8 locale. Both run the CLI from the test class path in a child JVM.
 */
class LocaleTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    private Path modelUnderNonAsciiName() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("ünï 模型"));
        return Files.copy(FixtureCase.root().resolve("keras3/lstm_default/model.h5"), dir.resolve("model.h5"));
    }

    private static String java() { return Path.of(System.getProperty("java.home"), "bin", "java").toString(); }

    /** Runs {@code command} with only the environment {@code env}; returns exit code, stdout, stderr. */
    static CliResult exec(List<String> command, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().clear();
        pb.environment().putAll(env);
        Path out = Files.createTempFile("jkeras-locale", ".out"), err = Files.createTempFile("jkeras-locale", ".err");
        try {
            Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("no exit within " + LIMIT + ": " + command);
            }
            return new CliResult(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static boolean hasUtf8Locale() throws Exception {
        try {
            CliResult r = exec(List.of("locale", "-a"),
                    Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin")));
            return r.out().lines().anyMatch(l -> l.toLowerCase(java.util.Locale.ROOT).matches(".*\\.utf-?8"));
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void withoutALocaleTheErrorSaysToSetAUtf8Locale() throws Exception {
        Path model = modelUnderNonAsciiName();
        CliResult r = exec(List.of(java(), "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "summary",
                model.toString()), Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin")));
        assumeTrue(r.code() != 0,
                "this platform encodes file names in UTF-8 without a locale (e.g. macOS): nothing to report");
        assertThat(r.code()).as(r.err()).isEqualTo(Main.USER_ERROR);
        List<String> lines = r.err().lines().filter(l -> !l.startsWith("WARNING: ")).toList();
        assertThat(lines).hasSize(1);
        assertThat(TerminalText.rawControlsInLine(lines.get(0))).isEmpty();
        assertThat(lines.get(0)).startsWith("jkeras: ").contains("cannot use the path", "LANG", "LC_ALL", "UTF-8");
    }

    @Test
    void theLauncherSetsAUtf8LocaleWhenNoneIsSet() throws Exception {
        Path launcher = FixtureCase.root().getParent().resolve("jkeras");
        assumeTrue(Files.isRegularFile(launcher) && Files.isExecutable(Path.of("/bin/bash")),
                "needs the bash launcher ./jkeras");
        assumeTrue(hasUtf8Locale(), "this system has no UTF-8 locale (locale -a), so the launcher cannot pick one");
        // the launcher runs $JKERAS_JAVA ... -jar JAR ARGS; this stand-in drops "-jar JAR" and runs the CLI from the
        // test class path, so that no jar has to be built
        Path fakeJava = tmp.resolve("java-from-classpath");
        Files.writeString(fakeJava, "#!/bin/sh\nwhile [ \"$1\" != -jar ]; do shift; done\nshift 2\nexec '" + java()
                + "' -cp '"
                + System.getProperty("java.class.path") + "' " + Main.class.getName() + " \"$@\"\n");
        assertThat(fakeJava.toFile().setExecutable(true)).isTrue();
        Path root = Files.createDirectories(tmp.resolve("root"));
        Path jar = Files.createDirectories(root.resolve("src/cli/target")).resolve("jkeras-cli.jar");
        Files.writeString(jar, "stands in for the built jar: the launcher only checks that it exists");
        Files.copy(launcher, root.resolve("jkeras"));
        assertThat(root.resolve("jkeras").toFile().setExecutable(true)).isTrue();

        Path model = modelUnderNonAsciiName();
        List<String> command = new ArrayList<>(
                List.of("/bin/bash", root.resolve("jkeras").toString(), "summary", model.toString()));
        CliResult r = exec(command, Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"),
                "JKERAS_JAVA", fakeJava.toString(), "JKERAS_VECTOR", "0"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("Model: \"sequential\"", "Total params: 200");
    }
}
