package io.jkeras.keras;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jkeras.exceptions.ModelFormatException;
import io.jkeras.model.Model;
import io.jkeras.model.Node;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The order a Functional config lists its layers in is the file's choice: any order builds the same
 * graph, and the work is linear in the number of layer calls (a chain of 9,990 layers listed in
 * reverse took 9-13 s and 1.3 GB when every pass over the pending calls built one).
 */
class GraphOrderTest {
    private static final JsonNodeFactory J = JsonNodeFactory.instance;
    private static final int CHAIN = 9_990;

    @Test
    void aFunctionalChainListedInReverseBuildsTheSameGraphAsInOrder() {
        List<ObjectNode> layers = chain(CHAIN);
        Model inOrder = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> build(layers));
        List<ObjectNode> reversed = new ArrayList<>(layers);
        Collections.reverse(reversed);
        Model reverse = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> build(reversed));
        assertThat(edges(reverse)).isEqualTo(edges(inOrder)).hasSize(CHAIN - 1);
        assertThat(reverse.outputName(0)).isEqualTo("a" + (CHAIN - 1));
        // every node's inputs come before it
        for (Node n : reverse.nodes()) for (Node.Ref r : n.inputs()) assertThat(r.node()).isLessThan(n.id());
    }

    @Test
    void aCycleIsStillReportedWhateverTheOrder() {
        List<ObjectNode> layers = chain(4);
        // a1 takes its input from a3, which depends on a1
        ((ArrayNode) layers.get(2).get("inbound_nodes").get(0).get(0)).set(0, J.textNode("a3"));
        Collections.reverse(layers);
        var e = assertThrows(ModelFormatException.class, () -> build(layers));
        assertThat(e.getMessage()).contains("its inputs are never produced");
    }

    /** "layer <- input layer" for every node, as a sorted list. */
    private static List<String> edges(Model m) {
        List<String> out = new ArrayList<>();
        for (Node n : m.nodes()) {
            for (Node.Ref r : n.inputs()) out.add(n.layer().name() + " <- " + m.nodes().get(r.node()).layer().name());
        }
        Collections.sort(out);
        return out;
    }

    /** A Keras 2 Functional config: an input, then {@code n - 1} Activation layers, each calling the one before. */
    private static List<ObjectNode> chain(int n) {
        List<ObjectNode> layers = new ArrayList<>();
        ObjectNode in = J.objectNode();
        in.put("class_name", "InputLayer").put("name", "a0");
        ObjectNode ic = in.putObject("config");
        ic.put("name", "a0");
        ic.putArray("batch_input_shape").addNull().add(3);
        in.putArray("inbound_nodes");
        layers.add(in);
        for (int i = 1; i < n; i++) {
            ObjectNode l = J.objectNode();
            l.put("class_name", "Activation").put("name", "a" + i);
            l.putObject("config").put("name", "a" + i).put("activation", "relu");
            l.putArray("inbound_nodes").addArray().addArray().add("a" + (i - 1)).add(0).add(0).addObject();
            layers.add(l);
        }
        return layers;
    }

    private static Model build(List<ObjectNode> layers) {
        ObjectNode root = J.objectNode();
        root.put("class_name", "Functional");
        ObjectNode c = root.putObject("config");
        c.put("name", "chain");
        ArrayNode ls = c.putArray("layers");
        layers.forEach(ls::add);
        c.putArray("input_layers").addArray().add("a0").add(0).add(0);
        c.putArray("output_layers").addArray().add("a" + (layers.size() - 1)).add(0).add(0);
        String text = root.toString();
        ModelSpec spec = new ConfigParser("chain.json").parse(ConfigParser.parseJson(text, "chain.json"));
        return ModelAssembler.assemble(spec, Map.of(),
                new MapContext("chain.json", KerasVersion.parse("2.15.0"), "tensorflow"),
                Map.of());
    }
}
