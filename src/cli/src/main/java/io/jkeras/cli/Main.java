package io.jkeras.cli;

import io.jkeras.exceptions.JKerasException;
import io.jkeras.text.PathNames;
import io.jkeras.text.Printable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * The {@code jkeras} command line. Exit codes: 0 success, 1 a check failed (verify), 2 bad usage
 * or bad input (a one-line message, no stack trace), 3 an internal error.
 */
@Command(name = "jkeras", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Keras recurrent models on the JVM: inspect, run and check Keras model files.",
        subcommands = {SummaryCommand.class, WeightsCommand.class, PredictCommand.class, VerifyCommand.class,
                TrainCommand.class, ConvertCommand.class, GoldenCommand.class, BenchCommand.class, ServeCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    public static final int CHECK_FAILED = 1;
    public static final int USER_ERROR = 2;
    public static final int INTERNAL_ERROR = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: "
                + String.join(", ", spec.subcommands().keySet().stream().filter(n -> !n.equals("help")).toList()));
    }

    /**
     * The library's System.Logger lines (the kernel choice) are for services; the command line says
     * what it does itself. Held in a field: java.util.logging keeps loggers only weakly.
     */
    private static final java.util.logging.Logger LIBRARY_LOG = java.util.logging.Logger.getLogger("io.jkeras");

    public static void main(String[] args) {
        LIBRARY_LOG.setLevel(java.util.logging.Level.SEVERE);
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /**
     * Runs the CLI with the given streams and returns the exit code (for tests). Both streams are
     * wrapped in {@link Printable#terminal}, so no control sequence from a file or an argument
     * reaches the terminal, and every error is one line: {@code jkeras: error: ...} (bad input,
     * exit 2), {@code jkeras: ...} (bad usage, exit 2, with where to find help on the same line).
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        PrintWriter o = new PrintWriter(Printable.terminal(out), true);
        PrintWriter e = new PrintWriter(Printable.terminal(err), true);
        try {
            return execute(args, o, e);
        } finally {
            o.flush();
            e.flush();
        }
    }

    private static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        // help in plain text: the terminal writer would show colour sequences as escapes
        cl.setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
        // an argument starting with '@' is a file name (a model called @best.h5), never a file of more arguments
        cl.setExpandAtFiles(false);
        // a file name the JVM cannot encode (no UTF-8 locale): say what to do, in one line
        cl.registerConverter(java.nio.file.Path.class, s -> {
            try {
                return java.nio.file.Path.of(s);
            } catch (java.nio.file.InvalidPathException e) {
                throw new CommandLine.TypeConversionException(PathNames.unencodable(e));
            }
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof JKerasException || ex instanceof java.io.IOException
                    || ex instanceof java.io.UncheckedIOException) {
                err.println("jkeras: error: " + Printable.escape(ex.getMessage()));
                return USER_ERROR;
            }
            if (invalidPath(ex) != null) {
                err.println("jkeras: error: " + PathNames.unencodable(invalidPath(ex)));
                return USER_ERROR;
            }
            err.println("jkeras: internal error: " + Printable.escape(ex));
            java.io.StringWriter trace = new java.io.StringWriter();
            ex.printStackTrace(new PrintWriter(trace));
            trace.toString().lines().skip(1).forEach(l -> err.println(Printable.escape(l)));
            return INTERNAL_ERROR;
        });
        cl.setParameterExceptionHandler((ex, args2) -> {
            String name = ex.getCommandLine().getCommandSpec().qualifiedName();
            String message = Printable.escape(ex.getMessage());
            err.println("jkeras: " + message + (message.endsWith(".") ? "" : ".")
                    + " Try '" + name + " --help'.");
            return USER_ERROR;
        });
        return cl.execute(args);
    }

    /** The InvalidPathException behind {@code t} (a file name the JVM cannot encode), or null. */
    private static java.nio.file.InvalidPathException invalidPath(Throwable t) {
        for (int depth = 0; t != null && depth < 8; t = t.getCause(), depth++) {
            if (t instanceof java.nio.file.InvalidPathException ip) return ip;
        }
        return null;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            String choice = System.getProperty("jkeras.launcher.java");
            return new String[]{"jkeras " + (v == null ? "(development build)" : v),
                    "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ") at "
                            + System.getProperty("java.home") + (choice == null ? "" : ": " + choice),
                    io.jkeras.kernels.Kernels.summary()};
        }
    }
}
