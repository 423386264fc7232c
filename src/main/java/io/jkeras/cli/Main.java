package io.jkeras.cli;

import io.jkeras.JKerasException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * The {@code jkeras} command line. Exit codes: 0 success, 1 a check failed (verify), 2 bad usage
 * or bad input (a one-line message, no stack trace), 3 an internal error.
 */
@Command(name = "jkeras", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Keras recurrent models on the JVM: inspect, run and check Keras model files.",
        subcommands = {SummaryCommand.class, WeightsCommand.class, PredictCommand.class, VerifyCommand.class, TrainCommand.class, ConvertCommand.class, GoldenCommand.class, BenchCommand.class,
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

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the CLI with the given streams and returns the exit code (for tests). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof JKerasException) {
                err.println("jkeras: error: " + ex.getMessage());
                return USER_ERROR;
            }
            if (ex instanceof java.io.IOException || ex instanceof java.io.UncheckedIOException) {
                err.println("jkeras: error: " + ex.getMessage());
                return USER_ERROR;
            }
            err.println("jkeras: internal error: " + ex);
            ex.printStackTrace(err);
            return INTERNAL_ERROR;
        });
        cl.setParameterExceptionHandler((ex, args2) -> {
            err.println("jkeras: " + ex.getMessage());
            err.println("Try 'jkeras " + (ex.getCommandLine().getCommandName().equals("jkeras") ? "" : ex.getCommandLine().getCommandName() + " ") + "--help'.");
            return USER_ERROR;
        });
        return cl.execute(args);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[]{"jkeras " + (v == null ? "(development build)" : v),
                    "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"};
        }
    }
}
