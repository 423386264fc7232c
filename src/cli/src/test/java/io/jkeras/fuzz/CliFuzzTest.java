package io.jkeras.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jkeras.cli.Main;
import io.jkeras.util.DirectorySnapshot;
import io.jkeras.util.TerminalText;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Coverage-guided fuzzing (Jazzer) of the command line itself: {@link Main#run} in-process, on
 * argument lists built from the input over copies of small fixtures, the model and the input
 * {@code .npy} mutated by a few bytes. A run must end with exit 0, 1 (only {@code verify}
 * reporting FAIL) or 2; with exit 2 stderr is exactly one line starting {@code jkeras: } (no stack
 * trace); neither stream holds a raw control character; and a run that fails (exit 1 or 2) leaves
 * its directory exactly as it found it: no new file, none changed or removed (but the report of a
 * failed {@code verify --report}, with the directories made for it). Anything else (exit
 * 3, a hang past the per-input bound, an error escaping {@code run}) is a finding.
 *
 * <p>The input, read front to back ({@link #decode}): byte 0 picks the model ({@link #MODELS});
 * then a count (mod 4) of 3-byte patches to the model file (offset high, offset low, value); then a
 * count (mod 3) of patches to {@code x.npy}; then up to 32 argument tokens: a byte {@code k} with
 * the high bit set is the option {@code (k & 0x7f) mod |OPTIONS|} of the list of every option of
 * every command ({@link #OPTIONS}); otherwise the next {@code k mod 64} bytes are a literal
 * argument (UTF-8), in which {@code {model}}, {@code {config}}, {@code {x}}, {@code {y}},
 * {@code {case}}, {@code {exists}}, {@code {dir}} and {@code {tmp}} name the files of the run's
 * directory. Every argument that could name a file is kept inside that directory: a literal that
 * is not a command name, an option or the value of a non-path option becomes {@code {tmp}/r/...}.
 * {@code bench} (timed: seconds per run) and {@code train --epochs} above 20 are skipped.
 * {@link CliFuzzSeeds} writes the seed corpus in this format.
 *
 * <p>In a plain {@code mvn test} every saved input in
 * {@code src/test/resources/io/jkeras/fuzz/CliFuzzTestInputs/commandLine/} runs once; a fuzzing run:
 * {@code JAZZER_FUZZ=1 mvn test -Dtest='CliFuzzTest#commandLine' -Djazzer.internal.arg.0=fuzz ...}
 * (docs/security.md, "Fuzzing"; docs/fuzzing.md).
 */
class CliFuzzTest {
    private static final Duration PER_INPUT = Duration.ofSeconds(20);
    private static final boolean FUZZING = System.getenv("JAZZER_FUZZ") != null && !System.getenv("JAZZER_FUZZ")
            .isEmpty();
    private static final Path SCRATCH = io.jkeras.TestScratch.create("jkeras-clifuzz");
    private static final AtomicLong RUNS = new AtomicLong();

    /** A model to run on: its file (and architecture JSON for a weights-only file) and its golden case. */
    record ModelPick(String fixture, String file, String config) {}

    static final List<ModelPick> MODELS = List.of(
            new ModelPick("keras3/lstm_default", "model.h5", null),
            new ModelPick("keras3/lstm_default", "model.keras", null),
            new ModelPick("keras3/gru_default", "model.weights.h5", "config.json"),
            new ModelPick("keras3/graph_two_in_two_out", "model.h5", null),
            new ModelPick("keras3/embedding_mask_lstm", "model.keras", null),
            new ModelPick("bad/term", "hostile_names.h5", null));

    /** How an option's value is used: a file name, another value, or none (a flag). */
    enum Kind { PATH, VALUE, FLAG }

    /** Every option name of every command, sorted, with how its value is used. */
    static final Map<String, Kind> OPTION_KINDS = optionKinds();
    static final List<String> OPTIONS = List.copyOf(OPTION_KINDS.keySet());

    private static Map<String, Kind> optionKinds() {
        Map<String, Kind> m = new TreeMap<>();
        List<CommandLine> todo = new ArrayList<>(List.of(new CommandLine(new Main())));
        while (!todo.isEmpty()) {
            CommandLine c = todo.remove(todo.size() - 1);
            todo.addAll(c.getSubcommands().values());
            for (CommandLine.Model.OptionSpec o : c.getCommandSpec().options()) {
                boolean path = o.type() == Path.class || List.of(o.auxiliaryTypes()).contains(Path.class);
                Kind k = path ? Kind.PATH : o.arity().max() == 0 ? Kind.FLAG : Kind.VALUE;
                for (String n : o.names()) m.merge(n, k, (a, b) -> a == Kind.PATH || b == Kind.PATH ? Kind.PATH : a);
            }
        }
        return m;
    }

    @FuzzTest(maxDuration = "10m")
    void commandLine(byte[] data) throws IOException {
        Path dir = Files.createDirectory(SCRATCH.resolve("run" + RUNS.incrementAndGet()));
        try {
            Input in = decode(data, dir);
            if (in == null) return;
            Map<String, String> before = DirectorySnapshot.of(dir);
            StringWriter out = new StringWriter(), err = new StringWriter();
            int code = FUZZING ? run(in.args, out, err)
                    : assertTimeoutPreemptively(PER_INPUT, () -> run(in.args, out, err));
            check(in.args, code, out.toString(), err.toString(), dir, before, new TreeMap<>(DirectorySnapshot.of(dir)));
        } finally {
            DirectorySnapshot.delete(dir);
        }
    }

    private static int run(List<String> args, StringWriter out, StringWriter err) {
        return Main.run(args.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
    }

    /**
     * Each seed decodes to the command line it was written from and gives its exit code: the decoder reaches every
     * command.
     */
    @org.junit.jupiter.api.Test
    void everySeedRunsItsCommand() throws IOException {
        for (CliFuzzSeeds.Seed seed : CliFuzzSeeds.SEEDS) {
            Path dir = Files.createDirectory(SCRATCH.resolve("seed-" + seed.name()));
            try {
                Input in = decode(CliFuzzSeeds.encode(seed), dir);
                org.assertj.core.api.Assertions.assertThat(in).as(seed.name()).isNotNull();
                org.assertj.core.api.Assertions.assertThat(in.args().get(0)).isEqualTo(seed.args().get(0));
                org.assertj.core.api.Assertions.assertThat(in.args()).hasSameSizeAs(seed.args())
                        .noneMatch(a -> a.contains("{"));
                StringWriter out = new StringWriter(), err = new StringWriter();
                int code = assertTimeoutPreemptively(PER_INPUT, () -> run(in.args(), out, err));
                if (seed.exit() >= 0) org.assertj.core.api.Assertions.assertThat(code).as(seed.name() + ": " + err)
                        .isEqualTo(seed.exit());
            } finally {
                DirectorySnapshot.delete(dir);
            }
        }
    }

    /** The oracle: throws (a finding) when the run broke a rule of the class comment. */
    static void check(List<String> args, int code, String out, String err, Path root, Map<String, String> before,
                      Map<String, String> after) {
        String what = "args " + args + "\nexit " + code + "\nstdout: " + out + "\nstderr: " + err;
        boolean verifyFailed = code == Main.CHECK_FAILED && !args.isEmpty() && args.get(0).equals("verify")
                && out.contains("FAIL: ");
        if (code != 0 && !verifyFailed && code != Main.USER_ERROR) throw new AssertionError(
                "exit code not 0, 1 (verify FAIL) or 2: " + what);
        if (code == Main.USER_ERROR) {
            List<String> lines = err.lines().toList();
            if (lines.size() != 1 || !lines.get(0).startsWith("jkeras: ")) throw new AssertionError(
                    "exit 2 without exactly one 'jkeras: ' line: " + what);
        }
        if (!TerminalText.rawControls(out).isEmpty() || !TerminalText.rawControls(err).isEmpty()) {
            throw new AssertionError("raw control characters " + TerminalText.rawControls(out)
                    + TerminalText.rawControls(err) + ": " + what);
        }
        if (verifyFailed) { // the report of a failed check is that command's output: only it may appear
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                String report = a.equals("--report") && i + 1 < args.size() ? args.get(i + 1)
                        : a.startsWith("--report=") ? a.substring(9) : null;
                if (report == null || !report.startsWith(root + "/")) continue;
                // the report, and the directories made for it
                for (Path p = Path.of(report.substring(root.toString().length() + 1)); p != null; p = p.getParent()) {
                    if (!before.containsKey(p.toString())) after.remove(p.toString());
                }
            }
        }
        if (code != 0 && !before.equals(after)) {
            throw new AssertionError("a failed run changed its directory: before " + before.keySet() + ", after "
                    + after.keySet()
                    + (before.keySet().equals(after.keySet()) ? " (a file's content changed)" : "") + ": " + what);
        }
    }

    // ---------------------------------------------------------------- input

    record Input(List<String> args) {}

    /** Lays out the run's directory {@code dir} and builds the argument list; null to skip the input. */
    static Input decode(byte[] data, Path dir) throws IOException {
        Reader r = new Reader(data);
        ModelPick pick = MODELS.get(r.u8() % MODELS.size());
        Path fixture = root().resolve(pick.fixture());
        String ext = pick.file().substring(pick.file().indexOf('.'));
        Path model = dir.resolve("m" + ext);
        Files.write(model, patched(Files.readAllBytes(fixture.resolve(pick.file())), r, 4));
        Path config = null;
        if (pick.config() != null) config = Files.copy(fixture.resolve(pick.config()), dir.resolve("config.json"));
        Path golden = Files.createDirectory(dir.resolve("case"));
        String x0 = Files.isRegularFile(fixture.resolve("x0.npy")) ? "x0.npy" : null;
        for (String f : new String[]{"x0.npy", "x1.npy", "y0.npy", "y1.npy", "case.json"}) {
            if (Files.isRegularFile(fixture.resolve(f))) Files.copy(fixture.resolve(f), golden.resolve(f));
        }
        Path x = dir.resolve("x.npy");
        Files.write(x, patched(x0 == null ? new byte[0] : Files.readAllBytes(fixture.resolve(x0)), r, 3));
        Files.copy(fixture.resolve("y0.npy"), dir.resolve("y.npy"));
        Files.writeString(dir.resolve("exists.h5"), "an existing file");
        Files.createDirectory(dir.resolve("d"));

        Map<String, String> slots = Map.of("{model}", model.toString(), "{config}", config == null
                ? dir.resolve("config.json").toString()
                : config.toString(), "{x}", x.toString(), "{y}", dir.resolve("y.npy").toString(), "{case}",
                        golden.toString(),
                "{exists}", dir.resolve("exists.h5").toString(), "{dir}", dir.resolve("d").toString(), "{tmp}",
                        dir.toString());
        List<String> args = new ArrayList<>();
        Kind pending = null; // the kind of value the previous option takes, if it takes one
        while (r.more() && args.size() < 32) {
            int k = r.u8();
            String token;
            if ((k & 0x80) != 0) {
                token = OPTIONS.get((k & 0x7f) % OPTIONS.size());
            } else {
                String lit = new String(r.bytes(k % 64), StandardCharsets.UTF_8);
                for (Map.Entry<String, String> s : slots.entrySet()) lit = lit.replace(s.getKey(), s.getValue());
                token = confine(lit, args, pending, dir);
            }
            args.add(token);
            pending = token.startsWith("-") && !token.contains("=") ? OPTION_KINDS.get(token) : null;
            if (pending == Kind.FLAG) pending = null;
        }
        if (args.isEmpty() || args.get(0).equals("bench") || epochsAbove(args, 20)) return null;
        return new Input(args);
    }

    /**
     * {@code lit} as an argument that names no file outside {@code dir}: command names (the first
     * argument, and the second after {@code golden} or {@code help}), option names and values of
     * non-path options are kept; anything else (a path) not already inside {@code dir} is moved
     * under {@code dir/r/}.
     */
    static String confine(String lit, List<String> args, Kind pending, Path dir) {
        boolean command = args.isEmpty()
                || (args.size() == 1 && (args.get(0).equals("golden") || args.get(0).equals("help")));
        if (command) return lit;
        if (pending == null && lit.startsWith("-")) {
            int eq = lit.indexOf('=');
            if (eq < 0) return lit;
            String name = lit.substring(0, eq);
            Kind k = OPTION_KINDS.get(name);
            return k == Kind.VALUE ? lit : name + "=" + inside(lit.substring(eq + 1), dir);
        }
        return pending == Kind.VALUE ? lit : inside(lit, dir);
    }

    private static String inside(String p, Path dir) {
        if (p.startsWith(dir + "/") && !p.contains("..")) return p;
        return dir + "/r/" + p.replace("..", "_");
    }

    private static boolean epochsAbove(List<String> args, long max) {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String v = a.equals("--epochs") && i + 1 < args.size() ? args.get(i + 1) : a.startsWith("--epochs=")
                    ? a.substring(9) : null;
            if (v == null) continue;
            try {
                if (Long.parseLong(v.trim()) > max) return true;
            } catch (NumberFormatException e) {
                // not a number: a usage error, which is quick
            }
        }
        return false;
    }

    /** {@code b} with up to {@code (count byte) mod max} bytes overwritten, each by 3 bytes of input. */
    private static byte[] patched(byte[] b, Reader r, int max) {
        int n = r.u8() % max;
        for (int i = 0; i < n; i++) {
            int off = (r.u8() << 8) | r.u8();
            byte v = (byte) r.u8();
            if (b.length > 0) b[off % b.length] = v;
        }
        return b;
    }

    /** Reads the input front to back; zeros past its end. */
    static final class Reader {
        private final byte[] d;
        private int pos;

        Reader(byte[] d) { this.d = d; }

        boolean more() { return pos < d.length; }

        int u8() { return pos < d.length ? d[pos++] & 0xff : 0; }

        byte[] bytes(int n) {
            int m = Math.min(n, d.length - pos);
            byte[] b = java.util.Arrays.copyOfRange(d, pos, pos + m);
            pos += m;
            return b;
        }
    }

    // ---------------------------------------------------------------- files

    static Path root() {
        Path p = Path.of("fixtures");
        if (!Files.isDirectory(p)) p = Path.of(System.getProperty("jkeras.root", ".")).resolve("fixtures");
        return p.toAbsolutePath();
    }
}
