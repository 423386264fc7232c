package io.jkeras.cli;

import io.jkeras.golden.GoldenRecorder;
import io.jkeras.golden.Tolerance;
import io.jkeras.model.Model;
import io.jkeras.tensor.Tensor;
import io.jkeras.text.Printable;
import io.jkeras.util.OutputFiles;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code jkeras golden record MODEL -i X.npy … --dir DIR}: writes a golden case from jkeras' own outputs. */
@Command(name = "golden", mixinStandardHelpOptions = true,
        description = "Golden-output regression cases (checked with 'jkeras verify MODEL --golden DIR').",
        subcommands = {GoldenCommand.Record.class})
final class GoldenCommand implements Runnable {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: record");
    }

    @Command(name = "record", mixinStandardHelpOptions = true,
            description = {"Run MODEL on the inputs and write a golden case: DIR/x0.npy… (the inputs as given),"
                    + " DIR/y0.npy… "
                    + "(jkeras' outputs) and DIR/golden.json (tolerances; provenance: jkeras version, model SHA-256,"
                            + " date).",
                    "The directory is written atomically (a temporary sibling renamed into place)."})
    static final class Record implements Callable<Integer> {
        @Mixin
        ModelArgs args = new ModelArgs();

        @Option(names = {"-i", "--input"}, paramLabel = "X.npy", required = true,
                description = "Input .npy, one per model input; repeat for consecutive batches (a stateful model"
                        + " carries its state).")
        List<Path> inputs = new ArrayList<>();

        @Option(names = "--dir", paramLabel = "DIR", required = true,
                description = "The golden case directory to write.")
        Path dir;

        @Option(names = "--atol", paramLabel = "A", defaultValue = "1e-5",
                description = "Absolute tolerance stored in golden.json, 0 to " + Tolerance.MAX
                        + " (default: ${DEFAULT-VALUE}).")
        double atol;

        @Option(names = "--rtol", paramLabel = "R", defaultValue = "0",
                description = "Relative tolerance stored in golden.json, 0 to " + Tolerance.MAX
                        + " (default: ${DEFAULT-VALUE}).")
        double rtol;

        @Option(names = Tolerance.LOOSE_FLAG, description = "Allow --atol/--rtol above " + Tolerance.MAX
                + " (verify then needs " + Tolerance.LOOSE_FLAG + " too).")
        boolean allowLoose;

        @Option(names = "--with-model", description = "Also store the model file in DIR (as model.<ext>).")
        boolean withModel;

        @Option(names = "--force", description = "Replace DIR when it exists and is not empty.")
        boolean force;

        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            new OptionRanges(spec).tolerance("--atol", atol, allowLoose).tolerance("--rtol", rtol, allowLoose);
            Path file = args.stateSource(); // the model file, for provenance and --with-model
            List<Path> read = new ArrayList<>(inputs);
            read.addAll(args.inputFiles());
            List<Tensor> ys;
            // the directory is declared (and refused when it cannot be written) before the model loads
            try (OutputFiles files = GoldenRecorder.target(dir, read, file, force)) {
                Model m = args.load();
                GoldenRecorder.Options o = new GoldenRecorder.Options(atol, rtol, force, withModel);
                ys = GoldenRecorder.record(m, file, inputs, dir, o, files);
            }
            var out = spec.commandLine().getOut();
            for (int i = 0; i < ys.size(); i++) out.println(
                    Printable.escape("wrote " + dir.resolve("y" + i + ".npy") + " "
                            + Tensor.shapeString(ys.get(i).shape())));
            out.println(Printable.escape("recorded golden case " + dir + ": " + inputs.size() + " input file(s), "
                    + ys.size()
                    + " output file(s), golden.json"));
            out.flush();
            return 0;
        }
    }
}
