package io.jkeras;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The package rules of docs/architecture.md, checked on the main classes of every module (this
 * module's test class path holds them all): packages form no cycle, the exceptions are a leaf,
 * only the Keras module touches jhdf and Jackson, only the kernels touch the Vector API, and the
 * core never reaches up into training, Keras or the command line.
 */
class ArchitectureTest {
    static final String[] CORE = {"io.jkeras.exceptions..", "io.jkeras.text..", "io.jkeras.util..",
            "io.jkeras.tensor..",
            "io.jkeras.kernels..", "io.jkeras.layers..", "io.jkeras.model..", "io.jkeras.npy..", "io.jkeras.golden..",
            "io.jkeras.format.."};

    static JavaClasses main;

    @BeforeAll
    static void load() {
        // main classes only, from class directories (a reactor build) or the modules' jars alike
        ImportOption mainOnly = location -> !location.contains("/test-classes/") && !location.contains("-tests.jar");
        main = new ClassFileImporter().withImportOption(mainOnly).importPackages("io.jkeras");
        // a rule over no classes passes: make sure every module's classes are here
        for (String c : new String[]{"io.jkeras.layers.Lstm", "io.jkeras.train.Trainer",
                "io.jkeras.keras.LayerRegistry",
                "io.jkeras.JKeras", "io.jkeras.testing.ModelAssert", "io.jkeras.cli.Main",
                "io.jkeras.serve.ModelServer", "io.jkeras.spark.JKerasModel", "io.jkeras.onnx.OnnxExporter"}) {
            org.assertj.core.api.Assertions.assertThat(main.contain(c)).as("imported " + c).isTrue();
        }
        org.assertj.core.api.Assertions.assertThat(main.contain("io.jkeras.ArchitectureTest")).as("tests left out")
                .isFalse();
    }

    static void check(ArchRule rule) { rule.check(main); }

    @Test
    void packagesFormNoCycle() {
        check(slices().matching("io.jkeras.(**)").should().beFreeOfCycles());
    }

    @Test
    void theExceptionsAreALeaf() {
        check(classes().that().resideInAPackage("io.jkeras.exceptions..").should().onlyDependOnClassesThat()
                .resideInAnyPackage("java..", "io.jkeras.exceptions..", "io.jkeras.text.."));
    }

    @Test
    void onlyTheKerasModuleTouchesJhdfAndJackson() {
        check(noClasses().that().resideOutsideOfPackages("io.jkeras.keras..", "io.jkeras")
                .should().dependOnClassesThat().resideInAnyPackage("io.jhdf.."));
        // the server reads and writes JSON requests with Jackson too
        check(noClasses().that().resideOutsideOfPackages("io.jkeras.keras..", "io.jkeras", "io.jkeras.serve..")
                .should().dependOnClassesThat().resideInAnyPackage("com.fasterxml.."));
    }

    @Test
    void onlyTheServerTouchesTheHttpServer() {
        check(noClasses().that().resideOutsideOfPackage("io.jkeras.serve..")
                .should().dependOnClassesThat().resideInAnyPackage("com.sun.net.httpserver.."));
    }

    @Test
    void theServerUsesTheCoreOnly() {
        check(noClasses().that().resideInAPackage("io.jkeras.serve..").should().dependOnClassesThat()
                .resideInAnyPackage("io.jkeras.train..", "io.jkeras.keras..", "io.jkeras.cli..", "io.jkeras.testing..",
                        "io.jkeras.plot..")
                .orShould().dependOnClassesThat().resideInAPackage("io.jkeras"));
    }

    @Test
    void onlyTheSparkModuleTouchesSparkScalaAndHadoop() {
        check(noClasses().that().resideOutsideOfPackage("io.jkeras.spark..").should().dependOnClassesThat()
                .resideInAnyPackage("org.apache.spark..", "scala..", "org.apache.hadoop.."));
    }

    @Test
    void nothingButTheSparkModuleReachesIt() {
        check(noClasses().that().resideOutsideOfPackage("io.jkeras.spark..").should().dependOnClassesThat()
                .resideInAPackage("io.jkeras.spark.."));
    }

    @Test
    void theSparkModuleUsesTheCoreAndTheFacadeOnly() {
        check(noClasses().that().resideInAPackage("io.jkeras.spark..").should().dependOnClassesThat()
                .resideInAnyPackage("io.jkeras.train..", "io.jkeras.cli..", "io.jkeras.testing..", "io.jkeras.plot..",
                        "io.jkeras.serve.."));
    }

    @Test
    void onlyTheOnnxModuleTouchesProtobufAndNothingShippedTouchesOnnxRuntime() {
        check(noClasses().that().resideOutsideOfPackage("io.jkeras.onnx..")
                .should().dependOnClassesThat().resideInAnyPackage("com.google.protobuf.."));
        // ONNX Runtime is native code: the tests run exported models with it, no main class may need it
        check(noClasses().should().dependOnClassesThat().resideInAnyPackage("ai.onnxruntime.."));
    }

    @Test
    void theOnnxModuleUsesTheCoreOnly() {
        check(noClasses().that().resideInAPackage("io.jkeras.onnx..").should().dependOnClassesThat()
                .resideInAnyPackage("io.jkeras.train..", "io.jkeras.keras..", "io.jkeras.cli..", "io.jkeras.testing..",
                        "io.jkeras.plot..", "io.jkeras.serve..")
                .orShould().dependOnClassesThat().resideInAPackage("io.jkeras"));
    }

    @Test
    void onlyTheKernelsTouchTheVectorApi() {
        check(noClasses().that().resideOutsideOfPackage("io.jkeras.kernels..")
                .should().dependOnClassesThat().resideInAPackage("jdk.incubator.vector.."));
    }

    @Test
    void theCoreNeverReachesUp() {
        check(noClasses().that().resideInAnyPackage(CORE).should().dependOnClassesThat()
                .resideInAnyPackage("io.jkeras.train..", "io.jkeras.keras..", "io.jkeras.cli..", "io.jkeras.testing..",
                        "io.jkeras.plot..", "io.jkeras.serve..", "io.jkeras.onnx..")
                .orShould().dependOnClassesThat().resideInAPackage("io.jkeras"));
    }

    @Test
    void trainingNeverReachesUp() {
        check(noClasses().that().resideInAPackage("io.jkeras.train..").should().dependOnClassesThat()
                .resideInAnyPackage("io.jkeras.keras..", "io.jkeras.cli..", "io.jkeras.testing..", "io.jkeras.plot..",
                        "io.jkeras.serve..")
                .orShould().dependOnClassesThat().resideInAPackage("io.jkeras"));
    }

    @Test
    void kerasNeverReachesTheCommandLineOrTheTestKit() {
        check(noClasses().that().resideInAnyPackage("io.jkeras.keras..", "io.jkeras").should().dependOnClassesThat()
                .resideInAnyPackage("io.jkeras.cli..", "io.jkeras.testing..", "io.jkeras.plot..", "io.jkeras.serve.."));
    }

    @Test
    void theTestKitUsesTheCoreOnly() {
        check(noClasses().that().resideInAPackage("io.jkeras.testing..").should().dependOnClassesThat()
                .resideInAnyPackage("io.jkeras.train..", "io.jkeras.keras..", "io.jkeras.cli..")
                .orShould().dependOnClassesThat().resideInAPackage("io.jkeras"));
    }

    @Test
    void noTwoClassesShareASimpleName() {
        java.util.Map<String, String> seen = new java.util.HashMap<>();
        java.util.List<String> clashes = new java.util.ArrayList<>();
        main.stream().filter(c -> c.isTopLevelClass()).forEach(c -> {
            String other = seen.putIfAbsent(c.getSimpleName(), c.getName());
            if (other != null) clashes.add(other + " and " + c.getName());
        });
        org.assertj.core.api.Assertions.assertThat(clashes).as("classes sharing a simple name").isEmpty();
    }
}
