package io.jkeras.cli;

import io.jkeras.golden.Comparison;
import io.jkeras.golden.GoldenCase;
import io.jkeras.golden.GoldenRunner;
import io.jkeras.model.Model;
import io.jkeras.util.Printable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code jkeras verify MODEL --golden DIR}: exit 0 when every output is within tolerance, else 1. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Run MODEL on a golden case (DIR with x0.npy…, y0.npy…) and compare with the expected outputs.")
final class VerifyCommand implements Callable<Integer> {
    @Mixin
    ModelArgs args = new ModelArgs();

    @Option(names = "--golden", paramLabel = "DIR", required = true, description = "Golden case directory.")
    Path golden;

    @Option(names = "--atol", paramLabel = "A", description = "Absolute tolerance (default: the case's, else 1e-5).")
    Double atol;

    @Option(names = "--rtol", paramLabel = "R", description = "Relative tolerance (default: the case's, else 0).")
    Double rtol;

    @Option(names = "--report", paramLabel = "HTML", description = "Also write an HTML report with a plot of the error over timesteps per output.")
    Path report;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Model m = args.load();
        GoldenCase c = GoldenCase.open(golden);
        double a = atol != null ? atol : c.atol() != null ? c.atol() : 1e-5;
        double r = rtol != null ? rtol : c.rtol() != null ? c.rtol() : 0.0;
        List<GoldenRunner.Outcome> outcomes = GoldenRunner.runDetailed(m, c, a, r);
        List<Comparison> results = outcomes.stream().map(GoldenRunner.Outcome::comparison).toList();
        var out = spec.commandLine().getOut();
        boolean ok = true;
        for (Comparison cmp : results) {
            out.println(Printable.escape(cmp.describe()));
            ok &= cmp.passed();
        }
        out.println(Printable.escape(ok ? "PASS: " + results.size() + " output(s) match " + golden : "FAIL: outputs differ from " + golden));
        if (report != null) {
            try {
                io.jkeras.golden.HtmlReport.write(report, args.model.toString(), c, outcomes);
            } catch (java.io.IOException e) {
                throw new io.jkeras.JKerasException(report.toString(), null, null, "cannot write the report: " + e.getMessage(), e);
            }
            out.println(Printable.escape("report: " + report));
        }
        out.flush();
        return ok ? 0 : Main.CHECK_FAILED;
    }
}
