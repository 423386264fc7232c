package io.jkeras.cli;

import io.jkeras.model.Model;
import io.jkeras.text.Printable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** {@code jkeras weights MODEL}: every weight by its Keras name, with shape and statistics. */
@Command(name = "weights", mixinStandardHelpOptions = true,
        description = "List every weight by its Keras name (layer/kernel, layer/recurrent_kernel, layer/bias) with"
                + " shape and statistics.")
final class WeightsCommand implements Runnable {
    @Mixin
    ModelArgs args = new ModelArgs();

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        Model m = args.load();
        var out = spec.commandLine().getOut();
        out.printf("%-40s %-14s %12s %12s %12s %12s%n", "weight", "shape", "min", "max", "mean", "std");
        for (Model.NamedWeight w : m.weights()) {
            float[] v = w.weight().values();
            double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY, sum = 0, sq = 0;
            for (float f : v) {
                min = Math.min(min, f);
                max = Math.max(max, f);
                sum += f;
            }
            double mean = v.length == 0 ? 0 : sum / v.length;
            for (float f : v) sq += (f - mean) * (f - mean);
            double std = v.length == 0 ? 0 : Math.sqrt(sq / v.length);
            out.printf("%-40s %-14s %12.6g %12.6g %12.6g %12.6g%n", Printable.escape(w.fullName()), w.weight()
                    .shapeString(),
                    v.length == 0 ? 0 : min, v.length == 0 ? 0 : max, mean, std);
        }
        out.printf("%d weights, %d parameters%n", m.weights().size(), m.paramCount());
        out.flush();
    }
}
