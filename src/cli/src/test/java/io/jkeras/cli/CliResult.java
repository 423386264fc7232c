package io.jkeras.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

/** One run of the command line in this JVM ({@link Main#run}): its exit code, standard output and standard error. */
public record CliResult(int code, String out, String err) {
    public static CliResult run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new CliResult(code, out.toString(), err.toString());
    }

    /** The lines of standard error that are not blank. */
    public List<String> errLines() { return err.lines().filter(l -> !l.isBlank()).toList(); }
}
