package io.jkeras.util;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Writers never lose data: a child JVM writing a large file through {@link AtomicFiles} is killed
 * (SIGKILL, {@link Process#destroyForcibly}) in the middle of the write, once its temporary file
 * exists and has grown; the old file must be intact byte for byte, and the stale temporary file it
 * leaves must not disturb the next write.
 */
class AtomicWriteKillTest {
    /** 64 chunks of 1 MiB, 100 ms apart: the write would take about 6 s; the kill comes after 2-3 chunks. */
    private static final int CHUNKS = 64;
    private static final int CHUNK = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void killedWriterLeavesTheOldFileIntact() throws Exception {
        Path target = dir.resolve("model.npy");
        byte[] old = new byte[3 << 20];
        new Random(42).nextBytes(old);
        Files.write(target, old);

        Process child = new ProcessBuilder(javaBin(), "-cp", System.getProperty("java.class.path"),
                SlowAtomicWriter.class.getName(), target.toString(), String.valueOf(CHUNKS), String.valueOf(CHUNK),
                        "100")
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        try {
            Path tmp = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> waitForGrowingTemp(child), () -> log());
            child.destroyForcibly();
            assertThat(child.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).as("child ended").isTrue();
            assertThat(Files.readString(dir.resolve("child.log"))).as("killed before it finished")
                    .doesNotContain("done");

            // the target is the old content, byte for byte; the partial temp file is left behind
            assertThat(Files.readAllBytes(target)).as("old file intact").isEqualTo(old);
            assertThat(tmp).exists();
            long partial = Files.size(tmp);
            assertThat(partial).isGreaterThanOrEqualTo(CHUNK).isLessThan((long) CHUNKS * CHUNK);

            // the next write succeeds despite the stale temp file and replaces the target whole
            byte[] fresh = "new content".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            AtomicFiles.write(target, out -> out.write(fresh));
            assertThat(Files.readAllBytes(target)).isEqualTo(fresh);
            assertThat(Files.size(tmp)).as("the stale temp file is not reused").isEqualTo(partial);
            // and a second writer run to completion leaves exactly its content
            Process again = new ProcessBuilder(javaBin(), "-cp", System.getProperty("java.class.path"),
                    SlowAtomicWriter.class.getName(), target.toString(), "3", "4096", "0").redirectErrorStream(true)
                    .redirectOutput(dir.resolve("child2.log").toFile()).start();
            assertThat(again.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(again.exitValue()).as(Files.readString(dir.resolve("child2.log"))).isZero();
            byte[] done = Files.readAllBytes(target);
            assertThat(done).hasSize(3 * 4096);
            for (int i = 0; i < done.length; i++) assertThat(done[i]).isEqualTo((byte) (i / 4096));
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void terminatedWriterRemovesItsTemporaryAndLeavesTheOldFileIntact() throws Exception {
        Path target = dir.resolve("model.npy");
        byte[] old = new byte[1 << 20];
        new Random(7).nextBytes(old);
        Files.write(target, old);
        Process child = new ProcessBuilder(javaBin(), "-cp", System.getProperty("java.class.path"),
                SlowAtomicWriter.class.getName(), target.toString(), String.valueOf(CHUNKS), String.valueOf(CHUNK),
                        "100")
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> waitForGrowingTemp(child), () -> log());
            child.destroy(); // SIGTERM, as Ctrl-C or a service manager stops a command: the shutdown hook runs
            assertThat(child.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).as("child ended").isTrue();
            assertThat(log()).as("stopped before it finished").doesNotContain("done");
            assertThat(Files.readAllBytes(target)).as("old file intact").isEqualTo(old);
            try (Stream<Path> s = Files.list(dir)) {
                assertThat(s.map(p -> p.getFileName().toString()).sorted().toList())
                        .as("no temporary file left").containsExactly("child.log", "model.npy");
            }
        } finally {
            child.destroyForcibly();
        }
    }

    /** The child's temporary file, once it exists and has grown past one chunk between two looks. */
    private Path waitForGrowingTemp(Process child) throws IOException, InterruptedException {
        long seen = -1;
        while (true) {
            assertThat(child.isAlive()).as("child alive: " + log()).isTrue();
            List<Path> temps;
            try (Stream<Path> s = Files.list(dir)) {
                temps = s.filter(p -> p.getFileName().toString().startsWith(".model.npy.")
                        && p.getFileName().toString().contains(".tmp")).toList();
            }
            if (temps.size() == 1) {
                long size = Files.size(temps.get(0));
                if (seen >= CHUNK && size > seen) return temps.get(0);
                seen = size;
            }
            Thread.sleep(20);
        }
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("child.log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java" + (File.separatorChar == '\\' ? ".exe" : ""))
                .toString();
    }
}
