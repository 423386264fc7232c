package io.jkeras.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jkeras.fixtures.FixtureCase;
import io.jkeras.util.DirectorySnapshot;
import io.jkeras.util.TerminalText;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The shared table of command-line misuse cases: every {@code fixtures/bad/cli/*.json} (schema in
 * fixtures/bad/cli/README.md), one dynamic test per case. Each case runs in-process through
 * {@link Main#run} in a fresh temporary directory, under a 20 s hang guard, and must give its exit
 * code; for exit 2 exactly one line on stderr, starting {@code jkeras: }, holding every fragment;
 * no raw control character on either stream; and afterwards every file under the directory as it
 * was, with no new file but those the case lists in {@code created}.
 */
class BadCliCasesTest {
    private static final Duration HANG_GUARD = Duration.ofSeconds(20);
    private static final Set<String> KEYS = Set.of("name", "case", "setup", "args", "exit", "stderr_contains",
            "stdout_contains", "created");

    static Path repo() { return FixtureCase.root().getParent(); }

    @TestFactory
    Stream<DynamicTest> everyCaseBehavesAsItsTableSays() throws IOException {
        Path dir = FixtureCase.root().resolve("bad/cli");
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        }
        assertThat(files).as("json files in " + dir).isNotEmpty();
        List<DynamicTest> tests = new ArrayList<>();
        Set<String> names = new HashSet<>();
        ObjectMapper json = new ObjectMapper();
        for (Path f : files) {
            JsonNode cases = json.readTree(f.toFile());
            assertThat(cases.isArray()).as(f + " must hold a JSON array").isTrue();
            for (JsonNode c : cases) {
                String name = c.path("name").asText("");
                assertThat(name).as(f + ": a case without a name").isNotBlank();
                assertThat(names.add(name)).as(f + ": case name '" + name + "' is used twice").isTrue();
                tests.add(DynamicTest.dynamicTest(f.getFileName() + ": " + name, f.toUri(), () -> check(f, c)));
            }
        }
        return tests.stream();
    }

    private static void check(Path file, JsonNode c) throws Exception {
        for (Iterator<String> it = c.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            assertThat(KEYS).as(file + ": unknown key '" + k + "' (allowed: " + KEYS + ")").contains(k);
        }
        assertThat(c.path("args").isArray()).as("args must be an array").isTrue();
        assertThat(c.path("exit").isInt()).as("exit must be an integer").isTrue();
        Path tmp = Files.createTempDirectory("jkeras-badcli");
        try {
            setup(c.path("setup"), tmp);
            Map<String, String> before = DirectorySnapshot.of(tmp);
            List<String> args = new ArrayList<>();
            for (JsonNode a : c.path("args")) args.add(substitute(a.asText(), tmp));
            StringWriter out = new StringWriter(), err = new StringWriter();
            int code = assertTimeoutPreemptively(HANG_GUARD,
                    () -> Main.run(args.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true)),
                    "no exit within " + HANG_GUARD.toSeconds() + " s");
            String what = c.path("case").asText() + "\nargs: " + args + "\nstdout: " + out + "\nstderr: " + err;

            assertThat(code).as("exit code of " + what).isEqualTo(c.path("exit").asInt());
            List<String> errLines = err.toString().lines().toList();
            if (code == Main.USER_ERROR) {
                assertThat(errLines).as("stderr of an exit 2 is one line: " + what).hasSize(1);
                assertThat(errLines.get(0)).as(what).startsWith("jkeras: ");
            }
            assertThat(TerminalText.rawControls(err.toString())).as("raw control characters on stderr: " + what)
                    .isEmpty();
            assertThat(TerminalText.rawControls(out.toString())).as("raw control characters on stdout: " + what)
                    .isEmpty();
            for (JsonNode s : c.path("stderr_contains")) assertThat(err.toString()).as(what)
                    .contains(substitute(s.asText(), tmp));
            for (JsonNode s : c.path("stdout_contains")) assertThat(out.toString()).as(what)
                    .contains(substitute(s.asText(), tmp));

            List<Path> created = new ArrayList<>();
            for (JsonNode p : c.path("created")) created.add(Path.of(p.asText()).normalize());
            Map<String, String> after = DirectorySnapshot.of(tmp);
            for (Map.Entry<String, String> e : before.entrySet()) {
                if (isCreated(e.getKey(), created)) continue;
                assertThat(after.get(e.getKey())).as(e.getKey() + " changed or removed: " + what)
                        .isEqualTo(e.getValue());
            }
            for (String p : after.keySet()) {
                if (!before.containsKey(p)) assertThat(isCreated(p, created))
                        .as("new file " + p + " left behind: " + what).isTrue();
            }
        } finally {
            DirectorySnapshot.delete(tmp);
        }
    }

    /** A path the case lets the command create or replace: one listed in {@code created}, or inside one. */
    private static boolean isCreated(String rel, List<Path> created) {
        Path p = Path.of(rel);
        return created.stream().anyMatch(p::startsWith);
    }

    // ---------------------------------------------------------------- setup

    private static void setup(JsonNode steps, Path tmp) throws Exception {
        for (JsonNode s : steps) {
            Path to = s.has("to") ? inside(tmp, s.path("to").asText()) : null;
            if (s.has("copy")) {
                Path from = repo().resolve(s.path("copy").asText());
                assertThat(from).as("copy source").exists();
                copy(from, to);
            } else if (s.has("write")) {
                Files.createDirectories(to.getParent());
                Files.writeString(to, substitute(s.path("write").asText(), tmp));
            } else if (s.has("mkdir")) {
                Files.createDirectories(inside(tmp, s.path("mkdir").asText()));
            } else if (s.has("mkfifo")) {
                Path fifo = inside(tmp, s.path("mkfifo").asText());
                Files.createDirectories(fifo.getParent());
                int rc;
                try {
                    rc = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor();
                } catch (IOException e) {
                    rc = -1;
                }
                assumeTrue(rc == 0, "mkfifo is not available here");
            } else if (s.has("symlink")) {
                Files.createDirectories(to.getParent());
                try {
                    Files.createSymbolicLink(to, Path.of(substitute(s.path("symlink").asText(), tmp)));
                } catch (UnsupportedOperationException | IOException e) {
                    assumeTrue(false, "symbolic links are not available here: " + e);
                }
            } else {
                throw new AssertionError("unknown setup step " + s + " (copy, write, mkdir, mkfifo, symlink)");
            }
        }
    }

    private static Path inside(Path tmp, String rel) {
        Path p = tmp.resolve(rel).normalize();
        assertThat(p.startsWith(tmp)).as(rel + " must stay inside {tmp}").isTrue();
        return p;
    }

    private static String substitute(String s, Path tmp) {
        return s.replace("{tmp}", tmp.toString()).replace("{fixtures}", FixtureCase.root().toString());
    }

    private static void copy(Path from, Path to) throws IOException {
        if (Files.isDirectory(from)) {
            try (Stream<Path> s = Files.walk(from)) {
                for (Path p : s.toList()) {
                    Path q = to.resolve(from.relativize(p).toString());
                    if (Files.isDirectory(p)) Files.createDirectories(q);
                    else Files.copy(p, q, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } else {
            Files.createDirectories(to.getParent());
            Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING); // a later step may replace a copied file
        }
    }
}
