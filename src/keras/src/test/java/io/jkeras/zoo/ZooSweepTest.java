package io.jkeras.zoo;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs every model in the keras-zoo (../shared/keras-zoo, or -Djkeras.zoo=DIR): each full-model
 * HDF5, .keras zip, config + weights pair and keras-js layer case. Files whose layers jkeras
 * supports must load and match every reference (ORIGINAL, then Keras 3 DERIVED, then
 * DERIVED-NumPy) within 1e-5; files with other layers must be refused with
 * UnsupportedModelException naming the layer. Skipped as a whole where the zoo is absent (a
 * fresh clone); CI has it beside the repository.
 *
 * <p>No subsampling is needed: the largest reference sets are 283 DL4J CSV sequences and the
 * 4 × 1000-step medaka input; the whole sweep takes well under a minute.
 */
class ZooSweepTest {

    @TestFactory
    Stream<DynamicTest> zoo() {
        Optional<Path> root = Zoo.locate();
        if (root.isEmpty()) {
            // a skipped test (not an aborted factory, which Surefire would not report at all)
            return Stream.of(DynamicTest.dynamicTest("keras-zoo", () -> Assumptions.abort(
                    "../shared/keras-zoo not found: the zoo sweep runs in CI, where shared/ sits beside the repo"
                            + " (or pass -Djkeras.zoo=DIR)")));
        }
        Zoo zoo = Zoo.open(root.get());
        ZooRunner runner = new ZooRunner(zoo, KnownDifferences.load(), ZooRunner.newScratch());
        List<Zoo.Entry> entries = zoo.entries();
        return entries.stream().map(e -> DynamicTest.dynamicTest(e.displayName(), () -> check(runner.run(e))));
    }

    static void check(ZooRunner.Result r) {
        switch (r.status()) {
            case PASS, UNSUPPORTED_AS_EXPECTED -> { }
            case SKIPPED -> Assumptions.abort(r.note());
            case FAIL -> fail(describe(r));
        }
    }

    static String describe(ZooRunner.Result r) {
        StringBuilder sb = new StringBuilder();
        Zoo.Entry e = r.entry();
        sb.append(e.file()).append(" [Keras ").append(e.version()).append("]: ").append(r.failure());
        if (r.loadError() != null) sb.append("\n  ").append(r.loadErrorType()).append(": ").append(r.loadError());
        if (!r.layerClasses().isEmpty()) sb.append("\n  layers: ").append(ZooRunner.classNames(r.layerClasses()));
        if (!r.refs().isEmpty()) {
            sb.append("\n  references: ").append(r.refs().stream()
                    .map(x -> x.kind().label + " " + ZooRunner.fmt(x.maxAbsError()) + (x.ok() ? " ok" : " FAIL"))
                    .collect(Collectors.joining(", ")));
        }
        return sb.toString();
    }
}
