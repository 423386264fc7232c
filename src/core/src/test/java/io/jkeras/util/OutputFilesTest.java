package io.jkeras.util;

import io.jkeras.exceptions.InputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The command line's output rules: all or nothing, --force, special files, inputs never overwritten. */
class OutputFilesTest {
    @TempDir
    Path dir;

    private static byte[] bytes(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void commitWritesEveryOutputAndLeavesNoTemporary() throws IOException {
        Path a = dir.resolve("a.npy"), b = dir.resolve("b.npy");
        try (OutputFiles f = OutputFiles.create(false)) {
            f.add("-o", a);
            f.add("-o", b);
            f.write(a, o -> o.write(bytes("A")));
            f.write(b, o -> o.write(bytes("B")));
            assertThat(a).as("nothing in place before the commit").doesNotExist();
            f.commit();
        }
        assertThat(a).hasBinaryContent(bytes("A"));
        assertThat(b).hasBinaryContent(bytes("B"));
        assertThat(names()).containsExactly("a.npy", "b.npy");
    }

    @Test
    void aFailingWriterLeavesNoOutputAndTheOldFilesIntact() throws IOException {
        Path a = dir.resolve("a.npy"), b = dir.resolve("b.npy"), c = dir.resolve("c.npy");
        Files.write(a, bytes("old a"));
        assertThatThrownBy(() -> {
            try (OutputFiles f = OutputFiles.create(true)) {
                f.add("-o", a);
                f.add("-o", b);
                f.add("-o", c);
                f.write(a, o -> o.write(bytes("new a")));
                f.write(b, o -> o.write(bytes("new b")));
                f.write(c, o -> { o.write(bytes("half")); throw new IOException("disk full"); });
                f.commit();
            }
        }).isInstanceOf(IOException.class).hasMessage("disk full");
        assertThat(a).hasBinaryContent(bytes("old a"));
        assertThat(names()).containsExactly("a.npy");
    }

    @Test
    void aMoveFailingMidwayPutsTheEarlierTargetsBack() throws IOException {
        Path a = dir.resolve("a.npy"), b = dir.resolve("b.npy"), c = dir.resolve("c.npy");
        Files.write(a, bytes("old a"));
        try (OutputFiles f = OutputFiles.create(true)) {
            f.add("-o", a);
            f.add("-o", b);
            f.add("-o", c);
            f.write(a, o -> o.write(bytes("new a")));
            f.write(b, o -> o.write(bytes("new b")));
            Path staged = f.stage(c); // staged but never written: its move fails
            assertThat(staged).doesNotExist();
            assertThatThrownBy(f::commit).isInstanceOf(IOException.class);
        }
        assertThat(a).as("replaced, then put back").hasBinaryContent(bytes("old a"));
        assertThat(names()).containsExactly("a.npy");
    }

    @Test
    void anExistingFileIsReplacedOnlyWithForce() throws IOException {
        assumePosix();
        Path a = dir.resolve("a.npy");
        Files.write(a, bytes("old"));
        assertThatThrownBy(() -> OutputFiles.create(false).add("-o", a)).isInstanceOf(InputException.class)
                .hasMessage("-o " + a + ": exists; pass --force to replace it");
        Files.setPosixFilePermissions(a, PosixFilePermissions.fromString("rw-rw----"));
        try (OutputFiles f = OutputFiles.create(true)) {
            f.add("-o", a);
            f.write(a, o -> o.write(bytes("new")));
            f.commit();
        }
        assertThat(a).hasBinaryContent(bytes("new"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(a))).as("permissions kept")
                .isEqualTo("rw-rw----");
    }

    @Test
    void aNewFileGetsThePermissionsTheUmaskGives() throws IOException {
        assumePosix();
        Path plain = Files.createFile(dir.resolve("plain"));
        Path a = dir.resolve("a.npy");
        try (OutputFiles f = OutputFiles.create(false)) {
            f.add("-o", a);
            f.write(a, o -> o.write(bytes("x")));
            f.commit();
        }
        assertThat(Files.getPosixFilePermissions(a)).isEqualTo(Files.getPosixFilePermissions(plain));
    }

    @Test
    void anInputIsNeverAnOutputHoweverItIsSpelled() throws IOException {
        assumePosix();
        Path model = Files.write(dir.resolve("m.h5"), bytes("model"));
        Path link = Files.createSymbolicLink(dir.resolve("link.npy"), model.getFileName());
        Path hard = Files.createLink(dir.resolve("hard.npy"), model);
        Path sub = Files.createDirectory(dir.resolve("sub"));
        for (Path out : List.of(model, link, hard, sub.resolve("../m.h5"))) {
            assertThatThrownBy(() -> OutputFiles.create(true).inputs(List.of(model)).add("-o", out))
                    .as(out.toString()).isInstanceOf(InputException.class)
                    .hasMessageContaining("is also an input of this command");
        }
        assertThat(model).hasBinaryContent(bytes("model"));
    }

    @Test
    void theSameOutputTwiceIsRefused() {
        OutputFiles f = OutputFiles.create(false);
        f.add("-o", dir.resolve("y.npy"));
        assertThatThrownBy(() -> f.add("-o", dir.resolve("sub/../y.npy"))).isInstanceOf(InputException.class)
                .hasMessageContaining("is given twice as an output");
    }

    @Test
    void specialFilesAreNeverReplaced() throws Exception {
        Path d = Files.createDirectory(dir.resolve("d"));
        assertThatThrownBy(() -> OutputFiles.create(true).add("-o", d)).hasMessageContaining("is a directory");
        Path devNull = Path.of("/dev/null");
        if (Files.exists(devNull)) {
            assertThatThrownBy(() -> OutputFiles.create(true).add("-o", devNull))
                    .hasMessage("-o /dev/null: is a character device; jkeras writes only regular files and never"
                    + " replaces "
                            + "a character device");
        }
        Path fifo = dir.resolve("fifo");
        assumeTrue(mkfifo(fifo), "mkfifo is not available here");
        assertThatThrownBy(() -> OutputFiles.create(true).add("-o", fifo)).hasMessageContaining("is a FIFO");
        assertThat(FileKind.of(fifo)).isEqualTo(FileKind.FIFO);
    }

    @Test
    void aSymbolicLinkIsFollowedAndStays() throws IOException {
        assumePosix();
        Path real = Files.write(dir.resolve("real.npy"), bytes("old"));
        Path link = Files.createSymbolicLink(dir.resolve("link.npy"), real.getFileName());
        try (OutputFiles f = OutputFiles.create(true)) {
            f.add("-o", link);
            f.write(link, o -> o.write(bytes("new")));
            f.commit();
        }
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(real).hasBinaryContent(bytes("new"));
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling.npy"), Path.of("nowhere.npy"));
        assertThatThrownBy(() -> OutputFiles.create(true).add("-o", dangling))
                .hasMessageContaining("is a symbolic link to nowhere.npy, which does not exist");
    }

    @Test
    void aMissingDirectoryIsRefusedBeforeAnyWork() {
        assertThatThrownBy(() -> OutputFiles.create(false).add("--plot", dir.resolve("missing/loss.svg")))
                .isInstanceOf(InputException.class).hasMessageContaining("--plot")
                .hasMessageContaining("does not exist");
    }

    @Test
    void aDirectoryOutputReplacesAnOldOneWholeAndRefusesOneHoldingAnInput() throws IOException {
        assumePosix();
        Path cas = Files.createDirectory(dir.resolve("case"));
        Files.write(cas.resolve("old.npy"), bytes("old"));
        Path input = Files.write(cas.resolve("x0.npy"), bytes("x"));
        assertThatThrownBy(() -> OutputFiles.create(false).addDirectory("--dir", cas))
                .hasMessageContaining("not empty");
        assertThatThrownBy(() -> OutputFiles.create(true).inputs(List.of(input)).addDirectory("--dir", cas))
                .hasMessageContaining("holds an input of this command");
        Path plain = Files.createDirectory(dir.resolve("plain"));
        try (OutputFiles f = OutputFiles.create(true)) {
            f.addDirectory("--dir", cas);
            Path tmp = f.stage(cas);
            assertThat(Files.getPosixFilePermissions(tmp)).as("umask applies")
                    .isEqualTo(Files.getPosixFilePermissions(plain));
            Files.write(tmp.resolve("y0.npy"), bytes("y"));
            f.commit();
        }
        try (Stream<Path> s = Files.list(cas)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("y0.npy");
        }
        assertThat(names()).containsExactly("case", "plain");
    }

    private void assumePosix() {
        assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"), "needs a POSIX file system");
    }

    static boolean mkfifo(Path p) {
        try {
            return new ProcessBuilder("mkfifo", p.toString()).start().waitFor() == 0 && Files.exists(p);
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
