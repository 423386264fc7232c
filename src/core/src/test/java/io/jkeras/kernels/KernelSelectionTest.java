package io.jkeras.kernels;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which kernels the JVM picked. The default test run adds the {@code jdk.incubator.vector} module,
 * so every fast path must be the Vector API one; the pom's second run ({@code without-vector-module},
 * which sets {@code jkeras.test.expectedKernels=scalar}) leaves the module out, as a service on plain
 * Java 17 would, and every path must then be the scalar fallback, with the fixture tests run again
 * on it.
 */
class KernelSelectionTest {
    private static boolean expectScalar() {
        if ("scalar".equals(System.getProperty("jkeras.test.expectedKernels"))) return true;
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty() || Boolean.getBoolean("jkeras.scalar");
    }

    @Test
    void theChoiceIsLoggedOnceAndTheFallbackForcedByAMissingModuleIsAWarning() {
        String line = RecurrentKernels.announced();
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty() && !Boolean.getBoolean("jkeras.scalar")) {
            assertThat(line).startsWith("WARNING jkeras runs its scalar kernels").contains("--add-modules jdk.incubator.vector");
        } else {
            assertThat(line).startsWith("DEBUG jkeras kernels: " + (expectScalar() ? "scalar" : RecurrentKernels.best()))
                    .contains("thread(s)");
        }
    }

    @Test
    void everyFastPathFollowsTheModule() {
        String[] picked = {Gemm.kernel(), CellKernels.best(), RecurrentKernels.best(), TrainingCells.BEST.toString()};
        if (expectScalar()) {
            assertThat(ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty() || Boolean.getBoolean("jkeras.scalar"))
                    .as("the scalar run must not have the Vector API module").isTrue();
            assertThat(picked).as("Gemm, CellKernels, RecurrentKernels, TrainingCells").containsOnly("scalar");
        } else {
            for (String p : picked) assertThat(p).as("kernel picked with the Vector API module").startsWith("vector (");
        }
    }
}
