package io.jkeras.cli;

import io.jkeras.fixtures.FixtureCase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Which java the launcher runs: JKERAS_JAVA when set, else the newest JDK of 17 or later among
 * JAVA_HOME, java on PATH and the installed JDKs (JKERAS_JDK_DIRS). Stand-in JDKs, each a {@code
 * release} file and a {@code bin/java} script that prints its own version and the launcher's
 * account of the choice, so that no JVM starts.
 */
class LauncherJavaTest {
    @TempDir
    Path tmp;
    private Path root;
    private Path jdks;
    private Path pathBin;

    @BeforeEach
    void launcherWithStandInJdks() throws IOException {
        Path launcher = FixtureCase.root().getParent().resolve("jkeras");
        assumeTrue(Files.isRegularFile(launcher) && Files.isExecutable(Path.of("/bin/bash")),
                "needs the bash launcher ./jkeras");
        root = Files.createDirectories(tmp.resolve("root"));
        Path jar = Files.createDirectories(root.resolve("src/cli/target")).resolve("jkeras-cli.jar");
        Files.writeString(jar, "stands in for the built jar: the launcher only checks that it exists");
        Files.copy(launcher, root.resolve("jkeras"));
        jdks = Files.createDirectories(tmp.resolve("jdks"));
        for (String v : List.of("11.0.22", "17.0.9", "21.0.9", "21.0.10")) standInJdk(jdks.resolve("jdk-" + v), v);
        // a java on PATH with no release file beside it: the launcher asks it for its version
        pathBin = Files.createDirectories(tmp.resolve("path-bin"));
        script(pathBin.resolve("java"), "if [ \"$1\" = -version ]; then"
                + " echo 'openjdk version \"19.0.2\" 2023-01-17' >&2; exit 0; fi\necho \"ran 19.0.2 $*\"\n");
    }

    private static void standInJdk(Path home, String version) throws IOException {
        Files.createDirectories(home.resolve("bin"));
        Files.writeString(home.resolve("release"), "JAVA_VERSION=\"" + version + "\"\nMODULES=\"java.base\"\n");
        script(home.resolve("bin/java"), "echo \"ran " + version + " $*\"\n");
    }

    private static void script(Path p, String body) throws IOException {
        Files.writeString(p, "#!/bin/sh\n" + body);
        assertThat(p.toFile().setExecutable(true)).isTrue();
    }

    private CliResult launch(Map<String, String> extraEnv) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", pathBin + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        env.put("HOME", tmp.toString());
        env.put("JKERAS_JDK_DIRS", jdks.toString());
        env.putAll(extraEnv);
        return LocaleTest.exec(List.of("/bin/bash", root.resolve("jkeras").toString(), "--version"), env);
    }

    @Test
    void withoutJkerasJavaTheNewestJdkOfAllFoundRuns() throws Exception {
        CliResult r = launch(Map.of());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("ran 21.0.10 ")
                .contains("-Djkeras.launcher.java=the newest of 4 JDKs (17 or later) found")
                .endsWith("-jar " + root.resolve("src/cli/target/jkeras-cli.jar") + " --version\n");
    }

    @Test
    void aNewerJavaHomeWinsAndOlderOnesDoNot() throws Exception {
        Path newer = tmp.resolve("elsewhere/jdk-26");
        standInJdk(newer, "26.0.1");
        assertThat(launch(Map.of("JAVA_HOME", newer.toString())).out()).startsWith("ran 26.0.1 ");
        Path older = tmp.resolve("elsewhere/jdk-17");
        standInJdk(older, "17.0.1");
        assertThat(launch(Map.of("JAVA_HOME", older.toString())).out()).startsWith("ran 21.0.10 ");
    }

    @Test
    void jkerasJavaIsRunAsGivenEvenWhenNewerJdksExist() throws Exception {
        CliResult r = launch(Map.of("JKERAS_JAVA", jdks.resolve("jdk-17.0.9/bin/java").toString()));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("ran 17.0.9 ").contains("-Djkeras.launcher.java=JKERAS_JAVA");
    }

    @Test
    void jdksOlderThan17AreNeverChosen() throws Exception {
        Path dirs = Files.createDirectories(tmp.resolve("old-and-17"));
        standInJdk(dirs.resolve("jdk-11"), "11.0.22");
        standInJdk(dirs.resolve("jdk-17"), "17.0.9");
        script(pathBin.resolve("java"), "if [ \"$1\" = -version ]; then echo 'java version \"1.8.0_392\"' >&2;"
                + " exit 0; fi\necho \"ran 1.8 $*\"\n");
        CliResult r = launch(Map.of("JKERAS_JDK_DIRS", dirs.toString()));
        assertThat(r.out()).startsWith("ran 17.0.9 ").contains("the newest of 1 JDKs (17 or later) found");
    }
}
