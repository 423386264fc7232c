package io.jkeras.golden;

import io.jkeras.exceptions.InputException;
import io.jkeras.exceptions.JKerasException;
import io.jkeras.model.Model;
import io.jkeras.model.Session;
import io.jkeras.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/** Runs a model over a golden case's batches (one session, so stateful models carry state). */
public final class GoldenRunner {
    private GoldenRunner() {}

    /** One output of one batch: the comparison and the two tensors it was computed from. */
    public record Outcome(Comparison comparison, Tensor got, Tensor want, int batch, int output) {}

    /** Each output against the case within {@code atol + rtol·|expected|}, both within {@link Tolerance#MAX}. */
    public static List<Comparison> run(Model model, GoldenCase c, double atol, double rtol) {
        return run(model, c, Tolerance.of(atol, rtol, "given", false));
    }

    public static List<Comparison> run(Model model, GoldenCase c, Tolerance tol) {
        List<Comparison> out = new ArrayList<>();
        for (Outcome o : runDetailed(model, c, tol)) out.add(o.comparison());
        return out;
    }

    /** As {@link #run}, keeping each output's values (for reports such as {@link HtmlReport}). */
    public static List<Outcome> runDetailed(Model model, GoldenCase c, double atol, double rtol) {
        return runDetailed(model, c, Tolerance.of(atol, rtol, "given", false));
    }

    /** As {@link #run(Model, GoldenCase, Tolerance)}, keeping each output's values. */
    public static List<Outcome> runDetailed(Model model, GoldenCase c, Tolerance tol) {
        double atol = tol.atol(), rtol = tol.rtol();
        int nIn = model.inputCount(), nOut = model.outputCount();
        int nx = c.inputFiles().size(), ny = c.outputFiles().size();
        if (nx % nIn != 0) {
            throw new InputException(c.dir().toString(), null, null, "holds " + nx
                    + " input file(s), not a multiple of the model's " + nIn + " input(s)");
        }
        int batches = nx / nIn;
        if (ny != batches * nOut) {
            throw new InputException(c.dir().toString(), null, null, "holds " + nx + " input file(s) = " + batches
                    + " batch(es), so it needs "
                    + batches * nOut + " output file(s) y0..y" + (batches * nOut - 1) + ", found " + ny);
        }
        Session s = model.newSession();
        List<Outcome> out = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            Tensor[] x = new Tensor[nIn];
            for (int i = 0; i < nIn; i++) x[i] = c.input(b * nIn + i, model, i);
            Tensor[] y;
            try {
                y = s.predict(x);
            } catch (JKerasException e) {
                throw e.in(c.inputFiles().get(b * nIn).toString(), null);
            }
            for (int o = 0; o < nOut; o++) {
                String label = "y" + (b * nOut + o) + ".npy (batch " + b + ", output " + o + " '" + model.outputName(o)
                        + "')";
                Tensor want = c.expected(b * nOut + o);
                out.add(new Outcome(Comparison.of(label, y[o], want, atol, rtol), y[o], want, b, o));
            }
        }
        return out;
    }
}
