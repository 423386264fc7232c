package io.jkeras.cli;

import io.jkeras.golden.Comparison;
import io.jkeras.golden.GoldenCase;
import io.jkeras.golden.GoldenRunner;
import io.jkeras.golden.HtmlReport;
import io.jkeras.golden.Tolerance;
import io.jkeras.model.Model;
import io.jkeras.util.OutputFiles;
import io.jkeras.text.Printable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code jkeras verify MODEL --golden DIR}: exit 0 when every output is within tolerance, else 1.
 * The tolerance ({@link Tolerance}) comes from the flags, else the case's golden.json, else the
 * default; it is printed with its source, and one above {@link Tolerance#MAX} needs
 * {@code --allow-loose-tolerance}, which the verdict then names.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Run MODEL on a golden case (DIR with x0.npy…, y0.npy…, numbered without a gap) and compare "
                + "with the expected outputs: each value within atol + rtol·|expected|.",
                "Tolerances come from --atol/--rtol, else DIR/golden.json, else atol 1e-5, rtol 0; each is a finite "
                        + "number >= 0 and at most " + Tolerance.MAX + " unless --allow-loose-tolerance is given."})
final class VerifyCommand implements Callable<Integer> {
    @Mixin
    ModelArgs args = new ModelArgs();

    @Option(names = "--golden", paramLabel = "DIR", required = true, description = "Golden case directory.")
    Path golden;

    @Option(names = "--atol", paramLabel = "A",
            description = "Absolute tolerance, 0 to " + Tolerance.MAX + " (default: the case's, else 1e-5).")
    Double atol;

    @Option(names = "--rtol", paramLabel = "R",
            description = "Relative tolerance, 0 to " + Tolerance.MAX + " (default: the case's, else 0).")
    Double rtol;

    @Option(names = Tolerance.LOOSE_FLAG,
            description = "Allow a tolerance (flag or golden.json) above " + Tolerance.MAX + "; the verdict says so.")
    boolean allowLoose;

    @Option(names = "--report", paramLabel = "HTML",
            description = "Also write an HTML report with a plot of the error over timesteps per output.")
    Path report;

    @Option(names = "--force", description = "Replace the --report file when it exists.")
    boolean force;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws java.io.IOException {
        new OptionRanges(spec).tolerance("--atol", atol, allowLoose).tolerance("--rtol", rtol, allowLoose);
        try (OutputFiles files = OutputFiles.create(force)) {
            files.inputs(args.inputFiles()).inputs(List.of(golden));
            if (report != null) files.add("--report", report);
            return verify(files);
        }
    }

    private int verify(OutputFiles files) throws java.io.IOException {
        GoldenCase c = GoldenCase.open(golden);
        Tolerance tol = Tolerance.resolve(atol, "--atol", rtol, "--rtol", c, allowLoose);
        Model m = args.load();
        var out = spec.commandLine().getOut();
        out.println("tolerance: " + tol.describe());
        List<GoldenRunner.Outcome> outcomes = GoldenRunner.runDetailed(m, c, tol);
        List<Comparison> results = outcomes.stream().map(GoldenRunner.Outcome::comparison).toList();
        boolean ok = true;
        for (Comparison cmp : results) {
            out.println(Printable.escape(cmp.describe()));
            ok &= cmp.passed();
        }
        String loose = tol.loose() ? " (LOOSE tolerance, allowed by " + Tolerance.LOOSE_FLAG + ")" : "";
        out.println(Printable.escape(ok ? "PASS" + loose + ": " + results.size() + " output(s) match " + golden
                : "FAIL" + loose + ": outputs differ from " + golden));
        if (report != null) {
            byte[] html = HtmlReport.render(args.model.toString(), c, outcomes).getBytes(StandardCharsets.UTF_8);
            files.write(report, o -> o.write(html));
            files.commit();
            out.println(Printable.escape("report: " + report));
        }
        out.flush();
        return ok ? 0 : Main.CHECK_FAILED;
    }
}
