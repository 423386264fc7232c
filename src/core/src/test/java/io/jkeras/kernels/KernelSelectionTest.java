package io.jkeras.kernels;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which kernels the JVM picked. The default test run adds the {@code jdk.incubator.vector} module,
 * so every fast path must be the Vector API one; the pom's second run ({@code without-vector-module},
 * which sets {@code jkeras.test.expectedKernels=scalar}) leaves the module out, as a service on plain
 * Java 17 would, and every path must then be the scalar fallback, with the fixture tests run again
 * on it. Both runs check that one provider ({@link Kernels}) makes the choice for every path.
 */
class KernelSelectionTest {
    private static boolean expectScalar() {
        if ("scalar".equals(System.getProperty("jkeras.test.expectedKernels"))) return true;
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty() || Boolean.getBoolean("jkeras.scalar");
    }

    @Test
    void theChoiceIsLoggedOnceAndTheFallbackForcedByAMissingModuleIsAWarning() {
        String line = Kernels.announced();
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty() && !Boolean.getBoolean("jkeras.scalar")) {
            assertThat(line).startsWith("WARNING jkeras runs its scalar kernels")
                    .contains("--add-modules jdk.incubator.vector");
        } else {
            assertThat(line).startsWith("DEBUG jkeras kernels: " + (expectScalar() ? "scalar" : Kernels.best()))
                    .contains(Threads.defaultCount() + " thread(s)");
        }
    }

    @Test
    void everyFastPathFollowsTheModule() {
        Kernels best = Kernels.best();
        String[] picked = {best.paths().get("gemm"), best.cells().toString(), best.recurrent().toString()};
        if (expectScalar()) {
            assertThat(ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()
                    || Boolean.getBoolean("jkeras.scalar"))
                    .as("the scalar run must not have the Vector API module").isTrue();
            assertThat(picked).as("Gemm, CellKernels, RecurrentKernels").containsOnly("scalar");
            assertThat(best).as("the one provider falls back to the scalar kernels").isSameAs(Kernels.scalar());
        } else {
            for (String p : picked) assertThat(p).as("kernel picked with the Vector API module").startsWith("vector (");
            assertThat(best.isScalar()).isFalse();
        }
    }

    @Test
    void theEngineByDefaultRunsTheOneProvidersChoiceAndTheDefaultThreadCount() {
        assertThat(Engine.defaults().kernels()).isSameAs(Kernels.best());
        assertThat(Engine.current()).isSameAs(Engine.defaults());
        assertThat(Engine.defaults().threads()).isEqualTo(Threads.defaultCount());
    }

    @Test
    void anEngineCanBeForcedOntoTheScalarKernelsWithoutASystemProperty() {
        Engine scalar = Engine.defaults().withKernels(Kernels.scalar());
        assertThat(scalar.kernels().isScalar()).isTrue();
        assertThat(scalar.kernels().paths().values()).containsOnly("scalar");
        // bound to this thread and to the chunks a pool runs for it, then released
        String[] seen = new String[4];
        scalar.withThreads(2).bind(() -> Engine.current().pool().run(4,
                q -> seen[q] = Engine.current().kernels().recurrent().toString()));
        assertThat(seen).containsOnly("scalar");
        assertThat(Engine.current()).isSameAs(Engine.defaults());
        assertThat(Engine.defaults().kernels()).isSameAs(Kernels.best());
    }

    /**
     * Under {@code -XX:UseAVX=N} (the pom's avx2 and avx1 runs) the vector kernels run at most that
     * instruction set's width: 256 bits for AVX2, 128 for AVX. Without the flag the JVM's own
     * preference holds, whatever the CPU.
     */
    @Test
    void theVectorWidthIsAtMostWhatTheJvmsInstructionSetAllows() {
        int useAvx = -1;
        for (String arg : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-XX:UseAVX=")) useAvx = Integer.parseInt(arg.substring("-XX:UseAVX=".length()));
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(useAvx >= 0 && !expectScalar(),
                "runs in the pom's -XX:UseAVX runs, with the Vector API module");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("S_(\\d+)_BIT")
                .matcher(Kernels.best().recurrent().toString());
        assertThat(m.find()).as(Kernels.best().recurrent().toString()).isTrue();
        int bits = Integer.parseInt(m.group(1));
        assertThat(bits).as("vector bits under -XX:UseAVX=" + useAvx).isLessThanOrEqualTo(useAvx >= 3 ? 512
                : useAvx == 2 ? 256 : 128);
        assertThat(Kernels.summary()).contains(Kernels.best().recurrent().toString());
    }
}
