package io.jkeras.testing;

import io.jkeras.golden.GoldenCase;
import io.jkeras.model.Model;
import org.assertj.core.api.AbstractAssert;

import java.nio.file.Path;

/** Assertions on a {@link Model}; {@link #on} selects the golden case its outputs are compared with. */
public final class ModelAssert extends AbstractAssert<ModelAssert, Model> {
    ModelAssert(Model actual) { super(actual, ModelAssert.class); }

    /** Compares the model with a golden case ({@code x0.npy…}, {@code y0.npy…}). */
    public GoldenAssert on(GoldenCase golden) {
        isNotNull();
        return new GoldenAssert(actual, golden, descriptionText());
    }

    /** Compares the model with the golden case in directory {@code dir}. */
    public GoldenAssert on(Path dir) { return on(GoldenCase.open(dir)); }

    public GoldenAssert on(String dir) {
        try {
            return on(Path.of(dir));
        } catch (java.nio.file.InvalidPathException e) {
            throw new io.jkeras.exceptions.InputException(null, null, null, io.jkeras.text.PathNames.unencodable(e), e);
        }
    }

    /** The model has {@code n} inputs. */
    public ModelAssert hasInputCount(int n) {
        isNotNull();
        if (actual.inputCount() != n) failWithMessage("Expected model '%s' to have %s input(s) but it has %s",
                actual.name(), n, actual.inputCount());
        return this;
    }

    /** The model has {@code n} outputs. */
    public ModelAssert hasOutputCount(int n) {
        isNotNull();
        if (actual.outputCount() != n) failWithMessage("Expected model '%s' to have %s output(s) but it has %s",
                actual.name(), n, actual.outputCount());
        return this;
    }
}
