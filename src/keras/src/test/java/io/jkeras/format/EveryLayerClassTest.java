package io.jkeras.format;

import io.jkeras.fixtures.FixtureCase;
import io.jkeras.kernels.Activation;
import io.jkeras.layers.Bidirectional;
import io.jkeras.layers.CudnnRecurrent;
import io.jkeras.layers.InputLayer;
import io.jkeras.layers.Layer;
import io.jkeras.layers.LayerTypes;
import io.jkeras.layers.Lstm;
import io.jkeras.layers.RecurrentOptions;
import io.jkeras.layers.TimeDistributed;
import io.jkeras.layers.TrainingConfig;
import io.jkeras.layers.Weight;
import io.jkeras.model.Model;
import io.jkeras.model.Node;
import io.jkeras.train.TrainableLayer;
import io.jkeras.train.TrainableLayers;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every layer class the sealed {@link Layer} hierarchy permits is a native type (its simple name),
 * round-trips through the native format, and has a training form. The compiler checks that each
 * class has an {@code encode} and that the training forms ({@link Layer.Visitor}) cover it; the
 * static {@code decode} each class needs for reading is found by name ({@link LayerTypes}), which
 * only this test checks. A model for each class comes from the Keras 3 fixtures (CuDNN layers,
 * which Keras 3 no longer writes, are built here).
 */
class EveryLayerClassTest {
    /** The concrete classes below {@link Layer}, following sealed intermediate classes. */
    static List<Class<?>> concreteLayerClasses() {
        List<Class<?>> out = new ArrayList<>();
        collect(Layer.class, out);
        return out;
    }

    private static void collect(Class<?> c, List<Class<?>> out) {
        if (c.isSealed()) {
            for (Class<?> s : c.getPermittedSubclasses()) collect(s, out);
        } else {
            out.add(c);
        }
    }

    /** One model per layer class that uses it (at top level or nested in a wrapper). */
    private static final Map<Class<?>, Model> MODELS = models();

    private static Map<Class<?>, Model> models() {
        Map<Class<?>, Model> out = new LinkedHashMap<>();
        for (FixtureCase c : FixtureCase.all("keras3")) {
            Model m = c.load();
            for (Layer l : m.layers()) for (Layer x : withNested(l)) out.putIfAbsent(x.getClass(), m);
        }
        out.putIfAbsent(CudnnRecurrent.class, cudnnModel());
        // issue 14's layers: the cases of fixtures/keras3/layers14 that load on this build
        for (FixtureCase c : FixtureCase.all("keras3/layers14")) {
            Model m;
            try {
                m = c.load();
            } catch (io.jkeras.exceptions.UnsupportedModelException e) {
                continue;
            }
            for (Layer l : m.layers()) for (Layer x : withNested(l)) out.putIfAbsent(x.getClass(), m);
        }
        // a custom layer (its implementation is test code, found by ServiceLoader); keras3/ holds none
        out.putIfAbsent(io.jkeras.layers.CustomLayer.class, io.jkeras.JKeras.load(
                FixtureCase.root().resolve("keras3/layers14/custom_attention_lstm/model.h5")));
        return out;
    }

    private static List<Layer> withNested(Layer l) {
        List<Layer> out = new ArrayList<>(List.of(l));
        if (l instanceof Bidirectional b) {
            out.addAll(withNested(b.forwardLayer()));
            out.addAll(withNested(b.backwardLayer()));
        } else if (l instanceof TimeDistributed td) {
            out.addAll(withNested(td.inner()));
        } else if (l instanceof CudnnRecurrent c) {
            out.addAll(withNested(c.inner()));
        }
        return out;
    }

    private static Model cudnnModel() {
        int in = 3, u = 2;
        float[] k = new float[in * 4 * u], rk = new float[u * 4 * u], b8 = new float[8 * u];
        for (int i = 0; i < k.length; i++) k[i] = i / 16f;
        for (int i = 0; i < rk.length; i++) rk[i] = -i / 32f;
        for (int i = 0; i < b8.length; i++) b8[i] = i / 8f;
        float[] b = new float[4 * u];
        for (int i = 0; i < b.length; i++) b[i] = b8[i] + b8[4 * u + i];
        Lstm inner = new Lstm("cu_dnnlstm", u, in, Activation.TANH, Activation.SIGMOID, k, rk, b,
                new RecurrentOptions(true, false, false, false));
        CudnnRecurrent cu = new CudnnRecurrent("CuDNNLSTM", inner, List.of(
                new Weight("kernel", new int[]{in, 4 * u}, k), new Weight("recurrent_kernel", new int[]{u, 4 * u}, rk),
                new Weight("bias", new int[]{8 * u}, b8)));
        InputLayer il = new InputLayer("input_1", new int[]{-1, in}, -1, false);
        Node n0 = new Node(0, il, List.of(), new int[][]{{-1, in}});
        Node n1 = new Node(1, cu, List.of(new Node.Ref(0, 0)), cu.outputShapes(new int[][]{{-1, in}}));
        return new Model("cudnn", List.of(n0, n1), List.of(0), List.of(new Node.Ref(1, 0)), List.of(il, cu),
                Map.of("keras_version", "2.2.4", "backend", "tensorflow"), Map.of());
    }

    private static List<Layer> allLayers(Model m) {
        List<Layer> out = new ArrayList<>();
        for (Layer l : m.layers()) out.addAll(withNested(l));
        return out;
    }

    @Test
    void everyLayerClassIsANativeTypeNamedAfterItAndUsedByAFixture() {
        List<String> written = new ArrayList<>();
        for (Class<?> c : concreteLayerClasses()) {
            assertThat(MODELS).as("no Keras 3 fixture uses " + c.getSimpleName() + ": add one to tools/gen_fixtures.py")
                    .containsKey(c);
            for (Layer l : allLayers(MODELS.get(c))) {
                if (l.getClass() == c) {
                    written.add(LayerTypes.of(l));
                    break;
                }
            }
            assertThat(LayerTypes.classOf(c.getSimpleName())).isSameAs(c);
        }
        assertThat(written).as("type strings written for " + concreteLayerClasses()).doesNotHaveDuplicates()
                .containsExactlyElementsOf(concreteLayerClasses().stream().map(Class::getSimpleName).toList())
                .containsExactlyElementsOf(LayerTypes.all());
    }

    @Test
    void namesThatAreNotConcreteLayerClassesAreNoTypes() {
        for (String s : new String[]{"Layer", "Recurrent", "Weight", "Shapes", "LayerTypes", "Layer$Visitor",
                "java.lang.Runtime", "io.jkeras.layers.Dense", "dense", "DENSE", "Transformer", "", "Dense ",
                "A".repeat(65)}) {
            assertThat(LayerTypes.classOf(s)).as(s).isNull();
        }
    }

    @TestFactory
    Stream<DynamicTest> everyLayerClassRoundTripsThroughTheNativeFormat() {
        return concreteLayerClasses().stream().map(c -> DynamicTest.dynamicTest(c.getSimpleName(), () -> {
            Model src = MODELS.get(c);
            assertThat(src).as("a model with a " + c.getSimpleName()).isNotNull();
            byte[] bytes = JkmWriter.toBytes(src, JkmWriter.Options.DEFAULT);
            Model back = JkmReader.read(bytes, c.getSimpleName() + ".jkm", JkmReader.Options.DEFAULT);
            List<Layer> a = allLayers(src), b = allLayers(back);
            assertThat(b).extracting(l -> l.getClass().getSimpleName())
                    .containsExactlyElementsOf(a.stream().map(l -> l.getClass().getSimpleName()).toList());
            for (int i = 0; i < a.size(); i++) {
                if (a.get(i).getClass() != c) continue;
                assertThat(b.get(i).name()).isEqualTo(a.get(i).name());
                assertThat(b.get(i).typeName()).isEqualTo(a.get(i).typeName());
                List<Weight> wa = a.get(i).weights(), wb = b.get(i).weights();
                assertThat(wb).hasSameSizeAs(wa);
                for (int k = 0; k < wa.size(); k++) {
                    assertThat(wb.get(k).shape()).isEqualTo(wa.get(k).shape());
                    assertThat(bits(wb.get(k).values())).as(wa.get(k).name()).containsExactly(bits(wa.get(k).values()));
                }
            }
            // every configuration value survives: the read model writes the same bytes again
            assertThat(JkmWriter.toBytes(back, JkmWriter.Options.DEFAULT)).isEqualTo(bytes);
        }));
    }

    @TestFactory
    Stream<DynamicTest> everyLayerClassHasATrainingForm() {
        return concreteLayerClasses().stream().map(c -> DynamicTest.dynamicTest(c.getSimpleName(), () -> {
            Layer l = allLayers(MODELS.get(c)).stream().filter(x -> x.getClass() == c).findFirst().orElseThrow();
            TrainableLayer t = TrainableLayers.of(l, TrainingConfig.DEFAULT);
            assertThat(t.layer()).isSameAs(l);
        }));
    }

    private static int[] bits(float[] v) {
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) out[i] = Float.floatToRawIntBits(v[i]);
        return out;
    }
}
