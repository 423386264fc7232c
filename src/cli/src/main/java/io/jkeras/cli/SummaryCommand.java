package io.jkeras.cli;

import io.jkeras.model.Model;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** {@code jkeras summary MODEL}: the Keras-style layer table with parameter counts. */
@Command(name = "summary", mixinStandardHelpOptions = true,
        description = "Print a Keras-style summary: layers, output shapes, parameter counts, total params.")
final class SummaryCommand implements Runnable {
    @Mixin
    ModelArgs args = new ModelArgs();

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        Model m = args.load();
        var out = spec.commandLine().getOut();
        out.print(m.summary());
        out.flush();
    }
}
